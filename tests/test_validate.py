"""`mlprod validate` through the real CLI: the examples pass, each bad input is named at its line."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mlprod.cli import cli
from mlprod.config import Settings
from mlprod.media.subtitles import read_subtitles
from mlprod.recipe.examples import install_examples, write_example_media

RunCli = Callable[..., Result]

TUTORIAL = """\
kind: tutorial
title: {title}
clips:
  - file: {clip}
{extra}"""


@pytest.fixture(scope="session")
def example_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples' media, generated once per session."""
    root = tmp_path_factory.mktemp("examples")
    write_example_media(root)
    return root / "media"


@pytest.fixture
def ws(workspace: Settings, example_media: Path) -> Settings:
    """A workspace holding the example recipes and their media (hard links, no copy)."""
    shutil.copytree(example_media, workspace.media_dir, dirs_exist_ok=True, copy_function=os.link)
    install_examples(workspace.root)
    return workspace


def write(ws: Settings, name: str, text: str | bytes) -> Path:
    path = ws.root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def tutorial(ws: Settings, extra: str = "", title: str = "Préparer son CV",
             clip: str = "../media/entretien/01.mp4", name: str = "recipes/t.yaml") -> Path:
    return write(ws, name, TUTORIAL.format(title=title, clip=clip, extra=extra))


def failing(result: Result, *lines: str) -> None:
    assert result.exit_code == 1, result.output
    for line in lines:
        assert line in result.output.splitlines(), result.output


def test_examples_are_valid(ws: Settings, run_cli: RunCli) -> None:
    result = run_cli("validate", "recipes/entretien.yaml", "recipes/offres/boulangerie.yaml")
    assert result.exit_code == 0, result.output
    # nothing but the summary (after 2027-02-26 a warning says the example offer has closed)
    assert result.output.startswith("2 recipes checked: 2 valid") or "offer closed" in result.output


def test_a_folder_stands_for_its_recipes(ws: Settings, run_cli: RunCli) -> None:
    result = run_cli("validate", "recipes")
    assert result.exit_code == 0, result.output
    assert "2 recipes checked: 2 valid" in result.output


def test_help_has_an_example(run_cli: RunCli) -> None:
    result = run_cli("validate", "--help")
    assert result.exit_code == 0
    assert "Example: mlprod validate recipes/entretien.yaml" in result.output


def test_typo_in_a_key_suggests_the_right_one(ws: Settings, run_cli: RunCli) -> None:
    write(ws, "recipes/t.yaml", "kind: tutorial\ntitel: Mon CV\nclips:\n"
                                "  - file: ../media/entretien/01.mp4\n")
    result = run_cli("validate", "recipes/t.yaml")
    failing(result, "recipes/t.yaml:2: titel: unknown key 'titel' — did you mean 'title'?")
    assert "1 recipe checked: 0 valid, 1 with 2 problems" in result.output  # and title is missing


def test_missing_clip(ws: Settings, run_cli: RunCli) -> None:
    tutorial(ws, "  - file: ../media/entretien/03.mp4\n")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:5: clips[1].file: ../media/entretien/03.mp4 does not exist — check the path"
            " (it is relative to the recipe's folder); did you mean 02.mp4?")


def test_end_before_start(ws: Settings, run_cli: RunCli) -> None:
    tutorial(ws, "    start: 3\n    end: 00:00:01.5\n")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:6: clips[0].end: end (1.5 s) must come after start (3 s) — swap them or fix one")


def test_end_past_the_clip(ws: Settings, run_cli: RunCli) -> None:
    tutorial(ws, "    end: 7\n")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:5: clips[0].end: end (7 s) is past the end of the clip, which lasts 5.00 s"
            " — use at most 5.00, or remove `end` to play the clip to its end")


def test_end_within_a_frame_of_the_clip_end_is_fine(ws: Settings, run_cli: RunCli) -> None:
    tutorial(ws, "    start: 1\n    end: 5.02\n")
    assert run_cli("validate", "recipes/t.yaml").exit_code == 0


def test_start_past_the_clip(ws: Settings, run_cli: RunCli) -> None:
    tutorial(ws, "    start: \"00:00:06\"\n")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:5: clips[0].start: start (6 s) is past the end of the clip, which lasts 5.00 s"
            " — use a start below 5.00")


def test_title_of_101_characters(ws: Settings, run_cli: RunCli) -> None:
    tutorial(ws, title="x" * 101)
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:2: title: the title is 101 characters long, YouTube allows 100"
            " — shorten it by 1 character")
    tutorial(ws, title="x" * 100)
    assert run_cli("validate", "recipes/t.yaml").exit_code == 0


