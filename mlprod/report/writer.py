"""`mlprod report`: check the period, read the rows, compute the figures, write HTML, PDF or CSV."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from mlprod.clock import paris_today
from mlprod.config import Settings
from mlprod.errors import ReportError
from mlprod.files import write_atomic
from mlprod.french import fr_date
from mlprod.report.data import load_report_data, sync_state
from mlprod.report.figures import Period, ReportFigures, compute_figures
from mlprod.report.pdf import html_to_pdf
from mlprod.report.render import render_csv, render_html
from mlprod.store import Database
from mlprod.store.models import SyncState

FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".csv": "csv"}
NO_DATA = ("the database holds no channel statistics yet — run `mlprod stats sync` first"
           " (it pulls the channel's figures from YouTube), then `mlprod report` again")


def report_format(output: Path) -> str:
    try:
        return FORMATS[output.suffix.lower()]
    except KeyError:
        raise ReportError(f"{output}: unknown report format {output.suffix or '(no extension)'!r}"
                          " — name the file .html (to read on screen or print), .pdf or .csv"
                          " (daily table)") from None


def resolve_period(state: SyncState, start: date | None, end: date | None, today: date) -> Period:
    """The period asked, checked against the statistics held; defaults to everything delivered."""
    assert state.synced_through is not None
    first, through = state.channel_started, state.synced_through
    held = f"the statistics held run from {first} to {through}"
    for name, value in (("--from", start), ("--to", end)):
        if value is not None and value > today:
            raise ReportError(f"{name} {value} is in the future (today is {today}) — choose a date up to"
                              f" {through}, the last day YouTube has delivered")
    if start is not None and end is not None and end < start:
        raise ReportError(f"--to {end} is before --from {start} — swap the two dates")
    end = end or through
    start = start or first
    if end < first:
        raise ReportError(f"no statistics for {start} to {end}: the channel's figures start on {first};"
                          f" {held} — choose a period within it")
    if start > through:
        raise ReportError(f"no statistics delivered yet for {start} to {end}: {held} (YouTube delivers"
                          " each day's figures two or three days later) — run `mlprod stats sync` later,"
                          " or choose an earlier period")
    if end < start:
        raise ReportError(f"--to {end} is before the start of the period ({start}) — choose a later --to")
    return Period(max(start, first), end)


def build_figures(db: Database, start: date | None, end: date | None,
                  today: date | None = None) -> ReportFigures:
    """The figures of the report for the period asked (what every format displays)."""
    today = today or paris_today()
    state = sync_state(db)
    if state is None:
        raise ReportError(NO_DATA)
    if state.synced_through is None:
        raise ReportError("YouTube has not delivered any day of the channel's statistics yet (it delivers"
                          " each day two or three days later) — run `mlprod stats sync` again in a few days")
    period = resolve_period(state, start, end, today)
    figures = compute_figures(load_report_data(db, state, period), period, today)
    if start is not None and start < period.start:
        note = (f"Les statistiques de la chaîne commencent le {fr_date(period.start)} : "
                f"la période demandée (à partir du {fr_date(start)}) commence à cette date.")
        figures = dataclasses.replace(figures, notes=[*figures.notes, note])
    return figures


def write_report(settings: Settings, db: Database, output: Path, start: date | None, end: date | None,
                 *, today: date | None = None) -> Path:
    """Write the growth report to ``output`` (.html, .pdf or .csv; a folder, or a path without
    extension, gets ``rapport-START_END.html`` in it). ``output`` relative: to the workspace.

    The file appears whole or not at all: it is written under a temporary name, then renamed.
    """
    output = output if output.is_absolute() else settings.root / output
    figures: ReportFigures | None = None
    if output.is_dir() or not output.suffix:
        figures = build_figures(db, start, end, today)
        output = output / f"rapport-{figures.period.start}_{figures.period.end}.html"
    kind = report_format(output)
    figures = figures or build_figures(db, start, end, today)
    if kind == "csv":
        content = render_csv(figures).encode("utf-8-sig")  # the BOM tells spreadsheets it is UTF-8
    elif kind == "pdf":
        content = html_to_pdf(render_html(figures))
    else:
        content = render_html(figures).encode("utf-8")
    _write_atomically(output, content)
    return output


def _write_atomically(path: Path, content: bytes) -> None:
    try:
        write_atomic(path, content)
    except OSError as err:
        raise ReportError(f"{path}: cannot write the report ({err.strerror}) — choose another -o"
                          " path") from err
