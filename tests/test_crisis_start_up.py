"""A broken crisis detector file stops what serves people: ``thaw serve``, ``thaw worker``, ``thaw
check`` and the WSGI entry point (gunicorn run directly) read and check the phrase lists and the
statistical weights as Django starts. Lighter commands (an account, a backup, a shell) leave them
to their first scan (thaw.safety.apps), which then fails with the same message.

Each case runs a real process with the shipped files swapped for broken copies in that process
only (the loaders' default paths), so nothing in the working tree is touched."""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import free_port, isolated_env
from thaw.cli import MANAGE_LOADING_DETECTOR, build_parser, loads_crisis_detector_at_start
from thaw.safety.language import DATA_DIR

# Runs a `thaw` command (or imports thaw.wsgi) with the phrase lists or the weights read from a broken copy.
WITH_BROKEN_FILE = """
import sys
from pathlib import Path

from thaw.safety import language, ngram

kind, broken, *command = sys.argv[1:]
if kind == "phrases":
    language.phrase_lists.__wrapped__.__defaults__ = (Path(broken),)
else:
    ngram.read_model.__defaults__ = (Path(broken),)
if command == ["wsgi"]:
    import thaw.wsgi  # noqa: F401
    print("thaw.wsgi loaded")
else:
    from thaw.cli import main

    sys.exit(main(command))
"""


def _broken_phrases(tmp_path: Path) -> Path:
    folder = tmp_path / "crisis"
    folder.mkdir()
    for shipped in DATA_DIR.glob("*.toml"):
        shutil.copy(shipped, folder / shipped.name)
    english = folder / "en.toml"
    english.write_text(english.read_text(encoding="utf-8").replace('phrase = "kms"', 'phrase = "kms"\ncategory2 = 1', 1),
                       encoding="utf-8")
    return folder


def _broken_weights(tmp_path: Path) -> Path:
    path = tmp_path / "ngram.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump({"meta": {}, "intercept": 0.0, "threshold": 0.5, "chars": {}, "words": {}}, handle)
    return path


PHRASE_PROBLEM = "('kms'): unknown key(s) category2"  # the entry and what is wrong with it
WEIGHTS_PROBLEM = "ngram.json.gz: no threshold in (0, 1) or no examples"


def _run(tmp_path: Path, kind: str, *command: str) -> subprocess.CompletedProcess[str]:
    broken = _broken_phrases(tmp_path) if kind == "phrases" else _broken_weights(tmp_path)
    with isolated_env(tmp_path / "data") as env:
        # Should the file go unnoticed, a debug setting on a public address stops serve and the worker at
        # their system checks (thaw.E002) rather than leave them serving.
        env.update(THAW_DEBUG="1", THAW_SITE_URL="https://thaw.example.org")
        return subprocess.run([sys.executable, "-c", WITH_BROKEN_FILE, kind, str(broken), *command], env=env,
                              capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("kind", "command", "problem"), [
    ("phrases", ["serve", "--port", str(free_port()), "--no-worker"], PHRASE_PROBLEM),
    ("weights", ["worker"], WEIGHTS_PROBLEM),
    ("weights", ["check"], WEIGHTS_PROBLEM),
    ("phrases", ["wsgi"], PHRASE_PROBLEM),
])
def test_a_broken_detector_file_stops_the_servers_the_worker_and_the_check(
        tmp_path: Path, kind: str, command: list[str], problem: str) -> None:
    result = _run(tmp_path, kind, *command)
    assert result.returncode != 0
    assert problem in result.stderr, result.stderr
    assert "thaw.E002" not in result.stderr, "stopped by its checks, after the detector was left unread"
    assert "thaw.wsgi loaded" not in result.stdout


def test_a_light_command_starts_without_the_detector_and_its_first_scan_finds_the_broken_file(tmp_path: Path) -> None:
    script = "print('started', flush=True); from thaw.safety.language import has_crisis_language; has_crisis_language('x')"
    result = _run(tmp_path, "phrases", "manage", "shell", "--no-imports", "-c", script)
    assert result.stdout.strip() == "started", result.stderr
    assert result.returncode != 0 and PHRASE_PROBLEM in result.stderr, result.stderr


def test_only_commands_that_serve_or_check_read_the_detector_at_start() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    at_start = {name for name in commands if loads_crisis_detector_at_start(parser.parse_args([name, *_required(name)]))}
    assert at_start == {"serve", "worker", "check"}, "a new command reads it at start unless listed as light"
    for name in MANAGE_LOADING_DETECTOR:
        assert loads_crisis_detector_at_start(parser.parse_args(["manage", name]))
    for rest in (["shell"], ["migrate"], []):
        assert not loads_crisis_detector_at_start(parser.parse_args(["manage", *rest]))


def _required(command: str) -> list[str]:
    """Arguments that let ``command`` parse."""
    return {"user": ["add", "a@example.org"], "audit": ["verify"], "import": ["f"], "unseal": ["f", "g"],
            "backup": ["p"], "restore": ["p"], "manage": ["shell"]}.get(command, [])
