"""The employer form applies the recipe's rules (YouTube's title rules included), and
`mlprod intake approve` reports success only for a recipe that `mlprod validate` accepts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from intake_helpers import Page, Server, clip_file, offer_fields, post_offer
from sqlalchemy import select

from mlprod.store.models import Submission

YEAR = dt.date.today().year


@pytest.fixture
def clip(clip_factory: Callable[..., Path]) -> Path:
    return clip_factory("clip.mp4", seconds=1.0)


def test_a_position_youtube_would_refuse_in_the_title_is_refused_beside_the_field(
        intake_server: Server, clip: Path) -> None:
    link = intake_server.invite()
    page = Page(post_offer(link, offer_fields(position="Vendeur <H/F>"), [clip_file(clip)]).text)
    problem = page.one("p", id="e-position").text
    assert "titre de la vidéo" in problem and "< et >" in problem
    assert page.one("input", name="position").attrs["value"] == "Vendeur <H/F>"
    # the rule is said beside the field before anyone trips on it
    help_text = page.one("p", id="a-position").text
    assert "100 caractères au plus" in help_text and "sans les signes < ni >" in help_text
    # the other published texts go into the video's description, where YouTube refuses them too
    answer = post_offer(link, offer_fields(requirements="Bac >= 2"), [clip_file(clip)], json=True)
    assert answer.status_code == 400 and "< et >" in answer.json()["fields"]["requirements"]
    assert post_offer(link, offer_fields(position="Vendeur H/F"), [clip_file(clip)]).status_code == 303


def test_an_employer_name_youtube_refuses_in_a_title_gets_no_link(run_cli: Callable[..., Result]) -> None:
    result = run_cli("intake", "invite", "Boulangerie <Dupont>")
    assert result.exit_code == 1
    assert "'<' or '>'" in result.output and "title" in result.output


def test_a_start_date_long_past_is_refused_like_a_closing_date_in_the_past(intake_server: Server,
                                                                          clip: Path) -> None:
    link = intake_server.invite()
    closes = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    for start in ("1900-01-01", "01/09/1900"):
        answer = post_offer(link, offer_fields(start=start, closes=closes), [clip_file(clip)])
        assert answer.status_code == 400
        assert "déjà passée" in Page(answer.text).one("p", id="e-start").text
    page = Page(post_offer(link, offer_fields(start="1900-01-01"), [clip_file(clip)]).text)
    assert page.one("input", name="start").attrs["min"] == dt.date.today().isoformat()


def test_a_recipe_starting_in_1900_does_not_validate(run_cli: Callable[..., Result], workspace,
                                                     clip: Path) -> None:
    recipe = workspace.recipes_dir / "offre.yaml"
    recipe.write_text(
        "kind: job_offer\nemployer:\n  name: Boulangerie du Cours\noffer:\n  position: Vendeur\n"
        "  contract: CDD\n  location: Salon-de-Provence\n  start: 1900-09-01\n"
        "  contact: Mission Locale\nconsent: sub-2026-0001\n"
        f"clips:\n  - file: {clip}\n", encoding="utf-8")
    result = run_cli("validate", str(recipe))
    assert result.exit_code == 1
    assert "offre.yaml:8: offer.start: 1900-09-01 is before 2000" in result.output


def _change_offer(server: Server, public_id: str, **changes: str) -> None:
    """What an offer sent before today's checks could hold (the form refuses it now)."""
    with server.db.transaction() as session:
        row = session.scalars(select(Submission).where(Submission.public_id == public_id)).one()
        row.offer = {**row.offer, **changes}


def test_approve_refuses_a_recipe_that_does_not_validate(run_cli: Callable[..., Result],
                                                         intake_server: Server, clip: Path) -> None:
    link = intake_server.invite()
    assert post_offer(link, offer_fields(), [clip_file(clip)]).status_code == 303
    _change_offer(intake_server, f"sub-{YEAR}-0001", position="Vendeur <H/F>")
    result = run_cli("intake", "approve", f"sub-{YEAR}-0001")
    assert result.exit_code == 1, result.output
    assert "approved" not in result.output.replace("not approved", "")
    assert f"sub-{YEAR}-0001: the recipe made from it does not pass `mlprod validate`" in result.output
    assert "offer.position: the title contains '<' and '>'" in result.output
    offers = intake_server.settings.recipes_dir / "offres"
    assert not offers.exists() or list(offers.iterdir()) == []  # nothing left written
    shown = run_cli("intake", "show", f"sub-{YEAR}-0001")
    assert "pending" in shown.output and "recipe " not in shown.output
    # fixed, it goes through
    _change_offer(intake_server, f"sub-{YEAR}-0001", position="Vendeur H/F")
    result = run_cli("intake", "approve", f"sub-{YEAR}-0001")
    assert result.exit_code == 0, result.output
    assert run_cli("validate", *[str(p) for p in offers.iterdir()]).exit_code == 0
