"""YouTube Shorts behind the platform interface: the recipe's vertical (or square) cut, on the same
channel and through the same client as the long video (:class:`~mlprod.youtube.platform.YouTubePlatform`).

YouTube has no "Short" flag: a video that is vertical or square and at most 3 minutes long *is* a
Short. So the cut must be one (the recipe's ``output.formats`` names vertical or square; refused
at planning otherwise, as is a recipe whose clips alone pass 3 minutes) and the built file is
probed before the upload (:meth:`YouTubeShortPlatform.check_files`): its picture and its length.

It is uploaded private like the long video, gets its thumbnail and captions, then the ``link``
step (:mod:`mlprod.youtube.links`): the Short's description links to the long video and the long
video's to the Short. It joins no playlist: the channel's Shorts shelf shows it, and a playlist
holding both cuts of one video would show it twice. It has its own marker (found again on the
channel without the database) and its own upload session, and spends the same daily quota.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from mlprod.errors import MlprodError, PublishError
from mlprod.media.probe import probe
from mlprod.publishing import AudienceFigures, BuiltFiles, Post
from mlprod.publishing.links import recipe_key
from mlprod.recipe import LoadedRecipe
from mlprod.states import Format, PlatformName, Step
from mlprod.youtube.metadata import metadata_for, shorts_url
from mlprod.youtube.platform import IDS_PER_CALL, YouTubePlatform

SHORT_MAX_SECONDS = 180.0
"""Three minutes: longer, YouTube shows the vertical video as an ordinary one."""
SHORT_CUTS = (Format.vertical, Format.square)


def _minutes(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60:02d} s"


def clips_seconds(loaded: LoadedRecipe) -> float | None:
    """The clips' length once trimmed (the video is longer: cards come on top); None if unknown."""
    total = 0.0
    for clip in loaded.recipe.clips:
        try:
            info = probe(clip.file)
        except MlprodError:  # a missing or broken clip: the build says so, with the fix
            return None
        end = clip.end if clip.end is not None else info.duration
        total += max((end or 0.0) - (clip.start or 0.0), 0.0)
    return total


class YouTubeShortPlatform(YouTubePlatform):
    """The Short of a recipe, on the channel the workspace is signed in to."""

    name = PlatformName.youtube_short
    label = "YouTube Shorts"

    def _where(self, loaded: LoadedRecipe) -> str:
        return recipe_key(self.settings.root, loaded.path)

    def cut(self, loaded: LoadedRecipe, chosen: Format | None) -> Format:
        where = self._where(loaded)
        formats = loaded.recipe.output.formats
        fmt = chosen or next((f for f in SHORT_CUTS if f in formats), None)
        if fmt is None or fmt is Format.landscape:
            asked = f"--format {chosen.value} was asked" if chosen else "this recipe makes none"
            raise PublishError(f"{where}: youtube_short: a Short is the vertical (or square) cut, and {asked}"
                               " — add vertical to output.formats (e.g. formats: [landscape, vertical]),"
                               " or leave youtube_short out of publish.platforms")
        seconds = clips_seconds(loaded)
        if seconds is not None and seconds > SHORT_MAX_SECONDS:
            raise PublishError(f"{where}: youtube_short: a Short lasts at most 3 minutes, and this recipe's"
                               f" clips alone last {_minutes(seconds)} — trim them (start, end), or leave"
                               " youtube_short out of publish.platforms")
        return fmt

    def post_for(self, loaded: LoadedRecipe, marker: str, *, closed_on: dt.date | None = None) -> Post:
        meta = dataclasses.replace(metadata_for(loaded, closed_on=closed_on, marker=marker), playlist=None)
        return self._linked(loaded, meta)

    def check_files(self, files: BuiltFiles, where: str) -> None:
        """The built file is a Short: not landscape, at most 3 minutes."""
        info = probe(files.video)
        video = info.video
        if video is not None and video.display_width > video.display_height:
            raise PublishError(f"{where}: youtube_short: {files.video.name} is landscape"
                               f" ({video.display_width}×{video.display_height}), and YouTube shows only a"
                               " vertical or square video as a Short — publish the vertical cut"
                               " (leave out --format, or add vertical to output.formats)")
        if info.duration > SHORT_MAX_SECONDS:
            raise PublishError(f"{where}: youtube_short: {files.video.name} lasts {_minutes(info.duration)},"
                               " and a Short lasts at most 3 minutes — trim the clips (start, end), or leave"
                               " youtube_short out of publish.platforms")

    def steps(self, post: Post) -> tuple[Step, ...]:
        return tuple(step for step in super().steps(post) if step is not Step.playlist)

    def url(self, remote_id: str) -> str:
        return shorts_url(remote_id)

    def audience(self, remote_ids: Sequence[str]) -> AudienceFigures:
        """The Shorts' views; their followers are the channel's, counted once, under YouTube."""
        views: dict[str, int] = {}
        ids = list(remote_ids)
        for at in range(0, len(ids), IDS_PER_CALL):
            page = self.channel.call(self.channel.service.videos().list(
                part="statistics", id=",".join(ids[at:at + IDS_PER_CALL])), "reading the Shorts' views")
            views.update({str(v["id"]): int(v.get("statistics", {}).get("viewCount", 0))
                          for v in page.get("items", [])})
        return AudienceFigures(None, views)
