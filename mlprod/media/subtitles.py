"""Subtitle files (.srt, .vtt, .ass/.ssa) in any common encoding, read into timed cues; .srt written.

Used by ``mlprod validate`` to check a clip's subtitles and by the renderer to place them on the
final timeline (``window`` for a trimmed clip, ``shift`` to its place, ``write_srt`` for the
captions beside the video).

Encodings: a BOM says UTF-8, UTF-16 or UTF-32; otherwise UTF-8 if the bytes are valid UTF-8;
otherwise Windows-1252, the encoding of French subtitles made on Windows (charset-normalizer is
only the fallback: on short French texts it mistakes Windows-1252 for Central European cp1250,
turning "à" into "ŕ").

pysubs2 reads .ass/.ssa events and writes the .srt captions. It reports no problem and knows no
line numbers, so a first pass here finds every cue's line and what is wrong with it, and hands
pysubs2 only the good lines. SubRip and WebVTT are read here: pysubs2's reader folds a cue with a
broken time line (and any block without one) into the text of the cue before it, keeps WebVTT cue
identifiers and NOTE blocks as text, and drops the last cue's last line when it is a bare number
("Appelez le\\n3949"), mistaking it for the next cue's number.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pysubs2
from charset_normalizer import from_bytes
from pysubs2.formats.subrip import SubripFormat
from pysubs2.formats.substation import EVENT_FIELDS, SubstationFormat
from pysubs2.time import TIMESTAMP, TIMESTAMP_SHORT

from mlprod.errors import MediaError
from mlprod.files import write_atomic

SUFFIXES = (".srt", ".vtt", ".ass", ".ssa")
# Hours optional (WebVTT's 00:02.500), single-digit fields (00:00:5,000), milliseconds optional.
_TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[,.](\d{1,3}))?$")
_VTT_TAG = re.compile(r"<(?!/?(?:b|i|u)>)[^>]*>")
_VTT_BLOCKS = ("WEBVTT", "NOTE", "STYLE", "REGION")
SRT_TIME_FIX = "write it as HH:MM:SS,mmm --> HH:MM:SS,mmm, e.g. 00:00:01,500 --> 00:00:03,000"
ASS_TIME_FIX = "write it as H:MM:SS.cc, e.g. 0:00:01.50"


@dataclass(frozen=True)
class Cue:
    start: float                 # seconds
    end: float
    text: str                    # lines joined with "\n"
    line: int = field(default=0, compare=False)  # where the cue is in its file (0: made in code)


@dataclass(frozen=True)
class SubtitleIssue:
    line: int
    problem: str
    fix: str


@dataclass(frozen=True)
class SubtitleFile:
    path: Path
    encoding: str
    cues: list[Cue]
    issues: list[SubtitleIssue]


class SubtitleError(MediaError):
    """A subtitle file whose content has problems; ``issues`` holds them, each with its line."""

    def __init__(self, path: Path, issues: list[SubtitleIssue]) -> None:
        lines = "\n".join(f"{path}:{i.line}: {i.problem} — {i.fix}" for i in issues)
        super().__init__(f"{path}: {len(issues)} problem(s) in these subtitles:\n{lines}")
        self.path = path
        self.issues = issues


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of a subtitle file and the encoding it was in."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    guess = from_bytes(data).best()
    if guess is not None and guess.encoding.startswith(("utf_16", "utf_32")):
        return str(guess), guess.encoding
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        pass
    if guess is not None:
        return str(guess), guess.encoding
    return data.decode("latin-1"), "latin-1"


def parse_time(text: str) -> float | None:
    """'00:01:02,500' → 62.5; None when malformed."""
    match = _TIME.match(text.strip())
    if not match:
        return None
    hours, minutes, seconds, fraction = match.groups()
    if int(minutes) >= 60 or int(seconds) >= 60:
        return None
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + float(f"0.{fraction or 0}")


def format_srt_time(seconds: float) -> str:
    """62.5 → '00:01:02,500' (below 0 → 0)."""
    return SubripFormat.ms_to_timestamp(round(seconds * 1000))


def _blocks(lines: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Groups of non-blank lines with the 1-based line number of their first line."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(lines, 1):
        if line.strip():
            if not block:
                first = number
            block.append(line.rstrip())
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _checked(start: float, end: float, text: str, line: int, number: int,
             issues: list[SubtitleIssue]) -> Cue | None:
    if end < start:
        issues.append(SubtitleIssue(
            line, f"cue {number} ends ({format_srt_time(end)}) before it starts ({format_srt_time(start)})",
            "swap the two times or correct one of them"))
        return None
    return Cue(start, end, text, line)


def _timed_cue(timing: str, line: int, text: str, number: int,
               issues: list[SubtitleIssue]) -> Cue | None:
    left, _, right = timing.partition("-->")
    right_time = right.split()[0] if right.split() else ""  # VTT cue settings follow the end time
    start, end = parse_time(left), parse_time(right_time)
    if start is None or end is None:
        bad = left.strip() if start is None else right_time
        issues.append(SubtitleIssue(line, f"cue {number}: malformed time '{bad}'", SRT_TIME_FIX))
        return None
    return _checked(start, end, text, line, number, issues)


def _time_lines(block: list[str]) -> list[int]:
    """Where the cues of a block start: its first two lines may hold the time line (after a cue
    number or identifier); later, a line starting with a time and an arrow starts the next cue of a
    file without blank lines between cues ("Paris --> Marseille" stays text)."""
    return [i for i, line in enumerate(block)
            if "-->" in line and (i < 2 or parse_time(line.partition("-->")[0]) is not None)]


def parse_srt(text: str, *, vtt: bool = False) -> tuple[list[Cue], list[SubtitleIssue]]:
    """SubRip (and, with ``vtt``, WebVTT) text → cues and the problems found."""
    cues: list[Cue] = []
    issues: list[SubtitleIssue] = []
    count = 0  # cues met so far, their number when the file gives none
    for first, block in _blocks(text.splitlines()):
        head = block[0].strip()
        if vtt and head.lstrip("\ufeff").split(" ", 1)[0] in _VTT_BLOCKS:
            continue
        starts = _time_lines(block)
        if not starts or starts[0] > 1:
            count += 1
            where = first + 1 if head.isdigit() and len(block) > 1 else first  # after "2"
            number = int(head) if head.isdigit() else count
            issues.append(SubtitleIssue(where, f"cue {number} has no time line", SRT_TIME_FIX))
            continue
        for at, after in zip(starts, [*starts[1:], len(block)], strict=True):
            count += 1
            label = block[at - 1].strip() if at else ""
            numbered = after < len(block) and after - 1 > at and block[after - 1].strip().isdigit()
            body = "\n".join(block[at + 1:after - 1 if numbered else after])  # not the next cue's number
            if vtt:
                body = html.unescape(_VTT_TAG.sub("", body))
            cue = _timed_cue(block[at], first + at, body, int(label) if label.isdigit() else count, issues)
            if cue is not None:
                cues.append(cue)
    return cues, issues


def _ass_time_ok(value: str) -> bool:
    """A time pysubs2 reads (H:MM:SS.cc or H:MM:SS), with minutes and seconds below 60."""
    match = TIMESTAMP.fullmatch(value) or TIMESTAMP_SHORT.fullmatch(value)
    return match is not None and int(match[2]) < 60 and int(match[3]) < 60


def parse_ass(text: str) -> tuple[list[Cue], list[SubtitleIssue]]:
    """(Advanced) SubStation Alpha: the Dialogue lines of the [Events] section, read by pysubs2."""
    kind = SubstationFormat.guess_format(text) or "ass"
    names = EVENT_FIELDS[kind]
    issues: list[SubtitleIssue] = []
    lines = text.splitlines()
    fed = ["[Events]"] + [""] * len(lines)  # what pysubs2 reads: the good Dialogue lines, in place
    at: list[int] = []  # the line of each cue pysubs2 will return
    in_events = False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_events = stripped.lower() == "[events]"
        if not in_events or not stripped.startswith("Dialogue:"):
            continue  # comments, styles and script info are not shown
        fields = [f.strip() for f in stripped.partition(":")[2].split(",", len(names) - 1)]
        if len(fields) < len(names):
            issues.append(SubtitleIssue(number, "a Dialogue line has too few fields",
                                        "it needs " + ", ".join(names)))
        elif bad := next((t for t in fields[1:3] if not _ass_time_ok(t)), None):
            issues.append(SubtitleIssue(number, f"malformed time '{bad}'", ASS_TIME_FIX))
        else:
            fed[number] = stripped
            at.append(number)
    cues: list[Cue] = []
    events = pysubs2.SSAFile.from_string("\n".join(fed), format_=kind).events
    for event, where in zip(events, at, strict=True):
        if event.is_drawing:
            continue
        event.text = event.text.replace("\\h", "\u00a0")  # a hard space stays one (French "Bonjour !")
        cue = _checked(event.start / 1000, event.end / 1000, event.plaintext.strip(), where,
                       len(cues) + 1, issues)
        if cue is not None:
            cues.append(cue)
    return cues, issues


def parse_text(text: str) -> tuple[list[Cue], list[SubtitleIssue]]:
    """Subtitle text in any of the three formats, recognised by its content."""
    head = text.lstrip("\ufeff \r\n\t")
    if head.startswith("WEBVTT"):
        return parse_srt(text, vtt=True)
    if head.startswith("[Script Info]") or re.search(r"^\[Events\]", text, re.MULTILINE):
        return parse_ass(text)
    return parse_srt(text)


def parse_subtitles(path: Path | str) -> SubtitleFile:
    """Read ``path``; content problems are in ``issues``, a missing file raises MediaError."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MediaError(f"{path}: file not found — check the path (relative to the recipe)") from None
    except OSError as err:
        raise MediaError(f"{path}: cannot be read ({err.strerror}) — check the file") from err
    if not data.strip():
        issue = SubtitleIssue(1, "the subtitle file is empty", "export the subtitles again")
        return SubtitleFile(path, "utf-8", [], [issue])
    text, encoding = decode_text(data)
    if "\0" in text:
        issue = SubtitleIssue(1, "not a text file", "use an .srt, .vtt or .ass subtitle file")
        return SubtitleFile(path, encoding, [], [issue])
    cues, issues = parse_text(text)
    if not cues and not issues:
        issues = [SubtitleIssue(1, "no subtitles found in this file",
                                "use an .srt, .vtt or .ass subtitle file with timed lines")]
    return SubtitleFile(path, encoding, cues, issues)


