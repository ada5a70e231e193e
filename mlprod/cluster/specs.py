"""A piece spec's file paths, moved between machines. Pure.

A piece names its inputs by path (the clip, the brand folder, an employer's logo). On the building
machine each path becomes a reference on the shared storage (:func:`relocate` with the storage's
``export``); on a worker each reference becomes a path on that machine (with ``local``). Every
``Path`` field of the spec's dataclasses is moved, whatever its depth; the piece's key never depends
on a path, so it stays the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from mlprod.render.pieces import Piece

T = TypeVar("T")


def _moved(value: Any, move: Callable[[Path], Path]) -> Any:
    if isinstance(value, Path):
        return move(value)
    if isinstance(value, tuple):
        return tuple(_moved(v, move) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _moved(getattr(value, f.name), move) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


def relocate(piece: T, move: Callable[[Path], Path]) -> T:
    """``piece`` with every path in it replaced by ``move(path)``."""
    moved: T = _moved(piece, move)
    return moved


def paths(piece: Piece) -> Iterator[Path]:
    """Every path a piece names (its inputs), in field order."""
    found: list[Path] = []

    def keep(path: Path) -> Path:
        found.append(path)
        return path

    relocate(piece, keep)
    yield from found
