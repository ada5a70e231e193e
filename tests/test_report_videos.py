"""Kinds and themes in the report: titles classify the channel's older videos, staff's label wins.

Through the real CLI (`mlprod videos list|set`, `mlprod report`) on a channel synced from the sandbox.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from stats_helpers import SEED, Element, SignedIn, pacific_clock, parse_html, seeded, signed_in, spec_videos

from mlprod.report import Kind, Label, Published, Source, classify
from mlprod.report.classify import theme_of_title


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SignedIn]:
    with seeded(tmp_path_factory.mktemp("videos") / "ws") as channel:
        yield channel


def listed(channel: SignedIn, *args: str) -> dict[str, dict[str, str]]:
    result = channel.cli("videos", "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return {v["youtube_id"]: v for v in json.loads(result.output)}


def report(channel: SignedIn, path: Path) -> Element:
    result = channel.cli("report", "--from", "2020-03-16", "--to", "2020-05-16", "-o", str(path))
    assert result.exit_code == 0, result.output
    return parse_html(path.read_text(encoding="utf-8"))


def themed(page: Element) -> dict[str, str]:
    """Video id → the theme group the report lists it under."""
    return {row.attrs["data-youtube-id"]: group.attrs["data-theme"]
            for group in page.find_all(**{"class": "theme"}) for row in group.find_all("tr")
            if "data-youtube-id" in row.attrs}


def others(page: Element) -> set[str]:
    return {row.attrs["data-youtube-id"] for row in page.find(id="others").find_all("tr")
            if "data-youtube-id" in row.attrs}


@pytest.mark.parametrize(("title", "key"), [
    ("Préparer son entretien d'embauche", "entretien"),
    ("Entretien : les 5 questions pièges", "entretien"),
    ("Rédiger son CV — épisode 2", "cv"),
    ("La lettre de motivation en 3 étapes", "cv"),
    ("Bien manger avec un petit budget", "alimentation"),
    ("Home workout : 10 minutes par jour", "sport"),
    ("Le sport, c'est bon pour le moral", "sport"),
    ("Découvrir le métier de boulanger", "metiers"),
    ("Vis ma vie d'aide-soignante", "metiers"),
    ("Offre d'emploi — Vendeur·se en boulangerie", "offre"),
    ("La Boulangerie du Cours recrute en alternance", "offre"),  # an offer first, even in alternance
    ("Trouver une formation — épisode 6", "formation"),
    ("Passer son permis avec la Mission Locale", "mobilite"),
    ("Atelier numérique — épisode 4", None),
    ("Ce que le recruteur regarde", None),  # not an offer: no "recrute"
    ("Bienvenue sur la chaîne", None),
])
def test_titles_say_what_they_are(title: str, key: str | None) -> None:
    theme = theme_of_title(title)
    assert (theme.key if theme else None) == key


TUTORIAL = Published(Kind.TUTORIAL)


@pytest.mark.parametrize(("title", "ours", "label", "expected"), [
    ("Boulangerie du Cours recrute", None, None, (Kind.JOB_OFFER, None, Source.TITLE)),
    ("Rédiger son CV", TUTORIAL, None, (Kind.TUTORIAL, "CV et lettre de motivation", Source.MLPROD)),
    ("Rédiger son CV", Published(Kind.TUTORIAL, "Mes CV"), None, (Kind.TUTORIAL, "Mes CV", Source.MLPROD)),
    ("Notre équipe", None, None, (Kind.OTHER, None, Source.NONE)),
    ("Notre équipe", None, Label(theme="sport"), (Kind.TUTORIAL, "Sport", Source.STAFF)),
    ("Notre équipe", None, Label(theme="offre"), (Kind.JOB_OFFER, "Offres d'emploi", Source.STAFF)),
    ("Notre équipe", None, Label(theme="Vie de quartier"), (Kind.TUTORIAL, "Vie de quartier", Source.STAFF)),
    ("Rédiger son CV", TUTORIAL, Label(kind=Kind.OTHER), (Kind.OTHER, None, Source.STAFF)),
    ("Rédiger son CV", None, Label(kind=Kind.JOB_OFFER), (Kind.JOB_OFFER, None, Source.STAFF)),
    ("Rédiger son CV", None, Label(kind=Kind.JOB_OFFER, theme="cv"),
     (Kind.JOB_OFFER, "CV et lettre de motivation", Source.STAFF)),
])
def test_who_decides(title: str, ours: Published | None, label: Label | None,
                     expected: tuple[Kind, str | None, Source]) -> None:
    found = classify("id", title, None, ours=ours, label=label)
    assert (found.info.kind, found.info.theme, found.source) == expected
    assert found.info.ours is (ours is not None)


def test_older_videos_are_classified_by_their_titles(seed: SignedIn) -> None:
    videos = spec_videos(seed.history)
    found = listed(seed)
    assert row_of(found[videos[0].id]) == ("tutorial", "Préparer son entretien", "mlprod")  # its playlist
    assert row_of(found[videos[2].id]) == ("job_offer", None, "mlprod")  # offers have no theme
    assert row_of(found[videos[5].id]) == ("tutorial", "Formation et apprentissage", "title")
    assert row_of(found[videos[3].id]) == ("other", None, "none")
    unclassified = listed(seed, "--other")
    assert videos[3].id in unclassified and videos[5].id not in unclassified
    assert all(v["kind"] == "other" for v in unclassified.values())

    text = seed.cli("videos", "list")
    assert text.exit_code == 0
    line = next(line for line in text.output.splitlines() if line.startswith(videos[5].id))
    assert "tutorial" in line and "Formation et apprentissage" in line and "title" in line


def test_staff_set_a_video_s_kind_and_theme_and_the_report_follows(seed: SignedIn, tmp_path: Path) -> None:
    videos = spec_videos(seed.history)
    atelier, formation, cv = videos[3].id, videos[5].id, videos[1].id
    page = report(seed, tmp_path / "avant.html")
    assert others(page) == {atelier}

    result = seed.cli("videos", "set", atelier, "--kind", "tutorial", "--theme", "Métiers")
    assert result.exit_code == 0, result.output
    assert f"{atelier} (Atelier numérique — épisode 4): tutorial, theme Découverte des métiers" \
        in result.output
    assert seed.cli("videos", "set", formation, "--kind", "other").exit_code == 0  # staff beat the title
    assert seed.cli("videos", "set", cv, "--theme", "Préparer son entretien").exit_code == 0  # and mlprod
    found = listed(seed)
    assert {found[v]["classified_by"] for v in (atelier, formation, cv)} == {"staff"}

    page = report(seed, tmp_path / "apres.html")
    groups = themed(page)
    assert groups[atelier] == "Découverte des métiers"
    assert groups[cv] == groups[videos[0].id] == "Préparer son entretien"
    assert formation not in groups and others(page) == {formation}
    row = page.find("table", id="published").find("tr", data_youtube_id=atelier)
    assert row.attrs["data-kind"] == "tutorial" and "Tutoriel" in row.all_text

    for video in (atelier, formation, cv):
        assert seed.cli("videos", "set", video, "--clear").exit_code == 0
    assert others(report(seed, tmp_path / "encore.html")) == {atelier}
    assert listed(seed)[formation]["classified_by"] == "title"


def test_an_offer_mlprod_did_not_publish_has_no_known_state(seed: SignedIn, tmp_path: Path) -> None:
    atelier = spec_videos(seed.history)[3].id
    assert seed.cli("videos", "set", atelier, "--kind", "job_offer").exit_code == 0
    try:
        page = report(seed, tmp_path / "r.html")
        row = page.find("table", id="offers").find("tr", data_youtube_id=atelier)
        assert row.attrs["data-open"] == "" and "non suivie" in row.all_text
        assert atelier not in others(page)
    finally:
        assert seed.cli("videos", "set", atelier, "--clear").exit_code == 0


@pytest.mark.parametrize(("args", "message"), [
    (("nope123", "--kind", "tutorial"), "nope123: no video with this id in the database — `mlprod videos"),
    (("{id}", "--theme", "entretein"), "--theme 'entretein' is not a theme — did you mean 'entretien'?"),
    (("{id}",), "nothing to set — give --kind, --theme or both"),
    (("{id}", "--kind", "other", "--theme", "sport"), "an 'other' video has no theme"),
    (("{id}", "--kind", "documentary"), "Invalid value for '--kind'"),
])
def test_bad_labels_say_what_to_do(seed: SignedIn, args: tuple[str, ...], message: str) -> None:
    atelier = spec_videos(seed.history)[3].id
    result = seed.cli("videos", "set", *(a.format(id=atelier) for a in args))
    assert result.exit_code != 0
    assert message in result.output
    assert listed(seed)[atelier]["classified_by"] == "none"  # nothing was stored


def test_labels_on_each_database(tmp_path: Path, database_url: str) -> None:
    with signed_in(tmp_path / "ws", SEED, pacific_clock(dt.date(2020, 6, 1)), database_url) as channel:
        assert channel.cli("stats", "sync").exit_code == 0
        atelier = spec_videos(channel.history)[3].id
        result = channel.cli("videos", "set", atelier, "--theme", "sport")
        assert result.exit_code == 0, result.output
        assert row_of(listed(channel)[atelier]) == ("tutorial", "Sport", "staff")
        assert channel.cli("videos", "set", atelier, "--kind", "other").exit_code == 0
        assert row_of(listed(channel)[atelier]) == ("other", None, "staff")


def row_of(row: dict[str, str]) -> tuple[str, str | None, str]:
    return row["kind"], row["theme"], row["classified_by"]
