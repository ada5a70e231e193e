"""`mlprod report --network`: every site side by side, in French, as HTML, PDF and CSV; the same
figures as each site's own report, and the sandbox histories' ground truth."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from sites_helpers import SITES, Region
from stats_helpers import Element, figure, parse_html, plain

from mlprod.config import CONFIG_NAME, Settings

START, END = "2020-03-16", "2020-05-16"


def _network(region: Region, path: Path, *args: str, site: str | None = None) -> Path:
    result = region.cli(site, "report", "--network", *args, "-o", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Report written to {path}"
    return path


def _rows(page: Element) -> dict[str, Element]:
    return {row.attrs["data-site"]: row for row in page.find("table", id="sites").find_all("tr")
            if "data-site" in row.attrs}


def test_every_site_side_by_side_with_its_own_reports_figures(region: Region, tmp_path: Path) -> None:
    page = parse_html(_network(region, tmp_path / "reseau.html", "--from", START, "--to", END)
                      .read_text(encoding="utf-8"))
    rows = _rows(page)
    assert list(rows) == ["salon", "istres", ""]  # mlprod.toml's order, then the network's total
    day = dt.date.fromisoformat
    for site, row in list(rows.items())[:2]:
        history = region.histories[site]
        own = tmp_path / f"{site}.html"
        region.ok(site, "report", "--from", START, "--to", END, "-o", str(own))
        report = parse_html(own.read_text(encoding="utf-8"))
        assert row.attrs["data-subscribers-start"] == figure(report, "subscribers-start") == str(
            history.subscribers_at_end_of(day(START) - dt.timedelta(days=1)))
        assert row.attrs["data-subscribers-end"] == figure(report, "subscribers-end") == str(
            history.subscribers_at_end_of(day(END)))
        assert row.attrs["data-net-gain"] == figure(report, "net-gain")
        assert row.attrs["data-growth-rate"] == figure(report, "growth-rate")
        assert int(row.attrs["data-views"]) == int(figure(report, "views")) == sum(
            d.views for d in history.days_between(day(START), day(END)))
        top = [r.attrs["data-youtube-id"] for r in report.find("table", id="top-views").find_all("tr")
               if "data-youtube-id" in r.attrs][:3]
        best = page.find("div", data_site=site)
        assert [r.attrs["data-youtube-id"] for r in best.find_all("tr")
                if "data-youtube-id" in r.attrs] == top
        assert SITES[site] in row.all_text and SITES[site] in best.all_text

    salon, istres, total = rows["salon"], rows["istres"], rows[""]
    assert (salon.attrs["data-subscribers-end"], istres.attrs["data-subscribers-end"]) == ("2300", "400")
    for key in ("data-subscribers-start", "data-subscribers-end", "data-net-gain", "data-views"):
        assert int(total.attrs[key]) == int(salon.attrs[key]) + int(istres.attrs[key]), key
    start, end = int(total.attrs["data-subscribers-start"]), int(total.attrs["data-subscribers-end"])
    assert float(total.attrs["data-growth-rate"]) == pytest.approx((end - start) * 100 / start)
    text = plain(page.all_text)
    assert "Réseau des Missions Locales" in text and "Du 16 mars 2020 au 16 mai 2020" in text
    assert f"+{plain(format(end - start, ',').replace(',', ' '))}" in text  # French grouping
    assert page.find("html").attrs["lang"] == "fr"


def test_the_csv_has_one_line_per_site_and_the_networks(region: Region, tmp_path: Path) -> None:
    path = _network(region, tmp_path / "reseau.csv", "--from", START, "--to", END)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with its BOM, for spreadsheets
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert [r["site"] for r in rows] == ["salon", "istres", "reseau"]
    salon, istres, total = rows
    assert (salon["mission_locale"], salon["abonnes_fin"], istres["abonnes_fin"]) == (
        SITES["salon"], "2300", "400")
    assert (salon["du"], salon["au"]) == (START, END)
    assert int(total["abonnes_fin"]) == 2700
    assert int(total["vues"]) == int(salon["vues"]) + int(istres["vues"])
    gain, before = int(salon["gain_net"]), int(salon["abonnes_debut"])
    assert salon["croissance_pct"] == f"{gain * 100 / before:.1f}".replace(".", ",")
    assert salon["meilleures_videos"].count(" vues)") == 3


def test_the_pdf_is_the_page_on_a4(region: Region, tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDF back: pip install pypdf (test extra)")
    path = _network(region, tmp_path / "reseau.pdf", "--from", START, "--to", END, site="istres")
    reader = pypdf.PdfReader(path)
    text = plain(" ".join(page.extract_text() for page in reader.pages))
    assert all(title in text for title in SITES.values()) and "Réseau" in text
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]


def test_by_default_every_day_all_sites_have_and_a_site_without_statistics(region: Region) -> None:
    config = region.root / CONFIG_NAME
    config.write_text(config.read_text(encoding="utf-8") + '\n[sites.martigues]\nname = "ML Martigues"\n',
                      encoding="utf-8")
    result = region.cli("salon", "report", "--network")  # --site changes nothing: every site, output/
    assert result.exit_code == 0, result.output
    [path] = (region.root / "output").glob("reseau-*.html")
    assert str(path) in result.output
    page = parse_html(path.read_text(encoding="utf-8"))
    with region.database("salon") as db:
        from mlprod.jobs.report import sync_state

        salon = sync_state(db)
    assert salon is not None and salon.synced_through is not None
    period = page.find("p", **{"class": "period"})
    assert period.attrs["data-start"] == salon.channel_started.isoformat()
    assert period.attrs["data-end"] <= salon.synced_through.isoformat()
    rows = _rows(page)
    assert list(rows) == ["salon", "istres", "martigues", ""]
    assert rows["martigues"].attrs["data-subscribers-start"] == ""
    assert "pas encore de statistiques : lancez « mlprod --site martigues stats sync »" in rows[
        "martigues"].all_text
    assert rows[""].attrs["data-counted"] == "2" and "(2 sur 3)" in plain(rows[""].all_text)


def test_a_period_with_days_not_delivered_yet(region: Region, tmp_path: Path) -> None:
    with region.database("istres") as db:
        from mlprod.jobs.report import sync_state

        state = sync_state(db)
    today = dt.date.today()
    assert state is not None and state.synced_through is not None and state.synced_through < today
    page = parse_html(_network(region, tmp_path / "r.html", "--from", START, "--to", today.isoformat())
                      .read_text(encoding="utf-8"))
    rows = _rows(page)
    for site in SITES:
        assert rows[site].attrs["data-subscribers-end"] == rows[site].attrs["data-net-gain"] == ""
        assert rows[site].attrs["data-subscribers-start"] != ""
        assert "pas encore disponible" in rows[site].all_text
    assert "" not in rows  # no site's period is whole: no total to add up


BAD_REQUESTS = [
    (["--from", "2999-01-01"], "--from 2999-01-01 is in the future"),
    (["--from", END, "--to", START], f"--to {START} is before --from {END} — swap the two dates"),
    (["-o", "reseau.txt"], "unknown report format '.txt'"),
]


def test_bad_requests_say_what_to_do(region: Region) -> None:
    for args, message in BAD_REQUESTS:
        result = region.cli(None, "report", "--network", *args)
        assert result.exit_code == 1 and message in result.output, args
    assert not list((region.root / "output").glob("reseau*"))


def test_without_statistics_it_says_to_sync_each_site(workspace: Settings,
                                                      run_cli: Callable[..., Result]) -> None:
    result = run_cli("report", "--network")
    assert result.exit_code == 1
    assert "no site holds channel statistics yet — run `mlprod --site NAME stats sync`" in result.output
