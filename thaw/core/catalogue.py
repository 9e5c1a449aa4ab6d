"""Thaw's message catalogues, in pure Python (Babel): no GNU gettext needed anywhere.

- The sources are ``thaw/locale/<language>/LC_MESSAGES/django.po`` (pages and Python) and
  ``djangojs.po`` (JavaScript), committed. The compiled ``.mo`` files beside them are NOT in git:
  Thaw compiles them at start-up when a ``.po`` is newer (``compile_stale``), so ``make run`` on a
  fresh checkout and ``git pull`` both just work.
- ``extract()`` reads the strings marked for translation straight from the source (templates
  through Django's own ``templatize``, Python and JavaScript through Babel's extractors), so the
  check in ``make test`` (``untranslated``) runs on a fresh extraction, never on a stale ``.po``.
- ``scripts/messages.py`` is the developer's command: ``update`` (extract and merge into every
  ``.po``), ``compile``, ``check``. Developers with GNU gettext may use ``thaw manage makemessages``
  too; the files are the same format.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent.parent  # thaw/
LOCALE_DIR = PACKAGE / "locale"
DOMAINS = ("django", "djangojs")
SOURCE_LANGUAGE = "en"
STABLE_DATE = __import__("datetime").datetime(2026, 1, 1, tzinfo=__import__("datetime").timezone.utc)
HEADER = ("# Thaw's {language} translation: written for Thaw, not machine-translated.\n"
          "# Edit msgstr lines only; scripts/messages.py update adds new strings (docs/TRANSLATING.md).")

# Python: Babel's usual names plus Django's lazy and no-op ones.
PYTHON_KEYWORDS: dict[str, Any] = {
    "_": None, "gettext": None, "gettext_lazy": None, "gettext_noop": None,
    "ngettext": (1, 2), "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2), "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3), "npgettext_lazy": ((1, "c"), 2, 3),
}
JS_KEYWORDS: dict[str, Any] = {
    "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3),
}
# Which files feed which domain (Babel method maps over thaw/).
METHODS = {
    "django": [("**/templates/**.html", "thaw.core.catalogue:extract_template"),
               ("**/templates/**.js", "thaw.core.catalogue:extract_template"),  # the service worker
               ("**.py", "python"),
               ("assessments/data/instruments/*.toml", "thaw.core.catalogue:extract_instrument_texts")],
    "djangojs": [("**/static/**.js", "javascript")],
}
SKIP = ("migrations", "vendor", "locale", "__pycache__")


def po_path(language: str, domain: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def languages() -> list[str]:
    """The languages with a catalogue (every language in settings.LANGUAGES but the source)."""
    return sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES").is_dir()) if LOCALE_DIR.is_dir() else []


def po_files() -> list[Path]:
    return [po_path(lang, domain) for lang in languages() for domain in DOMAINS if po_path(lang, domain).exists()]


# --- the JavaScript catalogue's address ------------------------------------------------------


def js_version(language: str) -> str:
    """A short digest of ``language``'s JavaScript strings, put in the catalogue's address
    (``/i18n/es.js?v=…``): a changed translation is a new address, so the service worker's copy
    kept for offline use (thaw.core.pwa) and the browser's cache are never stale."""
    po = po_path(language, "djangojs")
    try:
        stamp = po.stat().st_mtime_ns
    except OSError:
        return "0"
    return _digest(str(po), stamp)


@functools.lru_cache(maxsize=16)
def _digest(path: str, stamp: int) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]


def js_url(language: str) -> str:
    """The address of ``language``'s JavaScript catalogue, with its version."""
    from django.urls import reverse

    return f"{reverse('js_catalog', args=[language])}?v={js_version(language)}"


# --- compiling -------------------------------------------------------------------------------