def test_publish_title_overrides_and_is_checked_at_its_line(ws: Settings, run_cli: RunCli) -> None:
    tutorial(ws, "publish:\n  title: Les <bons> réflexes\n")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:6: publish.title: the title contains '<' and '>', which YouTube refuses"
            " — remove them or write « » instead")


def test_title_with_angle_bracket(ws: Settings, run_cli: RunCli) -> None:
    tutorial(ws, title="'Réussir <son entretien'")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:2: title: the title contains '<', which YouTube refuses"
            " — remove them or write « » instead")


SRT_FR = "1\r\n00:00:00,500 --> 00:00:02,000\r\nPréparez-vous à l'entretien\r\n\r\n"


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-16-be", "utf-8-sig"])
def test_subtitles_in_other_encodings_are_valid(ws: Settings, run_cli: RunCli, encoding: str) -> None:
    text = SRT_FR if encoding != "utf-16-be" else "\ufeff" + SRT_FR  # utf-16-be writes no BOM itself
    srt = write(ws, "media/fr.srt", text.encode(encoding))
    tutorial(ws, "    subtitles: ../media/fr.srt\n")
    result = run_cli("validate", "recipes/t.yaml")
    assert result.exit_code == 0, result.output
    cues = read_subtitles(srt)
    assert [(c.start, c.end, c.text) for c in cues] == [(0.5, 2.0, "Préparez-vous à l'entretien")]


def test_subtitles_with_inverted_cue_times(ws: Settings, run_cli: RunCli) -> None:
    write(ws, "media/inv.srt", "1\n00:00:00,500 --> 00:00:02,000\nBonjour\n\n"
                               "2\n00:00:04,000 --> 00:00:03,000\nÀ bientôt\n")
    tutorial(ws, "    subtitles: ../media/inv.srt\n")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:5: clips[0].subtitles: ../media/inv.srt:6: cue 2 ends (00:00:03,000)"
            " before it starts (00:00:04,000) — swap the two times or correct one of them")


def test_subtitles_with_malformed_times(ws: Settings, run_cli: RunCli) -> None:
    write(ws, "media/bad.srt", "1\n00:00:00,500 --> 00:00:02,000\nBonjour\n\n"
                               "2\n00:00:3,0 -> 00:00:04\nx\n\n"
                               "3\n00:00:04,000 --> 00:00:0x,500\ny\n")
    tutorial(ws, "    subtitles: ../media/bad.srt\n")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:5: clips[0].subtitles: ../media/bad.srt:6: cue 2 has no time line"
            " — write it as HH:MM:SS,mmm --> HH:MM:SS,mmm, e.g. 00:00:01,500 --> 00:00:03,000",
            "recipes/t.yaml:5: clips[0].subtitles: ../media/bad.srt:10: cue 3: malformed time '00:00:0x,500'"
            " — write it as HH:MM:SS,mmm --> HH:MM:SS,mmm, e.g. 00:00:01,500 --> 00:00:03,000")


def test_a_subtitle_problem_names_the_recipe_too(ws: Settings, run_cli: RunCli) -> None:
    """With many recipes, the subtitle file alone does not say which recipe to open."""
    first = "1\n00:00:00,500 --> 00:00:02,000\nBonjour\n\n"
    write(ws, "media/a.srt", first + "2\n00:00:03,000 -> 00:00:04\nx\n")
    write(ws, "media/b.srt", first + "2\n00:00:07,000 --> 00:00:08,000\ntard\n")  # the clip lasts 5 s
    tutorial(ws, "    subtitles: ../media/a.srt\n", name="recipes/a.yaml")
    tutorial(ws, "    subtitles: ../media/b.srt\n", name="recipes/b.yaml")
    result = run_cli("validate", "recipes/a.yaml", "recipes/b.yaml")
    failing(result,
            "recipes/a.yaml:5: clips[0].subtitles: ../media/a.srt:6: cue 2 has no time line"
            " — write it as HH:MM:SS,mmm --> HH:MM:SS,mmm, e.g. 00:00:01,500 --> 00:00:03,000",
            "recipes/b.yaml:5: clips[0].subtitles: warning: ../media/b.srt:6: 1 subtitle(s) start after"
            " the clip ends (5.00 s) — check that these subtitles belong to this clip")
    assert "2 recipes checked: 1 valid, 1 with 1 problem (1 warning)" in result.output


def test_invalid_yaml_points_at_its_line(ws: Settings, run_cli: RunCli) -> None:
    write(ws, "recipes/t.yaml", "kind: tutorial\ntitle: Mon CV\nclips:\n  - file: a.mp4\n   start: 2\n")
    result = run_cli("validate", "recipes/t.yaml")
    failing(result)
    assert result.output.startswith("recipes/t.yaml:5: invalid YAML: ")


