"""What the database says about a recipe's publication: its key, its video, its build, its consent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from mlprod.config import Settings
from mlprod.errors import PublishError
from mlprod.recipe import LoadedRecipe
from mlprod.recipe.schema import JobOffer
from mlprod.store import Database
from mlprod.store.models import Build, Submission, Video

WATCH_URL = "https://www.youtube.com/watch?v={}"


def watch_url(youtube_id: str) -> str:
    return WATCH_URL.format(youtube_id)


def recipe_key(settings: Settings, path: Path) -> str:
    """A recipe's path relative to the workspace (POSIX), as builds and videos record it."""
    path = Path(path).resolve()
    try:
        return path.relative_to(settings.root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def workspace_path(settings: Settings, stored: str | None) -> Path | None:
    """A path the database holds (relative to the workspace, or absolute) as an absolute path."""
    if not stored:
        return None
    path = Path(stored)
    return path if path.is_absolute() else settings.root / path


def video_for(db: Database, key: str) -> Video | None:
    with db.transaction() as s:
        return s.scalar(select(Video).where(Video.recipe == key).order_by(Video.id.desc()).limit(1))


@dataclass(frozen=True)
class BuiltFiles:
    """The files of one build that publishing sends."""

    build_id: int | None
    video: Path
    captions: Path | None
    thumbnail: Path | None


def files_of_build(settings: Settings, db: Database, build_id: int | None) -> BuiltFiles | None:
    if build_id is None:
        return None
    with db.transaction() as s:
        build = s.get(Build, build_id)
        if build is None or not build.video_path:
            return None
        return BuiltFiles(build.id, workspace_path(settings, build.video_path) or Path(),
                          workspace_path(settings, build.captions_path),
                          workspace_path(settings, build.thumbnail_path))


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
    if status != "approved" or consent_at is None:
        raise PublishError(
            f"{where}: consent: submission {recipe.consent} is {status}, not approved — check the"
            f" employer's consent, then run `mlprod intake approve {recipe.consent}`")
