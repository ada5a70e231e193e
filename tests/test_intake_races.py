"""The employer page under simultaneous submissions: real concurrent multipart POSTs (threads and
httpx) against the real uvicorn server, on SQLite and on PostgreSQL when it is configured.

One invitation yields at most one submission whatever the timing; numbers never collide; the
employer never sees a 500 and the server log holds no traceback.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from intake_helpers import (
    Page,
    Server,
    incoming_files,
    offer_fields,
    server_log,
    stored_files,
    tracebacks,
)
from sqlalchemy import select

from mlprod.intake.client import hidden_inputs
from mlprod.store.models import Submission

YEAR = dt.date.today().year


@pytest.fixture
def clip(clip_factory: Callable[..., Path]) -> Path:
    return clip_factory("clip.mp4", seconds=1.0)


def post_together(links: list[str], clip: Path) -> list[httpx.Response]:
    """Each link's form, read first, then all of them sent at the same moment (one thread each)."""
    barrier = threading.Barrier(len(links))
    data = clip.read_bytes()

    def send(link: str) -> httpx.Response:
        with httpx.Client(timeout=180) as client:
            hidden = hidden_inputs(client.get(link).text)
            fields = {"csrf": hidden["csrf"], "consent": "oui", "consent_version": hidden["consent_version"],
                      **offer_fields()}
            barrier.wait(timeout=60)
            return client.post(link, data=fields, files=[("clips", ("clip.mp4", data, "video/mp4"))])

    with ThreadPoolExecutor(len(links)) as pool:
        return list(pool.map(send, links))


def _rows(server: Server) -> list[Submission]:
    with server.db.transaction() as session:
        return list(session.scalars(select(Submission).order_by(Submission.id)).all())


def _assert_one_accepted_per_link(links: list[str], answers: list[httpx.Response]) -> None:
    by_link: dict[str, Counter[int]] = {}
    for link, answer in zip(links, answers, strict=True):
        by_link.setdefault(link, Counter())[answer.status_code] += 1
        if answer.status_code == 409:  # the loser gets the normal "already sent" page
            assert "déjà envoyé" in Page(answer.text).one("p", class_="message").text
    for link, statuses in by_link.items():
        assert statuses == Counter({303: 1, 409: sum(statuses.values()) - 1}), (link, statuses)


def test_one_link_sent_eight_times_at_once_makes_one_submission(shared_db_server: Server,
                                                                 clip: Path) -> None:
    link = shared_db_server.invite()
    with server_log() as records:
        answers = post_together([link] * 8, clip)
    _assert_one_accepted_per_link([link] * 8, answers)
    rows = _rows(shared_db_server)
    assert [r.public_id for r in rows] == [f"sub-{YEAR}-0001"]
    assert len(stored_files(shared_db_server.settings)) == 1  # the losers' clips are not kept
    assert incoming_files(shared_db_server.settings) == []
    assert tracebacks(records) == []
    # the page shows the one submission, and no form
    page = Page(httpx.get(link).text)
    assert not page.all("form", id="offre") and len(page.all("span", class_="etiquette")) == 1


def test_sixty_forms_on_twenty_links_at_once_get_distinct_numbers(shared_db_server: Server,
                                                                   clip: Path) -> None:
    invited = [shared_db_server.invite(f"Employeur {n}") for n in range(20)]
    links = invited * 3
    with server_log() as records:
        answers = post_together(links, clip)
    assert not [a for a in answers if a.status_code >= 500]
    _assert_one_accepted_per_link(links, answers)
    rows = _rows(shared_db_server)
    assert sorted(r.public_id for r in rows) == [f"sub-{YEAR}-{n:04d}" for n in range(1, 21)]
    assert len({r.invitation_id for r in rows}) == 20
    assert len(stored_files(shared_db_server.settings)) == 20
    assert incoming_files(shared_db_server.settings) == []
    assert tracebacks(records) == []
    assert not [r for r in records if r.levelname in ("ERROR", "CRITICAL")]
