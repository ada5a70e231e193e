"""HTML to PDF with WeasyPrint: the page a director sees on screen, printed on A4.

Why WeasyPrint: it installs with `pip install .` (pure Python; it uses the Pango library that
Debian and Ubuntu desktops and servers already have), draws the report's inline SVG charts itself,
and follows the report's own print styles (``@page`` A4, page breaks between parts), so the PDF
and the HTML never drift apart. A browser through Playwright gives the same pages but needs a
browser installed beside mlprod (Debian's chromium: about 300 MB) for one file.

The text is set in the brand's fonts, DejaVu from matplotlib's package data, whatever fonts the
system has; the page numbers ("1 / 4") come from the ``@page`` footer below. Nothing else is
fetched: the HTML is self-contained and the fetcher refuses any other address.
"""

from __future__ import annotations

import importlib.util
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from mlprod.errors import ReportError

FONT_FILES = {  # (weight, style) → matplotlib's file
    ("normal", "normal"): "DejaVuSans.ttf",
    ("bold", "normal"): "DejaVuSans-Bold.ttf",
    ("normal", "italic"): "DejaVuSans-Oblique.ttf",
    ("bold", "italic"): "DejaVuSans-BoldOblique.ttf",
}
FOOTER = """
@page { @bottom-center { content: counter(page) " / " counter(pages); font-family: "DejaVu Sans";
                          font-size: 7pt; color: #777; } }
"""
PANGO_PACKAGES = "apt-get install libpango-1.0-0 libpangoft2-1.0-0"
NEEDS_PANGO = (f"cannot write a PDF: WeasyPrint needs the Pango library, missing on this system — install"
               f" it (`{PANGO_PACKAGES}`), or write the report as .html and print it from a browser")


def font_dir() -> Path:
    """matplotlib's DejaVu fonts (the brand's), found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    assert spec is not None and spec.origin is not None, "matplotlib is a dependency of mlprod"
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"


@lru_cache(maxsize=1)
def print_styles() -> str:
    faces = [f'@font-face {{ font-family: "DejaVu Sans"; font-weight: {weight}; font-style: {style};'
             f' src: url("{(font_dir() / name).as_uri()}"); }}'
             for (weight, style), name in FONT_FILES.items()]
    return "\n".join([*faces, FOOTER])


def _weasyprint() -> Any:
    # WeasyPrint's notes (rendering steps, even while it is imported; the screen-only CSS the HTML
    # keeps for browsers) are not the user's business: `mlprod -v` shows mlprod's own decisions
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    try:
        import weasyprint
    except ImportError as err:
        raise ReportError("cannot write a PDF: the weasyprint package is missing — reinstall mlprod"
                          " (`pip install .` installs it), or write the report as .html and print it"
                          " from a browser") from err
    except OSError as err:  # cffi could not load Pango (or GObject): a system library is missing
        raise ReportError(NEEDS_PANGO) from err
    return weasyprint


def html_to_pdf(html: str) -> bytes:
    """The PDF (A4, the report's print styles, DejaVu fonts, numbered pages) of ``html``."""
    weasyprint = _weasyprint()
    from weasyprint.urls import URLFetcher

    allowed = {(font_dir() / name).as_uri() for name in FONT_FILES.values()}

    class FontsOnly(URLFetcher):
        """The brand's font files, nothing else: a report never reaches the network or other files."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url not in allowed:
                raise ValueError(f"the report's PDF fetches nothing but its fonts, not {url}")
            return super().fetch(url, headers)

    from weasyprint.text.fonts import FontConfiguration

    fetcher, fonts = FontsOnly(), FontConfiguration()  # @font-face needs the same fonts object twice
    document = weasyprint.HTML(string=html, url_fetcher=fetcher, media_type="print")
    styles = weasyprint.CSS(string=print_styles(), url_fetcher=fetcher, font_config=fonts)
    pdf: bytes = document.write_pdf(stylesheets=[styles], font_config=fonts)
    return pdf
