"""Subtitle files (.srt, .vtt, .ass/.ssa) in any common encoding, read into timed cues.

Used by ``mlprod validate`` to check a clip's subtitles and by the renderer to place them on the
final timeline (``window`` for a trimmed clip, ``shift`` to its place, ``write_srt`` for the
captions beside the video).

Encodings: a BOM says UTF-8, UTF-16 or UTF-32; otherwise UTF-8 if the bytes are valid UTF-8;
otherwise Windows-1252, the encoding of French subtitles made on Windows (charset-normalizer is
only the fallback: on short French texts it mistakes Windows-1252 for Central European cp1250,
turning "à" into "ŕ").
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from charset_normalizer import from_bytes

from mlprod.errors import MediaError
from mlprod.files import write_atomic

SUFFIXES = (".srt", ".vtt", ".ass", ".ssa")
_TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[,.](\d{1,3}))?$")
_ASS_TIME = re.compile(r"^(\d+):(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")
_VTT_TAG = re.compile(r"<(?!/?(?:b|i|u)>)[^>]*>")
_ASS_OVERRIDE = re.compile(r"\{[^}]*\}")
ASS_FIELDS = ("layer", "start", "end", "style", "name", "marginl", "marginr", "marginv", "effect", "text")
SRT_TIME_FIX = "write it as HH:MM:SS,mmm --> HH:MM:SS,mmm, e.g. 00:00:01,500 --> 00:00:03,000"


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


def parse_time(text: str, pattern: re.Pattern[str] = _TIME) -> float | None:
    """'00:01:02,500' → 62.5; None when malformed."""
    match = pattern.match(text.strip())
    if not match:
        return None
    hours, minutes, seconds, fraction = match.groups()
    if int(minutes) >= 60 or int(seconds) >= 60:
        return None
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + float(f"0.{fraction or 0}")


def format_srt_time(seconds: float) -> str:
    millis = max(round(seconds * 1000), 0)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d},{millis:03d}"


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


def _cue(start: float, end: float, text: str, line: int, number: int,
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
    return _cue(start, end, text, line, number, issues)


def parse_srt(text: str, *, vtt: bool = False) -> tuple[list[Cue], list[SubtitleIssue]]:
    """SubRip (and, with ``vtt``, WebVTT) text → cues and the problems found."""
    cues: list[Cue] = []
    issues: list[SubtitleIssue] = []
    blocks = list(_blocks(text.splitlines()))
    if vtt and blocks and blocks[0][1][0].lstrip("\ufeff").startswith("WEBVTT"):
        blocks = blocks[1:]
    for index, (first, block) in enumerate(blocks, 1):
        if vtt and block[0].split(" ", 1)[0] in ("NOTE", "STYLE", "REGION"):
            continue
        at = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
        number = int(block[0]) if block[0].strip().isdigit() else index
        if at is None:
            where = first + 1 if block[0].strip().isdigit() and len(block) > 1 else first  # after "2"
            issues.append(SubtitleIssue(where, f"cue {number} has no time line", SRT_TIME_FIX))
            continue
        body = "\n".join(block[at + 1:])
        if vtt:
            body = html.unescape(_VTT_TAG.sub("", body))
        cue = _timed_cue(block[at], first + at, body, number, issues)
        if cue is not None:
            cues.append(cue)
    return cues, issues


def _ass_text(text: str) -> str:
    text = _ASS_OVERRIDE.sub("", text)
    return text.replace("\\N", "\n").replace("\\n", "\n").replace("\\h", "\u00a0").strip()


def parse_ass(text: str) -> tuple[list[Cue], list[SubtitleIssue]]:
    """Advanced SubStation Alpha: the Dialogue lines of the [Events] section."""
    cues: list[Cue] = []
    issues: list[SubtitleIssue] = []
    names = list(ASS_FIELDS)
    in_events = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_events = stripped.lower() == "[events]"
            continue
        key, sep, value = stripped.partition(":")
        if not in_events or not sep:
            continue
        if key.lower() == "format":
            names = [n.strip().lower() for n in value.split(",")]
        elif key.lower() == "dialogue":
            parts = [p.strip() for p in value.split(",", len(names) - 1)]
            if len(parts) < len(names) or "start" not in names or "end" not in names:
                issues.append(SubtitleIssue(number, "a Dialogue line has too few fields",
                                            "it needs " + ", ".join(names)))
                continue
            row = dict(zip(names, parts, strict=True))
            start = parse_time(row["start"], _ASS_TIME)
            end = parse_time(row["end"], _ASS_TIME)
            if start is None or end is None:
                bad = row["start"] if start is None else row["end"]
                issues.append(SubtitleIssue(number, f"malformed time '{bad}'",
                                            "write it as H:MM:SS.cc, e.g. 0:00:01.50"))
                continue
            cue = _cue(start, end, _ass_text(row.get("text", "")), number, len(cues) + 1, issues)
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
    blocks = [f"{n}\n{format_srt_time(c.start)} --> {format_srt_time(c.end)}\n{c.text}\n"
              for n, c in enumerate(sorted(cues, key=lambda c: (c.start, c.end)), 1)]
    return "\n".join(blocks)


def write_srt(cues: Iterable[Cue], path: Path | str) -> Path:
    """Write ``cues`` as UTF-8 SubRip, atomically (a temporary file renamed over ``path``)."""
    return write_atomic(Path(path), srt_text(cues))
