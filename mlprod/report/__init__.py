"""The growth report for directors: figures from the database, inline charts, HTML, PDF or CSV."""

from __future__ import annotations

from mlprod.report.writer import build_figures, write_report

__all__ = ["build_figures", "write_report"]
