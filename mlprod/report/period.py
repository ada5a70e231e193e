"""The period and the file a report is asked for: checked against the statistics held (pure).

The dates come from the caller (the sync state it read, today in France): nothing here reads the
database or the clock.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import StrEnum
from pathlib import Path

from mlprod.errors import ReportError
from mlprod.french import fr_date
from mlprod.report.figures import Period, ReportFigures


class ReportFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"
    CSV = "csv"


SUFFIXES = {".html": ReportFormat.HTML, ".htm": ReportFormat.HTML, ".pdf": ReportFormat.PDF,
            ".csv": ReportFormat.CSV}
NO_DATA = ("the database holds no channel statistics yet — run `mlprod stats sync` first"
           " (it pulls the channel's figures from YouTube), then `mlprod report` again")
NOTHING_DELIVERED = ("YouTube has not delivered any day of the channel's statistics yet (it delivers"
                     " each day two or three days later) — run `mlprod stats sync` again in a few days")


def report_format(output: Path) -> ReportFormat:
    """The format named by ``output``'s extension, or a message saying which ones exist."""
    try:
        return SUFFIXES[output.suffix.lower()]
    except KeyError:
        raise ReportError(f"{output}: unknown report format {output.suffix or '(no extension)'!r}"
                          " — name the file .html (to read on screen or print), .pdf or .csv"
                          " (daily table)") from None


def resolve_period(first: date, through: date, start: date | None, end: date | None, today: date) -> Period:
    """The period asked, checked against the statistics held (``first`` to ``through``); defaults to
    everything delivered."""
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


def note_start(figures: ReportFigures, asked: date | None) -> ReportFigures:
    """The figures with a note when the period asked began before the channel's statistics."""
    if asked is None or asked >= figures.period.start:
        return figures
    note = (f"Les statistiques de la chaîne commencent le {fr_date(figures.period.start)} : "
            f"la période demandée (à partir du {fr_date(asked)}) commence à cette date.")
    return dataclasses.replace(figures, notes=[*figures.notes, note])
