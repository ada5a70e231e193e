"""Sending an offer through the running page, as an employer's browser would (for `mlprod demo`).

It reads the page (so it uses the page's own CSRF code and consent wording), then posts the form
with the files streamed from disk. Needs httpx.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from mlprod.errors import IntakeError

HIDDEN = ("csrf", "consent_version")


class _HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.values[str(found["name"])] = found.get("value") or ""


def hidden_inputs(html: str) -> dict[str, str]:
    parser = _HiddenInputs()
    parser.feed(html)
    return parser.values


def submit_offer(page_url: str, fields: Mapping[str, str], clips: list[Path], logo: Path | None = None,
                 *, consent: bool = True, timeout: float = 600.0) -> str:
    """Fill and send the form at ``page_url`` (an invitation link); return the submission's id."""
    import httpx

    with httpx.Client(timeout=timeout) as client:
        page = client.get(page_url)
        hidden = hidden_inputs(page.text)
        if page.status_code != 200 or "csrf" not in hidden:
            raise IntakeError(f"{page_url}: the page offers no form (HTTP {page.status_code}) — check the"
                              " invitation link, or whether this employer has already sent an offer")
        data: dict[str, Any] = {"csrf": hidden["csrf"], **fields}
        if consent:
            data.update(consent="oui", consent_version=hidden.get("consent_version", ""))
        with contextlib.ExitStack() as stack:
            files: list[tuple[str, tuple[str, Any, str]]] = [
                ("clips", (p.name, stack.enter_context(open(p, "rb")), "application/octet-stream"))
                for p in clips]
            if logo is not None:
                files.append(("logo", (logo.name, stack.enter_context(open(logo, "rb")),
                                       "application/octet-stream")))
            answer = client.post(page_url, data=data, files=files, headers={"Accept": "application/json"})
    body = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else {}
    if answer.status_code != 200 or "submission" not in body:
        problems = "; ".join(f"{k}: {v}" for k, v in body.get("fields", {}).items())
        raise IntakeError(f"{page_url}: the page refused the offer (HTTP {answer.status_code}):"
                          f" {body.get('error', answer.text[:200])} {problems}".rstrip())
    return str(body["submission"])
