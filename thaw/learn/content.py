"""The seed content in ``thaw/learn/data/`` (see its README): read, checked, and loaded once.

``read_seed()`` is pure (files in, dataclasses out). ``load_seed(apps)`` runs once, from the data
migration ``learn.0002_seed_content``, with the migration's own models: it adds topics, articles
(published, with a first revision) and the example programs that are not there yet, and never
changes anything that is, so editors' work is never overwritten. The example programs are added
only to a clinic with no programs yet: an existing clinic's program list gets no examples.

Translations (issue 17) live beside the originals, one folder per language
(``articles/es/<slug>.md``), and name the English slug they translate; they take the original's
topics and date, and its related articles in their own language. ``load_translations(apps)``
adds them, linked to their originals, from ``learn.0004_seed_translations`` (so a site that
already has the English articles gets them too); ``load_seed`` adds them as well once the
models have a language.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class SeedTopic:
    slug: str
    label: str
    description: str


@dataclass(frozen=True)
class SeedArticle:
    slug: str
    title: str
    summary: str
    topics: tuple[str, ...]
    published: datetime
    related: tuple[str, ...]
    body: str


@dataclass(frozen=True)
class SeedTranslation:
    language: str
    slug: str
    title: str
    summary: str
    translates: str  # the English original's slug
    body: str


@dataclass(frozen=True)
class SeedProgram:
    slug: str
    title: str
    summary: str
    format: str
    regions: tuple[str, ...]
    schedule: str
    length: str
    example: bool
    body: str


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    lines = text.split("\n")
    if not lines or lines[0] != "+++" or "+++" not in lines[1:]:
        raise ValueError(f"{name}: front matter between two +++ lines is missing")
    end = lines.index("+++", 1)
    return tomllib.loads("\n".join(lines[1:end])), "\n".join(lines[end + 1:]).strip() + "\n"


def read_seed(data: Path = DATA) -> tuple[list[SeedTopic], list[SeedArticle], list[SeedProgram]]:
    with open(data / "topics.toml", "rb") as fh:
        topics = [SeedTopic(t["slug"], t["label"], t["description"]) for t in tomllib.load(fh)["topic"]]
    articles = []
    for path in sorted((data / "articles").glob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"), path.name)
        articles.append(SeedArticle(meta["slug"], meta["title"], meta["summary"], tuple(meta["topics"]),
                                    meta["published"], tuple(meta["related"]), body))
    programs = []
    for path in sorted((data / "programs").glob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"), path.name)
        programs.append(SeedProgram(meta["slug"], meta["title"], meta["summary"], meta["format"],
                                    tuple(meta["regions"]), meta["schedule"], meta["length"],
                                    bool(meta.get("example", False)), body))
    return topics, articles, programs


def read_translations(data: Path = DATA) -> list[SeedTranslation]:
    """Every ``articles/<language>/<slug>.md``, in language and file order."""
    found = []
    for folder in sorted(p for p in (data / "articles").iterdir() if p.is_dir()):
        for path in sorted(folder.glob("*.md")):
            meta, body = split_front_matter(path.read_text(encoding="utf-8"), f"{folder.name}/{path.name}")
            found.append(SeedTranslation(folder.name, meta["slug"], meta["title"], meta["summary"],
                                         meta["translates"], body))
    return found


def load_translations(apps: Any) -> int:
    """Add the seed translations that are missing (an article whose slug is taken is left alone,
    as is a translation whose original is gone); return how many were added."""
    from thaw.learn.markdown import render, word_count

    Article = apps.get_model("learn", "Article")  # noqa: N806 - the migration's historical models
    Revision = apps.get_model("learn", "Revision")  # noqa: N806
    as_seeded = {seed.slug: (seed.title, seed.body) for seed in read_seed()[1]}
    new = []
    for seed in read_translations():
        original = Article.objects.filter(slug=seed.translates, translation_of__isnull=True).first()
        if original is None or Article.objects.filter(slug=seed.slug).exists():
            continue
        if Article.objects.filter(translation_of=original, language=seed.language).exists():
            continue  # an editor has already written this language's version
        html = render(seed.body)
        published = original.published_at or original.created_at
        # Live beside its original only while the original is as Thaw shipped it: a clinic that
        # edited its article gets the translation as a draft, for an editor to read first.
        unchanged = as_seeded.get(original.slug) == (original.title, original.body)
        topics = list(original.topics.all())
        article = Article.objects.create(
            slug=seed.slug, title=seed.title, summary=seed.summary, body=seed.body, body_html=html,
            words=word_count(html), published_at=original.published_at if unchanged else None, created_at=published, updated_at=published,
            language=seed.language, translation_of=original)
        article.topics.set(topics)
        new.append((article, original))
    for article, original in new:
        related = []
        for other in original.related.all():
            version = Article.objects.filter(translation_of=other, language=article.language).first()
            related.append(version or other)
        article.related.set(related)
        Revision.objects.create(article=article, number=1, kind="seed", title=article.title, summary=article.summary,
                                body=article.body, topics=[t.slug for t in article.topics.all()],
                                related=[a.slug for a in related], created_at=article.created_at)
    return len(new)


def load_seed(apps: Any) -> dict[str, int]:
    """Add what is missing from the seed content; return how many of each were added."""
    from thaw.learn.markdown import render, word_count

    Topic = apps.get_model("learn", "Topic")  # noqa: N806 - the migration's historical models
    Article = apps.get_model("learn", "Article")  # noqa: N806
    Revision = apps.get_model("learn", "Revision")  # noqa: N806
    ProgramPage = apps.get_model("learn", "ProgramPage")  # noqa: N806
    Program = apps.get_model("clinic", "Program")  # noqa: N806
    topics, articles, programs = read_seed()
    added = {"topics": 0, "articles": 0, "programs": 0}
    for position, topic in enumerate(topics):
        _, created = Topic.objects.get_or_create(slug=topic.slug, defaults={
            "label": topic.label, "description": topic.description, "position": position})
        added["topics"] += created
    by_slug = {t.slug: t for t in Topic.objects.all()}
    new = []
    for seed in articles:
        if Article.objects.filter(slug=seed.slug).exists():
            continue
        html = render(seed.body)
        article = Article.objects.create(
            slug=seed.slug, title=seed.title, summary=seed.summary, body=seed.body, body_html=html,
            words=word_count(html), published_at=seed.published, created_at=seed.published, updated_at=seed.published)
        article.topics.set([by_slug[s] for s in seed.topics if s in by_slug])
        Revision.objects.create(article=article, number=1, kind="seed", title=seed.title, summary=seed.summary,
                                body=seed.body, topics=list(seed.topics), related=list(seed.related),
                                created_at=seed.published)
        new.append((article, seed))
        added["articles"] += 1
    articles_by_slug = {a.slug: a for a in Article.objects.all()}
    for article, seed in new:
        article.related.set([articles_by_slug[s] for s in seed.related if s in articles_by_slug])
    if not Program.objects.exists():
        for position, seed in enumerate(programs):
            program = Program.objects.create(name=seed.title, description=seed.summary[:300])
            html = render(seed.body)
            ProgramPage.objects.create(program=program, slug=seed.slug, summary=seed.summary, body=seed.body,
                                       body_html=html, format=seed.format, regions=list(seed.regions),
                                       schedule=seed.schedule, length=seed.length, example=seed.example,
                                       position=position)
            added["programs"] += 1
    if any(f.name == "language" for f in Article._meta.get_fields()):  # not in 0002's models
        added["articles"] += load_translations(apps)
    return added