def test_tabs_in_yaml(ws: Settings, run_cli: RunCli) -> None:
    write(ws, "recipes/t.yaml", "kind: tutorial\ntitle: Mon CV\nclips:\n\t- file: a.mp4\n")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:4: invalid YAML: a tab character — indent with spaces, not tabs")


def test_empty_file(ws: Settings, run_cli: RunCli) -> None:
    write(ws, "recipes/t.yaml", "# rien encore\n")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml: the file is empty — a recipe starts with `kind: tutorial` or `kind: job_offer`")


def test_binary_file_as_recipe(ws: Settings, run_cli: RunCli) -> None:
    failing(run_cli("validate", "media/entretien/01.mp4"),
            "media/entretien/01.mp4: not a text file (it holds binary data) — a recipe is a YAML text"
            " file; name videos and images inside a recipe instead")


def test_recipe_that_does_not_exist(ws: Settings, run_cli: RunCli) -> None:
    result = run_cli("validate", "recipes/absent.yaml", "recipes/entretien.yaml")
    failing(result, "recipes/absent.yaml: file not found — check the path and the file name")
    assert "2 recipes checked: 1 valid, 1 with 1 problem" in result.output


def test_workspace_that_does_not_exist(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["-C", str(tmp_path / "nowhere"), "validate", "x.yaml"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{tmp_path / 'nowhere'}: this folder does not exist — check the -C option" in result.output


def test_outside_a_workspace(tmp_path: Path, example_media: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No mlprod.toml anywhere: everything but the brand is checked."""
    install_examples(tmp_path)
    shutil.copytree(example_media, tmp_path / "media", copy_function=os.link)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["validate", "recipes/entretien.yaml"])
    assert result.exit_code == 0, result.output
    (tmp_path / "recipes" / "x.yaml").write_text(
        "kind: tutorial\ntitle: x\nbrand: nulle-part\nclips:\n  - file: ../media/none.mp4\n",
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "recipes/x.yaml"])
    assert result.exit_code == 1
    assert "brand" not in result.output
    assert "recipes/x.yaml:5: clips[0].file: ../media/none.mp4 does not exist" in result.output


def test_unknown_brand_in_a_workspace(ws: Settings, run_cli: RunCli) -> None:
    write(ws, "recipes/t.yaml", "kind: tutorial\ntitle: x\nbrand: ml-prd\nclips:\n"
                                "  - file: ../media/entretien/01.mp4\n")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:3: brand: brand 'ml-prd' not found in the workspace's assets/brands/"
            " — did you mean 'ml-prod'?")


def test_description_over_5000_bytes(ws: Settings, run_cli: RunCli) -> None:
    # 2501 characters, but 5002 bytes in UTF-8: YouTube counts bytes
    tutorial(ws, "publish:\n  description: " + "é" * 2501 + "\n")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:6: publish.description: the description is 5002 bytes long (UTF-8: an accented"
            " letter takes two), YouTube allows 5000 — shorten it by 2 bytes")


def test_tags_over_budget(ws: Settings, run_cli: RunCli) -> None:
    tags = ", ".join(["mission locale"] * 31)  # 31 × (14 + 2 quotes) + 30 commas = 526
    tutorial(ws, f"publish:\n  tags: [{tags}]\n")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:6: publish.tags: the tags count for 526 characters (commas included, quotes"
            " around tags with a space), YouTube allows 480 beside mlprod's own tag — remove tags to save"
            " 46 characters")


def test_publish_at_with_public(ws: Settings, run_cli: RunCli) -> None:
    tutorial(ws, "publish:\n  privacy: public\n  publish_at: 2030-01-07T10:00:00+01:00\n")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:7: publish.publish_at: publish_at only works with a private video (privacy is"
            " public) — set privacy: private; the video becomes public at publish_at")
    tutorial(ws, "publish:\n  privacy: private\n  publish_at: 2030-01-07T10:00:00+01:00\n")
    assert run_cli("validate", "recipes/t.yaml").exit_code == 0


def test_publish_at_needs_a_time_zone(ws: Settings, run_cli: RunCli) -> None:
    tutorial(ws, "publish:\n  privacy: private\n  publish_at: 2030-01-07 10:00\n")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:7: publish.publish_at: publish_at has no time zone"
            " — add one, e.g. 2027-01-04T10:00:00+01:00")


OFFER = """\
kind: job_offer
employer:
  name: Garage Martin
offer:
  position: Mécanicien·ne
  contract: CDI
  location: Lançon-Provence
  start: {start}
  closes: {closes}
  contact: 04 90 00 00 00
{consent}clips:
  - file: ../../media/boulangerie/presentation.mp4
"""


def test_offer_closes_before_start(ws: Settings, run_cli: RunCli) -> None:
    write(ws, "recipes/offres/garage.yaml",
          OFFER.format(start="2027-03-01", closes="2027-02-01", consent="consent: sub-2026-0002\n"))
    failing(run_cli("validate", "recipes/offres/garage.yaml"),
            "recipes/offres/garage.yaml:9: offer.closes: closes (2027-02-01) must be after start (2027-03-01)"
            " — set closes to a later date: the video is unlisted once the offer closes")


def test_offer_with_an_impossible_date(ws: Settings, run_cli: RunCli) -> None:
    write(ws, "recipes/offres/garage.yaml",
          OFFER.format(start="2027-02-30", closes="2027-03-31", consent="consent: sub-2026-0002\n"))
    failing(run_cli("validate", "recipes/offres/garage.yaml"),
            "recipes/offres/garage.yaml:8: offer.start: '2027-02-30' is not a date"
            " — write it as YYYY-MM-DD, e.g. 2027-01-04")


def test_missing_consent_is_a_warning_only(ws: Settings, run_cli: RunCli) -> None:
    write(ws, "recipes/offres/garage.yaml", OFFER.format(start="2027-03-01", closes="2027-04-01", consent=""))
    result = run_cli("validate", "recipes/offres/garage.yaml")
    assert result.exit_code == 0, result.output
    assert "recipes/offres/garage.yaml:1: consent: warning: no consent is named for this job offer" \
        in result.output
    assert "1 recipe checked: 1 valid (1 warning)" in result.output


def test_json_output(ws: Settings, run_cli: RunCli) -> None:
    tutorial(ws, "    end: 7\n")
    result = run_cli("validate", "--json", "recipes/t.yaml", "recipes/entretien.yaml")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data == [
        {"file": "recipes/t.yaml", "valid": False, "problems": [{
            "file": "recipes/t.yaml", "line": 5, "field": "clips[0].end",
            "problem": "end (7 s) is past the end of the clip, which lasts 5.00 s",
            "fix": "use at most 5.00, or remove `end` to play the clip to its end", "severity": "error"}]},
        {"file": "recipes/entretien.yaml", "valid": True, "problems": []},
    ]


def test_every_schema_problem_is_listed_at_once(ws: Settings, run_cli: RunCli) -> None:
    write(ws, "recipes/t.yaml", """\
kind: tutorial
title: Mon CV
clips:
  - file: ../media/entretien/01.mp4
    start: demain
output:
  formats: [landscap]
  quality: haute
music:
  file: ../media/musique/douce.mp3
  volume_db: 6
""")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:5: clips[0].start: 'demain' is not a time — write seconds (12.5) or HH:MM:SS.mmm",
            "recipes/t.yaml:7: output.formats[0]: 'landscap' is not allowed here — did you mean 'landscape'?"
            " use one of: landscape, vertical, square",
            "recipes/t.yaml:8: output.quality: 'haute' is not allowed here"
            " — use one of: draft, standard, master",
            "recipes/t.yaml:11: music.volume_db: 6 is too high — use at most 0",
            "1 recipe checked: 0 valid, 1 with 4 problems")


def test_music_that_is_an_image(ws: Settings, run_cli: RunCli) -> None:
    tutorial(ws, "music:\n  file: ../media/boulangerie/logo.png\n")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:6: music.file: ../media/boulangerie/logo.png: this is an image (png), not a video"
            " or audio file — use an audio file (MP3, M4A, WAV)")


def test_clip_without_picture(ws: Settings, run_cli: RunCli) -> None:
    tutorial(ws, clip="../media/musique/douce.mp3")
    failing(run_cli("validate", "recipes/t.yaml"),
            "recipes/t.yaml:4: clips[0].file: ../media/musique/douce.mp3 has no picture (it is a sound file)"
            " — name the video file")


def test_logo_that_is_not_an_image(ws: Settings, run_cli: RunCli) -> None:
    text = OFFER.format(start="2027-03-01", closes="2027-04-01", consent="consent: sub-1\n")
    text = text.replace("  name: Garage Martin\n",
                        "  name: Garage Martin\n  logo: ../../media/entretien/01.srt\n")
    write(ws, "recipes/offres/garage.yaml", text)
    failing(run_cli("validate", "recipes/offres/garage.yaml"),
            "recipes/offres/garage.yaml:4: employer.logo: ../../media/entretien/01.srt is not an image Pillow"
            " can read (UnidentifiedImageError) — save the logo as PNG or JPEG")
