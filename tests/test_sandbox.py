"""The sandbox's uploads, faults, metadata rules, quota and state, through the real Google client."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import pytest
from googleapiclient.errors import HttpError, ResumableUploadError
from googleapiclient.http import MediaFileUpload

from mlprod.sandbox import Sandbox
from mlprod.sandbox.testing import raw_request, sign_in, write_bytes
from mlprod.youtube.client import build_youtube

CHUNK = 262144
METADATA = {
    "snippet": {"title": "Préparer son entretien", "categoryId": "27", "defaultLanguage": "fr"},
    "status": {"privacyStatus": "private", "selfDeclaredMadeForKids": False},
}



def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def insert_request(youtube: Any, path: Path, body: dict[str, Any] | None = None, **media: Any) -> Any:
    media_body = MediaFileUpload(
        str(path), mimetype="video/mp4", **({"chunksize": CHUNK, "resumable": True} | media)
    )
    return youtube.videos().insert(part="snippet,status", body=body or METADATA, media_body=media_body)


def run_upload(request: Any, max_errors: int = 5) -> tuple[dict[str, Any] | None, list[Exception]]:
    """next_chunk(num_retries=0) until done, our own retry loop; stops on 404 (session gone)."""
    errors: list[Exception] = []
    response = None
    while response is None and len(errors) <= max_errors:
        try:
            _, response = request.next_chunk(num_retries=0)
        except HttpError as err:
            errors.append(err)
            if err.status_code == 404:
                break
        except OSError as err:  # a dropped connection
            errors.append(err)
    return response, errors


def reason(err: HttpError) -> str:
    return str(err.error_details[0]["reason"])


@pytest.fixture
def video_file(tmp_path: Path) -> Path:
    return write_bytes(tmp_path / "video.mp4", 12 * CHUNK + 12345)


def test_resumable_upload_keeps_the_exact_bytes(sandbox: Sandbox, youtube: Any, video_file: Path) -> None:
    video, errors = run_upload(insert_request(youtube, video_file))

    assert errors == []
    assert video is not None
    assert video["snippet"]["title"] == "Préparer son entretien"
    assert video["status"]["privacyStatus"] == "private"
    state = sandbox.state()
    [stored] = state["videos"]
    assert stored["id"] == video["id"]
    assert stored["media_sha256"] == sha256(video_file)
    assert stored["media_bytes"] == video_file.stat().st_size
    [session] = state["upload_sessions"]
    assert session["completed"] and session["bytes_received"] == video_file.stat().st_size
    assert state["chunk_requests"] == 13
    assert state["quota_used"] == 100


@pytest.mark.parametrize(
    ("fault", "expected"),
    [("503@3", "503 backendError"), ("reset@3", "connection reset")],
)
def test_upload_recovers_from_transient_faults(
    sandbox_factory: Any, video_file: Path, fault: str, expected: str
) -> None:
    from mlprod.sandbox import parse_faults

    sandbox = sandbox_factory(faults=parse_faults(fault))
    youtube = build_youtube(sign_in(sandbox), sandbox.url)

    video, errors = run_upload(insert_request(youtube, video_file))

    [error] = errors
    if expected.startswith("503"):
        assert isinstance(error, HttpError) and error.status_code == 503
        assert reason(error) == "backendError"
    else:
        assert isinstance(error, (ConnectionResetError, BrokenPipeError))
    assert video is not None
    state = sandbox.state()
    assert state["faults_fired"] == [fault]
    assert state["videos"][0]["media_sha256"] == sha256(video_file)


def test_expired_session_answers_404_and_a_new_insert_is_charged_again(
    sandbox_factory: Any, video_file: Path
) -> None:
    from mlprod.sandbox import parse_faults

    sandbox = sandbox_factory(faults=parse_faults("expire@2"))
    youtube = build_youtube(sign_in(sandbox), sandbox.url)

    request = insert_request(youtube, video_file)
    video, errors = run_upload(request)
    assert video is None
    assert isinstance(errors[-1], HttpError) and errors[-1].status_code == 404
    with pytest.raises(HttpError) as again:  # the status query finds nothing either
        request.next_chunk(num_retries=0)
    assert again.value.status_code == 404
    assert sandbox.state()["upload_sessions"] == []

    video, errors = run_upload(insert_request(youtube, video_file))
    assert errors == [] and video is not None
    assert sandbox.state()["quota_used"] == 200


def test_status_query_and_out_of_order_chunks(sandbox: Sandbox, youtube: Any, video_file: Path) -> None:
    request = insert_request(youtube, video_file)
    request.next_chunk(num_retries=0)
    request.next_chunk(num_retries=0)
    session_url = request.resumable_uri
    total = video_file.stat().st_size

    status = raw_request(session_url, "PUT", b"", {"Content-Range": f"bytes */{total}"})
    assert status.status == 308
    assert status.headers["Range"] == f"bytes=0-{2 * CHUNK - 1}"

    gap = raw_request(  # a chunk that skips ahead is not taken
        session_url, "PUT", b"x" * CHUNK, {"Content-Range": f"bytes {3 * CHUNK}-{4 * CHUNK - 1}/{total}"}
    )
    assert gap.status == 308 and gap.headers["Range"] == f"bytes=0-{2 * CHUNK - 1}"

    odd = raw_request(  # not a multiple of 256 KiB, and not the last chunk
        session_url, "PUT", b"x" * 1000, {"Content-Range": f"bytes {2 * CHUNK}-{2 * CHUNK + 999}/{total}"}
    )
    assert odd.status == 400

    video, errors = run_upload(request)
    assert errors == [] and video is not None
    done = raw_request(session_url, "PUT", b"", {"Content-Range": f"bytes */{total}"})
    assert done.status == 200 and done.json()["id"] == video["id"]


def bearer(sandbox: Sandbox) -> dict[str, str]:
    return {"Authorization": f"Bearer {sandbox.issue_tokens()['access_token']}"}


def test_nothing_received_means_no_range_header(sandbox: Sandbox) -> None:
    opened = raw_request(
        f"{sandbox.url}/upload/youtube/v3/videos?uploadType=resumable&part=snippet",
        "POST",
        b'{"snippet": {"title": "t"}}',
        {
            **bearer(sandbox),
            "Content-Type": "application/json",
            "X-Upload-Content-Length": "10",
            "X-Upload-Content-Type": "video/mp4",
        },
    )
    assert opened.status == 200

    status = raw_request(opened.headers["Location"], "PUT", b"", {"Content-Range": "bytes */10"})

    assert status.status == 308 and "Range" not in status.headers


def test_multipart_insert(sandbox: Sandbox, youtube: Any, tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "small.mp4", 300_000, seed=7)

    video = insert_request(youtube, path, resumable=False, chunksize=-1).execute()

    [stored] = sandbox.state()["videos"]
    assert stored["id"] == video["id"]
    assert stored["media_sha256"] == sha256(path)
    assert stored["media_bytes"] == 300_000


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"snippet": {"title": "x" * 101}}, "invalidTitle"),
        ({"snippet": {"title": "Offre <CDI>"}}, "invalidTitle"),
        ({"snippet": {"title": "t", "description": "é" * 2500 + "x"}}, "invalidDescription"),
        ({"snippet": {"title": "t", "description": "a > b"}}, "invalidDescription"),
        ({"snippet": {"title": "t", "tags": ["mission locale"] * 31 + ["emplois"]}}, "invalidTags"),
        ({"snippet": {"title": "t", "categoryId": "99"}}, "invalidCategoryId"),
        (
            {"status": {"privacyStatus": "public", "publishAt": "2099-01-01T10:00:00Z"}},
            "invalidPublishAt",
        ),
        (
            {"status": {"privacyStatus": "private", "publishAt": "2001-01-01T10:00:00Z"}},
            "invalidPublishAt",
        ),
    ],
)
def test_metadata_rules_reject_before_the_upload(
    sandbox: Sandbox, youtube: Any, video_file: Path, change: dict[str, Any], expected: str
) -> None:
    request = insert_request(youtube, video_file, {**METADATA, **change})

    with pytest.raises(ResumableUploadError) as rejected:
        request.next_chunk(num_retries=0)

    assert rejected.value.status_code == 400
    assert reason(rejected.value) == expected
    state = sandbox.state()
    assert state["quota_used"] == 1  # an invalid request still costs a unit
    assert state["upload_sessions"] == [] and state["chunk_requests"] == 0


def test_tags_at_the_limit_pass(sandbox: Sandbox, youtube: Any, tmp_path: Path) -> None:
    tags = ["mission locale"] * 29 + ["emplois"]  # 29 × (14 + 2 quotes) + 7 + 29 commas = 500
    path = write_bytes(tmp_path / "v.mp4", 1000)
    body = {**METADATA, "snippet": {**METADATA["snippet"], "tags": tags}}
    video = insert_request(youtube, path, body, resumable=False, chunksize=-1).execute()
    assert video["snippet"]["tags"] == tags


def test_quota_runs_out(sandbox_factory: Any, tmp_path: Path) -> None:
    sandbox = sandbox_factory(quota=250)
    youtube = build_youtube(sign_in(sandbox), sandbox.url)
    path = write_bytes(tmp_path / "v.mp4", 2000)

    for _ in range(2):
        insert_request(youtube, path, resumable=False, chunksize=-1).execute()
    with pytest.raises(HttpError) as refused:
        insert_request(youtube, path, resumable=False, chunksize=-1).execute()

    assert refused.value.status_code == 403
    detail = refused.value.error_details[0]
    assert detail["reason"] == "quotaExceeded" and detail["domain"] == "youtube.quota"
    assert "exceeded your quota" in detail["message"]
    assert sandbox.state()["quota_used"] == 200
    youtube.channels().list(part="id", mine=True).execute()  # 1 unit still fits
    assert sandbox.state()["quota_used"] == 201
    assert len(sandbox.state()["videos"]) == 2


def test_legacy_costs_and_quota_fault(sandbox_factory: Any, tmp_path: Path) -> None:
    from mlprod.sandbox import parse_faults

    path = write_bytes(tmp_path / "v.mp4", 2000)
    legacy = sandbox_factory(costs="legacy")
    insert_request(build_youtube(sign_in(legacy), legacy.url), path, resumable=False, chunksize=-1).execute()
    assert legacy.state()["quota_used"] == 1600

    faulty = sandbox_factory(faults=parse_faults("quota"))
    youtube = build_youtube(sign_in(faulty), faulty.url)
    with pytest.raises(ResumableUploadError) as refused:
        insert_request(youtube, path).next_chunk(num_retries=0)
    assert refused.value.status_code == 403 and reason(refused.value) == "quotaExceeded"
    youtube.channels().list(part="id", mine=True).execute()  # other methods still work


def test_unknown_parameters_and_parts_are_rejected(sandbox: Sandbox, youtube: Any) -> None:
    with pytest.raises(HttpError) as bad_part:
        youtube.videos().list(part="snippet,statistic", id="abc").execute()
    assert bad_part.value.status_code == 400 and reason(bad_part.value) == "unknownPart"

    auth = bearer(sandbox)
    unknown = raw_request(f"{sandbox.url}/youtube/v3/videos?part=id&id=abc&colour=blue", headers=auth)
    assert unknown.status == 400 and unknown.reason == "invalid"
    assert "colour" in unknown.json()["error"]["message"]
    missing = raw_request(f"{sandbox.url}/youtube/v3/videos?id=abc", headers=auth)
    assert missing.status == 400 and missing.reason == "required"
    repeated = raw_request(f"{sandbox.url}/youtube/v3/videos?part=id&part=snipet&id=abc", headers=auth)
    assert repeated.status == 400 and repeated.reason == "unknownPart"
    nowhere = raw_request(f"{sandbox.url}/youtube/v3/nothing", headers=auth)
    assert nowhere.status == 404 and nowhere.json()["error"]["code"] == 404
    assert sandbox.state()["quota_used"] == 4  # an invalid request costs 1; a 404 path nothing


def test_discovery_documents_point_at_the_sandbox(sandbox: Sandbox) -> None:
    for api, version in (("youtube", "v3"), ("youtubeAnalytics", "v2")):
        doc = raw_request(f"{sandbox.url}/discovery/v1/apis/{api}/{version}/rest").json()
        assert doc["rootUrl"] == sandbox.url + "/"
        assert doc["name"] == api


def test_throttle_limits_the_upload_rate(sandbox_factory: Any, tmp_path: Path) -> None:
    sandbox = sandbox_factory(throttle_kbps=16_000)  # 2 MB/s
    youtube = build_youtube(sign_in(sandbox), sandbox.url)
    path = write_bytes(tmp_path / "v.mp4", 2 * CHUNK)

    started = time.monotonic()
    video, errors = run_upload(insert_request(youtube, path))
    elapsed = time.monotonic() - started

    assert video is not None and errors == []
    assert elapsed >= 2 * CHUNK / 2_000_000 * 0.9


def test_state_file_survives_a_restart_and_so_does_an_upload(tmp_path: Path, video_file: Path) -> None:
    from mlprod.sandbox import SandboxConfig

    state_file = tmp_path / "sandbox.json"
    first = Sandbox(SandboxConfig(state_file=state_file))
    first.start()
    credentials = sign_in(first)
    youtube = build_youtube(credentials, first.url)
    playlist = youtube.playlists().insert(part="snippet", body={"snippet": {"title": "Offres"}}).execute()
    request = insert_request(youtube, video_file)
    for _ in range(3):
        request.next_chunk(num_retries=0)
    session_url = request.resumable_uri
    port = int(first.url.rsplit(":", 1)[1])
    first.stop()

    second = Sandbox(SandboxConfig(state_file=state_file, port=port))
    second.start()
    try:
        state = second.state()
        assert [p["id"] for p in state["playlists"]] == [playlist["id"]]
        assert state["upload_sessions"][0]["bytes_received"] == 3 * CHUNK
        # a new process resumes: a fresh client, the saved session URL, a status query first
        youtube = build_youtube(credentials, second.url)
        resumed = insert_request(youtube, video_file)
        resumed.resumable_uri = session_url
        resumed._in_error_state = True
        video, errors = run_upload(resumed)
        assert errors == [] and video is not None
        assert second.state()["videos"][0]["media_sha256"] == sha256(video_file)
        assert second.state()["chunk_requests"] == 10  # only the chunks not sent before
    finally:
        second.stop()
    assert not list(tmp_path.glob("sandbox.json.uploads/*.part"))
