"""What a Graph handler gets: the Meta state (and the store that locks and saves it), the time, the
request's parameters and the token it came with. Nothing else of the application.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from mlprod.sandbox.faults import FaultPlan
from mlprod.sandbox.meta.errors import bad_parameter, nonexisting_field
from mlprod.sandbox.meta.model import MetaState, Token
from mlprod.sandbox.meta.rules import GRAPH_VERSION
from mlprod.sandbox.replies import Reply
from mlprod.sandbox.state import StateStore


@dataclass
class GraphContext:
    store: StateStore
    state: MetaState
    now: float
    base_url: str
    params: dict[str, str]
    token: Token
    faults: FaultPlan

    @contextmanager
    def change(self) -> Iterator[MetaState]:
        """Change the Meta state under the store's lock; saved when the block ends without error."""
        with self.store.change():
            yield self.state

    @property
    def graph_url(self) -> str:
        return f"{self.base_url}/graph/{GRAPH_VERSION}"

    @property
    def upload_url(self) -> str:
        """Root of the upload host (Meta's ``rupload.facebook.com``)."""
        return f"{self.base_url}/rupload"

    @property
    def moment(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)

    def param(self, name: str) -> str | None:
        value = self.params.get(name)
        return value if value not in (None, "") else None

    def required(self, name: str) -> str:
        value = self.param(name)
        if value is None:
            raise bad_parameter(f"The parameter {name} is required")
        return value

    def fields(self, node: str, known: tuple[str, ...], default: tuple[str, ...]) -> list[str]:
        """The ``fields`` asked for (or ``default``); 100 for a field this node does not have."""
        flat = re.sub(r"\{[^{}]*\}", "", self.param("fields") or "")  # edge{subfields} → edge
        asked = [f.strip() for f in flat.split(",") if f.strip()]
        for name in asked:
            if name not in known:
                raise nonexisting_field(name, node)
        return asked or list(default)


GraphHandler = Callable[[GraphContext], Reply]


def graph_time(timestamp: float) -> str:
    """Graph's time format: ``2026-11-26T10:00:00+0000``."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
