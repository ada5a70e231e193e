"""Planning and graph building are pure: tested on made-up probes, no media needed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from render_helpers import quick_brand, tutorial, write_recipe

from mlprod.brand import Brand, load_brand
from mlprod.config import Settings
from mlprod.errors import MediaError
from mlprod.french import fr_date
from mlprod.media.probe import AudioInfo, MediaInfo, VideoInfo
from mlprod.media.subtitles import Cue
from mlprod.recipe.loader import LoadedRecipe, load_recipe
from mlprod.recipe.schema import Contract, Format, Offer, Quality
from mlprod.render import pieces
from mlprod.render.audio import Loudness, normalize_filter, parse_ebur128
from mlprod.render.captions import ass_document, ass_text
from mlprod.render.graph import clip_piece_args, escape_value
from mlprod.render.pieces import ClipPiece, plan_pieces
from mlprod.render.plan import CardSegment, CutSegment, SegmentKind, plan_timeline
from mlprod.render.profile import output_profile
from mlprod.render.sources import ClipSource, Sources
from mlprod.render.wording import offer_lines

EBUR128 = """[Parsed_ebur128_0 @ 0x55] Summary:

  Integrated loudness:
    I:         -23.4 LUFS
    Threshold: -33.6 LUFS

  Loudness range:
    LRA:         6.1 LU
    Threshold: -43.7 LUFS
    LRA low:   -27.0 LUFS
    LRA high:  -20.9 LUFS

  True peak:
    Peak:       -4.2 dBFS"""


def media(path: str, width: int = 1920, height: int = 1080, seconds: float = 10.0, fps: float = 30.0,
          rotation: int = 0, audio: float | None = None) -> MediaInfo:
    display = (height, width) if rotation in (90, 270) else (width, height)
    video = VideoInfo("h264", width, height, rotation, *display, fps, True, "yuv420p", seconds)
    sound = None if audio is None else AudioInfo("aac", 2, "stereo", 48000, audio)
    return MediaInfo(Path(path), "mp4", max(seconds, audio or 0), 1000, video, sound)


@pytest.fixture
def brand(workspace: Settings) -> Brand:
    return load_brand(workspace.brand_dir())


def sources(workspace: Settings, recipe: str, *infos: MediaInfo,
            cues: dict[int, list[Cue]] | None = None) -> Sources:
    loaded: LoadedRecipe = load_recipe(write_recipe(workspace, "plan.yaml", recipe))
    clips = tuple(ClipSource(i, clip, info, tuple((cues or {}).get(i, [])) or None)
                  for i, (clip, info) in enumerate(zip(loaded.recipe.clips, infos, strict=True)))
    return Sources(loaded, clips, None)


def test_output_sizes() -> None:
    sizes = {(f, q): output_profile(f, q, 30) for f in Format for q in (Quality.draft, Quality.standard)}
    assert [(p.width, p.height) for p in sizes.values()] == [
        (960, 540), (1920, 1080), (540, 960), (1080, 1920), (540, 540), (1080, 1080)]
    assert output_profile(Format.landscape, Quality.master, 25).encoder.crf < sizes[
        (Format.landscape, Quality.standard)].encoder.crf


def test_offer_card_in_french() -> None:
    offer = Offer(position="Vendeur·se", contract=Contract.CDD, location="Salon-de-Provence",
                  start=dt.date(2027, 1, 4), contact="Mission Locale — 04 90 56 21 74")
    assert offer_lines(offer) == ("CDD", "À partir du 4 janvier 2027", "Salon-de-Provence",
                                  "Contact : Mission Locale — 04 90 56 21 74")
    assert fr_date(dt.date(2026, 9, 1)) == "1er septembre 2026"


def test_timeline_every_duration_known(workspace: Settings, brand: Brand) -> None:
    recipe = tutorial("file: a.mp4\n    start: 1.5\n    end: 4", "file: b.mp4", "file: c.mp4",
                      extra="presenter:\n  name: Julie Martin\n  role: Conseillère emploi\n")
    found = sources(workspace, recipe, media("a.mp4", audio=10), media("b.mp4", 1280, 720, 5, 25),
                    media("c.mp4", 1920, 1080, 3, rotation=90, audio=3),
                    cues={0: [Cue(0.5, 2.0, "coupé"), Cue(2.0, 3.0, "entier"), Cue(4.5, 5, "après")]})
    timeline = plan_timeline(found, brand, output_profile(Format.landscape, Quality.standard, 30))

    kinds = [(s.kind, s.start_frame, s.frames) for s in timeline.segments]
    assert kinds == [(SegmentKind.intro, 0, 90), (SegmentKind.clip, 90, 75), (SegmentKind.clip, 165, 150),
                     (SegmentKind.clip, 315, 90), (SegmentKind.outro, 405, 120)]
    assert timeline.duration == pytest.approx(17.5)
    assert [s.cut.fit for s in timeline.clip_segments() if s.cut] == ["exact", "exact", "blur"]
    # trimmed to 1.5–4 s of the clip, placed after the 3-second intro
    assert [(c.start, c.end, c.text) for c in timeline.cues] == [(3.0, 3.5, "coupé"), (3.5, 4.5, "entier")]
    (lower,) = timeline.lower_thirds
    assert (lower.name, lower.role) == ("Julie Martin", "Conseillère emploi")
    assert 3.0 < lower.start < lower.end <= 5.5


@pytest.mark.parametrize(("clip", "info", "message"), [
    ("file: a.mp4\n    end: 12", media("a.mp4", seconds=10), "clips[0].end: 12 s is past the end of"),
    ("file: a.mp4\n    start: 11", media("a.mp4", seconds=10), "clips[0].start: 11 s is past the end"),
    ("file: a.mp4", media("a.mp4", seconds=4, audio=9), "its sound lasts 9.00 s but its picture only 4.00 s"
     " — add `end: 4.00`"),
])
def test_impossible_cuts(workspace: Settings, brand: Brand, clip: str, info: MediaInfo, message: str) -> None:
    found = sources(workspace, tutorial(clip), info)
    with pytest.raises(MediaError, match=r"a\.mp4") as caught:
        plan_timeline(found, brand, output_profile(Format.landscape, Quality.draft, 30))
    assert message in str(caught.value)


def test_sound_longer_is_fine_when_end_trims_inside(workspace: Settings, brand: Brand) -> None:
    found = sources(workspace, tutorial("file: a.mp4\n    end: 3.5"), media("a.mp4", seconds=4, audio=9))
    timeline = plan_timeline(found, brand, output_profile(Format.square, Quality.draft, 30))
    assert timeline.segments[1].frames == 105


def test_subtitles_styled_for_phones(workspace: Settings, brand: Brand) -> None:
    profile = output_profile(Format.vertical, Quality.standard, 30)
    document = ass_document([Cue(1, 2, "<i>Bonjour</i> {à} tous\nligne 2")], brand, profile)
    style = next(line for line in document.splitlines() if line.startswith("Style: "))
    fields = style.removeprefix("Style: ").split(",")
    assert fields[1] == "DejaVu Sans" and fields[7] == "-1"  # the brand's bold TTF, found by family
    assert int(fields[2]) == round(0.055 * 1080)  # a share of the short side: same on a phone
    assert int(fields[21]) == round(0.12 * 1920)  # above the player's controls
    assert "PlayResX: 1080" in document and "PlayResY: 1920" in document
    assert ass_text("<i>Bonjour</i> {à}\nfin") == r"{\i1}Bonjour{\i0} (à)\Nfin"


def test_loudness_decisions() -> None:
    measured = parse_ebur128(EBUR128, "test")
    assert measured == Loudness(integrated=-23.4, threshold=-33.6, lra=6.1, true_peak=-4.2)
    assert normalize_filter(Loudness(-23.4, -33.6, 6.1, -12.0)) == "volume=9.40dB"  # exact gain
    peaky = normalize_filter(measured, 0.6)  # +9.4 dB would put the peaks at +5.2 dBTP: limited
    assert peaky.startswith("volume=10.00dB,aresample=192000,alimiter=limit=0.7943")
    assert normalize_filter(Loudness(float("-inf"), -70, 0, float("-inf"))) == "anull"


def test_escaped_paths_survive_both_levels_of_parsing() -> None:
    assert escape_value("/tmp/l'équipe: [v2], final;") == r"\'/tmp/l\'\\\'\'équipe: \[v2\]\, final\;\'"


def test_a_piece_is_one_pass_over_one_input(workspace: Settings, brand: Brand) -> None:
    found = sources(workspace, tutorial("file: a.mp4", "file: b.mp4"), media("a.mp4", audio=10),
                    media("b.mp4", 1080, 1920, 5))
    timeline = plan_timeline(found, brand, output_profile(Format.landscape, Quality.standard, 30))
    assert [type(s) for s in timeline.segments] == [CardSegment, CutSegment, CutSegment, CardSegment]
    plan = plan_pieces(timeline, subtitle_header="", brand_dir=brand.folder, brand_fingerprint="b",
                       digests={}, renderer="r")
    portrait = [p for p in plan.pieces if isinstance(p, ClipPiece) and p.clip_index == 1]
    args = clip_piece_args(portrait[0], None, None, Path("/fonts"), Path("/piece.mp4"))
    assert args.count("-filter_complex") == 1 and args.count("-i") == 1
    graph = args[args.index("-filter_complex") + 1]
    assert "gblur" in graph and graph.count("split=2") == 1  # the portrait clip needs a fill
    # 5 s: one piece (a 1-second tail is not worth a piece of its own), on the grid from its start
    assert "fps=30:start_time=0,trim=start_frame=0" in graph and "trim=end_frame=150" in graph
    assert args[args.index("-preset") + 1] == "veryfast" and args[args.index("-threads:v") + 1] == "1"


def test_special_characters_in_paths(tmp_path: Path, clip_factory: Callable[..., Path],
                                     run_cli: Callable[..., Result]) -> None:
    """Quotes, colons, commas and brackets in folder names reach ffmpeg's filters intact."""
    from mlprod.workspace import init_workspace

    settings = init_workspace(tmp_path / "l'équipe: [com], v2").settings
    quick_brand(settings)
    subs = settings.media_dir / "st.srt"
    subs.write_text("1\n00:00:00,100 --> 00:00:00,900\nÇa marche\n", encoding="utf-8")
    write_recipe(settings, "x.yaml", tutorial(f"file: {clip_factory('x.mp4', seconds=1.0)}\n"
                                              "    subtitles: ../media/st.srt"))
    from click.testing import CliRunner

    from mlprod.cli import cli

    result = CliRunner().invoke(cli, ["-C", str(settings.root), "build", "recipes/x.yaml"])
    assert result.exit_code == 0, result.output
    assert (settings.output_dir / "x" / "x-landscape.mp4").is_file()


