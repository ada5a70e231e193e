"""Charts as inline SVG, drawn from figures by our own code: no script, no external file, sharp in print.

Each chart is a pure function returning SVG text. Elements carry ``data-*`` attributes (day, value,
video id) so tests and scripts can read a chart back without parsing its geometry.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from mlprod.french import day_month, fr_date, fr_hours, fr_int, fr_month
from mlprod.report.figures import DailyLine, Kind, VideoInfo, WeekLine

WIDTH, HEIGHT, BAR_HEIGHT = 720, 260, 170
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 14, 46
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'
KIND_COLOURS = {Kind.TUTORIAL: "#1D3E8C", Kind.JOB_OFFER: "#E6007E", Kind.OTHER: "#8a8f98"}
LINE_COLOUR = "#1D3E8C"
BAR_COLOUR = "#1D3E8C"
PENDING_FILL = "#eceef2"
BUSY_MARKERS = 30
"""Above this many publications in the period, the other videos are marked under the axis only."""


@dataclass(frozen=True)
class Scale:
    low: float
    high: float
    out_low: float
    out_high: float

    def __call__(self, value: float) -> float:
        if self.high == self.low:
            return (self.out_low + self.out_high) / 2
        share = (value - self.low) / (self.high - self.low)
        return round(self.out_low + share * (self.out_high - self.out_low), 2)


def nice_ticks(low: float, high: float, count: int = 5) -> list[int]:
    """Round tick values (1, 2 or 5 times a power of ten) covering ``low``..``high``."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(int(step), 1)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step:
        ticks.append(int(value))
        if value >= high:
            break
        value += step
    return ticks


def _frame(label: str, body: list[str], kind: str, height: int = HEIGHT) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
            f'class="chart" data-chart="{kind}" aria-label="{escape(label)}" {FONT} font-size="11">'
            f"<title>{escape(label)}</title>{''.join(body)}</svg>")


def _y_axis(ticks: list[int], y: Scale) -> list[str]:
    parts = []
    for tick in ticks:
        pos = y(tick)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{pos}" y2="{pos}" stroke="#dde1e8"/>'
                     f'<text x="{LEFT - 6}" y="{pos + 4}" text-anchor="end" fill="#444">'
                     f"{fr_int(tick)}</text>")
    return parts


def _day_ticks(first: date, last: date) -> list[tuple[date, str]]:
    """Mondays for short periods, first days of months (thinned out) for long ones."""
    span = (last - first).days
    if span <= 70:
        days = [first + timedelta(days=k) for k in range(span + 1)]
        marks = days if span <= 10 else [d for d in days if d.weekday() == 0]
        return [(d, day_month(d)) for d in marks]
    months = []
    day = date(first.year, first.month, 1)
    while day <= last:
        if day >= first:
            months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    every = max(1, math.ceil(len(months) / 9))
    return [(d, fr_month(d)) for d in months[::every]]


def subscribers_chart(daily: Sequence[DailyLine], published: Sequence[VideoInfo]) -> str:
    """Exact subscribers at the end of each day, the publications marked on the line."""
    known = [(line.day, line.subscribers) for line in daily if line.subscribers is not None]
    label = "Abonnés en fin de journée, publications marquées"
    if not known:
        return _frame(label, [], "subscribers")
    first, last = daily[0].day, daily[-1].day
    x = Scale(0, max((last - first).days, 1), LEFT, WIDTH - RIGHT)
    values = [v for _, v in known]
    ticks = nice_ticks(min(values), max(values))
    y = Scale(ticks[0], ticks[-1], HEIGHT - BOTTOM, TOP)
    body = _y_axis(ticks, y)
    body += _x_axis(first, last, x)
    pending = [line.day for line in daily if line.subscribers is None]
    if pending:
        left = x((pending[0] - first).days)
        body.append(f'<rect class="pending" x="{left}" y="{TOP}" width="{round(WIDTH - RIGHT - left, 2)}" '
                    f'height="{HEIGHT - BOTTOM - TOP}" fill="{PENDING_FILL}"><title>pas encore disponible'
                    f"</title></rect>")
    points = " ".join(f"{x((d - first).days)},{y(v)}" for d, v in known)
    body.append(f'<polyline class="subscribers" points="{points}" fill="none" stroke="{LINE_COLOUR}" '
                f'stroke-width="2" stroke-linejoin="round" data-first="{known[0][1]}" '
                f'data-last="{known[-1][1]}"/>')
    counts = dict(known)
    shown = [v for v in published if v.published_on is not None and first <= v.published_on <= last]
    busy = len(shown) > BUSY_MARKERS  # then only our videos get a line across the chart
    for video in shown:
        assert video.published_on is not None
        line = not busy or video.ours  # mlprod's publications, not what titles classify
        body.append(_marker(video, x((video.published_on - first).days), counts, y, line=line))
    return _frame(label, body, "subscribers")


