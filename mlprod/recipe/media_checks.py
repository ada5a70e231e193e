"""Checking the files a recipe names: they exist and are what they should be.

Clips are probed (a picture stream big enough to be seen, trims inside the clip), music must have
sound, a logo must be an image Pillow can open, subtitles must parse (each bad cue reported at its
own line). Sound that cannot be decoded part-way (damaged data) is a warning: it plays as silence.
The rules on pictures and sound gaps are shared with the build (render/sources.py).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from mlprod.errors import MediaError
from mlprod.media.probe import MediaInfo, SoundGap, VideoInfo, probe, sound_gaps
from mlprod.media.subtitles import SUFFIXES, parse_subtitles
from mlprod.recipe.loader import RecipeCheck
from mlprod.recipe.messages import Loc
from mlprod.recipe.problems import Problem, split_fix
from mlprod.recipe.schema import Clip, JobOffer, Tutorial

PATH_FIX = "check the path (it is relative to the recipe's folder)"
AUDIO_FIX = "use an audio file (MP3, M4A, WAV)"
# pixels on the picture's short side below which a clip is refused: a 1080p video would blow it up
# 17 times or more into a blur, and on a phone's screen it would be a speck (64 px is an icon)
MIN_SHORT_SIDE = 64
GAP_FIX = "those parts will be silent; export or copy the file again from the original to keep its sound"


def too_small(video: VideoInfo) -> tuple[str, str] | None:
    """(problem, fix) when the picture is too small to be seen, else None."""
    if video.short_side >= MIN_SHORT_SIDE:
        return None
    return (f"its picture is only {video.display_width}×{video.display_height} pixels, too small to be seen",
            f"use a video at least {MIN_SHORT_SIDE} pixels on its short side (phones record 720 or more)")


def gaps_text(gaps: tuple[SoundGap, ...]) -> str:
    """'its sound cannot be decoded from 1.0 s to 1.6 s (damaged data)', every stretch named."""
    spans = ", ".join(f"from {g.start:.1f} s to {g.end:.1f} s" for g in gaps)
    return f"its sound cannot be decoded {spans} (damaged data)"


def gaps_within(gaps: tuple[SoundGap, ...], start: float | None, end: float | None) -> tuple[SoundGap, ...]:
    """The gaps that overlap the part of the file that is used."""
    low, high = start or 0.0, end if end is not None else float("inf")
    return tuple(g for g in gaps if g.end > low and g.start < high)


@dataclass
class Prober:
    """Probes each file once per run (one file may serve several recipes)."""

    seen: dict[Path, MediaInfo | MediaError] = field(default_factory=dict)
    gaps: dict[Path, tuple[SoundGap, ...]] = field(default_factory=dict)

    def sound_gaps(self, path: Path) -> tuple[SoundGap, ...]:
        """Where the file's sound cannot be decoded (probed first: it is a readable media file)."""
        if path not in self.gaps:
            self.gaps[path] = sound_gaps(path)
        return self.gaps[path]

    def __call__(self, path: Path) -> MediaInfo:
        if path not in self.seen:
            try:
                self.seen[path] = probe(path)
            except MediaError as err:
                self.seen[path] = err
        found = self.seen[path]
        if isinstance(found, MediaError):
            raise found
        return found


def _written(check: RecipeCheck, loc: Loc, path: Path) -> str:
    """The path as the recipe writes it."""
    node = check.source.data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return str(path)
    return str(node).strip() if isinstance(node, str) else str(path)


def _missing_file(check: RecipeCheck, loc: Loc, path: Path) -> Problem:
    written = _written(check, loc, path)
    if not path.parent.is_dir():
        return check.problem(loc, f"{written} does not exist (nor its folder {path.parent.name}/)", PATH_FIX)
    names = sorted(p.name for p in path.parent.iterdir() if p.is_file())
    close = difflib.get_close_matches(path.name, names, n=1, cutoff=0.6)
    fix = PATH_FIX + (f"; did you mean {close[0]}?" if close else "")
    return check.problem(loc, f"{written} does not exist", fix)


def _existing(check: RecipeCheck, loc: Loc, path: Path) -> Problem | None:
    if not path.exists():
        return _missing_file(check, loc, path)
    if path.is_dir():
        return check.problem(loc, f"{_written(check, loc, path)} is a folder", "name a file inside it")
    return None


def _media_error(check: RecipeCheck, loc: Loc, path: Path, err: MediaError,
                 wrong_kind_fix: str = "") -> Problem:
    message = str(err).removeprefix(f"{path}: ")
    problem, fix = split_fix(message)
    if wrong_kind_fix and "is an image" in problem:
        fix = wrong_kind_fix
    return check.problem(loc, f"{_written(check, loc, path)}: {problem}", fix)


