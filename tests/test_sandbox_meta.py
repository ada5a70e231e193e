"""The Meta sandbox through raw HTTP: Facebook Login, Page Reels and videos, Instagram containers,
limits, tokens, figures and faults, as a client would meet them."""

from __future__ import annotations

import hashlib
import urllib.parse
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from mlprod.sandbox import Sandbox, parse_faults, parse_history
from mlprod.sandbox.testing import FakeClock, meta_page, meta_tokens

SandboxFactory = Callable[..., Sandbox]
HISTORY = "2026-01-01:500,2026-06-30:1500"
HTTP = httpx.Client(timeout=10)
"""One client for the module: a new one per request would spend more time on set-up than on HTTP."""


@pytest.fixture(autouse=True, scope="module")
def _close_client() -> Iterator[None]:
    yield
    HTTP.close()


def graph(sandbox: Sandbox) -> str:
    return f"{sandbox.url}/graph/v21.0"


def page_of(sandbox: Sandbox) -> tuple[str, str, str]:
    """The default Page's id, its token and its Instagram account's id."""
    page = meta_tokens(sandbox.url)["pages"][0]
    return page["id"], page["access_token"], page["instagram_business_account"]["id"]


def send(url: str, token: str, data: bytes, offset: int, total: int) -> httpx.Response:
    headers = {"Authorization": f"OAuth {token}", "offset": str(offset), "file_size": str(total)}
    return HTTP.post(url, content=data, headers=headers)