def read_subtitles(path: Path | str) -> list[Cue]:
    """The cues of ``path``, or :class:`SubtitleError` listing every problem with its line."""
    parsed = parse_subtitles(path)
    if parsed.issues:
        raise SubtitleError(parsed.path, parsed.issues)
    return parsed.cues


def shift(cues: Iterable[Cue], seconds: float) -> list[Cue]:
    """Cues moved by ``seconds``; those ending before 0 are dropped, those across 0 cut at 0."""
    moved = []
    for cue in cues:
        start, end = cue.start + seconds, cue.end + seconds
        if end > 0:
            moved.append(replace(cue, start=max(start, 0.0), end=end))
    return moved


def window(cues: Iterable[Cue], start: float = 0.0, end: float | None = None) -> list[Cue]:
    """The cues seen in a clip trimmed to [start, end), timed from the trimmed clip's start."""
    kept = []
    for cue in cues:
        if cue.end <= start or (end is not None and cue.start >= end):
            continue
        cut_end = cue.end if end is None else min(cue.end, end)
        kept.append(replace(cue, start=max(cue.start, start), end=cut_end))
    return shift(kept, -start)


def srt_text(cues: Iterable[Cue]) -> str:
    """SubRip text of ``cues`` in time order, numbered from 1 (tags such as <i> kept as written)."""
    subs = pysubs2.SSAFile()
    for cue in sorted(cues, key=lambda c: (c.start, c.end)):
        event = pysubs2.SSAEvent(start=round(cue.start * 1000), end=round(cue.end * 1000))
        event.plaintext = cue.text
        subs.append(event)
    return subs.to_string("srt", keep_ssa_tags=True)


def write_srt(cues: Iterable[Cue], path: Path | str) -> Path:
    """Write ``cues`` as UTF-8 SubRip, atomically (a temporary file renamed over ``path``)."""
    return write_atomic(Path(path), srt_text(cues))
