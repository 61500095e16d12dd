"""estate_core imports only the standard library, attrs and itself (DESIGN.md §2)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import estate_core

ALLOWED = {"attrs", "estate_core"}


def _imported_top_level_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_only_stdlib_and_attrs() -> None:
    root = Path(estate_core.__file__).parent
    offenders = {
        f"{path.relative_to(root)}: {name}"
        for path in root.rglob("*.py")
        for name in _imported_top_level_modules(path)
        if name not in ALLOWED and name not in sys.stdlib_module_names
    }
    assert not offenders, sorted(offenders)
