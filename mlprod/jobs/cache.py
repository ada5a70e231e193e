"""The render cache as a whole: how much it holds, and removing what no current recipe uses.

Which pieces a recipe uses is planned exactly as a build plans them (probing its media, computing
each piece's key) for each format and quality the recipe asks for or was built in; nothing is
rendered. What no recipe uses — pieces of an older cut, of a deleted recipe, of a subtitle line
since corrected — is removed, with whatever killed builds left behind.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from mlprod.config import Settings
from mlprod.errors import MlprodError
from mlprod.recipe.schema import Format, Quality
from mlprod.render.assemble import Stores
from mlprod.render.build import plan_build, prepare
from mlprod.render.cache import ContentStore
from mlprod.render.plan import plan_timeline
from mlprod.render.sources import gather_sources
from mlprod.store import Database
from mlprod.store.models import Build

LEGACY = ("cards",)  # what earlier versions cached, now inside the pieces


@dataclass(frozen=True)
class Part:
    """One kind of cached file: how many, how many bytes."""

    name: str
    files: int
    bytes: int


@dataclass(frozen=True)
class CacheUsage:
    folder: Path
    limit: int
    parts: tuple[Part, ...]

    @property
    def bytes(self) -> int:
        return sum(p.bytes for p in self.parts)

    @property
    def files(self) -> int:
        return sum(p.files for p in self.parts)


@dataclass
class Cleaned:
    removed_files: int = 0
    removed_bytes: int = 0
    recipes: int = 0
    skipped: list[str] = field(default_factory=list)   # recipes that could not be planned, and why


def _parts(settings: Settings) -> dict[str, ContentStore]:
    stores = Stores.under(settings.cache_dir)
    return {"pieces": stores.pieces, "sound": stores.audio, "thumbnails": stores.thumbnails}


def cache_usage(settings: Settings) -> CacheUsage:
    parts = []
    for name, store in _parts(settings).items():
        entries = list(store.entries())
        parts.append(Part(name, len(entries), sum(e.size for e in entries)))
    legacy = [p for name in LEGACY for p in (settings.cache_dir / name).rglob("*") if p.is_file()]
    if legacy:
        parts.append(Part("older cache", len(legacy), sum(p.stat().st_size for p in legacy)))
    return CacheUsage(settings.cache_dir, settings.render_cache_bytes, tuple(parts))


def recipe_files(settings: Settings) -> list[Path]:
    folder = settings.recipes_dir
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml")) if folder.is_dir() else []


def _built_in(settings: Settings, db: Database) -> dict[str, set[tuple[Format, Quality]]]:
    """(format, quality) of every done build, by recipe as stored (relative to the workspace)."""
    found: dict[str, set[tuple[Format, Quality]]] = {}
    with db.transaction() as session:
        for recipe, fmt, quality in session.execute(
                select(Build.recipe, Build.format, Build.quality).where(Build.status == "done").distinct()):
            try:
                found.setdefault(recipe, set()).add((Format(fmt), Quality(quality)))
            except ValueError:
                continue
    return found


def used_keys(settings: Settings, recipe: Path,
              built: dict[str, set[tuple[Format, Quality]]]) -> set[str]:
    """The keys of every piece, sound and thumbnail ``recipe`` uses in the formats it is made in."""
    job, _ = prepare(settings, recipe, None, None, None)
    wanted = {(f, job.quality) for f in job.loaded.recipe.output.formats}
    stored = recipe.resolve().relative_to(settings.root.resolve()).as_posix()
    wanted |= built.get(stored, set())
    keys: set[str] = set()
    sources = gather_sources(job.loaded)
    for quality in sorted({q for _, q in wanted}):
        formats = sorted({f for f, q in wanted if q == quality})
        job, targets = prepare(settings, recipe, formats, quality, None)
        for target in targets:
            keys |= plan_build(job, plan_timeline(sources, job.brand, target.profile)).keys
    return keys


def clean_cache(settings: Settings, db: Database) -> Cleaned:
    """Remove every cached file no current recipe uses (see the module's docstring)."""
    cleaned = Cleaned()
    built = _built_in(settings, db)
    keep: set[str] = set()
    for recipe in recipe_files(settings):
        try:
            keep |= used_keys(settings, recipe, built)
        except MlprodError as err:
            cleaned.skipped.append(f"{recipe.relative_to(settings.root)}: {err}")
            continue
        cleaned.recipes += 1
    for store in _parts(settings).values():
        cleaned.removed_bytes += store.clear_leftovers(older_than=0)
        for entry in list(store.entries()):
            if entry.key not in keep:
                store.remove(entry.key)
                cleaned.removed_files += 1
                cleaned.removed_bytes += entry.size
    for name in LEGACY:
        legacy = settings.cache_dir / name
        if legacy.is_dir():
            files = [p for p in legacy.rglob("*") if p.is_file()]
            cleaned.removed_files += len(files)
            cleaned.removed_bytes += sum(p.stat().st_size for p in files)
            shutil.rmtree(legacy, ignore_errors=True)
    return cleaned
