"""Helpers for the intake tests: a valid offer, posting the form, reading pages' structure.

The fixtures that start the server are in intake_fixtures.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import httpx

from mlprod.config import Settings
from mlprod.intake import create_invitation
from mlprod.intake.client import hidden_inputs
from mlprod.store import Database

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes" \x1b[31mred\x1b[0m'


def offer_fields(**changes: str) -> dict[str, str]:
    """A complete, valid offer as the form sends it (dates a few months ahead)."""
    start = dt.date.today() + dt.timedelta(days=60)
    fields = {
        "position": "Vendeur ou vendeuse en boulangerie", "contract": "CDD",
        "location": "Salon-de-Provence", "start": start.isoformat(),
        "closes": (start + dt.timedelta(days=30)).isoformat(), "hours": "35 h par semaine",
        "requirements": "Débutant accepté\nSourire", "apply": "Déposer un CV à la boutique",
        "contact_person": "Marie Dupont, 06 12 34 56 78",
    }
    fields.update(changes)
    return fields


@dataclass
class Server:
    url: str
    settings: Settings
    db: Database

    def invite(self, employer: str = "Boulangerie du Cours", expires: Any = "30d") -> str:
        """A new invitation's full link."""
        _view, path = create_invitation(self.settings, self.db, employer, expires)
        return self.url + path


def post_offer(link: str, fields: dict[str, str], files: list[tuple[str, tuple[str, Any, str]]],
               *, consent: bool = True, csrf: str | None = None, json: bool = False) -> httpx.Response:
    """GET the page, then POST the form with its CSRF code (or ``csrf`` when given)."""
    with httpx.Client(timeout=60) as client:
        hidden = hidden_inputs(client.get(link).text)
        data = {"csrf": hidden.get("csrf", "") if csrf is None else csrf, **fields}
        if consent:
            data.update(consent="oui", consent_version=hidden.get("consent_version", ""))
        headers = {"Accept": "application/json"} if json else {}
        return client.post(link, data=data, files=files, headers=headers)


def clip_file(path: Path, name: str | None = None) -> tuple[str, tuple[str, Any, str]]:
    return ("clips", (name or path.name, path.read_bytes(), "video/mp4"))


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    texts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.texts)).strip()


class Page(HTMLParser):
    """Just enough of an HTML tree to check a page's structure: elements, attributes, text."""

    VOID: ClassVar[set[str]] = {"meta", "link", "input", "img", "br", "hr", "source", "area", "base", "col",
                                "embed", "wbr"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.texts.append(data)

    def all(self, tag: str, **attrs: str) -> list[Element]:
        return [e for e in self.elements
                if e.tag == tag and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def one(self, tag: str, **attrs: str) -> Element:
        found = self.all(tag, **attrs)
        if len(found) != 1:
            raise AssertionError(f"expected one <{tag} {attrs}>, found {len(found)}")
        return found[0]

    @property
    def text(self) -> str:
        body = self.all("body")
        return body[0].text if body else ""


def stored_files(settings: Settings) -> list[Path]:
    """Every file under media/offres except the incoming folder (which must end up empty)."""
    root = settings.media_dir / "offres"
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and ".incoming" not in p.parts)


def incoming_files(settings: Settings) -> list[Path]:
    folder = settings.media_dir / "offres" / ".incoming"
    return sorted(folder.iterdir()) if folder.exists() else []


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def server_log() -> Iterator[list[logging.LogRecord]]:
    """Every record logged meanwhile, mlprod's from INFO up and uvicorn's (whose loggers do not reach
    the root).

    Enter it after the server started: uvicorn's logging set-up replaces its loggers' handlers.
    """
    handler = _Records()
    loggers = [logging.getLogger(), logging.getLogger("uvicorn")]
    ours = logging.getLogger("mlprod")
    level = ours.level
    ours.setLevel(logging.INFO)
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        ours.setLevel(level)
        for logger in loggers:
            logger.removeHandler(handler)


def tracebacks(records: list[logging.LogRecord]) -> list[str]:
    """The records that carry a traceback, as text."""
    return [logging.Formatter().format(r) for r in records if r.exc_info]