def _x_axis(first: date, last: date, x: Scale) -> list[str]:
    base = HEIGHT - BOTTOM
    parts = [f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" stroke="#888"/>']
    for day, text in _day_ticks(first, last):
        pos = x((day - first).days)
        parts.append(f'<line x1="{pos}" x2="{pos}" y1="{base}" y2="{base + 4}" stroke="#888"/>'
                     f'<text x="{pos}" y="{base + 16}" text-anchor="middle" fill="#444">'
                     f"{escape(text)}</text>")
    return parts


def _marker(video: VideoInfo, pos: float, counts: dict[date, int], y: Scale, *, line: bool = True) -> str:
    assert video.published_on is not None
    colour = KIND_COLOURS[video.kind]
    base = HEIGHT - BOTTOM
    count = counts.get(video.published_on) if line else None
    dot = "" if count is None else f'<circle cx="{pos}" cy="{y(count)}" r="3.5" fill="{colour}"/>'
    tip = f"{fr_date(video.published_on)} — {video.kind.label} : {video.title}"
    return (f'<g class="publication" data-youtube-id="{escape(video.youtube_id)}" '
            f'data-date="{video.published_on.isoformat()}" data-kind="{video.kind.value}">'
            f"<title>{escape(tip)}</title>"
            f'<path d="M{pos - 5},{base + 30} L{pos + 5},{base + 30} L{pos},{base + 22} Z" fill="{colour}"/>'
            + (f'<line x1="{pos}" x2="{pos}" y1="{TOP}" y2="{base}" stroke="{colour}" stroke-opacity="0.35" '
               f'stroke-dasharray="3 3"/>' if line else "") + f"{dot}</g>")


def weekly_chart(weeks: Sequence[WeekLine], measure: str) -> str:
    """Bars per week: ``measure`` is ``views`` or ``minutes`` (drawn as hours)."""
    label = "Vues par semaine" if measure == "views" else "Heures de visionnage par semaine"
    values = [getattr(week, measure) for week in weeks]
    if not weeks:
        return _frame(label, [], f"weekly-{measure}", BAR_HEIGHT)
    shown = [(v if measure == "views" else v / 60) if v is not None else None for v in values]
    ticks = nice_ticks(0, max([v for v in shown if v is not None] or [1]), 4)
    base = BAR_HEIGHT - BOTTOM + 20
    y = Scale(0, ticks[-1], base, TOP)
    body = _y_axis(ticks, y)
    slot = (WIDTH - LEFT - RIGHT) / len(weeks)
    labels = _week_labels(weeks)
    for index, (week, value) in enumerate(zip(weeks, values, strict=True)):
        left = round(LEFT + index * slot + slot * 0.12, 2)
        width = round(slot * 0.76, 2)
        body.append(_bar(week, value, measure, left, width, y, base))
        if index in labels:
            body.append(f'<text x="{round(left + width / 2, 2)}" y="{base + 16}" '
                        f'text-anchor="middle" fill="#444">{escape(labels[index])}</text>')
    return _frame(label, body, f"weekly-{measure}", BAR_HEIGHT)


def _week_labels(weeks: Sequence[WeekLine]) -> dict[int, str]:
    """Which bars get a label: every week of a short period, the first week of (some) months else."""
    if len(weeks) <= 10:
        return {index: day_month(week.first) for index, week in enumerate(weeks)}
    if len(weeks) <= 20:
        return {index: day_month(week.first) for index, week in enumerate(weeks) if index % 2 == 0}
    starts = [index for index, week in enumerate(weeks)
              if index == 0 or week.first.month != weeks[index - 1].first.month]
    every = max(1, math.ceil(len(starts) / 8))
    return {index: fr_month(weeks[index].first) for index in starts[::every]}


def _bar(week: WeekLine, value: int | None, measure: str, left: float, width: float, y: Scale,
         base: float) -> str:
    attrs = f'class="week" data-week-start="{week.first.isoformat()}"'
    if value is None:
        return (f'<rect {attrs} data-value="" x="{left}" y="{TOP}" width="{width}" '
                f'height="{base - TOP}" fill="{PENDING_FILL}"><title>{escape(day_month(week.first))}'
                " : pas encore disponible</title></rect>")
    shown = float(value) if measure == "views" else value / 60
    text = fr_int(value) + " vues" if measure == "views" else fr_hours(value)
    top = y(shown)
    opacity = "0.55" if week.partial else "1"
    return (f'<rect {attrs} data-value="{value}" x="{left}" y="{top}" width="{width}" '
            f'height="{round(base - top, 2)}" fill="{BAR_COLOUR}" fill-opacity="{opacity}">'
            f"<title>semaine du {escape(day_month(week.first))} : {escape(text)}</title></rect>")
