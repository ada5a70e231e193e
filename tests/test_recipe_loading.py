"""Loading recipes: typed models from YAML, and every problem tied to its line and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mlprod.errors import RecipeError
from mlprod.recipe import LoadedRecipe, load_recipe
from mlprod.recipe.examples import example_recipe_names, install_examples
from mlprod.recipe.loader import check_recipe_file
from mlprod.recipe.problems import Problem, field_path
from mlprod.recipe.schema import Contract, Format, JobOffer, Privacy, Tutorial, parse_time


def recipe_file(tmp_path: Path, text: str | bytes, name: str = "r.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[tuple[int | None, str, str, str]]:
    return [(p.line, p.field, p.problem, p.fix) for p in check_recipe_file(path).problems]


def test_the_examples_load(tmp_path: Path) -> None:
    paths = install_examples(tmp_path)
    assert [p.relative_to(tmp_path) for p in paths] == [Path("recipes/entretien.yaml"),
                                                        Path("recipes/offres/boulangerie.yaml")]
    assert example_recipe_names() == ["entretien.yaml", "offres/boulangerie.yaml"]
    entretien = load_recipe(paths[0])
    assert isinstance(entretien, LoadedRecipe)
    assert entretien.slug == "entretien" and entretien.kind == "tutorial"
    recipe = entretien.recipe
    assert isinstance(recipe, Tutorial)
    assert recipe.title == entretien.title == "Préparer son entretien d'embauche"
    assert recipe.presenter is not None and recipe.presenter.role == "Conseillère emploi"
    media = (tmp_path / "media").resolve()
    assert recipe.clips[0].file.resolve() == media / "entretien" / "01.mp4"
    assert recipe.clips[0].subtitles is not None
    assert recipe.clips[0].subtitles.resolve() == media / "entretien" / "01.srt"
    assert (recipe.clips[1].start, recipe.clips[1].end) == (0.5, 4.5)
    assert recipe.output.formats == [Format.landscape, Format.vertical]
    assert recipe.publish is not None and recipe.publish.playlist == "Préparer son entretien"
    assert [p.value for p in recipe.publish.platforms or []] == ["youtube", "youtube_short", "facebook",
                                                                 "instagram", "discord"]
    assert recipe.publish.privacy is Privacy.public

    offer = load_recipe(paths[1])
    assert offer.slug == "boulangerie"
    assert isinstance(offer.recipe, JobOffer)
    assert offer.recipe.offer.contract is Contract.CDD
    assert offer.recipe.offer.start == dt.date(2027, 1, 4)
    assert offer.recipe.offer.closes == dt.date(2027, 2, 26)
    assert offer.recipe.consent == "sub-2026-0001"
    assert offer.title == "Offre d'emploi : Vendeur·se en boulangerie (CDD) — Boulangerie du Cours"
    assert offer.recipe.clips[0].file.resolve() == media / "boulangerie" / "presentation.mp4"


@pytest.mark.parametrize(("value", "seconds"), [
    (12.5, 12.5), (3, 3.0), ("12.5", 12.5), ("01:10", 70.0), ("00:01:10.250", 70.25),
    ("1:02:03,5", 3723.5), ("0:00:00", 0.0),
])
def test_times(value: object, seconds: float) -> None:
    assert parse_time(value) == seconds


@pytest.mark.parametrize("value", ["soon", "00:61:00", "-3", -1, True, "1:2:3:4", "nan", float("inf")])
def test_bad_times(value: object) -> None:
    with pytest.raises(ValueError, match=r"time|59|negative"):
        parse_time(value)


def test_load_recipe_raises_with_every_problem(tmp_path: Path) -> None:
    path = recipe_file(tmp_path, "kind: tutorial\ntitel: x\nclips:\n  - file: a.mp4\n    start: never\n")
    with pytest.raises(RecipeError) as caught:
        load_recipe(path)
    problems = caught.value.problems
    assert all(isinstance(p, Problem) for p in problems)
    assert [(p.line, p.field) for p in problems] == [(1, "title"), (2, "titel"), (5, "clips[0].start")]
    message = str(caught.value)
    assert message.startswith(f"{path.resolve()}: 3 problems in this recipe:\n")
    for problem in problems:
        assert problem.format() in message


def test_unknown_keys_at_every_depth(tmp_path: Path) -> None:
    path = recipe_file(tmp_path, """\
kind: tutorial
title: x
presenter:
  nom: Julie
clips:
  - file: a.mp4
    sous-titres: a.srt
publish:
  privacy: public
  tgas: [a]
  zzzz: 1
