"""The daily quota budget: units spent per Pacific-time day, charged from the sandbox's cost table."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from mlprod.sandbox.config import Clock
from mlprod.sandbox.costs import INVALID_REQUEST_COST, QUOTA_TIMEZONE, method_cost
from mlprod.sandbox.errors import quota_exceeded
from mlprod.sandbox.state import ChannelState, StateStore

PACIFIC = QUOTA_TIMEZONE


class QuotaMeter:
    def __init__(
        self, store: StateStore, budget: int, costs: Mapping[str, int], clock: Clock
    ) -> None:
        self.store = store
        self.budget = budget
        self.costs = dict(costs)
        self.clock = clock

    def today(self) -> date:
        """The quota day: the date in California (the budget resets at midnight there)."""
        return self.clock().astimezone(PACIFIC).date()

    def _roll(self, state: ChannelState) -> None:
        today = self.today().isoformat()
        if state.quota_day != today:
            state.quota_day = today
            state.quota_used = 0

    def used(self) -> int:
        with self.store.read() as state:
            return state.quota_used if state.quota_day == self.today().isoformat() else 0

    def cost(self, method_id: str) -> int:
        return method_cost(self.costs, method_id)

    def ensure_left(self) -> None:
        """Refuse every request once the day's budget is spent."""
        if self.used() >= self.budget:
            raise quota_exceeded()

    def charge(self, units: int) -> None:
        """Spend ``units``, or raise 403 quotaExceeded (spending nothing) if they do not fit."""
        if units <= 0:
            return
        with self.store.change() as state:
            self._roll(state)
            if state.quota_used + units > self.budget:
                raise quota_exceeded()
            state.quota_used += units

    def charge_invalid(self) -> None:
        """An invalid request costs a unit, as long as one is left."""
        with self.store.change() as state:
            self._roll(state)
            state.quota_used = min(self.budget, state.quota_used + INVALID_REQUEST_COST)
