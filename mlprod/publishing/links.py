"""A recipe's publications on other platforms, for the platforms that link to them.

A Discord announcement links to the video (on YouTube when it is there); a Short and its long
video link to each other. A platform package never imports another (they are siblings): it reads
here, from the database, what the workflow recorded of the recipe's other publications — their
link and whether people can see them yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from mlprod.states import PlatformName, Privacy, PublicationState, Step
from mlprod.store import Database
from mlprod.store.models import Publication


def recipe_key(root: Path, path: Path) -> str:
    """A recipe's key in the database: its path relative to the workspace ``root`` (POSIX) when it
    is inside it, else absolute."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


@dataclass(frozen=True)
class Linked:
    """What the database holds of one publication another platform links to."""

    platform: PlatformName
    remote_id: str
    url: str | None
    state: PublicationState
    privacy: Privacy
    publish_at: dt.datetime | None
    missing: tuple[Step, ...]

    def visible(self, now: dt.datetime) -> bool:
        """People can open it now: whole and public (or unlisted), or its schedule has passed."""
        if self.state is PublicationState.published:
            return self.privacy is not Privacy.private
        if self.state is PublicationState.scheduled:
            return self.publish_at is not None and self.publish_at <= now
        return False


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


def publications_of(db: Database, recipe: str,
                    platforms: Iterable[PlatformName]) -> dict[PlatformName, Linked]:
    """The recipe's newest publication on each of ``platforms`` that has one."""
    wanted = list(platforms)
    found: dict[PlatformName, Linked] = {}
    with db.transaction() as s:
        rows = s.scalars(select(Publication).where(Publication.recipe == recipe,
                                                   Publication.platform.in_(wanted))
                         .order_by(Publication.id))
        for row in rows:
            found[row.platform] = Linked(row.platform, row.remote_id, row.url, row.state, row.privacy,
                                         _aware(row.publish_at), tuple(Step(m) for m in row.missing or ()))
    return found
