"""Submissions: storing what an employer sent, and the staff's list, show, approve and reject."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from mlprod.config import Settings
from mlprod.errors import IntakeError
from mlprod.intake.checks import CheckedFile
from mlprod.intake.errors import ALREADY_SENT, AlreadySent, SubmissionNotFound
from mlprod.intake.offer_form import CheckedOffer
from mlprod.intake.options import IntakeOptions, load_intake_options
from mlprod.intake.recipe_writer import write_recipe
from mlprod.intake.views import SubmissionView, submission_view
from mlprod.states import SubmissionStatus
from mlprod.store import Database
from mlprod.store.models import Submission, SubmissionFile, SubmissionNumber, utcnow

log = logging.getLogger(__name__)
STATUSES = tuple(s.value for s in SubmissionStatus)
ID_ATTEMPTS = 5


def _highest_number(session: Session, year: int) -> int:
    prefix = f"sub-{year}-"
    last = session.scalar(
        select(Submission.public_id).where(Submission.public_id.like(prefix + "%"))
        .order_by(func.length(Submission.public_id).desc(), Submission.public_id.desc()).limit(1)
    )
    return int(last.rsplit("-", 1)[1]) if last else 0


def _next_public_id(session: Session, year: int) -> str:
    """The year's next number, taken from ``submission_numbers`` inside the caller's transaction.

    The UPDATE comes first: it takes the database's write lock (SQLite) or the row's lock
    (PostgreSQL) until the transaction ends, so two submissions never read the same number. A
    counter behind the submissions (rows written by an older mlprod) is caught up.
    """
    counter = session.execute(
        update(SubmissionNumber).where(SubmissionNumber.year == year)
        .values(last=SubmissionNumber.last + 1).returning(SubmissionNumber.last)
    ).scalar()
    number = max(counter or 0, _highest_number(session, year) + 1)
    if counter is None:  # the year's first: a concurrent first fails on the primary key and retries
        session.add(SubmissionNumber(year=year, last=number))
        session.flush()
    elif number != counter:
        session.execute(update(SubmissionNumber).where(SubmissionNumber.year == year).values(last=number))
    return f"sub-{year}-{number:04d}"


def _holds_invitation(db: Database, invitation_id: int) -> bool:
    with db.transaction() as session:
        found = session.scalar(select(Submission.id).where(Submission.open_invitation_id == invitation_id))
    return found is not None


def store_submission(
    settings: Settings, db: Database, invitation_id: int, employer: str, checked: CheckedOffer,
    consent: str, files: list[CheckedFile],
) -> SubmissionView:
    """Record the submission and move its checked files to media/offres/<public id>/<uuid>.<ext>.

    The files move (a rename within the workspace) inside the transaction; if it fails they are
    removed again, so the folder never holds files the database does not know. The database
    refuses a second live submission for one invitation (``open_invitation_id`` is unique): the
    form that loses that race gets :class:`AlreadySent`, as if it had come a second later.
    """
    for attempt in range(ID_ATTEMPTS):
        moved: list[Path] = []
        try:
            with db.transaction() as session:
                now = utcnow()
                public_id = _next_public_id(session, now.year)
                row = Submission(public_id=public_id, invitation_id=invitation_id, employer=employer,
                                 status=SubmissionStatus.pending, offer=checked.offer, consent_text=consent,
                                 consent_at=now, contact_person=checked.contact_person,
                                 open_invitation_id=invitation_id)
                folder = settings.media_dir / "offres" / public_id
                for item in files:
                    target = folder / f"{item.received.path.stem}.{item.extension}"
                    row.files.append(SubmissionFile(
                        role=item.role, stored_path=target.relative_to(settings.root).as_posix(),
                        original_name=item.received.original_name, size_bytes=item.received.size,
                        sha256=item.received.sha256, media_format=item.media_format,
                        duration=item.duration))
                session.add(row)
                session.flush()  # a second form for this invitation fails here, before any file moves
                folder.mkdir(parents=True, exist_ok=True)
                for item, record in zip(files, row.files, strict=True):
                    item.received.path.replace(settings.root / record.stored_path)
                    moved.append(settings.root / record.stored_path)
                return submission_view(row)
        except BaseException as err:
            for path, item in zip(moved, files, strict=False):
                with contextlib.suppress(OSError):
                    path.replace(item.received.path)  # back, so a retry or the caller's clean-up finds them
            if not isinstance(err, IntegrityError):
                raise
            if _holds_invitation(db, invitation_id):
                log.info("intake: a second form for invitation %s arrived while the first was being"
                         " saved; answered 'already sent'", invitation_id)
                raise AlreadySent(ALREADY_SENT) from None
            if attempt == ID_ATTEMPTS - 1:
                raise
            # another submission took the year's first number meanwhile: take the next one
    raise AssertionError("unreachable")  # pragma: no cover


def _load(session: Session, public_id: str) -> Submission:
    row = session.scalar(select(Submission).options(selectinload(Submission.files))
                         .where(Submission.public_id == public_id.strip()))
    if row is None:
        raise SubmissionNotFound(f"submission {public_id!r}: no such submission — see `mlprod intake list`"
                                 " for the ids (like sub-2026-0042)")
    return row


def get_submission(db: Database, public_id: str) -> SubmissionView:
    with db.transaction() as session:
        return submission_view(_load(session, public_id))


def list_submissions(db: Database, status: str | None = None) -> list[SubmissionView]:
    """Every submission, newest first (or those with ``status``)."""
    query = select(Submission).options(selectinload(Submission.files)).order_by(Submission.id.desc())
    if status:
        if status not in STATUSES:
            raise IntakeError(f"--status {status!r}: use one of {', '.join(STATUSES)}")
        query = query.where(Submission.status == status)
    with db.transaction() as session:
        return [submission_view(r) for r in session.scalars(query).all()]


def submissions_for_invitation(db: Database, invitation_id: int) -> list[SubmissionView]:
    """What this invitation's employer sent, newest first: the only submissions their page shows."""
    query = (select(Submission).options(selectinload(Submission.files))
             .where(Submission.invitation_id == invitation_id).order_by(Submission.id.desc()))
    with db.transaction() as session:
        return [submission_view(r) for r in session.scalars(query).all()]


