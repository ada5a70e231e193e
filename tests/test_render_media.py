"""Clips of any shape and source, subtitles in any encoding, music, job offers: built and checked."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import Result
from render_helpers import frame_at, loudness, quick_brand, tutorial, write_recipe

from mlprod.config import Settings
from mlprod.media.probe import probe
from mlprod.media.samples import make_image, make_tone
from mlprod.media.subtitles import read_subtitles

ASS = """[Script Info]
ScriptType: v4.00+

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, Bold
Style: Default,Comic Sans MS,20,&H00FFFFFF,0

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.10,0:00:00.60,Default,,0,0,0,,{\\i1}Troisième{\\i0} clip\\Nen .ass
"""


def sharpness(picture: np.ndarray) -> float:
    """Mean horizontal detail: high on the clip itself, low on its blurred surroundings."""
    grey = picture.astype(float).mean(axis=2)
    return float(np.abs(np.diff(grey, axis=1)).mean())


def test_clips_of_any_shape_and_source(workspace: Settings, clip_factory: Callable[..., Path],
                                       run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    rotated = clip_factory("phone.mp4", width=320, height=180, seconds=1.0, rotation=90)
    vfr = clip_factory("vfr.mp4", width=320, height=240, fps=30, seconds=2.0, variable_rate=True)
    silent = clip_factory("silent.mp4", width=320, height=180, fps=25, seconds=1.0, audio=None)
    surround = clip_factory("surround.mp4", width=320, height=180, seconds=1.0, audio="5.1",
                            sample_rate=44100, volume_db=-30)
    write_recipe(workspace, "formes.yaml",
                 tutorial(f"file: {rotated}", f"file: {vfr}\n    end: 2.5", f"file: {silent}",
                          f"file: {surround}"))

    result = run_cli("build", "recipes/formes.yaml")

    assert result.exit_code == 0, result.output
    video = workspace.output_dir / "formes" / "formes-landscape.mp4"
    info = probe(video)
    assert info.video is not None and info.audio is not None
    assert (info.video.width, info.video.height, info.video.fps) == (960, 540, 30)
    assert info.video.constant_frame_rate
    assert (info.audio.sample_rate, info.audio.channels) == (48000, 2)
    # intro 1 + rotated 1 + VFR cut at 2.5 + 1 + 1 + outro 1
    assert info.duration == pytest.approx(7.5, abs=1 / 30)
    integrated, peak = loudness(video)
    assert integrated == pytest.approx(-14, abs=1) and peak <= -1
    # the phone clip is shown upright (portrait), its sides filled with a blurred copy of itself
    picture = frame_at(video, 1.5)
    middle, side = picture[:, 400:560], picture[:, :150]
    assert sharpness(middle) > 3 * sharpness(side)


def test_subtitles_in_any_encoding_burned_and_captioned(workspace: Settings,
                                                        clip_factory: Callable[..., Path],
                                                        run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    clip = clip_factory("parole.mp4", seconds=2.0)
    media = workspace.media_dir
    (media / "a.srt").write_bytes(codecs.BOM_UTF16_LE + "1\n00:00:00,600 --> 00:00:01,400\nPremière"
                                  " ligne à l'écran\n".encode("utf-16-le"))
    (media / "b.vtt").write_bytes("WEBVTT\n\n00:00.000 --> 00:00.700\nDeuxième : ça marche\n"
                                  .encode("cp1252"))
    (media / "c.ass").write_text(ASS, encoding="utf-8")
    clips = (f"file: {clip}\n    start: 0.5\n    end: 1.5\n    subtitles: ../media/a.srt",
             f"file: {clip}\n    end: 1.0\n    subtitles: ../media/b.vtt",
             f"file: {clip}\n    end: 1.0\n    subtitles: ../media/c.ass")
    write_recipe(workspace, "avec.yaml", tutorial(*clips))
    write_recipe(workspace, "sans.yaml", tutorial(*(c.split("\n    subtitles")[0] for c in clips)))

    result = run_cli("build", "recipes/avec.yaml", "recipes/sans.yaml")

    assert result.exit_code == 0, result.output
    with_subs = workspace.output_dir / "avec" / "avec-landscape.mp4"
    captions = read_subtitles(with_subs.with_suffix(".srt"))
    # on the final timeline: after the 1-second intro, each clip where it plays, trims applied
    assert [(round(c.start, 2), round(c.end, 2), c.text) for c in captions] == [
        (1.1, 1.9, "Première ligne à l'écran"),
        (2.0, 2.7, "Deuxième : ça marche"),
        (3.1, 3.6, "Troisième clip\nen .ass"),
    ]
    assert not (workspace.output_dir / "sans" / "sans-landscape.srt").exists()
    shown = frame_at(with_subs, 1.5).astype(int)
    plain = frame_at(workspace.output_dir / "sans" / "sans-landscape.mp4", 1.5).astype(int)
    lower, upper = slice(380, 480), slice(0, 300)  # subtitles sit low, above the player's controls
    assert np.abs(shown[lower] - plain[lower]).mean() > 8
    assert np.abs(shown[upper] - plain[upper]).mean() < 3


def test_job_offer_with_music(workspace: Settings, clip_factory: Callable[..., Path],
                              run_cli: Callable[..., Result]) -> None:
    quick_brand(workspace)
    clip = clip_factory("employeur.mp4", seconds=2.0, speech_like=True, volume_db=-12)
    make_tone(workspace.media_dir / "bed.mp3", seconds=1.5, volume_db=-3)  # shorter: looped
    make_image(workspace.media_dir / "logo.png", 200, 120)
    write_recipe(workspace, "offre.yaml", f"""kind: job_offer
employer:
  name: Boulangerie du Cours
  logo: ../media/logo.png
offer:
  position: Vendeur·se en boulangerie
  contract: CDD
  location: Salon-de-Provence
  start: 2027-01-04
  contact: Mission Locale du Pays Salonais — 04 90 56 21 74
clips:
  - file: {clip}
music:
  file: ../media/bed.mp3
  volume_db: -18
output:
  quality: draft
""")

    result = run_cli("build", "recipes/offre.yaml")

    assert result.exit_code == 0, result.output
    video = workspace.output_dir / "offre" / "offre-landscape.mp4"
    assert probe(video).duration == pytest.approx(1 + 2 + 1 + 1, abs=1 / 30)  # intro, clip, offer, outro
    integrated, peak = loudness(video)
    assert integrated == pytest.approx(-14, abs=1) and peak <= -1
    offer_card, outro = frame_at(video, 3.6), frame_at(video, 4.6)
    assert np.abs(offer_card.astype(int) - outro.astype(int)).mean() > 5
    assert not video.with_suffix(".srt").exists()


def test_music_alone_is_brought_to_the_target(workspace: Settings, clip_factory: Callable[..., Path],
                                              run_cli: Callable[..., Result]) -> None:
    """No clip has sound: the music is the programme, normalised like speech would be."""
    quick_brand(workspace)
    clip = clip_factory("muet.mp4", seconds=2.0, audio=None)
    make_tone(workspace.media_dir / "long.mp3", seconds=8, volume_db=-30)  # longer: cut
    write_recipe(workspace, "muet.yaml", tutorial(
        f"file: {clip}", extra="music:\n  file: ../media/long.mp3\n  volume_db: -20\n  duck: false\n"))

    result = run_cli("build", "recipes/muet.yaml")

    assert result.exit_code == 0, result.output
    video = workspace.output_dir / "muet" / "muet-landscape.mp4"
    assert probe(video).duration == pytest.approx(4, abs=1 / 30)
    assert loudness(video)[0] == pytest.approx(-14, abs=1)
