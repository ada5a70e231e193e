"""The whole intake in a real browser (Debian's chromium through Playwright): an employer opens
the invitation, fills the form on a phone-sized screen, uploads a generated clip and sees the
confirmation; staff approve it into a recipe that loads and whose clip probes.

The journey is a sequence of steps on one :class:`Journey`, so later steps (build, publish to the
sandbox, expire) can be appended to ``test_employer_offer_end_to_end``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from intake_helpers import Server, offer_fields

from mlprod.config import Settings
from mlprod.media.probe import probe
from mlprod.recipe import load_recipe
from mlprod.recipe.schema import JobOffer
from mlprod.sandbox import Sandbox

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install chromium"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Journey:
    """What the steps share: the workspace, the CLI, the server, the browser, and what they made."""

    settings: Settings
    cli: Callable[..., Result]
    server: Server
    browser: object
    clip: Path
    link: str = ""
    public_id: str = ""
    recipe: Path | None = None
    sandbox: Sandbox | None = None
    console_errors: list[str] = field(default_factory=list)

    def invite(self, employer: str = "Boulangerie du Cours") -> None:
        result = self.cli("intake", "invite", employer, "--base-url", self.server.url)
        assert result.exit_code == 0, result.output
        self.link = result.output.strip().splitlines()[-1]
        assert re.fullmatch(re.escape(self.server.url) + r"/i/[\w.-]+", self.link)

    def send_offer(self, javascript: bool = True) -> None:
        """Fill and send the form as an employer on a phone; end on the confirmation page."""
        context = self.browser.new_context(viewport=PHONE, locale="fr-FR",  # type: ignore[attr-defined]
                                           java_script_enabled=javascript)
        page = context.new_page()
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.goto(self.link)
        assert page.locator("h1").inner_text() == "Votre offre d'emploi en vidéo"
        fields = offer_fields()

        def label(text: str) -> Any:  # labels start with their text; "(obligatoire)" may follow
            return page.get_by_label(re.compile("^" + re.escape(text)))

        label("Poste proposé").fill(fields["position"])
        label("Type de contrat").select_option("CDD")
        label("Lieu de travail").fill(fields["location"])
        label("Date de début du poste").fill(fields["start"])
        label("Date de fin de l'annonce").fill(fields["closes"])
        label("Horaires").fill(fields["hours"])
        label("Ce que le poste demande").fill(fields["requirements"])
        label("Comment postuler").fill(fields["apply"])
        label("Vos coordonnées").fill(fields["contact_person"])
        label("Vidéos").set_input_files(str(self.clip))
        label("J'accepte que la Mission Locale").check()
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.get_by_role("button", name="Envoyer mon offre").click()
        # with the script, the page posts through XMLHttpRequest (progress bar) and gets JSON back
        kind = posted.value.headers.get("content-type", "")
        assert kind.startswith("application/json") if javascript else posted.value.status == 303
        page.wait_for_url(re.compile(r".*/merci$"))
        assert page.locator("h1").inner_text() == "Merci, votre offre est bien envoyée"
        self.public_id = page.locator(".numero").inner_text()
        assert "La Mission Locale regarde vos vidéos" in page.locator("ol.etapes").inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the page scrolls sideways on a phone"
        context.close()

    def approve(self) -> None:
        listed = json.loads(self.cli("intake", "list", "--json").output)
        assert [s["public_id"] for s in listed] == [self.public_id] and listed[0]["status"] == "pending"
        result = self.cli("intake", "approve", self.public_id)
        assert result.exit_code == 0, result.output
        self.recipe = self.settings.root / result.output.split("recipe written to ")[1].split()[0]

    def check_recipe(self) -> None:
        assert self.recipe is not None
        recipe = load_recipe(self.recipe).recipe
        assert isinstance(recipe, JobOffer) and recipe.consent == self.public_id
        assert recipe.employer.name == "Boulangerie du Cours"
        info = probe(recipe.clips[0].file)
        assert info.has_video and info.duration == pytest.approx(probe(self.clip).duration, abs=0.1)

    def build_and_publish(self) -> None:
        """`mlprod build` then `mlprod publish` to a sandbox channel the workspace signs in to."""
        assert self.recipe is not None and self.sandbox is not None
        recipe = str(self.recipe.relative_to(self.settings.root))
        for command in (("auth", "login"), ("build", recipe, "--quality", "draft"), ("publish", recipe)):
            result = self.cli(*command, env=self.youtube_env)
            assert result.exit_code == 0, result.output
        (video,) = self.sandbox.state()["videos"]
        assert video["status"]["privacyStatus"] == "public" and video["playlist_ids"]
        assert video["snippet"]["title"].startswith("Offre d'emploi")

    def expire_after_closing(self) -> None:
        """The day after the offer closes, `mlprod expire` unlists the video; not the day before."""
        assert self.recipe is not None and self.sandbox is not None
        closes = load_recipe(self.recipe).recipe.offer.closes  # type: ignore[union-attr]
        assert closes is not None
        before = self.cli("expire", "--as-of", closes.isoformat(), env=self.youtube_env)
        assert before.exit_code == 0 and "No closed offer" in before.output
        after = self.cli("expire", "--as-of", (closes + dt.timedelta(days=1)).isoformat(),
                         env=self.youtube_env)
        assert after.exit_code == 0, after.output
        (video,) = self.sandbox.state()["videos"]
        assert video["status"]["privacyStatus"] == "unlisted"
        assert video["playlist_ids"] == []
        assert "pourvue" in video["snippet"]["description"]

    @property
    def youtube_env(self) -> dict[str, str]:
        assert self.sandbox is not None
        return {"MLPROD_YOUTUBE_URL": self.sandbox.url}

    def check_status_page(self, expected: str) -> None:
        context = self.browser.new_context(viewport=PHONE)  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(self.link)
        assert expected in page.locator(".envoi .etiquette").first.inner_text()
        assert page.locator("form#offre").count() == 0
        context.close()


@pytest.fixture
def journey(workspace: Settings, run_cli: Callable[..., Result], intake_server: Server, browser: object,
            clip_factory: Callable[..., Path], sandbox: Sandbox) -> Journey:
    return Journey(workspace, run_cli, intake_server, browser, clip_factory("offre.mp4", seconds=2.0),
                   sandbox=sandbox)


def test_employer_offer_end_to_end(journey: Journey) -> None:
    journey.invite()
    journey.send_offer()
    journey.check_status_page("Reçue, en cours d'examen")
    journey.approve()
    journey.check_recipe()
    journey.check_status_page("Acceptée")
    journey.build_and_publish()
    journey.expire_after_closing()
    assert journey.console_errors == []


def test_form_works_without_javascript(journey: Journey) -> None:
    journey.invite()
    journey.send_offer(javascript=False)
    journey.approve()
    journey.check_recipe()


def test_too_big_is_said_before_sending(journey: Journey, intake_factory: Callable[..., Server]) -> None:
    journey.server = intake_factory(max_upload_bytes=50 * 1024)
    journey.invite()
    context = journey.browser.new_context(viewport=PHONE)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(journey.link)
    for label, value in offer_fields().items():
        if label == "contract":
            page.locator("#f-contract").select_option(value)
        else:
            page.locator(f"#f-{label}").fill(value)
    page.locator("#f-clips").set_input_files(str(journey.clip))
    page.locator("#f-consent").check()
    page.get_by_role("button", name="Envoyer mon offre").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "plus que la limite de 50 ko" in alert.inner_text()
    context.close()


def test_too_big_without_javascript_gets_the_413_page(journey: Journey,
                                                       intake_factory: Callable[..., Server]) -> None:
    """The server answers with its page, not a dropped connection, while the browser is sending."""
    journey.server = intake_factory(max_upload_bytes=50 * 1024)
    journey.invite()
    context = journey.browser.new_context(viewport=PHONE, java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(journey.link)
    for label, value in offer_fields().items():
        if label == "contract":
            page.locator("#f-contract").select_option(value)
        else:
            page.locator(f"#f-{label}").fill(value)
    page.locator("#f-clips").set_input_files(str(journey.clip))
    page.locator("#f-consent").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer mon offre").click()
    assert page.locator("h1").inner_text() == "Fichiers trop lourds"
    assert "taille maximale de 50 ko" in page.locator("p.message").inner_text()
    context.close()