def _probe(check: RecipeCheck, loc: Loc, path: Path, prober: Prober,
           wrong_kind_fix: str = "") -> MediaInfo | Problem:
    missing = _existing(check, loc, path)
    if missing is not None:
        return missing
    try:
        return prober(path)
    except MediaError as err:
        return _media_error(check, loc, path, err, wrong_kind_fix)


def _trim_problems(check: RecipeCheck, loc: Loc, clip: Clip, info: MediaInfo) -> list[Problem]:
    duration = info.duration
    frame = 1 / info.video.fps if info.video and info.video.fps else 0.05
    problems = []
    if clip.start is not None and clip.start >= duration:
        problems.append(check.problem(
            (*loc, "start"), f"start ({clip.start:g} s) is past the end of the clip, which lasts"
            f" {duration:.2f} s", f"use a start below {duration:.2f}"))
    if clip.end is not None and clip.end > duration + frame:
        problems.append(check.problem(
            (*loc, "end"), f"end ({clip.end:g} s) is past the end of the clip, which lasts {duration:.2f} s",
            f"use at most {duration:.2f}, or remove `end` to play the clip to its end"))
    return problems


def _subtitle_problems(check: RecipeCheck, loc: Loc, path: Path, clip_end: float | None) -> list[Problem]:
    missing = _existing(check, loc, path)
    if missing is not None:
        return [missing]
    if path.suffix.lower() not in SUFFIXES:
        kind = path.suffix or "no suffix"
        return [check.problem(loc, f"{_written(check, loc, path)} is not a subtitle file ({kind})",
                              "use an .srt, .vtt or .ass file")]
    try:
        parsed = parse_subtitles(path)
    except MediaError as err:
        return [_media_error(check, loc, path, err)]
    # at the recipe's line, so that with forty recipes the message says which one to open
    written = _written(check, loc, path)
    found = [check.problem(loc, f"{written}:{i.line}: {i.problem}", i.fix) for i in parsed.issues]
    late = [c for c in parsed.cues if clip_end is not None and c.start >= clip_end]
    if late:
        found.append(check.problem(
            loc, f"{written}:{late[0].line}: {len(late)} subtitle(s) start after the clip ends"
            f" ({clip_end:.2f} s)", "check that these subtitles belong to this clip", "warning"))
    return found


def clip_problems(check: RecipeCheck, recipe: Tutorial | JobOffer, prober: Prober) -> list[Problem]:
    problems: list[Problem] = []
    for index, clip in enumerate(recipe.clips):
        loc: Loc = ("clips", index)
        info = _probe(check, (*loc, "file"), clip.file, prober)
        end: float | None = None
        if isinstance(info, Problem):
            problems.append(info)
        elif info.video is None:
            problems.append(check.problem((*loc, "file"), f"{_written(check, (*loc, 'file'), clip.file)}"
                                          " has no picture (it is a sound file)", "name the video file"))
        elif (small := too_small(info.video)) is not None:
            problems.append(check.problem((*loc, "file"), f"{_written(check, (*loc, 'file'), clip.file)}:"
                                          f" {small[0]}", small[1]))
        else:
            problems += _trim_problems(check, loc, clip, info)
            end = min(clip.end, info.duration) if clip.end is not None else info.duration
            problems += _gap_problems(check, (*loc, "file"), clip.file, prober, clip.start, clip.end)
        if clip.subtitles is not None:
            problems += _subtitle_problems(check, (*loc, "subtitles"), clip.subtitles, end)
    return problems


def music_problems(check: RecipeCheck, recipe: Tutorial | JobOffer, prober: Prober) -> list[Problem]:
    if recipe.music is None:
        return []
    loc: Loc = ("music", "file")
    info = _probe(check, loc, recipe.music.file, prober, AUDIO_FIX)
    if isinstance(info, Problem):
        return [info]
    if info.audio is None:
        return [check.problem(loc, f"{_written(check, loc, recipe.music.file)} has no sound", AUDIO_FIX)]
    return _gap_problems(check, loc, recipe.music.file, prober, None, None)


def _gap_problems(check: RecipeCheck, loc: Loc, path: Path, prober: Prober, start: float | None,
                  end: float | None) -> list[Problem]:
    gaps = gaps_within(prober.sound_gaps(path), start, end)
    if not gaps:
        return []
    return [check.problem(loc, f"{_written(check, loc, path)}: {gaps_text(gaps)}", GAP_FIX, "warning")]


def logo_problems(check: RecipeCheck, recipe: Tutorial | JobOffer) -> list[Problem]:
    if not isinstance(recipe, JobOffer) or recipe.employer.logo is None:
        return []
    loc: Loc = ("employer", "logo")
    path = recipe.employer.logo
    missing = _existing(check, loc, path)
    if missing is not None:
        return [missing]
    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        return [check.problem(loc, f"{_written(check, loc, path)} is not an image Pillow can read"
                              f" ({err.__class__.__name__})", "save the logo as PNG or JPEG")]
    return []
