"""Helpers shared by the statistics and report tests (no tests here).

A :class:`SignedIn` channel is a real workspace signed in (through the real OAuth flow) to a running
sandbox whose history is the ground truth; ``cli`` runs the real command line against it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html.parser
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from sqlalchemy import event

from mlprod.cli import cli
from mlprod.config import Settings
from mlprod.sandbox import ChannelHistory, Sandbox, SandboxConfig, channel_history, parse_history
from mlprod.sandbox.history import PastVideo
from mlprod.sandbox.testing import FakeClock
from mlprod.states import PlatformName, Privacy, PublicationState, VideoKind
from mlprod.store import Database, open_database
from mlprod.store.models import Publication
from mlprod.workspace import init_workspace
from mlprod.youtube.auth import approve_by_fetching, load_credentials, login
from mlprod.youtube.client import build_youtube

SEED = "2020-03-16:600,2020-05-16:2300"
CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = f"{CHROMIUM} is absent: apt-get install chromium (CI installs it)"
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync")
"""Debian's chromium, headless as root, on a machine whose network is closed."""


@dataclass
class SignedIn:
    settings: Settings
    sandbox: Sandbox
    history: ChannelHistory
    clock: FakeClock | None
    env: dict[str, str] = field(default_factory=dict)

    def cli(self, *args: str) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, ["-C", str(self.settings.root), *args], env=self.env,
                             catch_exceptions=False)

    @contextlib.contextmanager
    def database(self) -> Iterator[Database]:
        db = open_database(self.settings.database_url)
        try:
            yield db
        finally:
            db.close()

    def youtube(self) -> Any:
        return build_youtube(load_credentials(self.settings), self.sandbox.url)


@contextlib.contextmanager
def signed_in(root: Path, spec: str = SEED, clock: FakeClock | None = None,
              database_url: str | None = None) -> Iterator[SignedIn]:
    """A workspace at ``root`` signed in to a new sandbox with ``spec``'s history."""
    history_spec = parse_history(spec)
    config = SandboxConfig(history=history_spec) if clock is None else SandboxConfig(history=history_spec,
                                                                                     clock=clock)
    with Sandbox(config) as sandbox:
        settings = init_workspace(root).settings.with_overrides(youtube_url=sandbox.url)
        env = {"MLPROD_YOUTUBE_URL": sandbox.url}
        if database_url:
            settings = settings.with_overrides(database_url=database_url)
            env["MLPROD_DATABASE_URL"] = database_url
        login(settings, approve=approve_by_fetching)
        yield SignedIn(settings, sandbox, channel_history(history_spec), clock, env)


@contextlib.contextmanager
def seeded(root: Path) -> Iterator[SignedIn]:
    """The seed's channel (created 2019-09-18; 600 → 2,300 subscribers from 2020-03-16 to 2020-05-16)
    synced today; four of the videos of the spec's days are ours: a tutorial in a playlist, one in
    none, an offer that has closed and one still open."""
    with signed_in(root, SEED) as channel:
        videos = spec_videos(channel.history)
        playlist = channel.youtube().playlists().insert(part="snippet,status", body={
            "snippet": {"title": "Préparer son entretien"}, "status": {"privacyStatus": "public"}}).execute()
        with channel.database() as db:
            add_our_video(db, videos[0].id, "tutorial", videos[0].title, playlist_id=playlist["id"])
            add_our_video(db, videos[1].id, "tutorial", videos[1].title)
            add_our_video(db, videos[2].id, "job_offer", videos[2].title, offer_closes=dt.date(2020, 6, 30))
            add_our_video(db, videos[4].id, "job_offer", videos[4].title, offer_closes=dt.date(2099, 12, 31))
        result = channel.cli("stats", "sync")
        assert result.exit_code == 0, result.output
        yield channel


def spec_videos(history: ChannelHistory) -> list[PastVideo]:
    """The videos published from the spec's start on (the pre-history's come before them)."""
    return [v for v in history.videos if v.published >= history.spec.start]


def add_our_video(db: Database, youtube_id: str, kind: str, title: str, *, playlist_id: str | None = None,
                  offer_closes: dt.date | None = None, published: dt.date | None = None) -> None:
    """A row as `mlprod publish` writes it (the publish feature owns that table)."""
    moment = dt.datetime.combine(published or dt.date(2020, 4, 1), dt.time(10), tzinfo=dt.UTC)
    with db.transaction() as session:
        session.add(Publication(recipe=f"recipes/{youtube_id}.yaml", platform=PlatformName.youtube,
                                remote_id=youtube_id, kind=VideoKind(kind), title=title,
                                state=PublicationState.published, privacy=Privacy.public,
                                playlist_id=playlist_id, offer_closes=offer_closes, published_at=moment))


def pacific_clock(day: dt.date, hour: int = 20) -> FakeClock:
    """A sandbox clock at ``hour`` UTC on ``day`` (still ``day`` in California)."""
    return FakeClock(dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC))


class QueryCounter:
    """Counts the SQL statements an engine runs (executemany counts once)."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.count += 1

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


# -- reading the HTML back -------------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children: list[Element] = field(default_factory=list)
    parent: Element | None = None

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [e for e in self.iter() if (tag is None or e.tag == tag)
                and all(e.attrs.get(k) == v for k, v in wanted.items())]

    def find(self, tag: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag or '*'} {attrs}> in the page"
        return found[0]

    @property
    def all_text(self) -> str:
        """The text inside, ASCII whitespace collapsed (the no-break spaces are kept)."""
        return re.sub(r"[ \t\r\n\f]+", " ", " ".join(e.text for e in self.iter())).strip()


VOID = {"meta", "br", "img", "link", "input", "hr", "col", "source", "path", "line", "rect", "circle",
        "polyline"}


class _TreeBuilder(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(Element("#text", {}, data, parent=self.current))


def parse_html(text: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def figure(page: Element, name: str) -> str:
    return page.find(data_figure=name).attrs["data-value"]


def plain(text: str) -> str:
    """Text with every kind of space made a plain one (French figures use U+202F and U+00A0)."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())
