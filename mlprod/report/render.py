"""Figures to files: the HTML page (Jinja2, autoescaped, charts inline), its PDF, the daily CSV table."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from mlprod.french import fr_date, fr_hours, fr_int, fr_percent, fr_range
from mlprod.report.charts import subscribers_chart, weekly_chart
from mlprod.report.figures import ReportFigures
from mlprod.report.pdf import html_to_pdf
from mlprod.report.period import ReportFormat
from mlprod.report.platforms import PlatformLine

GROUP_LIMIT = 15
"""Videos listed per theme (and among the other videos) before "et N autres"."""

CSV_DELIMITER = ";"
"""French spreadsheets read ";" (the comma is their decimal separator)."""

CSV_COLUMNS = ("date", "vues", "minutes_regardees", "abonnes_gagnes", "abonnes_perdus",
               "abonnes_fin_de_journee", "statut")
DELIVERED = "disponible"
PENDING = "pas encore disponible"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("mlprod.report", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        fr_date=fr_date,
        fr_int=fr_int,
        fr_signed=lambda value: fr_int(value, signed=True),
        fr_percent=fr_percent,
        fr_hours=fr_hours,
        fr_range=fr_range,
    )
    return env


def render_report(figures: ReportFigures, kind: ReportFormat,
                  platforms: Sequence[PlatformLine] = ()) -> bytes:
    """The file's bytes in the format asked (``platforms``: the comparison of platforms, when
    mlprod publishes on more than YouTube)."""
    if kind is ReportFormat.CSV:
        return render_csv(figures).encode("utf-8-sig")  # the BOM tells spreadsheets it is UTF-8
    if kind is ReportFormat.PDF:
        return html_to_pdf(render_html(figures, platforms))
    return render_html(figures, platforms).encode("utf-8")


def render_html(figures: ReportFigures, platforms: Sequence[PlatformLine] = ()) -> str:
    """The whole report as one self-contained HTML page (styles and charts inline)."""
    charts = {
        "subscribers": Markup(subscribers_chart(figures.daily, figures.published)),  # noqa: S704 - our SVG, escaped where it holds text
        "weekly_views": Markup(weekly_chart(figures.weeks, "views")),  # noqa: S704
        "weekly_minutes": Markup(weekly_chart(figures.weeks, "minutes")),  # noqa: S704
    }
    return environment().get_template("report.html").render(f=figures, charts=charts, limit=GROUP_LIMIT,
                                                            platforms=list(platforms))


def render_csv(figures: ReportFigures) -> str:
    """The daily table; days not delivered yet have empty figures and the status "pas encore disponible"."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in figures.daily:
        row = line.figures
        if row is None:
            writer.writerow([_iso(line.day), "", "", "", "", "", PENDING])
            continue
        writer.writerow([_iso(line.day), row.views, row.minutes, row.gained, row.lost, line.subscribers,
                         DELIVERED])
    return out.getvalue()


def _iso(day: date) -> str:
    return day.isoformat()
