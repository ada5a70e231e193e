"""Shared by the Facebook and Instagram tests: a sandbox the workspace is signed in to (the Page
and its Instagram account), recipes, real MP4 builds of any size, and publishing through the
publish workflow.

Builds are real H.264 MP4s (the platforms probe them: 9:16, duration), made once per session by
the ``clip_factory`` fixture and padded to the size a test needs with a trailing ``free`` box,
which every MP4 reader skips: the bytes stay a valid file of the same duration and size.
"""

from __future__ import annotations

import hashlib
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner, Result
from PIL import Image

from mlprod.cli import cli
from mlprod.config import Settings
from mlprod.jobs.build import BuildResult, record_done
from mlprod.jobs.publish import publish_recipes
from mlprod.jobs.publish_results import BatchResult, PublishOptions
from mlprod.render.build import prepare
from mlprod.sandbox import Sandbox
from mlprod.states import Format, PlatformName
from mlprod.store import Database, open_database

PART = 262144


def padded(source: Path, target: Path, size: int | None = None) -> Path:
    """A copy of the MP4 ``source`` grown to ``size`` bytes by a trailing ``free`` box."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    extra = (size or 0) - source.stat().st_size
    if extra > 0:
        assert extra >= 8, "a box needs 8 bytes"
        with open(target, "ab") as out:
            out.write(struct.pack(">I4s", extra, b"free"))
            out.write(b"\0" * (extra - 8))
    return target


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reel_recipe(title: str = "Préparer son entretien", formats: str = "[landscape, vertical]",
                extra: str = "") -> str:
    return (f'kind: tutorial\ntitle: "{title}"\nclips:\n  - file: ../media/a.mp4\n'
            f"output:\n  formats: {formats}\n{extra}")


def offer_recipe(closes: str = "2027-02-26", formats: str = "[landscape, vertical]") -> str:
    return ("kind: job_offer\nemployer:\n  name: Boulangerie du Cours\noffer:\n"
            "  position: Vendeur·se en boulangerie\n  contract: CDD\n  location: Salon-de-Provence\n"
            f"  start: 2027-01-04\n  closes: {closes}\n"
            "  contact: Mission Locale du Pays Salonais — 04 90 56 21 74\n"
            "consent: sub-2026-0001\nclips:\n  - file: ../../media/a.mp4\n"
            f"output:\n  formats: {formats}\n")


@dataclass
class MetaPage:
    """A running sandbox, the workspace signed in to its Page, and the CLI pointed at it."""

    sandbox: Sandbox
    settings: Settings
    env: dict[str, str]

    def cli(self, *args: str, input: str | None = None, **env: str) -> Result:
        return CliRunner().invoke(cli, ["-C", str(self.settings.root), *args], env={**self.env, **env},
                                  input=input, catch_exceptions=False)

    def db(self) -> Database:
        return open_database(self.settings.database_url)

    def state(self) -> dict[str, Any]:
        return self.sandbox.state()

    def admin(self, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = httpx.post(f"{self.sandbox.url}/_sandbox/meta/{path}", json=body or {}, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def recipe(self, name: str, text: str) -> Path:
        path = self.settings.recipes_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        (self.settings.media_dir / "a.mp4").parent.mkdir(parents=True, exist_ok=True)
        return path

    def ready_build(self, recipe: Path, video: Path, fmt: Format = Format.vertical,
                    size: int | None = None) -> BuildResult:
        """Record a build of ``recipe`` (as `mlprod build` would) whose video is ``video``."""
        db = self.db()
        try:
            job, (target,) = prepare(self.settings, recipe, [fmt], None, None)
            padded(video, target.video, size)
            Image.new("RGB", (720, 1280), (20, 90, 160)).save(target.thumbnail, "JPEG")
            result = BuildResult(recipe=job.loaded.path, slug=job.loaded.slug, format=fmt,
                                 quality=job.quality, video=target.video, captions=None,
                                 thumbnail=target.thumbnail,
                                 content_hash=target.content_hash, duration=4.0,
                                 size_bytes=target.video.stat().st_size, render_seconds=0.0, reused=False,
                                 build_id=0)
            build_id = record_done(self.settings, db, result)
        finally:
            db.close()
        return BuildResult(**{**result.__dict__, "build_id": build_id})

    def publish(self, *recipes: Path, platforms: tuple[PlatformName, ...], **options: Any) -> BatchResult:
        """The publish workflow, as `mlprod publish --platform …` runs it."""
        db = self.db()
        try:
            return publish_recipes(self.settings, db, list(recipes),
                                   PublishOptions(platforms=platforms, **options))
        finally:
            db.close()
