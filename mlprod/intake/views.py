"""What a submission looks like outside the database: plain frozen data for pages and commands."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from mlprod.store.models import Submission


@dataclass(frozen=True)
class FileView:
    role: str
    stored_path: str
    original_name: str
    size_bytes: int
    sha256: str
    media_format: str | None
    duration: float | None


@dataclass(frozen=True)
class SubmissionView:
    public_id: str
    employer: str
    status: str
    offer: dict[str, Any]
    contact_person: str | None
    consent_text: str
    consent_at: dt.datetime
    reject_reason: str | None
    recipe: str | None
    created_at: dt.datetime
    reviewed_at: dt.datetime | None
    invitation_id: int | None
    files: tuple[FileView, ...]

    @property
    def clips(self) -> list[FileView]:
        return [f for f in self.files if f.role == "clip"]

    @property
    def logo(self) -> FileView | None:
        return next((f for f in self.files if f.role == "logo"), None)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("consent_at", "created_at", "reviewed_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def submission_view(row: Submission) -> SubmissionView:
    files = tuple(FileView(role=f.role, stored_path=f.stored_path, original_name=f.original_name,
                           size_bytes=f.size_bytes, sha256=f.sha256, media_format=f.media_format,
                           duration=f.duration) for f in row.files)
    return SubmissionView(
        public_id=row.public_id, employer=row.employer, status=row.status, offer=dict(row.offer),
        contact_person=row.contact_person, consent_text=row.consent_text,
        consent_at=_aware(row.consent_at), reject_reason=row.reject_reason, recipe=row.recipe,
        created_at=_aware(row.created_at), reviewed_at=_aware(row.reviewed_at) if row.reviewed_at else None,
        invitation_id=row.invitation_id, files=files,
    )
