"""What ``mlprod publish`` is asked (:class:`PublishOptions`) and what it answers, per recipe and in all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mlprod.progress import ProgressBar
from mlprod.publishing import Budget
from mlprod.states import Format, PlatformName

BarFactory = Callable[[str], ProgressBar]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class PublishOptions:
    update: bool = False
    quota_budget: int | None = None
    """The daily YouTube quota in units (None: the default, 10,000)."""
    format: Format | None = None
    """Which build to publish (None: the cut each platform takes)."""
    platforms: tuple[PlatformName, ...] | None = None
    """Where to publish, whatever the recipes name (None: each recipe's ``publish.platforms``, else
    the workspace's default)."""
    only: PlatformName | None = None
    """``--platform``: of each recipe's platforms, only this one."""
    upload_bar: BarFactory | None = None
    build_bar: BarFactory | None = None
    now: Callable[[], dt.datetime] = _utcnow
    sleep: Callable[[float], None] | None = None


class Outcome(StrEnum):
    published = "published"
    scheduled = "scheduled"
    adopted = "adopted"        # found on the platform by its marker: recorded, not uploaded again
    completed = "completed"    # an earlier run's publication, its missing steps done now
    incomplete = "incomplete"  # uploaded, not shown yet: steps still missing
    updated = "updated"
    unchanged = "unchanged"
    already = "already"        # published before: nothing changed on the platform
    failed = "failed"
    skipped = "skipped"        # not tried: the batch stopped before (quota, sign-in)
    waiting = "waiting"        # not yet, and not a failure: e.g. an announcement waits for its video
    not_named = "not_named"    # --platform names a platform the recipe does not publish on


@dataclass
class PublishResult:
    recipe: str
    outcome: Outcome
    message: str
    remote_id: str | None = None
    url: str | None = None
    platform: PlatformName = PlatformName.youtube
    warnings: list[str] = field(default_factory=list)

    @property
    def youtube_id(self) -> str | None:
        return self.remote_id if self.platform is PlatformName.youtube else None

    def to_json(self) -> dict[str, Any]:
        return {"recipe": self.recipe, "platform": self.platform.value, "outcome": self.outcome.value,
                "youtube_id": self.youtube_id, "remote_id": self.remote_id, "url": self.url,
                "message": self.message, "warnings": self.warnings}


@dataclass
class BatchResult:
    results: list[PublishResult]
    budgets: dict[PlatformName, Budget] = field(default_factory=dict)
    stopped: str | None = None

    @property
    def failed(self) -> list[PublishResult]:
        return [r for r in self.results if r.outcome in (Outcome.failed, Outcome.skipped)]

    @property
    def youtube_budget(self) -> Budget | None:
        return self.budgets.get(PlatformName.youtube)
