"""The employer page's defences, against the real uvicorn server: invitation tokens, CSRF, upload
limits, files judged by content, generated names, escaping, headers."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from intake_helpers import (
    HOSTILE,
    Page,
    Server,
    clip_file,
    incoming_files,
    offer_fields,
    post_offer,
    stored_files,
)

from mlprod.media.samples import make_image


@pytest.fixture
def clip(clip_factory: Callable[..., Path]) -> Path:
    return clip_factory("clip.mp4", seconds=1.0)


def _tamper(link: str, where: int) -> str:
    """The link with one character of its token changed."""
    base, token = link.split("/i/")
    chars = list(token)
    chars[where] = "A" if chars[where] != "A" else "B"
    return f"{base}/i/{''.join(chars)}"


def assert_french_error(answer: httpx.Response, status: int, words: str) -> Page:
    assert answer.status_code == status
    page = Page(answer.text)
    assert page.one("html").attrs["lang"] == "fr"
    assert words in page.one("p", class_="message").text
    return page


def test_page_opens_with_its_token_only(intake_server: Server, clip: Path) -> None:
    mine, theirs = intake_server.invite("Boulangerie du Cours"), intake_server.invite("Garage Martin")
    assert post_offer(theirs, offer_fields(position="Mécanicien"), [clip_file(clip)]).status_code == 303
    page = Page(httpx.get(mine).text)
    assert "Boulangerie du Cours" in page.one("strong", class_="employeur").text
    assert "Garage Martin" not in page.text and "Mécanicien" not in page.text
    assert page.all("form", id="offre")  # they have sent nothing yet


def test_csrf_code_of_another_invitation_is_refused(intake_server: Server, clip: Path) -> None:
    mine, theirs = intake_server.invite("Boulangerie du Cours"), intake_server.invite("Garage Martin")
    their_code = Page(httpx.get(theirs).text).one("input", name="csrf").attrs["value"]
    answer = post_offer(mine, offer_fields(), [clip_file(clip)], csrf=their_code)
    assert_french_error(answer, 403, "Rechargez la page")
    assert stored_files(intake_server.settings) == []


def test_no_page_lists_employers_or_files(intake_server: Server, clip: Path) -> None:
    link = intake_server.invite()
    assert post_offer(link, offer_fields(), [clip_file(clip)]).status_code == 303
    for path in ("/", "/i/", "/static/", "/media/", "/media/offres/", "/i/x/merci/../../"):
        answer = httpx.get(intake_server.url + path)
        assert answer.status_code == 404, path
        assert "Boulangerie" not in answer.text
    assert_french_error(httpx.get(intake_server.url + "/nope"), 404, "ouvrez le lien")


@pytest.mark.parametrize("where", [-3, 5])  # in the signature; in the signed data
def test_tampered_token_is_refused(intake_server: Server, where: int) -> None:
    link = intake_server.invite()
    answer = httpx.get(_tamper(link, where))
    page = assert_french_error(answer, 403, "Ce lien n'est pas valide")
    assert not page.all("form")
    assert_french_error(httpx.get(intake_server.url + "/i/n'importe-quoi"), 403, "pas valide")


def test_token_signed_by_another_workspace_is_refused(intake_server: Server, tmp_path: Path) -> None:
    from mlprod.intake.tokens import Signer

    other = Signer(b"x" * 64).token("some-nonce", dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    assert_french_error(httpx.get(f"{intake_server.url}/i/{other}"), 403, "pas valide")


def test_expired_token_is_gone(intake_server: Server) -> None:
    # tokens carry their expiry in whole seconds: 3 s leaves at least 2 s for the first visit
    link = intake_server.invite(expires=dt.timedelta(seconds=3))
    assert httpx.get(link).status_code == 200
    time.sleep(3.1)
    assert_french_error(httpx.get(link), 410, "Ce lien a expiré")


def test_revoked_token_is_gone(intake_server: Server, run_cli: Callable[..., Result], clip: Path) -> None:
    link = intake_server.invite()
    assert httpx.get(link).status_code == 200
    assert run_cli("intake", "revoke", "1").exit_code == 0
    assert_french_error(httpx.get(link), 410, "désactivé")
    assert_french_error(post_offer(link, offer_fields(), [clip_file(clip)]), 410, "désactivé")
    assert stored_files(intake_server.settings) == []


@pytest.mark.parametrize("csrf", ["", "0" * 64])
def test_missing_or_wrong_csrf_is_refused(intake_server: Server, clip: Path, csrf: str) -> None:
    answer = post_offer(intake_server.invite(), offer_fields(), [clip_file(clip)], csrf=csrf)
    assert_french_error(answer, 403, "Rechargez la page de votre lien")
    assert stored_files(intake_server.settings) == []
    assert incoming_files(intake_server.settings) == []


def test_form_without_any_csrf_field_is_refused(intake_server: Server, clip: Path) -> None:
    link = intake_server.invite()
    answer = httpx.post(link, data=offer_fields(), files=[clip_file(clip)])
    assert_french_error(answer, 403, "Rechargez la page")


@pytest.fixture
def small_limit_server(intake_factory: Callable[..., Server]) -> Server:
    return intake_factory(max_upload_bytes=100 * 1024)


def test_oversized_upload_is_answered_413_from_content_length(small_limit_server: Server) -> None:
    big = ("clips", ("grosse.mp4", b"\0" * 300_000, "video/mp4"))
    answer = post_offer(small_limit_server.invite(), offer_fields(), [big])
    assert_french_error(answer, 413, "taille maximale de 100 ko")
    assert stored_files(small_limit_server.settings) == []
    assert incoming_files(small_limit_server.settings) == []


def test_oversized_upload_is_counted_while_streaming(small_limit_server: Server) -> None:
    """No Content-Length (chunked): the server counts, stops writing, answers 413."""
    link = small_limit_server.invite()
    with httpx.Client() as client:
        csrf = Page(client.get(link).text).one("input", name="csrf").attrs["value"]
        boundary = "----mlprodtest"

        def body() -> Iterator[bytes]:
            yield (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
                   f'--{boundary}\r\nContent-Disposition: form-data; name="clips"; filename="a.mp4"\r\n'
                   "Content-Type: video/mp4\r\n\r\n").encode()
            for _ in range(40):
                yield b"\0" * 10_000
            yield f"\r\n--{boundary}--\r\n".encode()

        answer = client.post(link, content=body(),
                             headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert_french_error(answer, 413, "taille maximale")
    assert incoming_files(small_limit_server.settings) == []


def test_renamed_image_as_clip_is_refused(intake_server: Server, tmp_path: Path) -> None:
    picture = make_image(tmp_path / "photo.png")
    answer = post_offer(intake_server.invite(), offer_fields(), [clip_file(picture, "presentation.mp4")])
    assert answer.status_code == 400
    page = Page(answer.text)
    message = page.one("p", id="e-clips").text
    assert "« presentation.mp4 » est une image (PNG), pas une vidéo" in message
    assert page.one("input", name="position").attrs["value"] == offer_fields()["position"]  # kept
    assert stored_files(intake_server.settings) == [] and incoming_files(intake_server.settings) == []


def test_renamed_text_as_logo_is_refused(intake_server: Server, clip: Path) -> None:
    fake = ("logo", ("logo.png", b"not a picture at all", "image/png"))
    answer = post_offer(intake_server.invite(), offer_fields(), [clip_file(clip), fake], json=True)
    assert answer.status_code == 400
    assert "n'est pas une image PNG ou JPEG" in answer.json()["fields"]["logo"]


def test_file_name_never_becomes_a_path(intake_server: Server, clip: Path) -> None:
    settings = intake_server.settings
    escape_target = settings.root.parent / "etc" / "passwd"
    answer = post_offer(intake_server.invite(), offer_fields(),
                        [clip_file(clip, "../../etc/passwd"), clip_file(clip, "..\\..\\x.mp4")])
    assert answer.status_code == 303
    assert not escape_target.exists() and not (settings.root / "etc").exists()
    stored = stored_files(settings)
    assert len(stored) == 2
    for path in stored:
        assert path.parent == settings.media_dir / "offres" / f"sub-{dt.date.today():%Y}-0001"
        assert len(path.stem) == 32 and path.suffix == ".mp4"  # uuid hex, extension from the probe


def test_everything_typed_is_escaped(intake_server: Server, clip: Path,
                                     run_cli: Callable[..., Result]) -> None:
    link = intake_server.invite()
    # YouTube refuses < and > in what the video shows (the form says so); the rest of the hostile
    # text goes there, and all of it into the contact, which is never published
    published = HOSTILE.replace("<", "«").replace(">", "»")
    hostile = offer_fields(**{k: f"{k} {published}" for k in ("position", "location", "hours", "requirements",
                                                              "apply")}, contact_person=f"contact {HOSTILE}")
    answer = post_offer(link, hostile, [clip_file(clip, f"{HOSTILE}.mp4")])
    assert answer.status_code == 303
    for url in (link, link + "/merci"):
        page = Page(httpx.get(url).text)
        assert [s.attrs.get("src") for s in page.all("script")] in ([], ["/static/intake.js"])
        assert page.all("img") == []
    page = Page(httpx.get(link).text)
    details = page.one("details").text
    # shown as typed, minus the control characters (the terminal escape codes lose their ESC)
    assert 'contact <script>alert("x")</script><img src=x onerror=alert(1)> & "quotes" [31mred' in details
    for key in ("position", "location", "hours", "apply"):
        assert f'{key} «script»alert("x")«/script»«img src=x onerror=alert(1)» & "quotes" [31mred' in details
    # the re-shown form escapes values inside attributes too
    answer = post_offer(intake_server.invite("Autre"), offer_fields(position=HOSTILE, start="pas une date"),
                        [clip_file(clip)])
    assert answer.status_code == 400
    page = Page(answer.text)
    assert page.one("input", name="position").attrs["value"].startswith('<script>alert("x")</script>')
    assert page.all("img") == []
    shown = run_cli("intake", "show", f"sub-{dt.date.today():%Y}-0001")
    assert shown.exit_code == 0
    assert "\x1b" not in shown.output and "[31mred" in shown.output
    assert 'contact <script>alert("x")</script>' in shown.output


def test_security_headers_on_pages_and_errors(intake_server: Server) -> None:
    link = intake_server.invite()
    for answer in (httpx.get(link), httpx.get(_tamper(link, -3)), httpx.get(intake_server.url + "/x"),
                   httpx.get(intake_server.url + "/static/intake.js")):
        csp = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
    page = Page(httpx.get(link).text)
    assert all(s.attrs.get("src") for s in page.all("script"))  # no inline script for the CSP to allow
    assert not any(k.startswith("on") for e in page.elements for k in e.attrs)


def test_second_offer_while_first_is_reviewed_is_refused(intake_server: Server, clip: Path) -> None:
    link = intake_server.invite()
    with httpx.Client() as client:
        csrf = Page(client.get(link).text).one("input", name="csrf").attrs["value"]
    assert post_offer(link, offer_fields(), [clip_file(clip)]).status_code == 303
    assert not Page(httpx.get(link).text).all("form")
    answer = post_offer(link, offer_fields(), [clip_file(clip)], csrf=csrf)
    assert_french_error(answer, 409, "déjà envoyé")
    assert len(stored_files(intake_server.settings)) == 1


def test_secret_key_is_private(intake_server: Server) -> None:
    secret = intake_server.settings.state_dir / "intake_secret"
    assert secret.stat().st_mode & 0o777 == 0o600
    assert len(secret.read_bytes()) >= 32
