#!/usr/bin/env python3
"""Fetch axe-core, the accessibility engine the browser tests run, into a gitignored folder.

axe-core is a test tool, never served by Thaw, so it is not vendored into the app: this script
downloads the pinned npm tarball (Python's standard library only; no npm needed), checks it
against the lock's integrity hash, and extracts axe.min.js to build/test-tools/. It does nothing
when the file is already there with the locked checksum.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

PACKAGE = "axe-core"
VERSION = "4.14.1"
TARBALL = f"https://registry.npmjs.org/{PACKAGE}/-/{PACKAGE}-{VERSION}.tgz"
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
SOURCE = "package/axe.min.js"
SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
TARGET = Path(__file__).resolve().parent.parent / "build" / "test-tools" / "axe.min.js"


def _ok() -> bool:
    return TARGET.exists() and hashlib.sha256(TARGET.read_bytes()).hexdigest() == SHA256


def fetch() -> Path:
    """The path of the checked axe.min.js, downloading it first if needed."""
    if _ok():
        return TARGET
    with urllib.request.urlopen(TARBALL, timeout=120) as response:
        tarball = response.read()
    algo, _, expected = INTEGRITY.partition("-")
    if base64.b64encode(hashlib.new(algo, tarball).digest()).decode() != expected:
        raise RuntimeError(f"{PACKAGE}@{VERSION}: the tarball does not match the pinned integrity hash")
    with tarfile.open(fileobj=io.BytesIO(tarball)) as tar:
        member = tar.extractfile(SOURCE)
        if member is None:
            raise RuntimeError(f"{PACKAGE}@{VERSION}: no {SOURCE} in the tarball")
        data = member.read()
    if hashlib.sha256(data).hexdigest() != SHA256:
        raise RuntimeError(f"{PACKAGE}@{VERSION}: {SOURCE} does not match the pinned checksum")
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_bytes(data)
    return TARGET


if __name__ == "__main__":
    try:
        print(f"{PACKAGE}@{VERSION}: {fetch()}")
    except (OSError, RuntimeError) as exc:
        print(f"Could not fetch {PACKAGE}@{VERSION} for the accessibility tests: {exc}", file=sys.stderr)
        sys.exit(1)
