"""The one error hierarchy. Every message says what is wrong, where, and what to do next.

The CLI catches :class:`MlprodError` in one place (``cli.main``); the web apps have one handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlprod.problems import Problem


class MlprodError(Exception):
    """Base of every error mlprod reports to a user. ``exit_code`` is what the CLI returns."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(MlprodError):
    """No workspace, a bad mlprod.toml, a bad environment override."""


class RecipeError(MlprodError):
    """One or more problems in recipes; ``problems`` holds them all (see mlprod.problems)."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems: list[Problem] = problems or []


class MediaError(MlprodError):
    """An input file that is missing, empty, truncated, corrupt or not what it claims to be."""


class RenderError(MlprodError):
    """ffmpeg failed while rendering; the message carries the useful tail of its stderr."""


class StoreError(MlprodError):
    """The database cannot be opened or migrated."""


class PublishError(MlprodError):
    """Uploading or updating a video failed in a way a retry will not fix."""


class AuthError(PublishError):
    """Not signed in, or the sign-in expired or was revoked: run `mlprod auth login`."""


class NotYet(PublishError):
    """Not a failure: a platform waits for something before it publishes (a Discord announcement
    for the video it links to to be public); the next `mlprod publish` after that does it."""


class QuotaExceeded(PublishError):
    """The YouTube API quota for today is spent (or would be by what we are about to do)."""


class ReportError(MlprodError):
    """The report cannot be made for the period asked (bad dates, no data)."""


class IntakeError(MlprodError):
    """A submission or invitation problem."""
