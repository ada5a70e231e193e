"""The command-line specs of the sandbox: --faults, --history and the rest, and their messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from mlprod.errors import MlprodError
from mlprod.sandbox import FaultKind, SandboxConfig, SandboxSpecError, parse_faults, parse_history


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("2020-03-16:600", "write START:COUNT,END:COUNT"),
        ("2020-13-16:600,2020-05-16:2300", "2020-13-16 is not a date"),
        ("2020-03-16:6x0,2020-05-16:2300", "COUNT must be a whole number"),
        ("2020-05-16:600,2020-03-16:2300", "must come after the start date"),
    ],
)
def test_history_spec_errors_say_how_to_fix(spec: str, message: str) -> None:
    with pytest.raises(SandboxSpecError) as error:
        parse_history(spec)
    assert message in str(error.value)
    assert "2020-03-16:600,2020-05-16:2300" in str(error.value)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("503@x", '--faults: "503@x": N must be a whole number — write 503@2,reset@4'),
        ("504@2", 'unknown fault "504"'),
        ("reset", "say which chunk"),
        ("quota@2", "quota takes no @N"),
        ("503@2,reset@2", "chunk 2 already has 503@2"),
    ],
)
def test_fault_spec_errors_say_how_to_fix(spec: str, message: str) -> None:
    with pytest.raises(SandboxSpecError) as error:
        parse_faults(spec)
    assert message in str(error.value)


def test_fault_spec() -> None:
    assert [str(f) for f in parse_faults("503@2, reset@4,expire@6,quota")] == [
        "503@2", "reset@4", "expire@6", "quota"
    ]
    assert parse_faults("") == []


def test_config_from_command_line_options(tmp_path: Path) -> None:
    config = SandboxConfig.from_options(
        port=8090, state=str(tmp_path / "s.json"), faults="503@2,quota", throttle_kbps=500,
        history="2020-03-16:600,2020-05-16:2300", quota=500, costs="legacy",
    )
    assert config.port == 8090 and config.state_file == tmp_path / "s.json"
    assert [f.kind for f in config.faults] == [FaultKind.UNAVAILABLE, FaultKind.QUOTA]
    assert config.history is not None and config.history.end_count == 2300
    with pytest.raises(MlprodError) as unknown:
        SandboxConfig.from_options(costs="2019")
    assert "2026 or legacy" in str(unknown.value)
    with pytest.raises(SandboxSpecError):
        SandboxConfig.from_options(throttle_kbps=0)


def test_fault_specs_for_the_other_platforms() -> None:
    faults = parse_faults(
        "503@1,fbreset@1,fb503@2,igerror@1,ig503@1,igreset@2,graph4@3,discord429@1,discord503@2"
    )
    assert [f.kind.counter.value for f in faults if f.kind.counter] == [
        "chunk", "Facebook upload request", "Facebook upload request", "Instagram container",
        "Instagram upload request", "Instagram upload request", "Graph API call", "Discord webhook request",
        "Discord webhook request",
    ]
    with pytest.raises(SandboxSpecError) as twice:
        parse_faults("fbreset@2,fb503@2")
    assert "Facebook upload request 2 already has fbreset@2" in str(twice.value)
    with pytest.raises(SandboxSpecError) as unknown:
        parse_faults("fb500@1")
    assert "discord429@N" in str(unknown.value)


def test_serve_help_documents_every_fault(run_cli: Callable[..., Result]) -> None:
    text = " ".join(run_cli("sandbox", "serve", "--help").output.split())
    for name in ("503@N", "fbreset@N", "igerror@N", "graph4@N", "discord429@N", "/graph/v21.0"):
        assert name in text
