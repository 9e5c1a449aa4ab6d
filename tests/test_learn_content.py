"""The Learn seed content (issue 14) is well formed: what a visitor would otherwise meet as a
broken link, a missing page, an empty list or raw markup.

These tests read the files under ``thaw/learn/data/`` on their own, with ``tomllib``, and use
no code of the Learn app: they hold the content to its format (documented in
``thaw/learn/data/README.md``) whatever loads it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parent.parent / "thaw" / "learn" / "data"
ARTICLES = sorted((DATA / "articles").glob("*.md"))
PROGRAMS = sorted((DATA / "programs").glob("*.md"))

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ARTICLE_KEYS = {"slug", "title", "summary", "topics", "published", "related"}
PROGRAM_KEYS = {"slug", "title", "summary", "format", "regions", "schedule", "length"}
PROGRAM_OPTIONAL_KEYS = {"example"}
PROGRAM_FORMATS = {"virtual", "in_person", "hybrid"}
ARTICLE_WORDS = (500, 1100)
PROGRAM_WORDS = (200, 800)
SUMMARY_CHARS = (40, 180)

# Thaw's own pages that seed content may link to (besides /learn/<slug>/ and /programs/<slug>/).
TOOL_PATHS = {
    "/checkin/",
    "/emotions/",
    "/circle/",
    "/grounding/",
    "/grounding/now/",
    "/substances/",
    "/assessments/",
    "/report/",
    "/help/",
    "/contact/",
}

# Each "way back" page must lead to the Thaw tool it is about (every article also links /help/).
REQUIRED_LINKS = {
    "label-your-emotions": {"/checkin/", "/emotions/"},
    "share-with-a-safe-person": {"/circle/"},
    "recognise-dissociation-and-ground-yourself": {"/grounding/", "/grounding/now/"},
    "reduce-substances-used-to-numb": {"/substances/"},
    "seek-professional-support": {"/assessments/", "/report/", "/help/"},
    "talking-to-your-prescriber-about-blunting": {"/report/", "/help/"},
    "what-is-an-intensive-outpatient-program": {"/help/", "/contact/"},
    "five-ways-back": {"/checkin/", "/circle/", "/grounding/", "/substances/", "/assessments/"},
}

INLINE_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(\S+)", re.MULTILINE)
RAW_HTML = re.compile(r"<[A-Za-z/!?]")
WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")


@dataclass(frozen=True)
class Document:
    path: Path
    meta: dict[str, Any]
    body: str


def read(path: Path) -> Document:
    """Split a file into its TOML front matter (between two ``+++`` lines) and Markdown body."""
    text = path.read_text(encoding="utf-8")
    assert "\r" not in text, f"{path.name}: use LF line endings"
    lines = text.split("\n")
    assert lines[0] == "+++", f"{path.name}: must start with a +++ line"
    try:
        end = lines.index("+++", 1)
    except ValueError:
        pytest.fail(f"{path.name}: front matter has no closing +++ line")
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        pytest.fail(f"{path.name}: front matter is not valid TOML: {exc}")
    return Document(path, meta, "\n".join(lines[end + 1 :]))


def topic_slugs() -> set[str]:
    with open(DATA / "topics.toml", "rb") as fh:
        return {t["slug"] for t in tomllib.load(fh)["topic"]}


def slugs(paths: list[Path]) -> set[str]:
    return {p.stem for p in paths}


def links(body: str) -> list[str]:
    return INLINE_LINK.findall(body) + REFERENCE_LINK.findall(body)


def word_count(body: str) -> int:
    """Words a reader sees: link targets are dropped, link text is kept."""
    return len(WORD.findall(INLINE_LINK.sub("]", body)))


def allowed_link(target: str) -> bool:
    if target in TOOL_PATHS:
        return True
    for prefix, known in (("/learn/", slugs(ARTICLES)), ("/programs/", slugs(PROGRAMS))):
        if target.startswith(prefix) and target.endswith("/"):
            return target[len(prefix) : -1] in known
    return False


def check_common(doc: Document, words: tuple[int, int]) -> None:
    name, meta, body = doc.path.name, doc.meta, doc.body
    assert meta["slug"] == doc.path.stem, f"{name}: slug {meta['slug']!r} must match the file name"
    assert SLUG.fullmatch(meta["slug"]), f"{name}: slug must be lowercase words joined by hyphens"
    assert isinstance(meta["title"], str) and 0 < len(meta["title"]) <= 100, f"{name}: title"
    summary = meta["summary"]
    assert isinstance(summary, str), f"{name}: summary must be a string"
    assert SUMMARY_CHARS[0] <= len(summary) <= SUMMARY_CHARS[1], (
        f"{name}: summary is {len(summary)} characters; keep it {SUMMARY_CHARS[0]}-{SUMMARY_CHARS[1]}"
    )
    assert not re.search(r"[<>\[\]*`\n]", summary), f"{name}: summary is plain text, one line"

    assert not RAW_HTML.search(body), f"{name}: raw HTML is not allowed in the body"
    assert "![" not in body, f"{name}: images are added in Thaw with alt text, not in seed files"
    assert not re.search(r"^#(?!#)", body, re.MULTILINE), f"{name}: headings start at ##"
    assert re.search(r"^## \S", body, re.MULTILINE), (
        f"{name}: give the body at least one ## heading"
    )
    bad = [t for t in links(body) if not allowed_link(t)]
    assert not bad, f"{name}: links to unknown or outside pages: {bad}"
    count = word_count(body)
    assert words[0] <= count <= words[1], f"{name}: {count} words; keep it {words[0]}-{words[1]}"


def test_there_is_seed_content() -> None:
    assert len(ARTICLES) >= 15
    assert 2 <= len(PROGRAMS) <= 5


def test_topics_are_a_small_well_formed_set() -> None:
    with open(DATA / "topics.toml", "rb") as fh:
        topics = tomllib.load(fh)["topic"]
    assert 3 <= len(topics) <= 12
    for topic in topics:
        assert set(topic) == {"slug", "label", "description"}, topic
        assert SLUG.fullmatch(topic["slug"]), topic["slug"]
        assert topic["label"].strip() and topic["description"].strip(), topic["slug"]
    assert len({t["slug"] for t in topics}) == len(topics), "topic slugs must be unique"
    assert len({t["label"] for t in topics}) == len(topics), "topic labels must be unique"


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_article(path: Path) -> None:
    doc = read(path)
    meta, name = doc.meta, path.name
    assert set(meta) == ARTICLE_KEYS, (
        f"{name}: missing {sorted(ARTICLE_KEYS - set(meta))}, unknown {sorted(set(meta) - ARTICLE_KEYS)}"
    )
    check_common(doc, ARTICLE_WORDS)

    published = meta["published"]
    assert isinstance(published, datetime) and published.tzinfo is not None, (
        f"{name}: published must be a date and time with a zone, like 2026-12-01T09:00:00Z"
    )
    assert published <= datetime.now(UTC), f"{name}: seed articles must be published, not scheduled"

    topics = meta["topics"]
    assert isinstance(topics, list) and topics, f"{name}: name at least one topic"
    assert len(set(topics)) == len(topics), f"{name}: a topic is listed twice"
    assert set(topics) <= topic_slugs(), (
        f"{name}: unknown topics {sorted(set(topics) - topic_slugs())}"
    )

    related = meta["related"]
    assert isinstance(related, list) and 2 <= len(related) <= 4, f"{name}: 2-4 related articles"
    assert len(set(related)) == len(related), f"{name}: a related article is listed twice"
    assert meta["slug"] not in related, f"{name}: an article is not related to itself"
    assert set(related) <= slugs(ARTICLES), (
        f"{name}: unknown related {sorted(set(related) - slugs(ARTICLES))}"
    )

    # Every page reaches the crisis lines; each "way back" page also leads to its tool.
    required = {"/help/"} | REQUIRED_LINKS.get(meta["slug"], set())
    missing = required - set(links(doc.body))
    assert not missing, f"{name}: must link to {sorted(missing)}"


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.stem)
def test_program(path: Path) -> None:
    doc = read(path)
    meta, name = doc.meta, path.name
    keys = set(meta)
    assert PROGRAM_KEYS <= keys <= PROGRAM_KEYS | PROGRAM_OPTIONAL_KEYS, (
        f"{name}: missing {sorted(PROGRAM_KEYS - keys)}, "
        f"unknown {sorted(keys - PROGRAM_KEYS - PROGRAM_OPTIONAL_KEYS)}"
    )
    check_common(doc, PROGRAM_WORDS)
    assert meta["format"] in PROGRAM_FORMATS, (
        f"{name}: format must be one of {sorted(PROGRAM_FORMATS)}"
    )
    regions = meta["regions"]
    assert isinstance(regions, list) and regions, f"{name}: list at least one region"
    assert all(isinstance(r, str) and r.strip() for r in regions), f"{name}: regions are names"
    for key in ("schedule", "length"):
        assert isinstance(meta[key], str) and meta[key].strip() and "\n" not in meta[key], (
            f"{name}: {key} is one line of text"
        )
    assert isinstance(meta.get("example", False), bool), f"{name}: example is true or false"
    assert "/contact/" in links(doc.body), f"{name}: say how to start, with a link to /contact/"
    assert "/help/" in links(doc.body), f"{name}: say it is not a crisis service, linking /help/"


def test_shipped_programs_are_marked_as_examples() -> None:
    """A clinic must be able to tell at a glance that the programs Thaw ships are not its own."""
    for path in PROGRAMS:
        front = path.read_text(encoding="utf-8").split("+++")[1]
        assert "# EXAMPLE PROGRAM" in front, f"{path.name}: mark it as an example in a comment"
        assert read(path).meta.get("example") is True, f"{path.name}: set example = true"
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert "example" in readme.lower() and "programs/" in readme


def test_slugs_and_titles_are_unique() -> None:
    docs = [read(p) for p in ARTICLES]
    titles = [d.meta["title"] for d in docs]
    assert len(set(titles)) == len(titles), "two articles share a title"


def test_every_topic_has_articles_and_every_article_is_reachable() -> None:
    docs = [read(p) for p in ARTICLES]
    unused = topic_slugs() - {t for d in docs for t in d.meta["topics"]}
    assert not unused, f"topics with no article: {sorted(unused)}"
    linked = {
        t[len("/learn/") : -1]
        for d in docs
        for t in links(d.body) + [f"/learn/{r}/" for r in d.meta["related"]]
        if t.startswith("/learn/")
    }
    orphans = slugs(ARTICLES) - linked
    assert not orphans, f"articles nothing links to or lists as related: {sorted(orphans)}"


def test_medicine_is_always_a_conversation_with_the_prescriber() -> None:
    """Thaw never suggests changing or stopping a medication: a page that mentions medicines
    points to the prescriber. The phrase check is a tripwire for the plainest slips ("you could
    try lowering your dose"), not a proof; editors still read every page."""
    suggestion = re.compile(
        r"\b(?:you (?:could|can|should|might|may want to) (?:try )?|try )"
        r"(?:stop|stopping|reduce|reducing|lower|lowering|skip|skipping|halve|halving|taper|tapering)"
        r"\b[^.]{0,40}\b(?:doses?|medications?|medicines?|antidepressants?|pills?|tablets?)\b",
        re.IGNORECASE,
    )
    for path in ARTICLES + PROGRAMS:
        body = read(path).body
        if re.search(r"\b(?:medication|medicine|antidepressant|prescri)", body, re.IGNORECASE):
            assert "prescriber" in body, f"{path.name}: mentions medicines; point to the prescriber"
        hit = suggestion.search(body)
        assert hit is None, f"{path.name}: reads as advice to change a medicine: {hit.group(0)!r}"
