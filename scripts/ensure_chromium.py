#!/usr/bin/env python3
"""Make sure Debian's Chromium is installed for the browser tests (installs it when run as root).

The browser tests drive /usr/bin/chromium with Playwright; Playwright's own browser
download is not used (and not reachable here).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

CHROMIUM = os.environ.get("THAW_CHROMIUM", "/usr/bin/chromium")


def main() -> int:
    if os.path.exists(CHROMIUM):
        return 0
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(f"The browser tests need Debian's Chromium at {CHROMIUM}.\n"
              "Install it with: sudo apt-get install chromium  (or set THAW_CHROMIUM to another Chromium)",
              file=sys.stderr)
        return 1
    print("Installing Debian's chromium for the browser tests…", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-dejavu-core"],
                   check=True, env=env)
    return 0 if os.path.exists(CHROMIUM) else 1


if __name__ == "__main__":
    sys.exit(main())
