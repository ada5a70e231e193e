"""`mlprod videos`: the channel's videos as the report sorts them, and staff's labels by id.

Staff's label (kind and theme) is stored in ``video_labels`` and wins over what mlprod recorded
and what the title suggests (:mod:`mlprod.report.classify`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from mlprod.errors import ReportError
from mlprod.jobs.report import known_videos
from mlprod.report import Classified, Kind, Source, known_theme
from mlprod.states import LabelKind
from mlprod.store import Database
from mlprod.store.models import VideoLabel


@dataclass(frozen=True)
class VideoEntry:
    """One video as `mlprod videos list` shows it."""

    youtube_id: str
    title: str
    published_on: dt.date | None
    kind: Kind
    theme: str | None
    classified_by: Source

    @classmethod
    def of(cls, found: Classified) -> VideoEntry:
        info = found.info
        return cls(info.youtube_id, info.title, info.published_on, info.kind, info.theme, found.source)

    def as_dict(self) -> dict[str, Any]:
        return {"youtube_id": self.youtube_id, "title": self.title,
                "published_on": self.published_on.isoformat() if self.published_on else None,
                "kind": self.kind.value, "theme": self.theme, "classified_by": self.classified_by.value}


def list_videos(db: Database) -> list[VideoEntry]:
    """Every video the database knows, newest first."""
    with db.transaction() as session:
        entries = [VideoEntry.of(found) for found in known_videos(session).values()]
    return sorted(entries, key=lambda e: (e.published_on or dt.date.min, e.youtube_id), reverse=True)


def set_label(db: Database, youtube_id: str, *, kind: Kind | None = None, theme: str | None = None,
              clear: bool = False) -> VideoEntry:
    """Record staff's kind and/or theme for ``youtube_id`` (a part not given is kept), or forget
    staff's label with ``clear``; returns the video as the report now sorts it."""
    if not clear and kind is None and theme is None:
        raise ReportError("nothing to set — give --kind, --theme or both (or --clear to let the title"
                          " and mlprod's records decide again)")
    if kind is Kind.OTHER and theme is not None:
        raise ReportError(f"{youtube_id}: an 'other' video has no theme — drop --theme, or choose"
                          " --kind tutorial")
    stored_theme = known_theme(theme) if theme is not None else None
    with db.transaction() as session:
        if youtube_id not in known_videos(session):
            raise ReportError(f"{youtube_id}: no video with this id in the database — `mlprod videos list`"
                              " shows the ids (run `mlprod stats sync` first for the channel's older videos)")
        label = session.scalars(select(VideoLabel).where(VideoLabel.youtube_id == youtube_id)).first()
        if clear:
            if label is not None:
                session.delete(label)
        else:
            label = label or VideoLabel(youtube_id=youtube_id)
            if kind is not None:
                label.kind = LabelKind(kind.value)
                if kind is Kind.OTHER:
                    label.theme = None  # an "other" video is listed without a theme
            if stored_theme is not None:
                label.theme = stored_theme
                if kind is None and label.kind is LabelKind.other:
                    label.kind = None  # the theme says the kind now
            session.add(label)
        session.flush()
        return VideoEntry.of(known_videos(session)[youtube_id])
