"""Shared by the publish, expire and status tests: a signed-in sandbox, recipes, ready-made builds.

A "ready-made build" is a Build row recorded the way ``mlprod build`` records one (same content
hash, so ``current_build`` finds it), pointing at generated files: random bytes for the video (the
sandbox hashes what it receives, it does not decode it), a real JPEG and an SRT. It lets upload
tests use files of any size without rendering; test_publish.py also publishes through a real build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from PIL import Image

from mlprod.cli import cli
from mlprod.config import Settings
from mlprod.jobs.build import BuildResult, record_done
from mlprod.recipe.schema import Format
from mlprod.render.build import prepare
from mlprod.sandbox import Sandbox
from mlprod.store import Database, open_database
from mlprod.store.models import Submission
from mlprod.youtube.quota import spent_today

CHUNK = 262144

SRT = """1
00:00:00,000 --> 00:00:01,500
Bonjour et bienvenue.

2
00:00:01,500 --> 00:00:03,000
Préparons votre entretien.
"""


def tutorial(title: str = "Préparer son entretien", **publish: Any) -> str:
    lines = ["kind: tutorial", f"title: {_quoted(title)}", "clips:", "  - file: ../media/a.mp4"]
    return "\n".join(lines + _publish(publish)) + "\n"


def job_offer(consent: str | None = "sub-2026-0001", closes: str = "2027-02-26", **publish: Any) -> str:
    lines = ["kind: job_offer", "employer:", "  name: Boulangerie du Cours", "offer:",
             "  position: Vendeur·se en boulangerie", "  contract: CDD", "  location: Salon-de-Provence",
             "  start: 2027-01-04", f"  closes: {closes}",
             "  contact: Mission Locale du Pays Salonais — 04 90 56 21 74",
             "  hours: 35 h/semaine, du mardi au samedi"]
    if consent:
        lines.append(f"consent: {consent}")
    lines += ["clips:", "  - file: ../../media/a.mp4"]
    return "\n".join(lines + _publish(publish)) + "\n"


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _publish(fields: dict[str, Any]) -> list[str]:
    if not fields:
        return []
    lines = ["publish:"]
    for key, value in fields.items():
        if isinstance(value, list):
            lines.append(f"  {key}: [{', '.join(_quoted(v) for v in value)}]")
        elif isinstance(value, str) and key != "publish_at":
            lines.append(f"  {key}: {_quoted(value)}")
        else:
            lines.append(f"  {key}: {value}")
    return lines


@dataclass
class Channel:
    """A running sandbox, the workspace signed in to it, and the CLI pointed at both."""

    sandbox: Sandbox
    settings: Settings
    env: dict[str, str]

    def cli(self, *args: str, **env: str) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, ["-C", str(self.settings.root), *args], env={**self.env, **env},
                             catch_exceptions=False)

    def db(self) -> Database:
        return open_database(self.settings.database_url)

    def state(self) -> dict[str, Any]:
        return self.sandbox.state()

    def ledger(self) -> int:
        db = self.db()
        try:
            return spent_today(db)
        finally:
            db.close()

    def recipe(self, name: str, text: str) -> Path:
        path = self.settings.recipes_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def ready_build(self, recipe: Path, size: int = 5 * CHUNK + 1234, *, captions: bool = True,
                    seed: int = 1, fmt: Format = Format.landscape, source: Path | None = None) -> BuildResult:
        """Record a build of ``recipe`` (as `mlprod build` would) over generated files: ``size``
        random bytes, or a copy of ``source`` (a real video, for platforms that probe it)."""
        db = self.db()
        try:
            job, (target,) = prepare(self.settings, recipe, [fmt], None, None)
            target.video.parent.mkdir(parents=True, exist_ok=True)
            data = source.read_bytes() if source is not None else random.Random(seed).randbytes(size)
            target.video.write_bytes(data)
            size = len(data)
            Image.new("RGB", (1280, 720), (20, 90, 160)).save(target.thumbnail, "JPEG")
            if captions:
                target.captions.write_text(SRT, encoding="utf-8")
            result = BuildResult(recipe=job.loaded.path, slug=job.loaded.slug, format=fmt,
                                 quality=job.quality, video=target.video,
                                 captions=target.captions if captions else None,
                                 thumbnail=target.thumbnail, content_hash=target.content_hash, duration=3.0,
                                 size_bytes=size, render_seconds=0.0, reused=False, build_id=0)
            build_id = record_done(self.settings, db, result)
        finally:
            db.close()
        return BuildResult(**{**result.__dict__, "build_id": build_id})

    def approve_submission(self, public_id: str = "sub-2026-0001", status: str = "approved") -> None:
        db = self.db()
        with db.transaction() as s:
            s.add(Submission(public_id=public_id, employer="Boulangerie du Cours", status=status,
                             offer={"position": "Vendeur·se en boulangerie"},
                             consent_text="J'autorise la diffusion de cette vidéo.",
                             consent_at=dt.datetime.now(dt.UTC)))
        db.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
