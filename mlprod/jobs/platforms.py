"""The platform registry: which package publishes to each platform. Adding one adds one line here.

Each entry names the class implementing :class:`~mlprod.publishing.Platform`, imported only when
a command uses that platform (so that `mlprod status` never loads the Google client). Its
constructor takes ``(settings, db, options)``; see :mod:`mlprod.publishing.platform`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, cast

from mlprod.config import DEFAULT_PLATFORMS, Settings
from mlprod.errors import ConfigError
from mlprod.publishing import Platform, PlatformOptions
from mlprod.states import PlatformName
from mlprod.store import Database

PLATFORMS: dict[PlatformName, str] = {
    PlatformName.youtube: "mlprod.youtube.platform:YouTubePlatform",
    PlatformName.youtube_short: "mlprod.youtube.short:YouTubeShortPlatform",
    PlatformName.facebook: "mlprod.facebook.platform:FacebookPlatform",
    PlatformName.instagram: "mlprod.instagram.platform:InstagramPlatform",
    PlatformName.discord: "mlprod.discord.platform:DiscordPlatform",
}

__all__ = ["DEFAULT_PLATFORMS", "PLATFORMS", "open_platform"]


def open_platform(name: PlatformName, settings: Settings, db: Database,
                  options: PlatformOptions | None = None) -> Platform:
    """The platform called ``name``, ready to plan (it signs in on its first call)."""
    try:
        module, _, attribute = PLATFORMS[name].partition(":")
    except KeyError:
        known = ", ".join(p.value for p in PLATFORMS)
        raise ConfigError(f"mlprod cannot publish to {name.value} yet — use {known}") from None
    factory = getattr(importlib.import_module(module), attribute)
    return cast(Platform, factory(settings, db, options or PlatformOptions()))


if TYPE_CHECKING:  # mypy checks here that each registered class implements the interface
    from mlprod.discord.platform import DiscordPlatform
    from mlprod.facebook.platform import FacebookPlatform
    from mlprod.instagram.platform import InstagramPlatform
    from mlprod.youtube.platform import YouTubePlatform
    from mlprod.youtube.short import YouTubeShortPlatform

    def _youtube_is_a_platform(platform: YouTubePlatform) -> Platform:
        return platform

    def _youtube_short_is_a_platform(platform: YouTubeShortPlatform) -> Platform:
        return platform

    def _facebook_is_a_platform(platform: FacebookPlatform) -> Platform:
        return platform

    def _instagram_is_a_platform(platform: InstagramPlatform) -> Platform:
        return platform

    def _discord_is_a_platform(platform: DiscordPlatform) -> Platform:
        return platform
