"""Subtitle files: the three formats, the usual encodings, bad cues at their lines, writing SRT."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlprod.errors import MediaError
from mlprod.media.subtitles import (
    Cue,
    SubtitleError,
    decode_text,
    format_srt_time,
    parse_subtitles,
    read_subtitles,
    shift,
    window,
    write_srt,
)

FRENCH = "Préparez-vous à l'entretien"
SRT = (f"1\n00:00:00,500 --> 00:00:02,000\n{FRENCH}\n\n"
       "2\n00:00:02,500 --> 00:00:04,000\nÇa commence\nmaintenant\n")


def cues_of(path: Path) -> list[tuple[float, float, str]]:
    return [(c.start, c.end, c.text) for c in read_subtitles(path)]


EXPECTED = [(0.5, 2.0, FRENCH), (2.5, 4.0, "Ça commence\nmaintenant")]


@pytest.mark.parametrize(("codec", "bom"), [
    ("utf-8", ""), ("utf-8", "\ufeff"), ("utf-16", ""),  # Python's utf-16 writes its own BOM
    ("utf-16-le", "\ufeff"), ("utf-16-be", "\ufeff"), ("utf-16-le", ""), ("cp1252", ""),
])
def test_encodings(tmp_path: Path, codec: str, bom: str) -> None:
    path = tmp_path / "a.srt"
    path.write_bytes((bom + SRT.replace("\n", "\r\n")).encode(codec))
    assert cues_of(path) == EXPECTED


def test_windows_1252_is_not_mistaken_for_central_european() -> None:
    text, encoding = decode_text(f"{FRENCH}, à bientôt !".encode("cp1252"))
    assert (text, encoding) == (f"{FRENCH}, à bientôt !", "cp1252")


def test_webvtt(tmp_path: Path) -> None:
    path = tmp_path / "a.vtt"
    path.write_text("WEBVTT - sous-titres\n\nNOTE écrit à la main\n\n"
                    f"intro\n00:00.500 --> 00:02.000 align:start\n<v Julie>{FRENCH}</v>\n\n"
                    "00:00:02.500 --> 00:00:04.000\nÇa commence\n<i>maintenant</i> &amp; ici\n",
                    encoding="utf-8")
    assert cues_of(path) == [(0.5, 2.0, FRENCH), (2.5, 4.0, "Ça commence\n<i>maintenant</i> & ici")]


def test_ass(tmp_path: Path) -> None:
    path = tmp_path / "a.ass"
    path.write_text(
        "[Script Info]\nScriptType: v4.00+\n\n[V4+ Styles]\nFormat: Name, Fontname\nStyle: Default,Arial\n\n"
        "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
        f"Dialogue: 0,0:00:00.50,0:00:02.00,Default,,0,0,0,,{{\\b1}}{FRENCH}\n"
        "Comment: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,not shown\n"
        "Dialogue: 0,0:00:02.50,0:00:04.00,Default,,0,0,0,,Ça commence\\Nmaintenant\n", encoding="utf-8")
    assert cues_of(path) == EXPECTED


def test_inverted_and_malformed_cues_are_reported_at_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.srt"
    path.write_text("1\n00:00:00,500 --> 00:00:02,000\nok\n\n2\n00:00:05,000 --> 00:00:03,000\ninversé\n\n"
                    "3\n00:00:06,000 --> 00:0:07,x\nbad\n\n4\nno time here\n", encoding="utf-8")
    parsed = parse_subtitles(path)
    assert [(c.start, c.end, c.line) for c in parsed.cues] == [(0.5, 2.0, 2)]
    assert [(i.line, i.problem) for i in parsed.issues] == [
        (6, "cue 2 ends (00:00:03,000) before it starts (00:00:05,000)"),
        (10, "cue 3: malformed time '00:0:07,x'"),
        (14, "cue 4 has no time line"),
    ]
    with pytest.raises(SubtitleError) as caught:
        read_subtitles(path)
    assert isinstance(caught.value, MediaError)
    assert f"{path}:6: cue 2 ends" in str(caught.value)
    assert len(caught.value.issues) == 3


def test_ass_inverted_cue(tmp_path: Path) -> None:
    path = tmp_path / "a.ass"
    path.write_text("[Events]\n"
                    "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
                    "Dialogue: 0,0:00:04.00,0:00:02.00,Default,,0,0,0,,x\n", encoding="utf-8")
    assert [(i.line, i.problem) for i in parse_subtitles(path).issues] == [
        (3, "cue 1 ends (00:00:02,000) before it starts (00:00:04,000)")]


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "the subtitle file is empty"),
    (b"\n\n  \n", "the subtitle file is empty"),
    (b"just some words\nwithout times\n", "cue 1 has no time line"),
    (b"WEBVTT\n\n", "no subtitles found in this file"),
])
def test_files_without_cues(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "a.srt"
    path.write_bytes(content)
    assert [i.problem for i in parse_subtitles(path).issues] == [problem]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"absent\.srt: file not found"):
        read_subtitles(tmp_path / "absent.srt")


def test_write_srt_round_trip_and_atomic(tmp_path: Path) -> None:
    cues = [Cue(2.5, 4.0, "Ça commence\nmaintenant"), Cue(0.5, 2.0, FRENCH), Cue(3661.001, 3662.9999, "tard")]
    path = write_srt(cues, tmp_path / "out" / "a.srt")
    written = path.read_text(encoding="utf-8")
    assert written.startswith("1\n00:00:00,500 --> 00:00:02,000\n" + FRENCH + "\n\n2\n")
    assert "01:01:01,001 --> 01:01:03,000" in path.read_text(encoding="utf-8")
    assert [(c.start, c.end, c.text) for c in read_subtitles(path)] == [
        (0.5, 2.0, FRENCH), (2.5, 4.0, "Ça commence\nmaintenant"), (3661.001, 3663.0, "tard")]
    assert sorted(p.name for p in path.parent.iterdir()) == ["a.srt"]  # no temporary file left


def srt_cues(tmp_path: Path, text: str, newline: str = "\n") -> list[tuple[float, float, str]]:
    path = tmp_path / "a.srt"
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return cues_of(path)


def test_cues_numbered_from_zero(tmp_path: Path) -> None:
    text = SRT.replace("1\n00:00:00,500", "0\n00:00:00,500").replace("2\n00:00:02,500", "1\n00:00:02,500")
    assert srt_cues(tmp_path, text) == EXPECTED


def test_single_digit_fields(tmp_path: Path) -> None:
    text = f"1\n0:0:0,5 --> 00:00:2,000\n{FRENCH}\n\n2\n00:00:2,500 --> 0:0:4,0\nÇa commence\nmaintenant\n"
    assert srt_cues(tmp_path, text) == EXPECTED


def test_missing_blank_lines_between_cues(tmp_path: Path) -> None:
    assert srt_cues(tmp_path, SRT.replace("\n\n", "\n")) == EXPECTED
    unnumbered = (f"00:00:00,500 --> 00:00:02,000\n{FRENCH}\n"
                  "00:00:02,500 --> 00:00:04,000\nÇa commence\nmaintenant")
    assert srt_cues(tmp_path, unnumbered) == EXPECTED


def test_trailing_cue_without_newline(tmp_path: Path) -> None:
    assert srt_cues(tmp_path, SRT.rstrip("\n")) == EXPECTED


def test_crlf_line_ends(tmp_path: Path) -> None:
    assert srt_cues(tmp_path, SRT, "\r\n") == EXPECTED
    assert srt_cues(tmp_path, SRT.replace("\n\n", "\n").rstrip("\n"), "\r\n") == EXPECTED


def test_text_lines_that_look_like_numbers_or_arrows_stay_text(tmp_path: Path) -> None:
    """A cue may end on a bare number (a phone number) or show an arrow: neither starts a cue."""
    text = ("1\n00:00:01,000 --> 00:00:02,000\nParis --> Marseille\n\n"
            "2\n00:00:03,000 --> 00:00:04,000\nAppelez le\n3949")
    assert srt_cues(tmp_path, text) == [(1.0, 2.0, "Paris --> Marseille"), (3.0, 4.0, "Appelez le\n3949")]


def test_a_broken_cue_does_not_spill_into_its_neighbours(tmp_path: Path) -> None:
    path = tmp_path / "a.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nun\n2\n00:00:03,000 --> 00:00:0x,000\ndeux\n"
                    "3\n00:00:05,000 --> 00:00:06,000\ntrois\n", encoding="utf-8")
    parsed = parse_subtitles(path)
    assert [(c.text, c.line) for c in parsed.cues] == [("un", 2), ("trois", 8)]
    assert [(i.line, i.problem) for i in parsed.issues] == [(5, "cue 2: malformed time '00:00:0x,000'")]


def test_ssa_v4_drawings_and_hard_spaces(tmp_path: Path) -> None:
    path = tmp_path / "a.ssa"
    path.write_text(
        "[Script Info]\nScriptType: v4.00\nDialogue: not an event\n\n"
        "[V4 Styles]\nFormat: Name\nStyle: Default\n\n"
        "[Events]\nFormat: Marked, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
        "Dialogue: Marked=0,0:00:00.50,0:00:02.00,Default,,0000,0000,0000,,Bonjour\\h!\n"
        "Dialogue: Marked=0,0:00:01.00,0:00:02.00,Default,,0000,0000,0000,,{\\p1}m 0 0 l 9 0 9 9{\\p0}\n"
        "Dialogue: Marked=0,0:00:02.50,0:00:04,Default,,0000,0000,0000,,Ça, commence\n", encoding="utf-8")
    assert cues_of(path) == [(0.5, 2.0, "Bonjour\u00a0!"), (2.5, 4.0, "Ça, commence")]


def test_ass_broken_lines_are_reported_at_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.ass"
    path.write_text("[Events]\n"
                    "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
                    "Dialogue: 0,0:00:01.00,0:00:02.00,Default\n"
                    "Dialogue: 0,0:00:01.00,0:01:75.00,Default,,0,0,0,,x\n"
                    "Dialogue: 0,0:00:03.00,0:00:04.00,Default,,0,0,0,,ok\n", encoding="utf-8")
    parsed = parse_subtitles(path)
    assert [(c.text, c.line) for c in parsed.cues] == [("ok", 5)]
    assert [(i.line, i.problem) for i in parsed.issues] == [
        (3, "a Dialogue line has too few fields"), (4, "malformed time '0:01:75.00'")]


def test_shift_and_window() -> None:
    cues = [Cue(0.5, 2.0, "a"), Cue(2.5, 4.0, "b"), Cue(4.5, 6.0, "c")]
    assert shift(cues, 10) == [Cue(10.5, 12.0, "a"), Cue(12.5, 14.0, "b"), Cue(14.5, 16.0, "c")]
    assert shift(cues, -3) == [Cue(0.0, 1.0, "b"), Cue(1.5, 3.0, "c")]
    assert window(cues, 1.0, 5.0) == [Cue(0.0, 1.0, "a"), Cue(1.5, 3.0, "b"), Cue(3.5, 4.0, "c")]
    later = window(cues, 2.2)
    assert [(c.start, c.end, c.text) for c in later] == [
        (pytest.approx(0.3), pytest.approx(1.8), "b"), (pytest.approx(2.3), pytest.approx(3.8), "c")]


def test_written_cues_keep_their_tags_and_never_hold_a_blank_line(tmp_path: Path) -> None:
    """A blank line inside a cue would end it for every reader: it is dropped."""
    path = write_srt([Cue(0.0, 1.0, "<i>Bonjour</i> {à} vous\n\nsuite")], tmp_path / "a.srt")
    assert path.read_text(encoding="utf-8") == (
        "1\n00:00:00,000 --> 00:00:01,000\n<i>Bonjour</i> {à} vous\nsuite\n\n")


def test_format_time() -> None:
    assert format_srt_time(0) == "00:00:00,000"
    assert format_srt_time(59.9996) == "00:01:00,000"
    assert format_srt_time(-1) == "00:00:00,000"


def test_written_captions_get_the_usual_file_mode(tmp_path: Path) -> None:
    """Written through a private temporary file, the .srt must not stay private (0600)."""
    import os
    import stat

    from mlprod.media.subtitles import Cue, write_srt

    old = os.umask(0o022)
    try:
        path = write_srt([Cue(0.0, 1.0, "Bonjour")], tmp_path / "c.srt")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
