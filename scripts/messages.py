"""Thaw's translation catalogues, without GNU gettext (docs/TRANSLATING.md).

    .venv/bin/python scripts/messages.py update [LANG...]   extract marked strings and merge them into the .po files
    .venv/bin/python scripts/messages.py compile            compile every .po into its .mo (Thaw also does this at start-up)
    .venv/bin/python scripts/messages.py check [LANG...]    list strings with no translation; exit 1 if any

``make test`` runs the same check as a test (tests/test_translations.py).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thaw.settings")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("update", "compile", "check"):
        print(__doc__)
        return 2
    import django

    django.setup()
    from thaw.core import catalogue

    command, requested = argv[0], argv[1:]
    languages = requested or catalogue.languages()
    if command == "update":
        for language in languages:
            for domain in catalogue.DOMAINS:
                entries, missing = catalogue.update(language, domain)
                print(f"{catalogue.po_path(language, domain)}: {entries} strings, {missing} to translate")
        return 0
    if command == "compile":
        for po in catalogue.po_files():
            po.with_suffix(".mo").unlink(missing_ok=True)  # compile every one, stale or not
        for mo in catalogue.compile_stale():
            print(f"wrote {mo}")
        return 0
    problems = [problem for language in languages for problem in catalogue.untranslated(language)]
    print("\n".join(problems) or "every marked string is translated")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
