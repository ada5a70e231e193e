"""Everything a recipe's render reads from disk, gathered once: probed clips and music, cues.

Each problem names the recipe, the field and the file, then says what to do. After this step the
planner works on plain data and touches no file. Sound that cannot be decoded part-way is not a
reason to refuse a clip: it plays as silence there, and a warning says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from mlprod.errors import MediaError, MlprodError
from mlprod.media.probe import MediaInfo, probe, sound_gaps
from mlprod.media.subtitles import Cue, read_subtitles
from mlprod.recipe.loader import LoadedRecipe
from mlprod.recipe.media_checks import GAP_FIX, gaps_text, gaps_within, too_small
from mlprod.recipe.schema import Clip
from mlprod.render.drawing import load_logo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClipSource:
    """One recipe clip with what probing found and its subtitles' cues (on the clip's own clock)."""

    index: int
    clip: Clip
    info: MediaInfo
    cues: tuple[Cue, ...] | None


@dataclass(frozen=True)
class Sources:
    loaded: LoadedRecipe
    clips: tuple[ClipSource, ...]
    music: MediaInfo | None

    def input_files(self) -> list[Path]:
        return input_files(self.loaded)


def input_files(loaded: LoadedRecipe) -> list[Path]:
    """Every file the recipe's video is made from (clips, subtitles, music, employer logo)."""
    recipe = loaded.recipe
    files: list[Path] = []
    for clip in recipe.clips:
        files.append(clip.file)
        if clip.subtitles is not None:
            files.append(clip.subtitles)
    if recipe.music is not None:
        files.append(recipe.music.file)
    employer = getattr(recipe, "employer", None)
    if employer is not None and employer.logo is not None:
        files.append(employer.logo)
    return files


def _located(loaded: LoadedRecipe, field: str, err: MlprodError) -> MediaError:
    return MediaError(f"{loaded.path}: {field}: {err}")


def gather_sources(loaded: LoadedRecipe) -> Sources:
    """Probe every clip and the music, read every subtitle file; the first problem is raised."""
    recipe = loaded.recipe
    clips = []
    for index, clip in enumerate(recipe.clips):
        try:
            info = probe(clip.file)
        except MediaError as err:
            raise _located(loaded, f"clips[{index}].file", err) from err
        if info.video is None:
            raise MediaError(
                f"{loaded.path}: clips[{index}].file: {clip.file}: holds sound only, no picture"
                f" ({info.duration:.1f} s of {info.audio.codec if info.audio else 'audio'}) — a clip must"
                " be a video; to play it under the video, use it as `music:` instead")
        small = too_small(info.video)
        if small is not None:
            raise MediaError(f"{loaded.path}: clips[{index}].file: {clip.file}: {small[0]} — {small[1]}")
        if info.audio is not None:
            _warn_gaps(loaded, f"clips[{index}].file", clip.file, clip.start, clip.end)
        cues = None
        if clip.subtitles is not None:
            try:
                cues = tuple(read_subtitles(clip.subtitles))
            except MediaError as err:
                raise _located(loaded, f"clips[{index}].subtitles", err) from err
        clips.append(ClipSource(index=index, clip=clip, info=info, cues=cues))
    employer = getattr(recipe, "employer", None)
    if employer is not None and employer.logo is not None:
        try:
            load_logo(employer.logo, 16)
        except MediaError as err:
            raise _located(loaded, "employer.logo", err) from err
    music = None
    if recipe.music is not None:
        try:
            music = probe(recipe.music.file)
        except MediaError as err:
            raise _located(loaded, "music.file", err) from err
        if music.audio is None:
            raise MediaError(f"{loaded.path}: music.file: {recipe.music.file}: holds no sound — choose"
                             " an audio file (MP3, M4A, WAV…)")
        _warn_gaps(loaded, "music.file", recipe.music.file, None, None)
    return Sources(loaded=loaded, clips=tuple(clips), music=music)


def _warn_gaps(loaded: LoadedRecipe, field: str, path: Path, start: float | None, end: float | None) -> None:
    gaps = gaps_within(sound_gaps(path), start, end)
    if gaps:
        log.warning("warning: %s: %s: %s: %s — %s", loaded.path, field, path, gaps_text(gaps), GAP_FIX)
