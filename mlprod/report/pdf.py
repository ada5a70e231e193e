"""HTML to PDF with Debian's chromium, driven by Playwright (never a browser Playwright downloads).

Chromium prints the same page a director sees on screen, with the report's own print styles
(``@page`` A4, page breaks between parts), so the PDF and the HTML never drift apart.
"""

from __future__ import annotations

from pathlib import Path

from mlprod.errors import ReportError

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)
FOOTER = ('<div style="width:100%;font-size:7pt;color:#777;text-align:center;'
          'font-family:DejaVu Sans,Arial,sans-serif">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
TIMEOUT_MS = 60_000


def missing_chromium_message(chromium: Path) -> str:
    return (f"cannot write a PDF: {chromium} is not installed — install it (`apt-get install chromium`),"
            " or write the report as .html and print it to PDF from a browser")


def html_to_pdf(html: str, chromium: Path = CHROMIUM) -> bytes:
    """The PDF (A4) of ``html``, printed by ``chromium`` in headless mode."""
    if not chromium.exists():
        raise ReportError(missing_chromium_message(chromium))
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        raise ReportError("cannot write a PDF: the playwright package is missing — `pip install playwright`,"
                          " or write the report as .html and print it from a browser") from err
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium), headless=True,
                                                 args=list(CHROMIUM_ARGS), timeout=TIMEOUT_MS)
            try:
                page = browser.new_page()
                page.set_content(html, wait_until="load", timeout=TIMEOUT_MS)
                return page.pdf(format="A4", print_background=True, prefer_css_page_size=True,
                                display_header_footer=True, header_template="<span></span>",
                                footer_template=FOOTER)
            finally:
                browser.close()
    except PlaywrightError as err:
        raise ReportError(f"cannot write a PDF: {chromium} failed ({str(err).splitlines()[0]}) — write the"
                          " report as .html and print it from a browser, or reinstall chromium") from err
