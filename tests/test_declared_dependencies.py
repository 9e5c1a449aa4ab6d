"""What Thaw imports from outside the standard library is declared in pyproject.toml and pinned
with hashes in requirements.lock (or, for the word-finding extra, in requirements-wordfinding.lock):
an install from the declared dependencies alone must not depend on another package happening to
pull it in."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported(folder: Path) -> dict[str, set[str]]:
    """top-level module → the files that import it, for modules outside the standard library and Thaw."""
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "thaw":
                    found.setdefault(top, set()).add(path.relative_to(ROOT).as_posix())
    return found


def _names(items: list[str]) -> set[str]:
    return {_norm(re.split(r"[\[<>=!~ ;]", item)[0]) for item in items}


def _pinned(lockfile: str) -> set[str]:
    lock = (ROOT / lockfile).read_text(encoding="utf-8")
    return {_norm(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9._-]+)==\S+ \\\n    --hash=sha256:", lock, re.M)}


def test_what_thaw_imports_is_declared_and_pinned() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = _names(project["dependencies"])
    extra = _names(project["optional-dependencies"]["wordfinding"])
    pinned, pinned_extra = _pinned("requirements.lock"), _pinned("requirements-wordfinding.lock")
    distributions = packages_distributions()
    missing = []
    for module, files in sorted(_imported(ROOT / "thaw").items()):
        for distribution in distributions.get(module, [module]):
            name = _norm(distribution)
            if not (name in declared and name in pinned) and not (name in extra and name in pinned_extra):
                missing.append(f"{distribution} (imported as {module} in {', '.join(sorted(files))})")
    assert missing == [], "declare these in pyproject.toml and pin them in requirements.lock"
