"""Workspace discovery and the one settings object.

A workspace is a folder holding ``mlprod.toml``; commands find it upward from the current folder,
like git. Every path, URL and size mlprod uses is read here once, then passed around as
:class:`Settings`. Tests build their own ``Settings`` pointing at ``tmp_path``.

A regional installation is one workspace for many sites (Missions Locales), declared as
``[sites.<name>]`` tables; ``mlprod --site NAME``, ``MLPROD_SITE`` or ``[workspace] site`` chooses
the one a command works for. A named site keeps its own files apart: recipes, media and output
under ``sites/<name>/``, tokens and state under ``.mlprod/sites/<name>/``. The default site (a
single-site workspace) keeps the workspace's own folders, as before sites existed. The database
and the render cache (content-addressed) are the installation's.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from mlprod.errors import ConfigError
from mlprod.site_names import DEFAULT_SITE, check_site_name
from mlprod.states import PlatformName

CONFIG_NAME = "mlprod.toml"
STATE_DIR = ".mlprod"
DEFAULT_BRAND = "ml-prod"
SITES_DIR = "sites"
CHUNK_UNIT = 262144
DEFAULT_CHUNK_SIZE = 32 * CHUNK_UNIT  # 8 MiB: few requests, little to resend after a drop
DEFAULT_CACHE_LIMIT_MB = 10_000      # the render cache: ~3 hours of 1080p pieces

CONFIG_TEMPLATE = """\
# mlprod workspace settings. Environment variables override them (see README.md).

[workspace]
# the brand used when a recipe does not name one (a folder under assets/brands/)
brand = "ml-prod"
# in a regional installation, the site commands work for when --site does not name one
# (declared below as [sites.<name>]; see README.md, "A regional installation")
# site = "salon"

[youtube]
# root URL of the YouTube APIs; empty means Google's. `mlprod sandbox serve` prints one to put here.
url = ""
# the OAuth client secret downloaded from the Google Cloud console (never commit it)
client_secret = ".mlprod/client_secret.json"
# resumable upload chunk size in bytes, a multiple of 262144
upload_chunk_size = 8388608

[facebook]
# root URL of the Graph API (Facebook and Instagram); empty means Meta's. `mlprod sandbox serve` prints one.
url = ""

[database]
# empty means SQLite in .mlprod/mlprod.db; PostgreSQL: postgresql+psycopg://user:pass@host/db
url = ""

[render]
# the ffmpeg binary; empty means the one that comes with imageio-ffmpeg
ffmpeg = ""
# the render cache (.mlprod/cache: rendered pieces, sound, thumbnails) is kept under this size;
# the pieces used the longest ago go first. `mlprod cache` shows it, `mlprod cache --clean` empties it
cache_limit_mb = 10000
# renders on a cluster: the Celery broker (Redis) the render workers (`mlprod worker`) listen on,
# e.g. "redis://render.example.org:6379/0"; empty means render in this process
queue = ""
# storage every render worker reads: a folder (the same files mounted on every machine; the
# workspace lives inside it) or an S3-compatible bucket "s3://bucket/prefix"
shared = ""

[publish]
# where a recipe is published when its publish.platforms does not say:
# youtube, youtube_short, facebook, instagram, discord
platforms = ["youtube"]

# A regional installation: one table per site (Mission Locale), e.g.
# [sites.salon]
# name = "Mission Locale du Pays Salonais"   # shown in the regional report
# brand = "ml-salon"                         # optional: the site's brand
"""

DEFAULT_PLATFORMS: tuple[PlatformName, ...] = (PlatformName.youtube,)
"""Where a recipe is published when neither it nor mlprod.toml names a platform."""


@dataclass(frozen=True)
class SiteInfo:
    """A site declared in mlprod.toml (``[sites.<name>]``)."""

    name: str
    title: str
    """What the regional report calls it: ``name = "…"`` in its table, else the site's name."""
    brand: str | None = None


