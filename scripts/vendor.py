#!/usr/bin/env python3
"""Check or refresh the vendored front-end files listed in vendor.lock.json.

--check (default) verifies every file's SHA-256 against the lock: no network needed.
--update fetches each package with `npm pack` (npm's registry only), verifies the
tarball's integrity against the lock, and copies the file into place.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "thaw" / "core" / "static" / "vendor"
LOCK = VENDOR / "vendor.lock.json"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check() -> int:
    bad = 0
    for entry in json.loads(LOCK.read_text())["files"]:
        path = VENDOR / entry["file"]
        if not path.exists() or sha256(path) != entry["sha256"]:
            print(f"MISMATCH {entry['file']} ({entry['package']}@{entry['version']})")
            bad += 1
        else:
            print(f"ok {entry['file']} ({entry['package']}@{entry['version']})")
    return 1 if bad else 0


def update() -> int:
    for entry in json.loads(LOCK.read_text())["files"]:
        with tempfile.TemporaryDirectory() as tmp:
            spec = f"{entry['package']}@{entry['version']}"
            name = subprocess.run(["npm", "pack", spec, "--silent"], cwd=tmp, check=True,
                                  capture_output=True, text=True).stdout.strip().splitlines()[-1]
            tarball = Path(tmp) / name
            algo, _, expected = entry["tarball_integrity"].partition("-")
            actual = base64.b64encode(hashlib.new(algo, tarball.read_bytes()).digest()).decode()
            if actual != expected:
                print(f"integrity mismatch for {spec}", file=sys.stderr)
                return 1
            with tarfile.open(tarball) as tar:
                data = tar.extractfile(entry["source"]).read()  # type: ignore[union-attr]
            (VENDOR / entry["file"]).write_bytes(data)
            print(f"updated {entry['file']} from {spec}")
    return check()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="verify the vendored files (the default)")
    group.add_argument("--update", action="store_true", help="fetch the locked versions with npm pack")
    args = parser.parse_args()
    sys.exit(update() if args.update else check())
