"""French dates, numbers and percentages, through Babel's CLDR data for ``fr_FR``.

One module for every French text mlprod writes: the report, the cards and offer descriptions of
videos, the employer's web page. Babel gives the month names ("mars", "avr.") and the separators;
we only add the typography CLDR has no pattern for:

- the first day of a month is "1er" ("1er avril 2020"), as French writes it;
- a negative number takes the minus sign U+2212 ("−45"), a gain is signed "+1 700";
- date ranges share their month and year ("16–22 mars 2020", "30 mars – 5 avril 2020").

Characters (CLDR's, kept as Babel gives them): thousands are grouped with a narrow no-break space
U+202F ("2 300"), the decimal mark is a comma, "h" follows a U+202F ("12,5 h") and "%" follows a
no-break space U+00A0 ("+283,3 %"), so no figure ever breaks across two lines.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

LOCALE = "fr_FR"
MINUS = "\u2212"

_INT = f"#,##0;{MINUS}#,##0"
_SIGNED_INT = f"+#,##0;{MINUS}#,##0"


def _decimal_pattern(digits: int, *, signed: bool, suffix: str = "") -> str:
    body = "#,##0" + ("." + "0" * digits if digits else "")
    return f"{'+' if signed else ''}{body}{suffix};{MINUS}{body}{suffix}"


def _day(day: dt.date) -> str:
    """The day's number as a Babel pattern part: ``d``, or the literal ``1er`` on the first."""
    return "'1er'" if day.day == 1 else "d"


def day_month(day: dt.date) -> str:
    """``16 mars``, ``1er avril``."""
    return format_date(day, f"{_day(day)} MMMM", locale=LOCALE)


def fr_date(day: dt.date) -> str:
    """``16 mars 2020``, ``1er avril 2020``."""
    return format_date(day, f"{_day(day)} MMMM y", locale=LOCALE)


def fr_month(day: dt.date) -> str:
    """``avr. 2020``: the short month, for chart axes."""
    return format_date(day, "MMM y", locale=LOCALE)


def fr_range(first: dt.date, last: dt.date) -> str:
    """``16–22 mars 2020``, ``30 mars – 5 avril 2020``, ``28 décembre 2020 – 3 janvier 2021``."""
    if first == last:
        return fr_date(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{format_date(first, _day(first), locale=LOCALE)}–{fr_date(last)}"
    if first.year == last.year:
        return f"{day_month(first)} – {fr_date(last)}"
    return f"{fr_date(first)} – {fr_date(last)}"


def numeric_date(day: dt.date) -> str:
    """``16/03/2020``: the short form of the employer's page."""
    return format_date(day, "dd/MM/y", locale=LOCALE)


def numeric_date_time(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """``16/03/2020 à 10 h 05``, in the time zone ``tz``."""
    return format_datetime(moment, "dd/MM/y 'à' HH 'h' mm", tzinfo=tz, locale=LOCALE)


def fr_int(value: int, *, signed: bool = False) -> str:
    """``2 300``; ``+1 700`` with ``signed`` (zero stays ``0``); ``−45``."""
    pattern = _SIGNED_INT if signed and value > 0 else _INT
    return format_decimal(value, pattern, locale=LOCALE)


def _rounded(value: float, digits: int) -> float:
    return round(value, digits) + 0.0  # + 0.0 turns -0.0 into 0.0: "0,0", never "−0,0"


def fr_decimal(value: float, digits: int = 1, *, signed: bool = False) -> str:
    """``1 234,5``: decimal comma, grouped thousands; ``+`` before a positive value with ``signed``."""
    value = _rounded(value, digits)
    return format_decimal(value, _decimal_pattern(digits, signed=signed and value > 0), locale=LOCALE)


def fr_percent(value: float, *, signed: bool = True) -> str:
    """``+283,3 %`` from 283.333 (a value already in percent)."""
    value = _rounded(value, 1)
    pattern = _decimal_pattern(1, signed=signed and value > 0, suffix="\u00a0%")
    return format_percent(value / 100, pattern, locale=LOCALE)


def fr_hours(minutes: int) -> str:
    """Watch time in hours: ``1 234 h``, or ``12,5 h`` below 100 hours."""
    hours = minutes / 60
    number = fr_int(round(hours)) if hours >= 100 else fr_decimal(hours, 1)
    return format_unit(number, "duration-hour", length="short", locale=LOCALE)


def fr_size_number(value: float) -> str:
    """A file size's number: ``1,5`` below 10 (one decimal at most), ``500`` above; no grouping."""
    return format_decimal(value, "0.#" if value < 10 else "0", locale=LOCALE)
