"""The local platform servers: YouTube (which the real google-api-python-client talks to), the
Graph API for Facebook and Instagram (:mod:`mlprod.sandbox.meta`) and Discord webhooks
(:mod:`mlprod.sandbox.discord`), on one port; :mod:`mlprod.sandbox.routes` says which path goes where,
:mod:`mlprod.sandbox.testing` helps tests set them up.

>>> from mlprod.sandbox import Sandbox, SandboxConfig, parse_faults
>>> with Sandbox(SandboxConfig(faults=parse_faults("503@2"))) as sandbox:   # doctest: +SKIP
...     print(sandbox.url, sandbox.state()["quota_used"])
"""

from __future__ import annotations

from mlprod.sandbox.channel import round_subscribers
from mlprod.sandbox.config import SandboxConfig
from mlprod.sandbox.errors import SandboxError, SandboxSpecError
from mlprod.sandbox.faults import Fault, FaultKind, parse_faults
from mlprod.sandbox.history import ChannelHistory, channel_history
from mlprod.sandbox.history_spec import HistorySpec, parse_history
from mlprod.sandbox.server import SCOPES, Sandbox, serve

__all__ = [
    "SCOPES",
    "ChannelHistory",
    "Fault",
    "FaultKind",
    "HistorySpec",
    "Sandbox",
    "SandboxConfig",
    "SandboxError",
    "SandboxSpecError",
    "channel_history",
    "parse_faults",
    "parse_history",
    "round_subscribers",
    "serve",
]
