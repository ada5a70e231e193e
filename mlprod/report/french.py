"""French formatting for the report: "16 mars 2020", "2 300", "+283,3 %", "1er avril 2020".

Thousands are separated by a narrow no-break space (U+202F), as the Imprimerie nationale and CLDR
do for French, and the same space comes before "%" and "h", so a figure never breaks across lines.
"""

from __future__ import annotations

from datetime import date

NNBSP = "\u202f"

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
SHORT_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                "nov.", "déc.")


def day_month(day: date) -> str:
    """``16 mars``; the first of a month is ``1er``."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]}"


def fr_date(day: date) -> str:
    """``16 mars 2020``."""
    return f"{day_month(day)} {day.year}"


def fr_month(day: date) -> str:
    """``avr. 2020``: short month, for chart axes."""
    return f"{SHORT_MONTHS[day.month - 1]} {day.year}"


def fr_range(first: date, last: date) -> str:
    """``16–22 mars 2020``, ``30 mars – 5 avril 2020``, ``28 déc. 2020 – 3 janvier 2021``."""
    if first == last:
        return fr_date(first)
    if (first.year, first.month) == (last.year, last.month):
        start = "1er" if first.day == 1 else str(first.day)
        return f"{start}–{fr_date(last)}"
    if first.year == last.year:
        return f"{day_month(first)} – {fr_date(last)}"
    return f"{fr_date(first)} – {fr_date(last)}"


def fr_int(value: int, *, signed: bool = False) -> str:
    """``2 300`` (narrow no-break space); ``+1 700`` with ``signed``; minus is U+2212."""
    text = f"{abs(value):,}".replace(",", NNBSP)
    if value < 0:
        return "\u2212" + text
    return ("+" + text) if signed and value > 0 else text


def fr_decimal(value: float, digits: int = 1, *, signed: bool = False) -> str:
    """``1 234,5``: decimal comma, grouped thousands."""
    text = f"{abs(value):,.{digits}f}".replace(",", NNBSP).replace(".", ",")
    if round(value, digits) < 0:
        return "\u2212" + text
    return ("+" + text) if signed and round(value, digits) > 0 else text


def fr_percent(value: float, *, signed: bool = True) -> str:
    """``+283,3 %``."""
    return f"{fr_decimal(value, 1, signed=signed)}{NNBSP}%"


def fr_hours(minutes: int) -> str:
    """Watch time in hours: ``1 234 h``, or ``12,5 h`` below 100 hours."""
    hours = minutes / 60
    if hours >= 100:
        return f"{fr_int(round(hours))}{NNBSP}h"
    return f"{fr_decimal(hours, 1)}{NNBSP}h"
