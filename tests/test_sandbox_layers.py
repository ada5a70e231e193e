"""The sandbox's shape: the other side of the wire borrows nothing from the clients, its modules
import each other in one direction only, and only each platform's application imports its request
handlers."""

from __future__ import annotations

import ast
from pathlib import Path

import mlprod.sandbox

PACKAGE = Path(mlprod.sandbox.__file__).parent
CLIENT_PACKAGES = ("mlprod.youtube", "mlprod.facebook", "mlprod.instagram", "mlprod.discord", "mlprod.jobs")
HANDLERS = {
    "mlprod.sandbox.app": {
        f"mlprod.sandbox.{n}" for n in ("analytics", "captions", "channels", "playlists", "videos")
    },
    "mlprod.sandbox.meta.app": {
        f"mlprod.sandbox.meta.{n}" for n in ("instagram", "pages", "tokens", "videos")
    },
    "mlprod.sandbox.discord.app": {"mlprod.sandbox.discord.webhooks"},
}
"""Each platform's request handlers, and the one module that may import them."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Module → the mlprod modules it imports (type-only imports included)."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[_module_name(path)] = {n for n in names if n.startswith("mlprod")}
    return found


def test_the_sandbox_imports_no_client_package() -> None:
    borrowed = {
        module: sorted(n for n in names if n.startswith(CLIENT_PACKAGES))
        for module, names in _imports().items()
    }
    assert {m: n for m, n in borrowed.items() if n} == {}


def test_only_each_platforms_app_imports_its_handlers() -> None:
    every = set().union(*HANDLERS.values())
    importers = {module: names & every for module, names in _imports().items() if names & every}
    assert importers == HANDLERS


def test_no_import_cycle_in_the_sandbox() -> None:
    imports = _imports()
    graph = {m: {n for n in names if n in imports and n != m} for m, names in imports.items()}
    graph.pop("mlprod.sandbox", None)  # the package re-exports; its modules never import it
    for names in graph.values():
        names.discard("mlprod.sandbox")
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        assert module not in visiting, " → ".join([*visiting[visiting.index(module) :], module])
        if module in done:
            return
        visiting.append(module)
        for name in sorted(graph[module]):
            visit(name)
        visiting.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
