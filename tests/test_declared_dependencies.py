"""What the reminders import from outside the standard library is declared in pyproject.toml and
pinned with hashes in requirements.lock: an install from the declared dependencies alone must not
depend on another package happening to pull it in."""

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


def test_what_the_reminders_import_is_declared_and_pinned() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_norm(re.split(r"[\[<>=!~ ;]", item)[0]) for item in project["dependencies"]}
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {_norm(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9._-]+)==\S+ \\\n    --hash=sha256:", lock, re.M)}
    distributions = packages_distributions()
    missing = []
    for module, files in sorted(_imported(ROOT / "thaw" / "reminders").items()):
        for distribution in distributions.get(module, [module]):
            if _norm(distribution) not in declared or _norm(distribution) not in pinned:
                missing.append(f"{distribution} (imported as {module} in {', '.join(sorted(files))})")
    assert missing == [], "declare these in pyproject.toml and pin them in requirements.lock"
