"""A publish killed in the middle of its upload (SIGKILL, Ctrl-C) resumes where it stopped.

`python -m mlprod publish` runs as a child process against a throttled sandbox in this process,
so the test can stop it halfway through the file.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time

import pytest
from publish_helpers import CHUNK, Channel, sha256, tutorial
from sqlalchemy import select

from mlprod.store.models import UploadSession

SIZE = 12 * CHUNK + 777
THROTTLE_KBPS = 6000  # about 0.75 MB/s: the 3 MB file takes some 4 seconds


def start_publish(channel: Channel) -> subprocess.Popen[bytes]:
    env = {**os.environ, **channel.env}
    return subprocess.Popen(
        [sys.executable, "-m", "mlprod", "-C", str(channel.settings.root), "publish", "recipes/a.yaml"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def acknowledged(channel: Channel) -> int:
    db = channel.db()
    try:
        with db.transaction() as s:
            return int(s.scalar(select(UploadSession.offset).order_by(UploadSession.id.desc())) or 0)
    finally:
        db.close()


def wait_for_offset(channel: Channel, process: subprocess.Popen[bytes], offset: int) -> None:
    deadline = time.monotonic() + 60
    while acknowledged(channel) < offset:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the upload did not progress"
        time.sleep(0.05)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
def test_a_killed_publish_resumes_and_sends_at_most_two_chunks_again(
        channel_factory, how: signal.Signals) -> None:
    channel = channel_factory(throttle_kbps=THROTTLE_KBPS)
    build = channel.ready_build(channel.recipe("a.yaml", tutorial()), size=SIZE)
    process = start_publish(channel)
    wait_for_offset(channel, process, 4 * CHUNK)

    process.send_signal(how)
    _out, err = process.communicate(timeout=30)

    assert channel.state()["videos"] == []
    if how is signal.SIGINT:
        assert process.returncode == 130
        assert b"run the same command again, the upload resumes where it stopped" in err
    resumed = channel.cli("publish", "recipes/a.yaml")

    assert resumed.exit_code == 0, resumed.output
    state = channel.state()
    [video] = state["videos"]
    assert video["media_sha256"] == sha256(build.video) and video["media_bytes"] == SIZE
    [session] = state["upload_sessions"]  # one session: resumed, not started again
    assert session["bytes_received"] == SIZE
    assert state["chunk_requests"] <= math.ceil(SIZE / CHUNK) + 2  # at most two chunks sent again
    assert state["quota_used"] == channel.ledger()