def test_clips_cut_into_chunks_and_cues_onto_frames(workspace: Settings, brand: Brand) -> None:
    assert pieces.chunks(270, 30) == [(0, 120), (120, 150)]  # a 1-second tail joins the chunk before
    assert pieces.chunks(300, 30) == [(0, 120), (120, 120), (240, 60)]
    assert pieces.chunks(45, 30) == [(0, 45)]
    found = sources(workspace, tutorial("file: a.mp4"), media("a.mp4", seconds=9),
                    cues={0: [Cue(3.5, 4.5, "à cheval"), Cue(5.0, 6.0, "après")]})
    timeline = plan_timeline(found, brand, output_profile(Format.landscape, Quality.draft, 30))
    plan = pieces.plan_pieces(timeline, subtitle_header="", brand_dir=brand.folder, brand_fingerprint="b",
                              digests={Path("a.mp4"): "d"}, renderer="r")
    first, second = (p for p in plan.pieces if isinstance(p, ClipPiece))
    # on the timeline after the 3-second intro: 6.5–7.5 s is frames 195–225; the join is at frame 210
    assert first.cues == (pieces.PieceCue(105, 120, "à cheval"),)
    assert second.cues == (pieces.PieceCue(0, 15, "à cheval"), pieces.PieceCue(30, 60, "après"))
    assert (second.first, second.skip) == (120, 3)  # read from 3 frames before its first one
    assert second.cues[0].cue(30).start == 0 and second.cues[1].cue(30).start == pytest.approx(29.5 / 30)
    assert len({p.key for p in plan.pieces}) == len(plan.pieces)