""")
    assert problems_of(path) == [
        (3, "presenter.name", "'name' is missing",
         "add `name: Boulangerie du Cours` under `presenter:`"),
        (4, "presenter.nom", "unknown key 'nom'", "did you mean 'name'?"),
        (7, "clips[0].sous-titres", "unknown key 'sous-titres'", "did you mean 'subtitles'?"),
        (10, "publish.tgas", "unknown key 'tgas'", "did you mean 'tags'?"),
        (11, "publish.zzzz", "unknown key 'zzzz'", "remove it or fix its spelling; keys allowed here:"
         " title, description, tags, playlist, privacy, publish_at, category, platforms"),
    ]


def test_french_keys_are_understood(tmp_path: Path) -> None:
    path = recipe_file(tmp_path, "kind: tutorial\ntitre: Mon CV\nclips:\n  - fichier: a.mp4\n    fin: 3\n")
    found = problems_of(path)
    assert (2, "titre", "unknown key 'titre'", "did you mean 'title'?") in found
    assert (4, "clips[0].fichier", "unknown key 'fichier'", "did you mean 'file'?") in found
    assert (5, "clips[0].fin", "unknown key 'fin'", "did you mean 'end'?") in found


def test_yaml_merge_keys_still_point_at_lines(tmp_path: Path) -> None:
    path = recipe_file(tmp_path, "kind: tutorial\ntitle: x\nclips:\n  - &clip\n    file: a.mp4\n"
                                 "    start: zz\n  - <<: *clip\n    end: 3\n")
    assert [(line, field) for line, field, _, _ in problems_of(path)] == [
        (6, "clips[0].start"), (7, "clips[1].start")]


def test_wrong_choices_list_the_allowed_values(tmp_path: Path) -> None:
    path = recipe_file(tmp_path, """\
kind: job_offer
employer: {name: Garage}
offer: {position: Mécanicien, contract: CDDI, location: Salon, start: 2027-01-04, contact: x}
clips: [{file: a.mp4}]
publish: {privacy: secret, category: 30}
""")
    assert problems_of(path) == [
        (3, "offer.contract", "'CDDI' is not allowed here",
         "did you mean 'CDI'? use one of: CDI, CDD, alternance, interim, stage, saisonnier"),
        (5, "publish.privacy", "'secret' is not allowed here", "use one of: public, unlisted, private"),
        (5, "publish.category", "30 is not allowed here", "use one of: 27, 29"),
    ]


def test_missing_fields_of_a_job_offer(tmp_path: Path) -> None:
    path = recipe_file(tmp_path, "kind: job_offer\nclips:\n  - file: a.mp4\noffer:\n  position: x\n")
    found = problems_of(path)
    assert (1, "employer", "'employer' is missing",
            "add `employer:` with `name: …` indented below it at the top of the recipe") in found
    assert (4, "offer.contract", "'contract' is missing",
            "add `contract: CDI` (one of: CDI, CDD, alternance, interim, stage, saisonnier)"
            " under `offer:`") in found
    assert {f for _, f, _, _ in found} == {"employer", "offer.contract", "offer.location", "offer.start",
                                           "offer.contact"}


@pytest.mark.parametrize(("text", "expected"), [
    ("title: x\nemployer: {name: y}\n", (1, "kind", "'kind' is missing",
                                         "start the recipe with `kind: job_offer` (tutorial or job_offer)")),
    ("title: x\n", (1, "kind", "'kind' is missing",
                    "start the recipe with `kind: tutorial` (tutorial or job_offer)")),
    ("# a comment\nkind: tutoriel\ntitle: x\n", (
        2, "kind", "unknown kind 'tutoriel'",
        "did you mean 'tutorial'? a recipe's kind is tutorial or job_offer")),
    ("kind: video\n", (1, "kind", "unknown kind 'video'", "a recipe's kind is tutorial or job_offer")),
])
def test_kind(tmp_path: Path, text: str, expected: tuple[int, str, str, str]) -> None:
    assert problems_of(recipe_file(tmp_path, text)) == [expected]


def test_dates_and_times(tmp_path: Path) -> None:
    path = recipe_file(tmp_path, """\
kind: job_offer
employer: {name: Garage}
offer:
  position: x
  contract: CDI
  location: y
  start: 2027-02-30
  closes: bientôt
  contact: z
clips: [{file: a.mp4, start: "1:75"}]
publish:
  privacy: private
  publish_at: demain
""")
    assert problems_of(path) == [
        (7, "offer.start", "'2027-02-30' is not a date", "write it as YYYY-MM-DD, e.g. 2027-01-04"),
        (8, "offer.closes", "'bientôt' is not a date", "write it as YYYY-MM-DD, e.g. 2027-01-04"),
        (10, "clips[0].start", "'1:75': minutes and seconds go up to 59",
         "write e.g. 00:01:15 for 75 seconds"),
        (13, "publish.publish_at", "'demain' is not a date and time",
         "write it as YYYY-MM-DDTHH:MM:SS+01:00, e.g. 2027-01-04T10:00:00+01:00"),
    ]


def test_publish_at_keeps_its_time_zone(tmp_path: Path) -> None:
    path = recipe_file(tmp_path, "kind: tutorial\ntitle: x\nclips: [{file: a.mp4}]\n"
                                 "publish: {privacy: private, publish_at: 2027-01-04T10:00:00+01:00}\n")
    publish = load_recipe(path).recipe.publish
    assert publish is not None and publish.publish_at is not None
    assert publish.publish_at.utcoffset() == dt.timedelta(hours=1)
    assert publish.publish_at == dt.datetime(2027, 1, 4, 9, tzinfo=dt.UTC)


def test_model_checks_point_at_their_field(tmp_path: Path) -> None:
    path = recipe_file(tmp_path, """\