def compile_po(po: Path) -> bytes:
    """The .mo bytes for one .po; fuzzy entries are left out (they are guesses, not translations)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(po, "rb") as handle:
        catalog = read_po(handle)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _stale(po: Path) -> bool:
    mo = po.with_suffix(".mo")
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def compile_stale(files: Iterable[Path] | None = None) -> list[Path]:
    """Compile every .po whose .mo is missing or older; return what was written.

    Written to a temporary file and renamed, so several app servers starting at once never read
    a half-written catalogue. A directory that cannot be written is left alone (the system
    check thaw.E051 then says what to run).
    """
    written = []
    for po in files if files is not None else po_files():
        if not _stale(po):
            continue
        data = compile_po(po)
        try:
            handle, temporary = tempfile.mkstemp(dir=po.parent, prefix=".", suffix=".mo")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, po.with_suffix(".mo"))
        except OSError:
            continue
        written.append(po.with_suffix(".mo"))
    return written


def stale_or_missing() -> list[str]:
    return [f"{po.with_suffix('.mo').relative_to(PACKAGE.parent)} is missing or older than its .po, so "
            f"pages in {po.parent.parent.name!r} show old or English text." for po in po_files() if _stale(po)]


# --- extracting ------------------------------------------------------------------------------


def extract_template(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[Any]:
    """Babel extractor for Django templates: Django's own ``templatize`` turns the template into
    Python that calls gettext exactly as the template tags do at run time, and Babel's Python
    extractor reads that."""
    from babel.messages.extract import extract_python
    from django.utils.translation.template import templatize

    code = templatize(fileobj.read().decode("utf-8"))
    yield from extract_python(io.BytesIO(code.encode("utf-8")), keywords, comment_tags, options)


# The texts of a questionnaire's file that are Thaw's own words, not the instrument's published
# wording (which is shown only in an official translation, docs/ASSESSMENTS.md): the result in
# plain words ("plain", wherever it is), why there is no reliable-change status, and the PCL-5's
# "before you start" screen. By table ("" is the file's top level): the keys taken.
INSTRUMENT_OWN_TEXTS = {"": ("reliable_change_source",), "anchor": ("title", "prompt", "hint")}


def _own_texts(table: dict[str, Any], name: str = "") -> Iterator[str]:
    for key, value in table.items():
        if isinstance(value, str):
            if value and (key == "plain" or key in INSTRUMENT_OWN_TEXTS.get(name, ())):
                yield value
        elif isinstance(value, dict):
            yield from _own_texts(value, key)
        elif isinstance(value, list):
            for entry in value:
                if isinstance(entry, dict):
                    yield from _own_texts(entry, key)


def extract_instrument_texts(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[Any]:
    """Babel extractor for the questionnaires' files: their texts in Thaw's own words
    (``INSTRUMENT_OWN_TEXTS``), translated where they are shown."""
    import tomllib

    raw = fileobj.read().decode("utf-8")
    lines = raw.splitlines()
    for text in _own_texts(tomllib.loads(raw)):
        start = text[:80]
        lineno = next((n for n, line in enumerate(lines, 1) if start in line), 1)
        yield lineno, "gettext", text, ["Thaw's own words in a questionnaire's file (not the published wording)."]


def extract(domain: str) -> Any:
    """A fresh Babel catalogue of every string marked for translation in ``domain``."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    keywords = JS_KEYWORDS if domain == "djangojs" else PYTHON_KEYWORDS
    catalog = Catalog(domain=domain, project="Thaw", charset="utf-8")

    def wanted(filename: str, method: str) -> bool:
        return not any(part in SKIP for part in Path(filename).parts)

    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), METHODS[domain], keywords=keywords, callback=None, strip_comment_tags=True,
        comment_tags=("Translators:",), directory_filter=lambda d: Path(d).name not in SKIP,
    ):
        if not wanted(filename, ""):
            continue
        if not (message[0] if isinstance(message, tuple) else message):
            continue
        catalog.add(message, None, [(f"thaw/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def update(language: str, domain: str) -> tuple[int, int]:
    """Merge a fresh extraction into ``language``'s .po (kept translations stay, removed strings go,
    new ones come in untranslated, never guessed). Returns (entries, untranslated)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    template = extract(domain)
    path = po_path(language, domain)
    if path.exists():
        with open(path, "rb") as handle:
            catalog = read_po(handle, locale=language, domain=domain)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=language, domain=domain, project="Thaw", charset="utf-8")
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalog.obsolete.clear()
    # A stable header: re-running update with nothing new changes nothing (no date churn in diffs).
    catalog.fuzzy = False
    catalog.creation_date = catalog.revision_date = STABLE_DATE
    catalog.header_comment = HEADER.format(language=language)
    catalog.project, catalog.version = "Thaw", "1"
    catalog.msgid_bugs_address = catalog.last_translator = catalog.language_team = ""
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=100, sort_output=False, omit_header=False, include_previous=False)
    entries = [m for m in catalog if m.id]
    return len(entries), sum(1 for m in entries if not _translated(m))


def _translated(message: Any) -> bool:
    if message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return bool(strings) and all(s and s.strip() for s in strings)


# Python's %(name)s, a template's {{ name }}, and an instrument file's {score} (filled in by scoring._fill).
_PLACEHOLDER = __import__("re").compile(r"%\(\w+\)[sd]|%[sd]|\{\{ ?\w+ ?\}\}|(?<!\{)\{\w+\}(?!\})")


def _same_placeholders(message: Any) -> bool:
    """A translation must use exactly the placeholders of its source, or it fails at run time."""
    sources = message.id if isinstance(message.id, (list, tuple)) else [message.id]
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    wanted = set(_PLACEHOLDER.findall(sources[-1]))
    return all(set(_PLACEHOLDER.findall(s)) == wanted for s in strings)


def untranslated(language: str) -> list[str]:
    """Every string marked in the source (freshly extracted) that ``language``'s catalogue does not
    translate: missing, empty or fuzzy. Empty means ``make test`` passes."""
    from babel.messages.pofile import read_po

    problems = []
    for domain in DOMAINS:
        template = extract(domain)
        path = po_path(language, domain)
        catalog = None
        if path.exists():
            with open(path, "rb") as handle:
                catalog = read_po(handle, locale=language, domain=domain)
        for message in template:
            if not message.id:
                continue
            found = catalog.get(message.id, message.context) if catalog is not None else None
            if found is not None and _translated(found) and not _same_placeholders(found):
                problems.append(f"{domain}.po [{language}] placeholders differ: {found.id!r}")
            if found is None or not _translated(found):
                where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
                text = message.id[0] if isinstance(message.id, tuple) else message.id
                state = "missing" if found is None else ("fuzzy" if found.fuzzy else "not translated")
                problems.append(f"{domain}.po [{language}] {state}: {text!r} ({where})")
    return problems
