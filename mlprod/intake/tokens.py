"""Invitation links and form codes, signed with a secret key kept in the workspace's state folder.

The token in an invitation link is an itsdangerous URL-safe timed signature over the invitation's
nonce and expiry. The signature proves we issued it; the database row (found by the nonce) says
whether it is still valid: not expired, not revoked. The CSRF code put in the page's form is an
HMAC of the same nonce, so a form is accepted only with the code of that invitation's own page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from mlprod.config import Settings
from mlprod.errors import ConfigError
from mlprod.intake.errors import InvitationGone, InvitationRefused

SECRET_FILE = "intake_secret"  # noqa: S105 - a file name, not a secret
TOKEN_SALT = "mlprod.intake.invitation"  # noqa: S105 - itsdangerous' namespace, public by design
MAX_TOKEN_AGE = dt.timedelta(days=400)  # no invitation lives longer; belt and braces over `exp`

REFUSED = ("Ce lien n'est pas valide. Vérifiez que vous l'avez copié en entier, ou demandez un"
           " nouveau lien à la Mission Locale.")
EXPIRED = ("Ce lien a expiré. Demandez un nouveau lien à la Mission Locale : votre conseiller"
           " vous l'enverra.")


def secret_path(settings: Settings) -> Path:
    return settings.state_dir / SECRET_FILE


def load_secret(settings: Settings) -> bytes:
    """The signing key; made on first use, readable by its owner only (mode 0600)."""
    path = secret_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_urlsafe(48).encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
    key = path.read_bytes().strip()
    if len(key) < 32:  # pragma: no cover - only when someone empties the file by hand
        raise ConfigError(f"{path}: the intake secret is too short — delete the file; a new one is"
                          " made (existing invitation links stop working)")
    return key


@dataclass(frozen=True)
class TokenData:
    nonce: str
    expires_at: dt.datetime


class Signer:
    """Signs and checks invitation tokens and CSRF codes with the workspace's key."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._serializer = URLSafeTimedSerializer(secret, salt=TOKEN_SALT)

    @classmethod
    def for_settings(cls, settings: Settings) -> Signer:
        return cls(load_secret(settings))

    def token(self, nonce: str, expires_at: dt.datetime) -> str:
        return str(self._serializer.dumps({"n": nonce, "exp": int(expires_at.timestamp())}))

    def read(self, token: str, now: dt.datetime | None = None) -> TokenData:
        """The token's nonce and expiry, or :class:`InvitationRefused` / :class:`InvitationGone`."""
        try:
            data = self._serializer.loads(token, max_age=int(MAX_TOKEN_AGE.total_seconds()))
        except SignatureExpired as err:
            raise InvitationGone(EXPIRED) from err
        except BadSignature as err:
            raise InvitationRefused(REFUSED) from err
        if not (isinstance(data, dict) and isinstance(data.get("n"), str)
                and isinstance(data.get("exp"), int)):
            raise InvitationRefused(REFUSED)
        expires_at = dt.datetime.fromtimestamp(data["exp"], dt.UTC)
        if expires_at <= (now or dt.datetime.now(dt.UTC)):
            raise InvitationGone(EXPIRED)
        return TokenData(nonce=data["n"], expires_at=expires_at)

    def csrf(self, nonce: str) -> str:
        return hmac.new(self._secret, b"csrf\0" + nonce.encode("utf-8"), hashlib.sha256).hexdigest()

    def csrf_ok(self, nonce: str, code: str | None) -> bool:
        return bool(code) and hmac.compare_digest(self.csrf(nonce), str(code))
