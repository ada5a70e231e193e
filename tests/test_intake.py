"""`mlprod intake` for staff, through the real CLI: invitations, list, show, approve, reject."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from intake_helpers import Page, Server, clip_file, offer_fields, post_offer

from mlprod.config import Settings
from mlprod.intake.display import terminal_safe
from mlprod.intake.options import load_intake_options
from mlprod.intake.recipe_writer import slugify
from mlprod.media.probe import probe
from mlprod.media.samples import make_image
from mlprod.recipe import load_recipe
from mlprod.recipe.schema import JobOffer

LINK = re.compile(r"^(https?://\S+/i/(\S+))$", re.MULTILINE)
YEAR = dt.date.today().year


@pytest.fixture
def clip(clip_factory: Callable[..., Path]) -> Path:
    return clip_factory("clip.mp4", seconds=1.0)


def submit(server: Server, clip: Path, employer: str = "Boulangerie du Cours", **fields: str) -> str:
    """An offer sent through the page; its link."""
    link = server.invite(employer)
    answer = post_offer(link, offer_fields(**fields), [clip_file(clip)])
    assert answer.status_code == 303, answer.text
    return link


def test_invite_prints_a_link_that_opens_the_page(run_cli: Callable[..., Result],
                                                  intake_server: Server) -> None:
    result = run_cli("intake", "invite", "Boulangerie du Cours", "--expires", "2w",
                     "--base-url", intake_server.url + "/")
    assert result.exit_code == 0, result.output
    assert "Invitation 1 for Boulangerie du Cours" in result.output
    match = LINK.search(result.output)
    assert match and match.group(1).startswith(intake_server.url + "/i/")
    page = Page(httpx.get(match.group(1)).text)
    assert page.one("strong", class_="employeur").text == "Boulangerie du Cours"
    listed = json.loads(run_cli("intake", "invitations", "--json").output)
    assert listed[0]["employer"] == "Boulangerie du Cours" and listed[0]["state"] == "active"
    expires = dt.datetime.fromisoformat(listed[0]["expires_at"])
    assert dt.timedelta(days=13) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=14)


def test_invite_uses_the_configured_base_url(run_cli: Callable[..., Result], workspace: Settings) -> None:
    config = workspace.root / "mlprod.toml"
    config.write_text(config.read_text() + '\n[intake]\nbase_url = "https://offres.example.org"\n')
    result = run_cli("intake", "invite", "Garage Martin")
    assert LINK.search(result.output).group(1).startswith("https://offres.example.org/i/")  # type: ignore[union-attr]
    result = run_cli("intake", "invite", "Garage Martin", env={"MLPROD_INTAKE_URL": "http://10.0.0.5:9000"})
    assert LINK.search(result.output).group(1).startswith("http://10.0.0.5:9000/i/")  # type: ignore[union-attr]


@pytest.mark.parametrize(("args", "message"), [
    (["--expires", "30 jours"], "not a duration — write e.g. 30d"),
    (["--expires", "400d"], "at most 365 days"),
])
def test_invite_explains_bad_options(run_cli: Callable[..., Result], args: list[str], message: str) -> None:
    result = run_cli("intake", "invite", "Boulangerie du Cours", *args)
    assert result.exit_code == 1 and message in result.output


def test_invite_refuses_an_empty_or_long_name(run_cli: Callable[..., Result]) -> None:
    for name in ("  ", "x" * 101):
        result = run_cli("intake", "invite", name)
        assert result.exit_code == 1 and "1 to 100 characters" in result.output


def test_revoke_unknown_invitation(run_cli: Callable[..., Result]) -> None:
    result = run_cli("intake", "revoke", "42")
    assert result.exit_code == 1
    assert "invitation 42: no such invitation" in result.output


def test_list_and_show(run_cli: Callable[..., Result], intake_server: Server, clip: Path) -> None:
    assert run_cli("intake", "list").output.strip() == "No submission yet."
    submit(intake_server, clip)
    submit(intake_server, clip, "Garage Martin", position="Mécanicien")
    lines = run_cli("intake", "list").output.splitlines()
    assert lines[0].startswith(f"sub-{YEAR}-0002  pending") and "Garage Martin — Mécanicien" in lines[0]
    assert lines[1].startswith(f"sub-{YEAR}-0001  pending")
    data = json.loads(run_cli("intake", "list", "--json").output)
    assert [d["public_id"] for d in data] == [f"sub-{YEAR}-0002", f"sub-{YEAR}-0001"]
    assert data[1]["offer"]["contract"] == "CDD" and data[1]["files"][0]["role"] == "clip"
    shown = run_cli("intake", "show", f"sub-{YEAR}-0001").output
    assert "employer         Boulangerie du Cours" in shown
    assert "J'accepte que la Mission Locale du Pays Salonais publie" in shown
    stored = rf"clip\s+media/offres/sub-{YEAR}-0001/[0-9a-f]{{32}}\.mp4 "
    assert re.search(stored + r".*sent as '.*clip.mp4'", shown)
    result = run_cli("intake", "show", "sub-1999-0001")
    assert result.exit_code == 1 and "no such submission" in result.output


def test_approve_writes_a_recipe_that_loads(run_cli: Callable[..., Result], intake_server: Server,
                                            clip: Path, tmp_path: Path) -> None:
    link = intake_server.invite("Boulangerie du Cours")
    logo = make_image(tmp_path / "logo.jpg")
    answer = post_offer(link, offer_fields(position="Vendeur·se"),
                        [clip_file(clip), clip_file(clip, "deux.mov"),
                         ("logo", ("logo.jpg", logo.read_bytes(), "image/jpeg"))])
    assert answer.status_code == 303
    result = run_cli("intake", "approve", f"sub-{YEAR}-0001")
    assert result.exit_code == 0, result.output
    settings = intake_server.settings
    path = settings.recipes_dir / "offres" / "boulangerie-du-cours-vendeur-se.yaml"
    assert f"recipe written to recipes/offres/{path.name}" in result.output
    text = path.read_text(encoding="utf-8")
    assert "../../media/offres/" in text and "consent: sub-" in text
    loaded = load_recipe(path)
    recipe = loaded.recipe
    assert isinstance(recipe, JobOffer)
    assert recipe.consent == f"sub-{YEAR}-0001" and recipe.employer.name == "Boulangerie du Cours"
    assert recipe.offer.position == "Vendeur·se" and recipe.offer.requirements == "Débutant accepté\nSourire"
    assert recipe.offer.contact == load_intake_options(settings).contact
    assert len(recipe.clips) == 2 and all(probe(c.file).has_video for c in recipe.clips)
    assert recipe.employer.logo is not None and recipe.employer.logo.suffix == ".jpg"
    assert not list(path.parent.glob(".*.tmp"))
    data = json.loads(run_cli("intake", "show", f"sub-{YEAR}-0001", "--json").output)
    assert data["status"] == "approved" and data["recipe"] == f"recipes/offres/{path.name}"
    # approving again rewrites the same recipe
    assert run_cli("intake", "approve", f"sub-{YEAR}-0001").exit_code == 0
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    page = Page(httpx.get(link).text)
    assert "Acceptée" in page.one("span", class_="etiquette").text


def test_same_employer_and_position_get_distinct_recipes(run_cli: Callable[..., Result],
                                                         intake_server: Server, clip: Path) -> None:
    submit(intake_server, clip)
    submit(intake_server, clip)
    first = run_cli("intake", "approve", f"sub-{YEAR}-0001").output
    second = run_cli("intake", "approve", f"sub-{YEAR}-0002").output
    assert "boulangerie-du-cours-vendeur-ou-vendeuse-en-boulangerie.yaml" in first
    assert f"boulangerie-du-cours-vendeur-ou-vendeuse-en-boulangerie-{YEAR}-0002.yaml" in second


def test_approve_refuses_when_files_are_gone(run_cli: Callable[..., Result], intake_server: Server,
                                             clip: Path) -> None:
    submit(intake_server, clip)
    for stored in (intake_server.settings.media_dir / "offres").rglob("*.mp4"):
        stored.unlink()
    result = run_cli("intake", "approve", f"sub-{YEAR}-0001")
    assert result.exit_code == 1 and "files are missing from the workspace" in result.output
    assert not (intake_server.settings.recipes_dir / "offres").exists() or not list(
        (intake_server.settings.recipes_dir / "offres").iterdir())


def test_reject_shows_the_reason_and_allows_a_new_version(run_cli: Callable[..., Result],
                                                          intake_server: Server, clip: Path) -> None:
    link = submit(intake_server, clip)
    reason = "Le son est inaudible : merci de refilmer <près> du micro."
    result = run_cli("intake", "reject", f"sub-{YEAR}-0001", "--reason", reason)
    assert result.exit_code == 0, result.output
    page = Page(httpx.get(link).text)
    assert reason in page.one("p", class_="raison").text
    assert "Non retenue" in page.one("span", class_="etiquette").text
    assert page.all("form", id="offre")  # they may send a new version
    assert post_offer(link, offer_fields(), [clip_file(clip)]).status_code == 303
    result = run_cli("intake", "approve", f"sub-{YEAR}-0001")
    assert result.exit_code == 1 and "was rejected" in result.output
    assert run_cli("intake", "approve", f"sub-{YEAR}-0002").exit_code == 0
    result = run_cli("intake", "reject", f"sub-{YEAR}-0002", "--reason", "Trop tard")
    assert result.exit_code == 1 and "already approved" in result.output
    result = run_cli("intake", "reject", f"sub-{YEAR}-0001", "--reason", "  ")
    assert result.exit_code == 1 and "--reason: say why" in result.output


def test_form_problems_are_shown_beside_the_fields(intake_server: Server, clip: Path) -> None:
    link = intake_server.invite()
    fields = offer_fields(position="", closes="2001-01-01", contract="CDX")
    answer = post_offer(link, fields, [clip_file(clip)], consent=False)
    assert answer.status_code == 400
    page = Page(answer.text)
    assert page.one("p", id="e-position").text == "Indiquez : poste proposé."
    assert "déjà passée" in page.one("p", id="e-closes").text
    assert "Choisissez un type de contrat" in page.one("p", id="e-contract").text
    assert "Cochez cette case" in page.one("p", id="e-consent").text
    assert page.one("input", name="location").attrs["value"] == "Salon-de-Provence"
    nothing_chosen = ("clips", ("", b"", "application/octet-stream"))  # what a browser sends then
    answer = post_offer(link, offer_fields(), [nothing_chosen], json=True)
    assert answer.status_code == 400 and answer.json()["fields"] == {"clips": "Ajoutez au moins une vidéo."}
    answer = httpx.post(link, data=offer_fields())  # not multipart at all
    assert answer.status_code == 400
    assert "Le formulaire n'a pas pu être lu" in Page(answer.text).one("p", class_="message").text


def test_terminal_safe_shows_control_characters() -> None:
    assert terminal_safe("a\x1b[2Jb\x07\u202e") == "a\\x1b[2Jb\\x07\\u202e"
    assert terminal_safe("ligne 1\nligne\t2 <b>") == "ligne 1\nligne\t2 <b>"


def test_slugs() -> None:
    slug = slugify("Boulangerie du Cours Vendeur·se à l'accueil")
    assert slug == "boulangerie-du-cours-vendeur-se-a-l-accueil"
    assert slugify("<<>>") == "offre"
