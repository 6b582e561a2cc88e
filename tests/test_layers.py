"""The import map runs downward only: kernel ← models ← services ← kit ← handlers/scheduler ← bot.

Read from the source with `ast` (nothing is imported), so a new upward import or a package cycle
fails here before it reaches a picture of the house. See docs/architecture.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROJECT = ("core", "models", "services", "kit", "handlers", "scheduler", "bot")

# What each layer may import from the project (itself included).
ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "models": {"core", "models"},
    "services": {"core", "models", "services"},
    "kit": {"core", "models", "services", "kit"},
    "handlers": {"core", "models", "services", "kit", "handlers"},
    "scheduler": {"core", "models", "services", "kit", "scheduler"},
    "bot.channels": {"core", "bot.channels"},  # adapters know only the kernel
    "bot": set(PROJECT) | {"bot.channels"},
}


def _layer(module: str) -> str | None:
    if module.startswith("bot.channels.") or module == "bot.channels":
        return "bot.channels"
    top = module.split(".")[0]
    return top if top in PROJECT else None


def _module_of(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_imports() -> list[tuple[str, str, int]]:
    """(importing module, imported module, line) for every import of a project module."""
    found: list[tuple[str, str, int]] = []
    for top in PROJECT:
        for path in sorted((REPO / top).rglob("*.py")):
            source = _module_of(path)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                    target = next((t for t in reversed(targets) if _importable(t)), node.module)
                elif isinstance(node, ast.Import):
                    target = node.names[0].name
                else:
                    continue
                if _layer(target):
                    found.append((source, target, node.lineno))
    return found


def _importable(module: str) -> bool:
    path = REPO.joinpath(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def test_every_import_runs_downward() -> None:
    upward = [f"{source}:{line} imports {target}"
              for source, target, line in project_imports()
              if _layer(target) not in ALLOWED[_layer(source) or source]]
    assert upward == []


def test_no_package_imports_another_in_a_loop() -> None:
    edges: dict[str, set[str]] = {}
    for source, target, _ in project_imports():
        a, b = _layer(source), _layer(target)
        if a and b and a != b:
            edges.setdefault(a, set()).add(b)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in edges.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert [a for a in edges if reaches(a, a, {a})] == []


def test_the_check_sees_imports() -> None:
    """Guards the two tests above against reading nothing: known arrows must be found."""
    pairs = {(_layer(s), _layer(t)) for s, t, _ in project_imports()}
    assert ("services", "models") in pairs and ("bot", "handlers") in pairs
    assert ("handlers", "kit") in pairs and ("bot.channels", "core") in pairs