kind: job_offer
employer: {name: Garage}
offer:
  position: x
  contract: CDI
  location: y
  start: 2027-03-01
  closes: 2027-02-01
  contact: z
clips:
  - file: a.mp4
  - file: b.mp4
    end: 2
    start: 4
""")
    assert problems_of(path) == [
        (8, "offer.closes", "closes (2027-02-01) must be after start (2027-03-01)",
         "set closes to a later date: the video is unlisted once the offer closes"),
        (13, "clips[1].end", "end (2 s) must come after start (4 s)", "swap them or fix one"),
    ]


def test_values_of_the_wrong_type(tmp_path: Path) -> None:
    path = recipe_file(tmp_path, """\
kind: tutorial
title:
presenter: Julie
clips: media/a.mp4
music:
  file: m.mp3
  duck: maybe
  volume_db: fort
consent: 12
""")
    found = problems_of(path)
    assert found[:5] == [
        (2, "title", "has no value", "write a value after the colon (or remove the key if it is optional)"),
        (3, "presenter", "should be a mapping, not 'Julie'", "write its keys (name, role) indented below it"),
        (4, "clips", "should be a list, not 'media/a.mp4'",
         "write one `- item` line per item, indented below it"),
        (7, "music.duck", "'maybe' is not true or false", "write true or false"),
        (8, "music.volume_db", "'fort' is not a number", "write a number, e.g. -20"),
    ]


def test_empty_clips(tmp_path: Path) -> None:
    path = recipe_file(tmp_path, "kind: tutorial\ntitle: x\nclips: []\n")
    assert problems_of(path) == [
        (3, "clips", "there is no clip", "list at least one: `- file: media/clip.mp4` below `clips:`")]


@pytest.mark.parametrize(("content", "expected"), [
    ("", (None, "the file is empty")),
    ("\n# only a comment\n", (None, "the file is empty")),
    (b"\x00\x01\x02binary", (None, "not a text file (it holds binary data)")),
    ("title: caf\xe9\n".encode("cp1252"), (1, "the file is not saved as UTF-8 (probably Windows-1252)")),
    ("- kind: tutorial\n", (1, "the recipe is a list, not a set of `key: value` lines")),
    ("just words\n", (1, "the recipe is the value 'just words', not a set of `key: value` lines")),
    ("kind: tutorial\ntitle: x\ntitle: y\n", (3, "invalid YAML: 'title' appears twice")),
    ("kind: tutorial\ntitle: 'x\n", (2, "invalid YAML: unfinished: while scanning a quoted scalar")),
    ("kind: tutorial\nclips: [a, b\ntitle: x\n", (3, "invalid YAML: expected ',' or ']', but got ':'")),
])
def test_files_that_are_not_recipes(tmp_path: Path, content: str | bytes,
                                    expected: tuple[int | None, str]) -> None:
    found = check_recipe_file(recipe_file(tmp_path, content)).problems
    assert [(p.line, p.problem) for p in found] == [expected]
    assert found[0].fix


def test_byte_order_marks_are_accepted(tmp_path: Path) -> None:
    text = "kind: tutorial\ntitle: Préparer son CV\nclips: [{file: a.mp4}]\n"
    for encoding in ("utf-8-sig", "utf-16"):
        loaded = load_recipe(recipe_file(tmp_path, text.encode(encoding), f"{encoding}.yaml"))
        assert loaded.title == "Préparer son CV"


def test_missing_file_and_folder(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "absent.yaml") == [
        (None, "", "file not found", "check the path and the file name")]
    assert problems_of(tmp_path) == [(None, "", "is a folder, not a recipe", "name a .yaml file inside it")]


def test_problem_format(tmp_path: Path) -> None:
    problem = Problem(tmp_path / "recipes" / "a.yaml", 12, "clips[1].file", "media/b.mp4 does not exist",
                      "check the path")
    assert problem.format(tmp_path) == (
        "recipes/a.yaml:12: clips[1].file: media/b.mp4 does not exist — check the path")
    warning = Problem(tmp_path / "a.yaml", None, "", "careful", severity="warning")
    assert warning.format(tmp_path) == "a.yaml: warning: careful"
    assert field_path(("clips", 1, "file")) == "clips[1].file"
    assert field_path(()) == ""


def test_job_offer_title_is_made_from_the_offer_within_100_characters(tmp_path: Path) -> None:
    long_name = "Établissements " + "très " * 30 + "longs"
    path = recipe_file(tmp_path, "kind: job_offer\nemployer: {name: x}\nclips: [{file: a.mp4}]\n"
                                 "offer: {position: Vendeur, contract: CDI, location: Salon,"
                                 " start: 2027-01-04, contact: z}\n")
    assert load_recipe(path).title == "Offre d'emploi : Vendeur (CDI) — x"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("position: Vendeur", f"position: {long_name[:100]}"), encoding="utf-8")
    title = load_recipe(path).title
    assert len(title) == 100 and title.endswith("…")