@dataclass(frozen=True)
class Settings:
    """Everything configurable, resolved once."""

    root: Path
    database_url: str
    youtube_url: str | None
    upload_chunk_size: int
    ffmpeg: str | None
    brand: str = DEFAULT_BRAND
    platforms: tuple[PlatformName, ...] = DEFAULT_PLATFORMS
    """The workspace's default platforms (``[publish] platforms``), in the order given."""
    client_secret: Path | None = None
    graph_url: str | None = None
    """Root URL of Meta's Graph API (Facebook and Instagram), None for Meta's own."""
    render_cache_bytes: int = DEFAULT_CACHE_LIMIT_MB * 1_000_000
    render_queue: str | None = None    # the Celery broker of the render workers; None: in process
    render_shared: str | None = None   # a shared folder (absolute) or an s3://bucket/prefix URL
    site: str = DEFAULT_SITE
    """The site (Mission Locale) this command works for; DEFAULT_SITE in a single-site workspace."""
    sites: tuple[SiteInfo, ...] = ()
    """The sites declared in mlprod.toml, in their order there."""

    @property
    def named_site(self) -> bool:
        return self.site != DEFAULT_SITE

    @property
    def site_dir(self) -> Path:
        """The site's own folder: the workspace for the default site, else ``sites/<site>/``."""
        return self.root / SITES_DIR / self.site if self.named_site else self.root

    @property
    def recipes_dir(self) -> Path:
        return self.site_dir / "recipes"

    @property
    def media_dir(self) -> Path:
        return self.site_dir / "media"

    @property
    def output_dir(self) -> Path:
        return self.site_dir / "output"

    @property
    def network_output_dir(self) -> Path:
        """Where the regional report goes: the workspace's output/, whatever the site."""
        return self.root / "output"

    @property
    def brands_dir(self) -> Path:
        return self.root / "assets" / "brands"

    @property
    def workspace_state_dir(self) -> Path:
        """The installation's state: the database, the render cache. Never committed."""
        return self.root / STATE_DIR

    @property
    def state_dir(self) -> Path:
        """The site's per-machine state: tokens, secrets, locks. Never committed."""
        if self.named_site:
            return self.workspace_state_dir / SITES_DIR / self.site
        return self.workspace_state_dir

    @property
    def shared_folder(self) -> Path | None:
        """The folder every render worker reads, when the shared storage is a folder."""
        if self.render_shared is None or self.render_shared.startswith("s3://"):
            return None
        return Path(self.render_shared)

    @property
    def cache_dir(self) -> Path:
        """The render cache, shared by every site (pieces are keyed by their content); on a shared
        folder, the one every worker and builder shares."""
        shared = self.shared_folder
        return shared / "cache" if shared is not None else self.workspace_state_dir / "cache"

    @property
    def token_file(self) -> Path:
        return self.state_dir / "token.json"

    @property
    def discord_webhook_file(self) -> Path:
        """Where `mlprod discord add-webhook` keeps the webhook URL (a secret: 0600)."""
        return self.state_dir / "discord-webhook.json"

    @property
    def client_secret_file(self) -> Path:
        """The OAuth client: the setting, else the site's own, else the installation's (sites may
        share one Google Cloud project's client; each signs in to its own channel)."""
        if self.client_secret is not None:
            return self.client_secret
        own = self.state_dir / "client_secret.json"
        if self.named_site and not own.is_file():
            return self.workspace_state_dir / "client_secret.json"
        return own

    def site_of(self, path: Path) -> str | None:
        """The site whose folder holds ``path``: a named site's ``sites/<name>/``, else the default
        site's workspace; None outside the workspace (a file of no site)."""
        path = path.resolve()
        root = self.root.resolve()
        if not path.is_relative_to(root):
            return None
        parts = path.relative_to(root).parts
        if len(parts) > 1 and parts[0] == SITES_DIR:
            return parts[1]
        return DEFAULT_SITE

    def check_own_file(self, path: Path, what: str) -> None:
        """Refuse ``path`` when it is in another site's folder: a site's command reads and writes
        its own files only."""
        owner = self.site_of(path)
        if owner is None or owner == self.site:
            return
        shown = path.resolve().relative_to(self.root.resolve()).as_posix()
        own = self.site_dir.relative_to(self.root).as_posix() or "."
        raise ConfigError(f"{shown}: this {what} belongs to site {owner!r}, and this command works for site"
                          f" {self.site!r} — run it with --site {owner}, or work in {own}/")

    def site_info(self, name: str | None = None) -> SiteInfo:
        """What mlprod.toml says of site ``name`` (default: this command's)."""
        name = name or self.site
        for info in self.sites:
            if info.name == name:
                return info
        return SiteInfo(name, name)

    def brand_dir(self, name: str | None = None) -> Path:
        return self.brands_dir / (name or self.brand)

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def find_workspace(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` that holds mlprod.toml."""
    here = (start or Path.cwd()).resolve()
    if not here.exists():
        raise ConfigError(f"{here}: this folder does not exist — check the path")
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ConfigError(
        f"{here}: not inside an mlprod workspace (no {CONFIG_NAME} here or in any parent folder)"
        " — run `mlprod init` to create one, or cd into your workspace"
    )


def _chunk_size(value: object, source: str) -> int:
    try:
        size = int(str(value))
    except ValueError:
        raise ConfigError(f"{source}: {value!r} is not a number of bytes — use e.g. 8388608") from None
    if size <= 0 or size % CHUNK_UNIT:
        raise ConfigError(
            f"{source}: {size} is not a positive multiple of {CHUNK_UNIT} bytes (YouTube's chunk unit)"
            f" — use e.g. {DEFAULT_CHUNK_SIZE}"
        )
    return size


def _cache_limit(value: object, source: str) -> int:
    try:
        megabytes = float(str(value))
    except ValueError:
        megabytes = -1.0
    if megabytes < 0:
        raise ConfigError(f"{source}: {value!r} is not a size in megabytes — use e.g."
                          f" {DEFAULT_CACHE_LIMIT_MB}")
    return int(megabytes * 1_000_000)


def _platforms(value: object, source: str) -> tuple[PlatformName, ...]:
    known = ", ".join(p.value for p in PlatformName)
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{source}: write a list of platforms, e.g. [\"youtube\", \"discord\"]"
                          f" (known: {known})")
    names: list[PlatformName] = []
    for item in value:
        try:
            name = PlatformName(str(item).strip())
        except ValueError:
            raise ConfigError(f"{source}: {item!r} is not a platform — use {known}") from None
        if name not in names:
            names.append(name)
    return tuple(names)


def _read_toml(path: Path) -> dict[str, dict[str, object]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not valid TOML ({err}) — fix the file or recreate it") from err
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def load_settings(start: Path | None = None, env: Mapping[str, str] | None = None,
                  site: str | None = None) -> Settings:
    """Find the workspace from ``start`` and apply ``mlprod.toml`` then environment overrides;
    ``site`` (``--site``) overrides both."""
    env = os.environ if env is None else env
    root = find_workspace(start)
    return settings_for(root, _read_toml(root / CONFIG_NAME), env, site)


def settings_for(
    root: Path, data: Mapping[str, Mapping[str, object]] | None = None,
    env: Mapping[str, str] | None = None, site: str | None = None,
) -> Settings:
    env = os.environ if env is None else env
    data = data or {}
    ws, yt, db, render, fb = (data.get(k, {})
                              for k in ("workspace", "youtube", "database", "render", "facebook"))
    publish = data.get("publish", {})
    config = root / CONFIG_NAME
    sites = _declared_sites(data.get("sites", {}), config)
    site = _chosen_site(site, env, ws, sites, config)
    db_url = env.get("MLPROD_DATABASE_URL") or str(db.get("url") or "")
    if not db_url:
        db_url = f"sqlite:///{root / STATE_DIR / 'mlprod.db'}"
    yt_url = env.get("MLPROD_YOUTUBE_URL") or str(yt.get("url") or "") or None
    if "MLPROD_UPLOAD_CHUNK_SIZE" in env:
        chunk = _chunk_size(env["MLPROD_UPLOAD_CHUNK_SIZE"], "MLPROD_UPLOAD_CHUNK_SIZE")
    else:
        chunk = _chunk_size(
            yt.get("upload_chunk_size", DEFAULT_CHUNK_SIZE), f"{config}: youtube.upload_chunk_size"
        )
    ffmpeg = env.get("MLPROD_FFMPEG") or str(render.get("ffmpeg") or "") or None
    secret = yt.get("client_secret")
    graph_url = env.get("MLPROD_GRAPH_URL") or str(fb.get("url") or "") or None
    queue = env.get("MLPROD_RENDER_QUEUE") or str(render.get("queue") or "") or None
    shared = env.get("MLPROD_RENDER_SHARED") or str(render.get("shared") or "") or None
    return Settings(
        root=root,
        database_url=db_url,
        youtube_url=yt_url.rstrip("/") if yt_url else None,
        upload_chunk_size=chunk,
        ffmpeg=ffmpeg,
        brand=_site_brand(site, sites) or str(ws.get("brand") or DEFAULT_BRAND),
        platforms=(_platforms(publish["platforms"], f"{config}: publish.platforms") if "platforms" in publish
                   else DEFAULT_PLATFORMS),
        client_secret=(root / str(secret)) if secret else None,
        graph_url=graph_url.rstrip("/") if graph_url else None,
        render_cache_bytes=_cache_limit(render.get("cache_limit_mb", DEFAULT_CACHE_LIMIT_MB),
                                        f"{config}: render.cache_limit_mb"),
        render_queue=_queue_url(queue, config),
        render_shared=_shared(shared, root, config),
        site=site,
        sites=sites,
    )


def _queue_url(value: str | None, config: Path) -> str | None:
    if value is not None and not value.startswith(("redis://", "rediss://")):
        raise ConfigError(f"{config}: render.queue (or MLPROD_RENDER_QUEUE): {value!r} is not a Redis URL"
                          " — use e.g. redis://render.example.org:6379/0, or leave it empty to render here")
    return value


def _shared(value: str | None, root: Path, config: Path) -> str | None:
    """An s3:// URL as it is; a folder made absolute (relative to the workspace)."""
    if value is None or value.startswith("s3://"):
        if value is not None and len(value) <= len("s3://"):
            raise ConfigError(f"{config}: render.shared: {value!r} names no bucket — use s3://bucket/prefix")
        return value
    if "://" in value:
        raise ConfigError(f"{config}: render.shared (or MLPROD_RENDER_SHARED): {value!r} is neither a folder"
                          " nor an s3:// URL — name the shared folder, or s3://bucket/prefix")
    return str((root / value).resolve())


def _declared_sites(tables: Mapping[str, object], config: Path) -> tuple[SiteInfo, ...]:
    sites = []
    for name, table in tables.items():
        source = f"{config}: [sites.{name}]"
        check_site_name(name, source)
        if name == DEFAULT_SITE:
            raise ConfigError(f"{source}: {DEFAULT_SITE!r} is the workspace's own site, not one to declare"
                              " — choose the Mission Locale's name, e.g. [sites.salon]")
        if not isinstance(table, Mapping):
            raise ConfigError(f"{source}: a site is a table — write [sites.{name}] on a line, then its"
                              ' settings, e.g. name = "Mission Locale du Pays Salonais"')
        title, brand = table.get("name", name), table.get("brand")
        for key, value in (("name", title), ("brand", brand)):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ConfigError(f'{source}: {key} = {value!r} is not a text — write {key} = "…"')
        sites.append(SiteInfo(name, str(title).strip(), str(brand).strip() if brand else None))
    return tuple(sites)


def _chosen_site(option: str | None, env: Mapping[str, str], ws: Mapping[str, object],
                 sites: tuple[SiteInfo, ...], config: Path) -> str:
    """The site named by --site, else MLPROD_SITE, else [workspace] site, else the default one."""
    if option:
        name, source = option, "--site"
    elif env.get("MLPROD_SITE"):
        name, source = env["MLPROD_SITE"], "MLPROD_SITE"
    elif ws.get("site"):
        name, source = str(ws["site"]), f"{config}: workspace.site"
    else:
        return DEFAULT_SITE
    check_site_name(name, source)
    if name == DEFAULT_SITE or any(info.name == name for info in sites):
        return name
    known = ", ".join(info.name for info in sites)
    where = (f"the sites declared there are: {known}" if known
             else "it declares no site (a single-site workspace needs no --site)")
    raise ConfigError(f"{source}: there is no site {name!r} in {config}; {where} — check the spelling,"
                      f" or declare it with a [sites.{name}] table")


def _site_brand(site: str, sites: tuple[SiteInfo, ...]) -> str | None:
    return next((info.brand for info in sites if info.name == site), None)
