"""What a worker runs: one piece, from its spec to the shared storage. Idempotent.

A worker takes a piece only if it runs the build's mlprod and renderer (the same version and the
same ffmpeg build encode the same bytes); otherwise it refuses and says so. The piece's inputs are
found on the shared storage; a missing one is named with the worker that looked for it. A failure
is returned as the piece's result (not raised), so that the build reports it at once instead of
Celery trying again what would fail the same way.
"""

from __future__ import annotations

import enum
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlprod.cluster.app import PROTOCOL, TASK
from mlprod.cluster.specs import relocate
from mlprod.cluster.storage import SharedStorage
from mlprod.errors import MlprodError
from mlprod.render.build import renderer_identity
from mlprod.render.piece_render import PieceRun, render_piece
from mlprod.render.pieces import spec_from_json

log = logging.getLogger(__name__)


class Status(enum.StrEnum):
    done = "done"
    failed = "failed"
    refused = "refused"


@dataclass(frozen=True)
class PieceResult:
    """What a worker says of one piece: done (rendered now or found), failed or refused, and why."""

    status: Status
    worker: str
    rendered: bool = False
    seconds: float = 0.0
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status.value, "worker": self.worker, "rendered": self.rendered,
                "seconds": self.seconds, "error": self.error}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PieceResult:
        return cls(Status(data["status"]), str(data["worker"]), bool(data.get("rendered")),
                   float(data.get("seconds", 0.0)), str(data.get("error", "")))


@dataclass(frozen=True)
class WorkerContext:
    """What a worker renders with: the shared storage, its own scratch folder, its ffmpeg."""

    storage: SharedStorage
    scratch: Path
    binary: str | None = None


def run_piece(context: WorkerContext, worker: str, spec: str, protocol: str, renderer: str) -> PieceResult:
    """Render the piece ``spec`` (paths on the shared storage) unless it is already there."""
    started = time.monotonic()
    if protocol != PROTOCOL:
        return PieceResult(Status.refused, worker, error=(
            f"worker {worker} runs mlprod {PROTOCOL.replace('|', ', renderer ')} but this build needs"
            f" {protocol.replace('|', ', renderer ')} — install the same mlprod version on every render"
            " machine and on this one"))
    mine = renderer_identity(context.binary)
    if mine != renderer:
        return PieceResult(Status.refused, worker, error=(
            f"worker {worker} encodes with {mine!r} but this build needs {renderer!r} — the same ffmpeg"
            " on every machine keeps the videos identical; set render.ffmpeg (or MLPROD_FFMPEG) alike"))
    try:
        found: list[tuple[Path, Path]] = []

        def local(ref: Path) -> Path:
            path = context.storage.local(ref)
            found.append((ref, path))
            return path

        piece = relocate(spec_from_json(spec), local)
        for ref, path in found:
            if not path.exists():
                return PieceResult(Status.failed, worker, error=(
                    f"{ref}: missing on the shared storage (worker {worker} looked for {path}) — check that"
                    " the file is there and that the worker's render.shared names the shared storage"))
        store = context.storage.piece_store()
        run = PieceRun(store, context.scratch / "pieces", context.binary, what=f"worker {worker} rendering")
        _, rendered = render_piece(piece, run)
        context.storage.publish_piece(piece.key, store)
    except MlprodError as err:
        return PieceResult(Status.failed, worker, error=f"worker {worker}: {err}")
    seconds = time.monotonic() - started
    log.info("%s %s (%s) in %.1f s", "rendered" if rendered else "found   ", piece.label, piece.key[:12],
             seconds)
    return PieceResult(Status.done, worker, rendered, seconds)


def register(app: Any, context: WorkerContext) -> None:
    """The piece task on ``app``, rendering with ``context``."""

    @app.task(name=TASK, bind=True)
    def render(task: Any, spec: str, protocol: str, renderer: str) -> dict[str, Any]:
        return run_piece(context, str(task.request.hostname), spec, protocol, renderer).to_json()
