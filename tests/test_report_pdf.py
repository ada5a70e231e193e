"""`mlprod report -o rapport.pdf`: WeasyPrint prints the HTML report on A4 with the brand's fonts.

No browser needed: these run wherever `pip install .` ran (WeasyPrint uses the system's Pango).
"""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from stats_helpers import SignedIn, plain, seeded

from mlprod.report.pdf import NEEDS_PANGO, html_to_pdf

pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDF back: pip install pypdf (test extra)")

A4_POINTS = (595, 842)


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignedIn]:
    with seeded(tmp_path_factory.mktemp("pdf") / "ws") as channel:
        yield channel


def write(seed: SignedIn, path: Path) -> Any:
    result = seed.cli("report", "--from", "2020-03-16", "--to", "2020-05-16", "-o", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Report written to {path}"  # WeasyPrint's notes stay quiet
    assert path.read_bytes().startswith(b"%PDF-")
    return pypdf.PdfReader(path)


def fonts(reader: Any) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_the_pdf_holds_the_report_on_a4_pages(seed: SignedIn, tmp_path: Path) -> None:
    reader = write(seed, tmp_path / "rapport.pdf")
    pages = [plain(page.extract_text()) for page in reader.pages]
    assert len(pages) == 5  # summary, weekly audience, top videos, themes and offers, the last row
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4_POINTS
    first, second, third, fourth, _ = pages
    for text in ("Ce que la chaîne YouTube apporte", "Du 16 mars 2020 au 16 mai 2020", "600", "2 300",
                 "+1 700", "+283,3 %", "1 / 5"):
        assert text in first, text
    for text in ("16 mars", "23 mars", "2 500", "Abonnés en fin de journée"):  # the chart, drawn as text
        assert text in first, text
    assert "Vues et temps de visionnage par semaine" in second and "16–22 mars 2020" in second
    assert "Les vidéos qui ont le plus apporté" in third
    assert "Préparer son entretien" in fourth and "Formation et apprentissage" in fourth
    assert "Publié pendant la période" in fourth
    assert {"DejaVu-Sans", "DejaVu-Sans-Bold"} <= fonts(reader)  # the brand's, embedded


def test_the_pdf_fetches_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    secret = tmp_path / "secret.png"
    Image.new("RGB", (8, 8), "red").save(secret)  # a real picture: drawn if it were fetched
    page = (f'<p>rapport</p><img src="{secret.as_uri()}"><img src="http://127.0.0.1:9/x.png">'
            f'<link rel="stylesheet" href="http://127.0.0.1:9/x.css">')
    path = tmp_path / "r.pdf"
    path.write_bytes(html_to_pdf(page))
    [only] = pypdf.PdfReader(path).pages
    assert "rapport" in only.extract_text()
    assert not only["/Resources"].get("/XObject")  # no image was drawn
    refused = [r.getMessage() for r in caplog.records if "fetches nothing but its fonts" in r.getMessage()]
    assert len(refused) == 3


class _NoPango(importlib.abc.MetaPathFinder):
    """What importing WeasyPrint does on a system without Pango: cffi's dlopen raises OSError."""

    def find_spec(self, name: str, *_args: object) -> None:
        if name == "weasyprint":
            raise OSError("cannot load library 'libgobject-2.0-0': libgobject-2.0-0: cannot open shared"
                          " object file: No such file or directory")


def test_without_pango_one_instruction(seed: SignedIn, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # Pango is installed here (Debian's python images have it), so its absence is simulated at import
    for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_NoPango(), *sys.meta_path])
    result = seed.cli("report", "-o", str(tmp_path / "rapport.pdf"))
    assert result.exit_code == 1
    assert NEEDS_PANGO in result.output
    assert "`apt-get install libpango-1.0-0 libpangoft2-1.0-0`" in result.output
    assert not (tmp_path / "rapport.pdf").exists()
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in readme  # the same instruction
