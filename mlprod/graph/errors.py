"""Graph API error objects, read once and turned into mlprod's errors with the fix.

Graph answers nearly every error with HTTP 400 and a body
``{"error": {"message", "type", "code", "error_subcode", "is_transient", "error_user_msg",
"fbtrace_id"}}``; what matters is ``code`` (and sometimes ``error_subcode``):

* 190: the token expired or was revoked → sign in again;
* 10 and 200–299: a permission is missing → sign in again, accepting every permission;
* 4, 17, 32, 613 (and the 8000x business-use-case codes): rate limits → wait, then try again;
* 1, 2 or ``is_transient``: a passing failure on Meta's side → try again;
* 100: a bad parameter → the message names it.

The upload host (``rupload``) has its own shape, ``{"debug_info": {"retriable", "type",
"message"}}``; :func:`read_problem` reads both.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from mlprod.errors import AuthError, PublishError

EXPIRED_TOKEN = 190
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80001, 80002, 80004, 80006})
TRANSIENT_CODES = frozenset({1, 2})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
BAD_PARAMETER = 100
LOGIN_AGAIN = "run `mlprod auth login --platform facebook`"


@dataclass(frozen=True)
class GraphProblem:
    """One error answer, as Graph (or its upload host) described it."""

    status: int
    code: int | None
    subcode: int | None
    message: str
    kind: str = ""
    transient: bool | None = None
    """Graph's ``is_transient``; None when the answer does not say."""
    user_message: str = ""

    @property
    def rate_limited(self) -> bool:
        return self.code in RATE_LIMIT_CODES or self.status == 429

    @property
    def retriable(self) -> bool:
        """A retry may work: a passing failure, a server error, or a rate limit that Graph does not
        call permanent (``is_transient: false``, e.g. a Page's 30 Reels a day)."""
        if self.rate_limited:
            return self.transient is not False
        return bool(self.transient) or self.code in TRANSIENT_CODES or self.status >= 500

    @property
    def parameter(self) -> str | None:
        """The parameter a code 100 names (``(#100) Param caption must be…``), when it names one."""
        found = (re.search(r"(?:[Pp]aram(?:eter)?|field)\s+[\"'(]?([A-Za-z_][\w.\[\]]*)", self.message)
                 or re.match(r"\(#100\)\s+([a-z][a-z0-9_]*)\b", self.message))  # "(#100) caption must…"
        return found.group(1) if found else None

    def __str__(self) -> str:
        code = f"code {self.code}" if self.code is not None else f"HTTP {self.status}"
        if self.subcode:
            code += f"/{self.subcode}"
        return f"{code}: {self.message}" if self.message else code


def read_problem(status: int, content: bytes) -> GraphProblem:
    """The problem an error answer (``status``, raw body) describes, whatever its shape."""
    try:
        body: Any = json.loads(content.decode("utf-8")) if content else {}
    except (ValueError, UnicodeDecodeError):
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return GraphProblem(
            status=status, code=_int(error.get("code")), subcode=_int(error.get("error_subcode")),
            message=str(error.get("message", "")), kind=str(error.get("type", "")),
            transient=None if error.get("is_transient") is None else bool(error.get("is_transient")),
            user_message=str(error.get("error_user_msg", "")))
    debug = body.get("debug_info") if isinstance(body, dict) else None
    if isinstance(debug, dict):
        return GraphProblem(status=status, code=None, subcode=None, message=str(debug.get("message", "")),
                            kind=str(debug.get("type", "")), transient=bool(debug.get("retriable")))
    text = content[:200].decode("utf-8", "replace").strip()
    return GraphProblem(status=status, code=None, subcode=None, message=text)


def _int(value: object) -> int | None:
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


class GraphRefused(PublishError):
    """Meta answered an error that a retry will not fix; ``problem`` holds its code and message."""

    def __init__(self, message: str, problem: GraphProblem) -> None:
        super().__init__(message)
        self.problem = problem


def translate(problem: GraphProblem, label: str, what: str) -> PublishError:
    """Our error, with the fix, for ``problem`` answered by ``label`` ("Facebook"…) while ``what``."""
    if problem.code == EXPIRED_TOKEN:
        return AuthError(f"{label} refused the sign-in while {what}: it has expired or was revoked"
                         f" ({problem}) — {LOGIN_AGAIN}")
    if problem.code in PERMISSION_CODES:
        return AuthError(f"{label} refused a permission needed for {what} ({problem}) — {LOGIN_AGAIN}"
                         " and accept every permission asked (the Page needs the CREATE_CONTENT task)")
    if problem.rate_limited and problem.transient is False:
        return GraphRefused(f"{label} refused: a publishing limit is reached while {what} ({problem}) —"
                            " publish the rest later: what was done is kept", problem)
    if problem.rate_limited:
        return GraphRefused(f"{label} kept limiting mlprod's requests while {what} ({problem}) — wait an"
                            " hour, then run the same command again: what was done is kept", problem)
    if problem.code == BAD_PARAMETER:
        named = f"the parameter {problem.parameter}" if problem.parameter else "a parameter"
        hint = problem.user_message or "check the recipe's publish section, then run the command again"
        return GraphRefused(f"{label} refused {named} while {what} ({problem}) — {hint}", problem)
    hint = problem.user_message or "check the recipe and `mlprod status`, then run the command again"
    return GraphRefused(f"{label} answered an error while {what} ({problem}) — {hint}", problem)
