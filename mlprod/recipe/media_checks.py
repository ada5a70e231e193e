"""Checking the files a recipe names: they exist and are what they should be.

Clips are probed (a picture stream, trims inside the clip), music must have sound, a logo must be an
image Pillow can open, subtitles must parse (each bad cue reported at its own line).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from mlprod.errors import MediaError
from mlprod.media.probe import MediaInfo, probe
from mlprod.media.subtitles import SUFFIXES, parse_subtitles
from mlprod.recipe.loader import RecipeCheck
from mlprod.recipe.messages import Loc
from mlprod.recipe.problems import Problem, split_fix
from mlprod.recipe.schema import Clip, JobOffer, Tutorial

PATH_FIX = "check the path (it is relative to the recipe's folder)"
AUDIO_FIX = "use an audio file (MP3, M4A, WAV)"


@dataclass
class Prober:
    """Probes each file once per run (one file may serve several recipes)."""

    seen: dict[Path, MediaInfo | MediaError] = field(default_factory=dict)

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
        else:
            problems += _trim_problems(check, loc, clip, info)
            end = min(clip.end, info.duration) if clip.end is not None else info.duration
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
    return []


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
