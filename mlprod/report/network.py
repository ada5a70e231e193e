"""The regional report: every site (Mission Locale) side by side, from each site's report figures.

Pure, like the rest of :mod:`mlprod.report`: the workflow (:mod:`mlprod.jobs.report`) reads each
site's figures with the site report's own code (:func:`~mlprod.report.compute_figures`) over one
common period, and hands them here as :class:`SiteFigures`; this module lines them up, adds the
network's totals, and writes the HTML page (the site report's ``base.html``), its PDF, or a CSV
table with one line per site.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from mlprod.report.figures import Growth, Period, ReportFigures, VideoLine
from mlprod.report.pdf import html_to_pdf
from mlprod.report.period import ReportFormat
from mlprod.report.render import environment

BEST_COUNT = 3
"""The best videos shown for each site."""

CSV_COLUMNS = ("site", "mission_locale", "chaine", "du", "au", "abonnes_debut", "abonnes_fin", "gain_net",
               "croissance_pct", "vues", "meilleures_videos", "remarque")
CSV_DELIMITER = ";"  # French spreadsheets read ";" (the comma is their decimal separator)
NO_STATISTICS = "pas encore de statistiques : lancez « mlprod --site {site} stats sync »"
NOT_IN_PERIOD = "pas de statistiques pour cette période"
PENDING = "pas encore disponible"


@dataclass(frozen=True)
class SiteFigures:
    """One site as the workflow found it: its report figures, or why it has none for the period."""

    site: str
    title: str
    """The Mission Locale's name (mlprod.toml's ``[sites.<site>] name``)."""
    figures: ReportFigures | None = None
    problem: str | None = None
    """French, for the page: why ``figures`` is None."""

    @property
    def growth(self) -> Growth | None:
        return self.figures.growth if self.figures is not None else None

    @property
    def best(self) -> list[VideoLine]:
        return self.figures.top_by_views[:BEST_COUNT] if self.figures is not None else []

    @property
    def notes(self) -> list[str]:
        return self.figures.notes if self.figures is not None else []


@dataclass(frozen=True)
class NetworkFigures:
    period: Period
    generated_on: date
    sites: list[SiteFigures]
    total: Growth | None
    """Every site with complete figures for the period, added up (None when none has)."""
    total_views: int
    counted: int
    """How many sites the totals add up."""
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(s.growth is not None for s in self.sites)


def network_figures(period: Period, sites: Sequence[SiteFigures], today: date) -> NetworkFigures:
    """The sites in the order given, and the network's totals over the sites whose period is whole."""
    whole = [s for s in sites if s.growth is not None and s.figures is not None]
    total = (Growth(sum(s.growth.start_count for s in whole if s.growth),
                    sum(s.growth.end_count for s in whole if s.growth)) if whole else None)
    views = sum(s.figures.views for s in whole if s.figures is not None)
    return NetworkFigures(period, today, list(sites), total, views, len(whole))


def render_network(figures: NetworkFigures, kind: ReportFormat) -> bytes:
    """The regional report's bytes in the format asked."""
    if kind is ReportFormat.CSV:
        return render_network_csv(figures).encode("utf-8-sig")  # the BOM tells spreadsheets it is UTF-8
    html = render_network_html(figures)
    return html_to_pdf(html) if kind is ReportFormat.PDF else html.encode("utf-8")


def render_network_html(figures: NetworkFigures) -> str:
    return environment().get_template("network.html").render(n=figures, best_count=BEST_COUNT)


def render_network_csv(figures: NetworkFigures) -> str:
    """One line per site, then the network's; figures a site does not have yet are left empty."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    first, last = figures.period.start.isoformat(), figures.period.end.isoformat()
    for site in figures.sites:
        data = site.figures
        growth = site.growth
        best = " | ".join(f"{line.info.title} ({line.period.views} vues)" for line in site.best)
        remark = site.problem or ("" if growth is not None or data is None else f"fin de période : {PENDING}")
        writer.writerow([
            site.site, site.title, data.channel_title if data else "", first, last,
            data.subscribers_start if data else "", growth.end_count if growth else "",
            growth.net if growth else "", _rate(growth), data.views if data else "", best,
            " ".join(filter(None, [remark, *site.notes])),
        ])
    total = figures.total
    writer.writerow(["reseau", f"Réseau ({figures.counted} sur {len(figures.sites)})", "", first, last,
                     total.start_count if total else "", total.end_count if total else "",
                     total.net if total else "", _rate(total), figures.total_views if total else "", "", ""])
    return out.getvalue()


def _rate(growth: Growth | None) -> str:
    """The growth in percent with a decimal comma and no grouping, which spreadsheets read as a number."""
    if growth is None or growth.rate is None:
        return ""
    return f"{growth.rate:.1f}".replace(".", ",")
