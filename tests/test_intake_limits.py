"""The employer page's limits, against the real uvicorn server over real sockets: connections that
stay silent are closed, an absurd file name gets a message saying what to do, and a killed
upload's leftovers go at the next start."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from intake_helpers import (
    Page,
    Server,
    clip_file,
    incoming_files,
    offer_fields,
    post_offer,
    server_log,
    stored_files,
    tracebacks,
)

from mlprod.config import Settings
from mlprod.intake import load_intake_options, serve_in_thread
from mlprod.intake.client import hidden_inputs
from mlprod.store import Database

TIMEOUT = 1.0  # the server's client_timeout in these tests, seconds


@pytest.fixture
def clip(clip_factory: Callable[..., Path]) -> Path:
    return clip_factory("clip.mp4", seconds=1.0)


@pytest.fixture
def quick_server(intake_factory: Callable[..., Server]) -> Server:
    return intake_factory(client_timeout=TIMEOUT)


def _connect(server: Server) -> socket.socket:
    address = urlsplit(server.url)
    sock = socket.create_connection((address.hostname, address.port))
    sock.settimeout(15)  # far beyond the server's timeout: a test bound, not a speed target
    return sock


def _closed_by_server(sock: socket.socket) -> bytes:
    """What the server sent before closing; fails (socket timeout) if it keeps the connection open."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


@pytest.mark.parametrize("sent", [b"", b"GET /robots.txt HTTP/1.1\r\nHost: offres\r\nUser-Agent: sl"])
def test_a_connection_that_stops_sending_its_headers_is_closed(quick_server: Server, sent: bytes) -> None:
    with _connect(quick_server) as sock:
        sock.sendall(sent)
        started = time.monotonic()
        assert _closed_by_server(sock) == b""
        assert time.monotonic() - started >= TIMEOUT * 0.9
    assert httpx.get(quick_server.url + "/robots.txt").status_code == 200  # the page still answers


def test_a_form_whose_body_stops_coming_is_closed_and_nothing_kept(quick_server: Server) -> None:
    link = quick_server.invite()
    with httpx.Client() as client:
        csrf = hidden_inputs(client.get(link).text)["csrf"]
    boundary = "----lent"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="clips"; filename="a.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n").encode() + b"\0" * 2_000_000
    path = urlsplit(link).path
    with server_log() as records, _connect(quick_server) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: offres\r\nContent-Length: 50000000\r\n"
                     f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n".encode() + head)
        deadline = time.monotonic() + 10
        while not incoming_files(quick_server.settings) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert incoming_files(quick_server.settings)  # the upload had begun to land on disk
        _closed_by_server(sock)
        deadline = time.monotonic() + 10
        while incoming_files(quick_server.settings) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert incoming_files(quick_server.settings) == [] and stored_files(quick_server.settings) == []
    assert tracebacks(records) == []
    assert any("silent for" in r.getMessage() for r in records)


def test_a_slow_but_steady_upload_is_not_cut(quick_server: Server, clip: Path) -> None:
    """A phone on a weak network sends little at a time: as long as bytes come, the form goes through."""
    link = quick_server.invite()
    with httpx.Client(timeout=60) as client:
        hidden = hidden_inputs(client.get(link).text)
        request = client.build_request(
            "POST", link, files=[clip_file(clip)],
            data={"csrf": hidden["csrf"], "consent": "oui", "consent_version": hidden["consent_version"],
                  **offer_fields()})
        body = request.read()

        def trickle() -> Iterator[bytes]:
            step = max(len(body) // 8, 1)
            for start in range(0, len(body), step):
                time.sleep(TIMEOUT * 0.4)
                yield body[start:start + step]

        headers = {"Content-Type": request.headers["Content-Type"], "Content-Length": str(len(body))}
        answer = client.post(link, content=trickle(), headers=headers)
    assert answer.status_code == 303, answer.text
    assert len(stored_files(quick_server.settings)) == 1


def test_a_five_thousand_character_file_name_is_told_what_to_do(intake_server: Server, clip: Path) -> None:
    link = intake_server.invite()
    for length in (300, 5000):
        answer = post_offer(link, offer_fields(), [clip_file(clip, "v" * length + ".mp4")])
        assert answer.status_code == 400
        message = Page(answer.text).one("p", class_="message").text
        assert "nom d'un des fichiers choisis est trop long" in message and "Renommez ce fichier" in message
        assert "Rechargez" not in message
    assert incoming_files(intake_server.settings) == []
    assert post_offer(link, offer_fields(), [clip_file(clip, "v" * 200 + ".mp4")]).status_code == 303


def _leftover(settings: Settings, name: str) -> Path:
    folder = settings.media_dir / "offres" / ".incoming"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.part"
    path.write_bytes(b"\0" * 1000)  # just written: a killed upload, or one that is running
    return path


def test_a_killed_uploads_leftover_goes_at_the_next_start_when_no_upload_runs(
        workspace: Settings, intake_db: Database) -> None:
    killed = _leftover(workspace, "0" * 32)
    old = _leftover(workspace, "1" * 32)
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    options = load_intake_options(workspace)
    _url, stop = serve_in_thread(workspace, options=options, db=intake_db)
    try:
        assert not killed.exists() and not old.exists()  # no other server: nothing is being received
        running = _leftover(workspace, "2" * 32)  # an upload on this server, or a leftover?
        old = _leftover(workspace, "3" * 32)
        os.utime(old, (day_ago, day_ago))
        _url2, stop2 = serve_in_thread(workspace, options=options, db=intake_db)
        stop2()
        assert running.exists()  # another server was running: its uploads are left alone
        assert not old.exists()  # a day without a byte is no upload
    finally:
        stop()
    _url, stop = serve_in_thread(workspace, options=options, db=intake_db)
    stop()
    assert not running.exists()
