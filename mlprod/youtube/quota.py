"""The quota ledger: what every YouTube API call cost, by Pacific-time day, kept in the database.

YouTube counts a project's quota per day in California (America/Los_Angeles) and resets it at
midnight there. Every call mlprod makes is written here (see :mod:`mlprod.youtube.api`), so
``mlprod publish`` can refuse up front a batch today's budget cannot cover, and ``mlprod stats sync``
records its own calls the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mlprod.clock import PARIS
from mlprod.errors import QuotaExceeded
from mlprod.store import Database
from mlprod.store.models import QuotaSpend
from mlprod.youtube.quota_costs import (
    CURRENT_COSTS,
    DAILY_QUOTA,
    INVALID_REQUEST_COST,
    QUOTA_TIMEZONE,
    method_cost,
)

PACIFIC = ZoneInfo(QUOTA_TIMEZONE)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def quota_day(now: dt.datetime | None = None) -> dt.date:
    """The quota day ``now`` falls in: the date in California."""
    return (now or _now()).astimezone(PACIFIC).date()


def next_reset(now: dt.datetime | None = None) -> dt.datetime:
    """The next midnight Pacific time, as an aware datetime."""
    day = quota_day(now) + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(0), tzinfo=PACIFIC)


def reset_text(now: dt.datetime | None = None) -> str:
    """``the quota resets at midnight Pacific time, 09:00 in Paris`` (08:00 when DST differs)."""
    paris = next_reset(now).astimezone(PARIS)
    return f"the quota resets at midnight Pacific time, {paris:%H:%M} in Paris"


def record_spend(target: Session | Database, method: str, units: int,
                 now: dt.datetime | None = None) -> None:
    """Write one call's cost to the ledger: in ``target``'s transaction if it is a session,
    else in a transaction of its own (so the spend is kept even if the caller's work fails)."""
    when = now or _now()
    row = QuotaSpend(day=quota_day(when), method=method, units=units, spent_at=when)
    if isinstance(target, Session):
        target.add(row)
        return
    with target.transaction() as session:
        session.add(row)


def spent_on(db: Database, day: dt.date) -> int:
    with db.transaction() as session:
        total = session.scalar(select(func.coalesce(func.sum(QuotaSpend.units), 0))
                               .where(QuotaSpend.day == day))
    return int(total or 0)


def spent_today(db: Database, now: dt.datetime | None = None) -> int:
    """Units recorded for today's quota day."""
    return spent_on(db, quota_day(now))


def call_cost(method: str, costs: Mapping[str, int] = CURRENT_COSTS) -> int:
    return method_cost(costs, method)


def failed_call_cost(method: str, status: int, reason: str, costs: Mapping[str, int] = CURRENT_COSTS) -> int:
    """What a refused call costs, counted as the sandbox counts it (Google publishes no more):
    an invalid request (400) one unit; a call accepted then finding nothing (404) its price;
    nothing when the quota, a rate limit, the sign-in, a permission or the server refused it."""
    if status == 400 and reason not in {"quotaExceeded", "rateLimitExceeded"}:
        return min(INVALID_REQUEST_COST, call_cost(method, costs))
    if status == 404:
        return call_cost(method, costs)
    return 0


@dataclass(frozen=True)
class Budget:
    """Today's figures: the daily budget, what the ledger says is used, and what is left."""

    limit: int
    used: int

    @property
    def left(self) -> int:
        return max(self.limit - self.used, 0)


def budget_today(db: Database, limit: int = DAILY_QUOTA, now: dt.datetime | None = None) -> Budget:
    return Budget(limit=limit, used=spent_today(db, now))


def ensure_budget(db: Database, needed: int, limit: int = DAILY_QUOTA,
                  now: dt.datetime | None = None) -> Budget:
    """Raise :class:`QuotaExceeded` with the figures when today's budget cannot cover ``needed``."""
    budget = budget_today(db, limit, now)
    if needed > budget.left:
        raise QuotaExceeded(
            f"not enough YouTube quota left today: today {budget.used:,} of {budget.limit:,} units"
            f" used; this publish needs about {needed:,} — {reset_text(now)}. Publish fewer recipes"
            " now, or run it again after the reset"
        )
    return budget


def exhausted_message(now: dt.datetime | None = None) -> str:
    return (f"YouTube refused the call: the project's daily quota is spent — {reset_text(now)};"
            " run the same command again after that, it carries on where it stopped")