def approve(settings: Settings, db: Database, public_id: str,
            options: IntakeOptions | None = None) -> Path:
    """Write the submission's job_offer recipe (recipes/offres/<slug>.yaml) and mark it approved."""
    options = options or load_intake_options(settings)
    view = get_submission(db, public_id)
    if view.status == "rejected":
        raise IntakeError(f"{view.public_id} was rejected ({view.reject_reason}); the employer can send it"
                          " again through their link, and you approve the new submission")
    path = write_recipe(settings, view, options.contact)
    with db.transaction() as session:
        # conditional: a reject that lands while the recipe is being written wins, and the recipe goes
        marked = session.scalar(
            update(Submission)
            .where(Submission.public_id == view.public_id, Submission.status != SubmissionStatus.rejected)
            .values(status=SubmissionStatus.approved, recipe=path.relative_to(settings.root).as_posix(),
                    reviewed_at=utcnow())
            .returning(Submission.id).execution_options(synchronize_session=False))
        if marked is None:
            if view.recipe is None:
                path.unlink(missing_ok=True)
            raise IntakeError(f"{view.public_id} was rejected while its recipe was being written; the recipe"
                              " was not kept — see `mlprod intake show` for the reason")
    return path


def reject(settings: Settings, db: Database, public_id: str, reason: str) -> SubmissionView:
    """Mark the submission rejected; the employer's page shows ``reason``."""
    reason = " ".join(reason.split())
    if not reason:
        raise IntakeError("--reason: say why, in a sentence the employer understands (their page shows it)")
    with db.transaction() as session:
        row = _load(session, public_id)
        if row.status == "approved" and row.recipe and (settings.root / row.recipe).exists():
            raise IntakeError(f"{row.public_id} is already approved: its recipe is {row.recipe} — if the"
                              " video must not be made, delete that recipe, then reject again")
        row.status = SubmissionStatus.rejected
        row.open_invitation_id = None  # the employer may send a new version through the same link
        row.reject_reason = reason
        row.reviewed_at = utcnow()
        session.flush()
        return submission_view(row)
