"""What the database says about a recipe: its key, its builds' files, its consent, its publications.

Paths inside the workspace are stored relative to it (POSIX), so a moved workspace keeps its
records: a recipe's stored path is its *key* in builds, upload sessions and publications.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from mlprod.config import Settings
from mlprod.errors import PublishError
from mlprod.publishing import BuiltFiles, PublicationView
from mlprod.publishing.links import recipe_key
from mlprod.recipe import LoadedRecipe
from mlprod.recipe.schema import JobOffer
from mlprod.states import PlatformName, PublicationState, Step, SubmissionStatus, UploadStatus
from mlprod.store import Database
from mlprod.store.models import Build, Publication, Submission, UploadSession, utcnow


def stored_path(settings: Settings, path: Path) -> str:
    """``path`` relative to the workspace (POSIX) when it is inside it, else absolute."""
    return recipe_key(settings.root, path)


def workspace_path(settings: Settings, stored: str) -> Path:
    """A path the database holds (relative to the workspace, or absolute) as an absolute path."""
    path = Path(stored)
    return path if path.is_absolute() else settings.root / path


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes for what we stored in UTC."""
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


def files_of_build(settings: Settings, db: Database, build_id: int | None) -> BuiltFiles | None:
    if build_id is None:
        return None
    with db.transaction() as s:
        build = s.get(Build, build_id)
        if build is None or not build.video_path:
            return None
        return BuiltFiles(build.id, workspace_path(settings, build.video_path),
                          workspace_path(settings, build.captions_path) if build.captions_path else None,
                          workspace_path(settings, build.thumbnail_path) if build.thumbnail_path else None)


def check_consent(db: Database, loaded: LoadedRecipe, where: str) -> None:
    """A job offer goes online only with its employer's recorded consent (an approved submission)."""
    recipe = loaded.recipe
    if not isinstance(recipe, JobOffer):
        return
    if not recipe.consent:
        raise PublishError(
            f"{where}: a job offer goes online only with the employer's consent, and this recipe names"
            " none — add `consent: sub-YYYY-NNNN` (the employer's submission, see `mlprod intake list`)"
            " to the recipe, and approve that submission with `mlprod intake approve sub-YYYY-NNNN`")
    with db.transaction() as s:
        submission = s.scalar(select(Submission).where(Submission.public_id == recipe.consent))
        status = submission.status if submission else None
        consent_at = submission.consent_at if submission else None
    if submission is None:
        raise PublishError(
            f"{where}: consent: {recipe.consent} is not a submission in the database — check the id"
            " with `mlprod intake list` (the employer's consent is recorded when they submit the offer)")
    if status is not SubmissionStatus.approved or consent_at is None:
        raise PublishError(
            f"{where}: consent: submission {recipe.consent} is {status}, not approved — check the"
            f" employer's consent, then run `mlprod intake approve {recipe.consent}`")


def view_of(row: Publication) -> PublicationView:
    return PublicationView(
        id=row.id, recipe=row.recipe, platform=row.platform, remote_id=row.remote_id, kind=row.kind,
        title=row.title, state=row.state, missing=tuple(Step(m) for m in row.missing or ()),
        privacy=row.privacy, publish_at=aware(row.publish_at), playlist_id=row.playlist_id,
        offer_closes=row.offer_closes, metadata_hash=row.metadata_hash, build_id=row.build_id,
        expired_at=aware(row.expired_at), url=row.url)


def publication_for(db: Database, key: str, platform: PlatformName) -> PublicationView | None:
    """The recipe's (newest) publication on ``platform``, if any."""
    with db.transaction() as s:
        row = s.scalar(select(Publication).where(Publication.recipe == key, Publication.platform == platform)
                       .order_by(Publication.id.desc()).limit(1))
        return view_of(row) if row is not None else None


def publication_row(session: Session, publication_id: int) -> Publication:
    row = session.get(Publication, publication_id)
    assert row is not None, "publications are never deleted"
    return row


TAKEN_DOWN = frozenset({PublicationState.expired, PublicationState.remove_by_hand})


def state_after(missing: Iterable[Step], privacy: str, publish_at: dt.datetime | None,
                now: dt.datetime, current: PublicationState | None = None) -> PublicationState:
    """Incomplete until released (or, without a release step, once uploaded); then scheduled when
    private until a time still to come, published otherwise. A closed offer stays taken down."""
    if current in TAKEN_DOWN:
        return current
    if Step.release in missing:
        return PublicationState.incomplete
    if privacy == "private" and publish_at is not None and publish_at > now:
        return PublicationState.scheduled
    return PublicationState.published


def finish_session(session: Session, session_id: int | None, remote_id: str) -> None:
    """Mark an upload session completed inside the caller's transaction (with the publication)."""
    row = session.get(UploadSession, session_id) if session_id is not None else None
    if row is not None:
        row.status = UploadStatus.completed
        row.remote_id = remote_id
        row.offset = row.total_bytes
        row.updated_at = utcnow()
