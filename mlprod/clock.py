"""The Mission Locale's time: dates its staff, employers and directors mean are dates in France."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris_today(now: dt.datetime | None = None) -> dt.date:
    """Today in France (``now``, timezone-aware, for tests and rehearsals)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(PARIS).date()
