"""Invitations: a signed, expiring link per employer; revocable through its database row."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from mlprod.config import Settings
from mlprod.errors import IntakeError
from mlprod.intake.errors import InvitationGone, InvitationRefused
from mlprod.intake.tokens import EXPIRED, REFUSED, Signer
from mlprod.recipe.youtube_rules import FORBIDDEN_CHARS
from mlprod.store import Database
from mlprod.store.models import Invitation, utcnow

DEFAULT_EXPIRES = "30d"
MAX_EXPIRES = dt.timedelta(days=365)
EMPLOYER_MAX = 100  # the recipe's employer.name limit
_DURATION = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.IGNORECASE)
_UNITS = {"h": dt.timedelta(hours=1), "d": dt.timedelta(days=1), "w": dt.timedelta(weeks=1)}
REVOKED = ("Ce lien a été désactivé par la Mission Locale. Si vous pensez que c'est une erreur,"
           " contactez votre conseiller : il vous enverra un nouveau lien.")


@dataclass(frozen=True)
class InvitationView:
    id: int
    employer: str
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    created_at: dt.datetime

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if _aware(self.expires_at) <= dt.datetime.now(dt.UTC) else "active"

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "employer": self.employer, "state": self.state,
                "expires_at": self.expires_at.isoformat(), "created_at": self.created_at.isoformat(),
                "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None}


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back naive; they were stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _view(row: Invitation) -> InvitationView:
    return InvitationView(id=row.id, employer=row.employer, expires_at=_aware(row.expires_at),
                          revoked_at=_aware(row.revoked_at) if row.revoked_at else None,
                          created_at=_aware(row.created_at))


def parse_expires(value: str | dt.timedelta) -> dt.timedelta:
    """"30d", "12h", "2w" → a duration (at most a year)."""
    if isinstance(value, dt.timedelta):
        delta = value
    else:
        match = _DURATION.match(value)
        if not match or int(match.group(1)) <= 0:
            raise IntakeError(f"--expires {value!r}: not a duration — write e.g. 30d (days), 12h (hours)"
                              " or 2w (weeks)")
        delta = int(match.group(1)) * _UNITS[match.group(2).lower()]
    if delta > MAX_EXPIRES:
        raise IntakeError(f"--expires {value}: an invitation lasts at most 365 days — send a new one later")
    return delta


def create_invitation(
    settings: Settings, db: Database, employer: str, expires: str | dt.timedelta = DEFAULT_EXPIRES,
) -> tuple[InvitationView, str]:
    """Record an invitation for ``employer``; return it and the link's path (``/i/<token>``)."""
    name = " ".join(employer.split())
    if not name or len(name) > EMPLOYER_MAX:
        raise IntakeError(f"employer {employer!r}: give the employer's name, 1 to {EMPLOYER_MAX} characters"
                          " (it becomes employer.name in the recipe)")
    if any(c in name for c in FORBIDDEN_CHARS):
        raise IntakeError(f"employer {employer!r}: contains '<' or '>', which YouTube refuses in a video's"
                          " title (a job offer's title holds the employer's name) — leave them out")
    expires_at = utcnow().replace(microsecond=0) + parse_expires(expires)
    nonce = secrets.token_urlsafe(18)
    with db.transaction() as session:
        row = Invitation(nonce=nonce, employer=name, expires_at=expires_at)
        session.add(row)
        session.flush()
        view = _view(row)
    token = Signer.for_settings(settings).token(nonce, expires_at)
    return view, f"/i/{token}"


def invitation_url(base_url: str, url_path: str) -> str:
    return base_url.rstrip("/") + url_path


def revoke_invitation(db: Database, invitation_id: int) -> InvitationView:
    """Make the invitation's link stop working now (its submissions are kept)."""
    with db.transaction() as session:
        row = session.get(Invitation, invitation_id)
        if row is None:
            raise IntakeError(f"invitation {invitation_id}: no such invitation — see `mlprod intake"
                              " invitations` for the numbers")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
        return _view(row)


def list_invitations(db: Database) -> list[InvitationView]:
    with db.transaction() as session:
        rows = session.scalars(select(Invitation).order_by(Invitation.id)).all()
        return [_view(r) for r in rows]


@dataclass(frozen=True)
class OpenInvitation:
    """A checked invitation, as the web page uses it."""

    id: int
    nonce: str
    employer: str
    expires_at: dt.datetime


def open_invitation(signer: Signer, db: Database, token: str) -> OpenInvitation:
    """The invitation behind ``token``, or a French refusal (403 tampered/unknown, 410 expired/revoked)."""
    data = signer.read(token)
    with db.transaction() as session:
        row = session.scalar(select(Invitation).where(Invitation.nonce == data.nonce))
        if row is None:
            raise InvitationRefused(REFUSED)
        if row.revoked_at is not None:
            raise InvitationGone(REVOKED)
        if _aware(row.expires_at) <= dt.datetime.now(dt.UTC):
            raise InvitationGone(EXPIRED)
        return OpenInvitation(id=row.id, nonce=row.nonce, employer=row.employer,
                              expires_at=_aware(row.expires_at))
