"""The growth report for directors, from figures it is given: pure figures, inline charts, HTML,
PDF or CSV. Reading the database is the workflow's part (:mod:`mlprod.jobs.report`)."""

from __future__ import annotations

from mlprod.report.classify import THEMES, Classified, Label, Published, Source, classify, known_theme
from mlprod.report.figures import (
    Kind,
    Period,
    ReportData,
    ReportFigures,
    VideoInfo,
    VideoTotals,
    compute_figures,
)
from mlprod.report.period import ReportFormat, note_start, report_format, resolve_period
from mlprod.report.render import render_report

__all__ = [
    "THEMES",
    "Classified",
    "Kind",
    "Label",
    "Period",
    "Published",
    "ReportData",
    "ReportFigures",
    "ReportFormat",
    "Source",
    "VideoInfo",
    "VideoTotals",
    "classify",
    "compute_figures",
    "known_theme",
    "note_start",
    "render_report",
    "report_format",
    "resolve_period",
]