def start_reel(sandbox: Sandbox, page_id: str, token: str) -> tuple[str, str]:
    answer = HTTP.post(
        f"{graph(sandbox)}/{page_id}/video_reels", data={"upload_phase": "start", "access_token": token}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["video_id"], answer.json()["upload_url"]


def finish(sandbox: Sandbox, page_id: str, token: str, video_id: str, **fields: str) -> httpx.Response:
    form = {
        "upload_phase": "finish",
        "video_id": video_id,
        "video_state": "PUBLISHED",
        "access_token": token,
        **fields,
    }
    return HTTP.post(f"{graph(sandbox)}/{page_id}/video_reels", data=form)


def publish_reel(sandbox: Sandbox, page_id: str, token: str, data: bytes) -> httpx.Response:
    video_id, upload_url = start_reel(sandbox, page_id, token)
    assert send(upload_url, token, data, 0, len(data)).json() == {"success": True}
    return finish(sandbox, page_id, token, video_id, description="Offre d'emploi #emploi")


def received(sandbox: Sandbox, video_id: str, token: str) -> int:
    """Bytes of an upload the sandbox has, as its status reports them."""
    status = get(sandbox, video_id, token, fields="status").json()["status"]
    return int(status["uploading_phase"]["bytes_transferred"])


def error(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code >= 400, answer.text
    return dict(answer.json()["error"])


def get(sandbox: Sandbox, path: str, token: str, **params: str) -> httpx.Response:
    return HTTP.get(f"{graph(sandbox)}/{path}", params={**params, "access_token": token})


# -- sign-in and tokens ---------------------------------------------------------------------------


def test_facebook_login_gives_a_long_lived_page_token(sandbox: Sandbox) -> None:
    query = urllib.parse.urlencode(
        {
            "client_id": "app",
            "redirect_uri": "http://localhost:8765/",
            "state": "s1",
            "scope": "pages_show_list,pages_manage_posts",
        }
    )
    redirect = HTTP.get(f"{sandbox.url}/www/v21.0/dialog/oauth?{query}")
    assert redirect.status_code == 302
    back = urllib.parse.parse_qs(urllib.parse.urlsplit(redirect.headers["Location"]).query)
    assert back["state"] == ["s1"]
    exchange = {"client_id": "app", "client_secret": "s", "redirect_uri": "http://localhost:8765/"}
    short = HTTP.get(
        f"{graph(sandbox)}/oauth/access_token", params={**exchange, "code": back["code"][0]}
    ).json()
    assert short["expires_in"] == 3600
    again = HTTP.get(f"{graph(sandbox)}/oauth/access_token", params={**exchange, "code": back["code"][0]})
    assert error(again)["error_subcode"] == 36009  # a code works once
    long = HTTP.get(
        f"{graph(sandbox)}/oauth/access_token",
        params={
            "grant_type": "fb_exchange_token",
            "client_id": "app",
            "client_secret": "s",
            "fb_exchange_token": short["access_token"],
        },
    ).json()
    assert long["expires_in"] == 60 * 24 * 3600
    accounts = get(
        sandbox, "me/accounts", long["access_token"], fields="id,name,access_token,instagram_business_account"
    )
    [page] = accounts.json()["data"]
    assert page["name"].startswith("Mission Locale du Pays Salonais")
    assert page["instagram_business_account"]["id"].startswith("17841")
    debug = HTTP.get(f"{graph(sandbox)}/debug_token", params={"input_token": page["access_token"]}).json()[
        "data"
    ]
    assert debug["type"] == "PAGE" and debug["is_valid"] and debug["expires_at"] == 0
    assert debug["profile_id"] == page["id"] and "pages_manage_posts" in debug["scopes"]


def test_token_errors_are_graphs(sandbox: Sandbox, reel_mp4: bytes) -> None:
    page_id, token, _ = page_of(sandbox)
    user_token = meta_tokens(sandbox.url)["user_token"]
    assert error(get(sandbox, page_id, ""))["code"] == 104
    assert error(get(sandbox, page_id, "EAAnot-a-token"))["code"] == 190
    needs_page = HTTP.post(
        f"{graph(sandbox)}/{page_id}/video_reels", data={"upload_phase": "start", "access_token": user_token}
    )
    assert error(needs_page)["code"] == 210
    no_publish = meta_tokens(sandbox.url, scopes=["pages_show_list"])["pages"][0]["access_token"]
    refused = HTTP.post(
        f"{graph(sandbox)}/{page_id}/video_reels", data={"upload_phase": "start", "access_token": no_publish}
    )
    assert error(refused)["code"] == 200 and "pages_manage_posts" in error(refused)["message"]
    HTTP.post(f"{sandbox.url}/_sandbox/meta/expire-tokens")
    expired = error(get(sandbox, page_id, token))
    assert (expired["code"], expired["error_subcode"], expired["type"]) == (190, 463, "OAuthException")
    assert "Session has expired" in expired["message"] and expired["fbtrace_id"]


def test_removing_the_app_revokes_every_token(sandbox: Sandbox) -> None:
    tokens = meta_tokens(sandbox.url)
    page_token = tokens["pages"][0]["access_token"]
    assert HTTP.delete(
        f"{graph(sandbox)}/me/permissions", params={"access_token": tokens["user_token"]}
    ).json() == {"success": True}
    revoked = error(get(sandbox, tokens["pages"][0]["id"], page_token))
    assert (revoked["code"], revoked["error_subcode"]) == (190, 458)
    assert sandbox.state()["facebook"]["tokens"]["revoked"] >= 2


# -- Page Reels -------------------------------------------------------------------------------------


def test_a_dropped_reel_upload_resumes_at_the_reported_offset(
    sandbox_factory: SandboxFactory, reel_mp4: bytes
) -> None:
    sandbox = sandbox_factory(faults=parse_faults("fbreset@1"))
    page_id, token, _ = page_of(sandbox)
    video_id, upload_url = start_reel(sandbox, page_id, token)
    with pytest.raises(httpx.TransportError):
        send(upload_url, token, reel_mp4, 0, len(reel_mp4))
    status = get(sandbox, video_id, token, fields="status").json()["status"]
    offset = status["uploading_phase"]["bytes_transferred"]
    assert 0 < offset < len(reel_mp4) and status["uploading_phase"]["status"] == "in_progress"
    wrong = send(upload_url, token, reel_mp4[offset - 10 :], offset - 10, len(reel_mp4))
    assert wrong.status_code == 400 and wrong.json()["debug_info"]["type"] == "OffsetMismatchError"
    assert send(upload_url, token, reel_mp4[offset:], offset, len(reel_mp4)).json() == {"success": True}
    done = finish(sandbox, page_id, token, video_id, description="Vendeur·se #emploi")
    assert done.json()["success"] is True
    [video] = sandbox.state()["facebook"]["videos"]
    assert video["sha256"] == hashlib.sha256(reel_mp4).hexdigest()
    assert video["bytes_received"] == len(reel_mp4)
    assert (video["state"], video["width"], video["height"], video["duration"]) == (
        "published",
        540,
        960,
        4.0,
    )
    assert sandbox.state()["faults_fired"] == ["fbreset@1"]
    fields = get(sandbox, video_id, token, fields="id,description,permalink_url,status,length").json()
    assert fields["status"]["video_status"] == "ready" and fields["permalink_url"] == f"/reel/{video_id}/"


def test_a_503_keeps_nothing_of_the_request(sandbox_factory: SandboxFactory, reel_mp4: bytes) -> None:
    sandbox = sandbox_factory(faults=parse_faults("fb503@1"))
    page_id, token, _ = page_of(sandbox)
    video_id, upload_url = start_reel(sandbox, page_id, token)
    refused = send(upload_url, token, reel_mp4, 0, len(reel_mp4))
    assert refused.status_code == 503 and refused.json()["debug_info"]["retriable"] is True
    assert received(sandbox, video_id, token) == 0
    assert send(upload_url, token, reel_mp4, 0, len(reel_mp4)).status_code == 200


def test_the_31st_reel_in_24_hours_is_refused(sandbox_factory: SandboxFactory, reel_mp4: bytes) -> None:
    clock = FakeClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    sandbox = sandbox_factory(clock=clock)
    page_id, token, _ = page_of(sandbox)
    for _ in range(30):
        assert publish_reel(sandbox, page_id, token, reel_mp4).status_code == 200
        clock.advance(minutes=20)
    refused = error(publish_reel(sandbox, page_id, token, reel_mp4))
    assert refused["code"] == 613 and "30 Reels" in refused["message"] and refused["is_transient"] is False
    assert sandbox.state()["facebook"]["pages"][0]["reels_counted_24h"] == 30
    clock.advance(hours=14)  # the first ones leave the moving window
    assert publish_reel(sandbox, page_id, token, reel_mp4).status_code == 200


@pytest.mark.parametrize(
    ("size", "words"),
    [((960, 540, 4.0), "9:16"), ((270, 480, 4.0), "at least 540×960"), ((540, 960, 2.0), "3 to 90 seconds")],
)
def test_a_reel_that_breaks_the_rules_is_refused_at_finish(
    sandbox: Sandbox, mp4_factory: Callable[..., Path], size: tuple[int, int, float], words: str
) -> None:
    page_id, token, _ = page_of(sandbox)
    refused = error(publish_reel(sandbox, page_id, token, mp4_factory(*size).read_bytes()))
    assert refused["code"] == 100 and words in refused["message"]


def test_a_reel_must_be_a_whole_mp4(sandbox: Sandbox, reel_mp4: bytes) -> None:
    page_id, token, _ = page_of(sandbox)
    video_id, upload_url = start_reel(sandbox, page_id, token)
    send(upload_url, token, reel_mp4[:1000], 0, len(reel_mp4))
    assert "not complete" in error(finish(sandbox, page_id, token, video_id))["message"]
    assert error(publish_reel(sandbox, page_id, token, b"not a video" * 100))["message"].endswith(
        "the file is not an MP4 video (no ftyp box at its start)"
    )


def test_a_scheduled_reel_goes_out_at_its_time(sandbox_factory: SandboxFactory, reel_mp4: bytes) -> None:
    clock = FakeClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    sandbox = sandbox_factory(clock=clock)
    page_id, token, _ = page_of(sandbox)
    video_id, upload_url = start_reel(sandbox, page_id, token)
    send(upload_url, token, reel_mp4, 0, len(reel_mp4))
    too_soon = str(int((clock.now + timedelta(minutes=5)).timestamp()))
    soon = finish(sandbox, page_id, token, video_id, video_state="SCHEDULED", scheduled_publish_time=too_soon)
    assert "10 minutes" in error(soon)["message"]
    at = int((clock.now + timedelta(hours=2)).timestamp())
    later = finish(sandbox, page_id, token, video_id, video_state="SCHEDULED", scheduled_publish_time=str(at))
    assert later.status_code == 200
    phase = get(sandbox, video_id, token, fields="status").json()["status"]["publishing_phase"]
    assert (phase["publish_status"], phase["publish_time"]) == ("scheduled", at)
    clock.advance(hours=3)
    assert get(sandbox, video_id, token, fields="published").json()["published"] is True


def test_a_deleted_reel_is_gone_but_still_counted(sandbox: Sandbox, reel_mp4: bytes) -> None:
    page_id, token, _ = page_of(sandbox)
    video_id = publish_reel(sandbox, page_id, token, reel_mp4).json()["post_id"].split("_")[1]
    assert HTTP.delete(f"{graph(sandbox)}/{video_id}", params={"access_token": token}).json() == {
        "success": True
    }
    gone = error(get(sandbox, video_id, token))
    assert (gone["code"], gone["error_subcode"]) == (100, 33)
    page = sandbox.state()["facebook"]["pages"][0]
    assert page["reels_counted_24h"] == 1


# -- Page videos through the Resumable Upload API -------------------------------------------------


def test_a_landscape_video_goes_to_the_page_through_a_file_handle(
    sandbox: Sandbox, mp4_factory: Callable[..., Path]
) -> None:
    data = mp4_factory(1920, 1080, 6.0).read_bytes()
    page_id, token, _ = page_of(sandbox)
    user = meta_tokens(sandbox.url)["user_token"]
    session = HTTP.post(
        f"{graph(sandbox)}/mlprod-app/uploads",
        params={
            "file_name": "offre.mp4",
            "file_length": len(data),
            "file_type": "video/mp4",
            "access_token": user,
        },
    ).json()["id"]
    assert session.startswith("upload:")
    half = len(data) // 2
    first = HTTP.post(
        f"{graph(sandbox)}/{session}",
        content=data[:half],
        headers={"Authorization": f"OAuth {user}", "file_offset": "0"},
    )
    assert first.json() == {"id": session, "file_offset": half}
    where = HTTP.get(f"{graph(sandbox)}/{session}", headers={"Authorization": f"OAuth {user}"}).json()
    rest = HTTP.post(
        f"{graph(sandbox)}/{session}",
        content=data[where["file_offset"] :],
        headers={"Authorization": f"OAuth {user}", "file_offset": str(where["file_offset"])},
    )
    handle = rest.json()["h"]
    video = HTTP.post(
        f"{graph(sandbox)}/{page_id}/videos",
        data={
            "fbuploader_video_file_chunk": handle,
            "title": "Atelier CV",
            "description": "Nos conseils",
            "access_token": token,
        },
    )
    video_id = video.json()["id"]
    fields = get(sandbox, video_id, token, fields="title,length,published,permalink_url").json()
    assert fields["title"] == "Atelier CV" and fields["length"] == 6.0 and fields["published"] is True
    [session_state] = sandbox.state()["facebook"]["upload_sessions"]
    assert session_state["sha256"] == hashlib.sha256(data).hexdigest()


# -- Instagram --------------------------------------------------------------------------------------


def create_container(
    sandbox: Sandbox, ig_id: str, token: str, caption: str = "Offre #emploi @missionlocale"
) -> httpx.Response:
    form = {"media_type": "REELS", "upload_type": "resumable", "caption": caption, "access_token": token}
    return HTTP.post(f"{graph(sandbox)}/{ig_id}/media", data=form)


def test_an_instagram_reel_is_polled_to_finished_then_published(sandbox: Sandbox, reel_mp4: bytes) -> None:
    _, token, ig_id = page_of(sandbox)
    created = create_container(sandbox, ig_id, token).json()
    container, uri = created["id"], created["uri"]
    assert uri.endswith(f"/rupload/ig-api-upload/v21.0/{container}")
    assert get(sandbox, container, token, fields="status_code").json()["status_code"] == "IN_PROGRESS"
    uploaded = send(uri, token, reel_mp4, 0, len(reel_mp4)).json()
    assert uploaded == {"success": True, "message": "Upload successful."}
    too_early = error(
        HTTP.post(
            f"{graph(sandbox)}/{ig_id}/media_publish", data={"creation_id": container, "access_token": token}
        )
    )
    assert (too_early["code"], too_early["error_subcode"]) == (9007, 2207027)
    codes = [
        get(sandbox, container, token, fields="status_code,status").json()["status_code"] for _ in range(3)
    ]
    assert codes[-1] == "FINISHED" and codes[0] == "IN_PROGRESS"
    media_id = HTTP.post(
        f"{graph(sandbox)}/{ig_id}/media_publish", data={"creation_id": container, "access_token": token}
    ).json()["id"]
    limit = get(sandbox, f"{ig_id}/content_publishing_limit", token, fields="quota_usage,config").json()[
        "data"
    ][0]
    assert limit == {"quota_usage": 1, "config": {"quota_total": 100, "quota_duration": 86400}}
    media = get(sandbox, media_id, token, fields="caption,media_product_type,permalink").json()
    assert media["media_product_type"] == "REELS" and media["caption"] == "Offre #emploi @missionlocale"
    twice = HTTP.post(
        f"{graph(sandbox)}/{ig_id}/media_publish", data={"creation_id": container, "access_token": token}
    )
    assert "already published" in error(twice)["message"]
    [held] = sandbox.state()["instagram"]["containers"]
    assert held["status_code"] == "PUBLISHED" and held["sha256"] == hashlib.sha256(reel_mp4).hexdigest()
    refused = error(HTTP.delete(f"{graph(sandbox)}/{media_id}", params={"access_token": token}))
    assert (refused["code"], refused["error_subcode"]) == (100, 33)  # staff remove it by hand


@pytest.mark.parametrize(
    ("caption", "words"),
    [
        ("x" * 2201, "at most 2200"),
        (" ".join(f"#tag{i}" for i in range(31)), "31 hashtags"),
        (" ".join(f"@user{i}" for i in range(21)), "21 mentions"),
    ],
)
def test_instagram_caption_rules(sandbox: Sandbox, caption: str, words: str) -> None:
    _, token, ig_id = page_of(sandbox)
    refused = error(create_container(sandbox, ig_id, token, caption))
    assert refused["code"] == 100 and words in refused["message"]
    assert sandbox.state()["instagram"]["containers"] == []


def test_instagram_containers_fail_expire_and_resume(
    sandbox_factory: SandboxFactory, reel_mp4: bytes, mp4_factory: Callable[..., Path]
) -> None:
    clock = FakeClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    sandbox = sandbox_factory(clock=clock, faults=parse_faults("igerror@1,igreset@2"))
    _, token, ig_id = page_of(sandbox)
    failed, uri = create_container(sandbox, ig_id, token).json().values()
    send(uri, token, reel_mp4, 0, len(reel_mp4))
    status = get(sandbox, failed, token, fields="status_code,status").json()
    assert status["status_code"] == "ERROR" and status["status"].startswith("Error:")
    publish = error(
        HTTP.post(
            f"{graph(sandbox)}/{ig_id}/media_publish", data={"creation_id": failed, "access_token": token}
        )
    )
    assert publish["error_subcode"] == 2207053
    long_one = mp4_factory(540, 960, 2.0).read_bytes()
    short, uri = create_container(sandbox, ig_id, token).json().values()
    with pytest.raises(httpx.TransportError):
        send(uri, token, long_one, 0, len(long_one))
    offset = get(sandbox, short, token, fields="video_status").json()["video_status"]["uploading_phase"][
        "bytes_transferred"
    ]
    send(uri, token, long_one[offset:], offset, len(long_one))
    assert "2.0 seconds long" in get(sandbox, short, token, fields="status").json()["status"]
    waiting, _ = create_container(sandbox, ig_id, token).json().values()
    clock.advance(hours=25)
    assert get(sandbox, waiting, token, fields="status_code").json()["status_code"] == "EXPIRED"
    expired = error(
        HTTP.post(
            f"{graph(sandbox)}/{ig_id}/media_publish", data={"creation_id": waiting, "access_token": token}
        )
    )
    assert (expired["code"], expired["error_subcode"]) == (-2, 2207020)


# -- figures -----------------------------------------------------------------------------------------


def test_followers_and_views_are_deterministic(sandbox_factory: SandboxFactory, reel_mp4: bytes) -> None:
    clock = FakeClock(datetime(2026, 7, 10, 12, 0, tzinfo=UTC))
    sandbox = sandbox_factory(clock=clock, history=parse_history(HISTORY))
    page_id, token, ig_id = page_of(sandbox)
    assert get(sandbox, page_id, token, fields="followers_count,fan_count").json() == {
        "followers_count": 2100,
        "fan_count": 2100,  # the YouTube history's end, ×1.4
    }
    assert get(sandbox, ig_id, token, fields="followers_count").json()["followers_count"] == 1350
    series = get(
        sandbox,
        f"{page_id}/insights",
        token,
        metric="page_follows,page_daily_follows_unique,page_daily_unfollows_unique",
        since="2026-03-01",
        until="2026-03-08",
    ).json()["data"]
    follows, gained, lost = ([v["value"] for v in s["values"]] for s in series)
    assert len(follows) == 7 and series[0]["values"][0]["end_time"] == "2026-03-02T08:00:00+0000"
    assert all(b - a == g - u for a, b, g, u in zip(follows, follows[1:], gained[1:], lost[1:], strict=False))
    insights = f"{page_id}/insights"
    half_year = get(sandbox, insights, token, metric="page_follows", since="2026-01-01", until="2026-06-30")
    assert "93 days" in error(half_year)["message"]
    too_old = get(
        sandbox,
        f"{ig_id}/insights",
        token,
        metric="follower_count",
        period="day",
        since="2026-05-01",
        until="2026-05-03",
    )
    assert "last 30 days" in error(too_old)["message"]
    video_id = publish_reel(sandbox, page_id, token, reel_mp4).json()["post_id"].split("_")[1]
    views = [
        get(sandbox, f"{video_id}/video_insights", token, metric="total_video_views").json()["data"][0][
            "values"
        ][0]["value"]
    ]
    clock.advance(hours=48)
    views.append(
        get(sandbox, f"{video_id}/video_insights", token, metric="total_video_views").json()["data"][0][
            "values"
        ][0]["value"]
    )
    assert views[0] == 0 < views[1]


def test_a_page_of_its_own_and_a_rate_limit_fault(sandbox_factory: SandboxFactory) -> None:
    sandbox = sandbox_factory(faults=parse_faults("graph4@2"))
    made = meta_page(
        sandbox.url, "Antenne de Pélissanne", followers="2026-01-01:100,2026-02-01:150", instagram=False
    )
    assert "instagram_business_account" not in made
    token = next(p["access_token"] for p in meta_tokens(sandbox.url)["pages"] if p["id"] == made["id"])
    assert get(sandbox, made["id"], token, fields="name").json()["name"] == "Antenne de Pélissanne"
    limited = get(sandbox, made["id"], token)
    assert error(limited)["code"] == 4 and "call_count" in limited.headers["X-App-Usage"]
    assert get(sandbox, made["id"], token).status_code == 200


def test_meta_survives_a_restart_and_resumes_an_upload(
    sandbox_factory: SandboxFactory, reel_mp4: bytes, tmp_path: Path
) -> None:
    state_file = tmp_path / "bac.json"
    first = sandbox_factory(state_file=state_file, faults=parse_faults("fbreset@1"))
    page_id, token, _ = page_of(first)
    video_id, upload_url = start_reel(first, page_id, token)
    with pytest.raises(httpx.TransportError):
        send(upload_url, token, reel_mp4, 0, len(reel_mp4))
    first.stop()
    second = sandbox_factory(state_file=state_file)
    offset = received(second, video_id, token)
    upload_url = upload_url.replace(first.url, second.url)
    assert send(upload_url, token, reel_mp4[offset:], offset, len(reel_mp4)).status_code == 200
    assert finish(second, page_id, token, video_id).status_code == 200
    assert second.state()["facebook"]["videos"][0]["sha256"] == hashlib.sha256(reel_mp4).hexdigest()
    assert not list(tmp_path.glob("bac.json.uploads/meta-*.part"))
