"""Learn in Spanish (issue 17): the seed articles' Spanish versions, linked to their English
originals; readers shown the articles in their language (and the untranslated ones, marked);
each article page offering its translation; the API's ``language``; editors setting an
article's language and original; and the migrations on a site that already has its articles."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from tests.english import english_blocks
from tests.learn_support import seeded, signed_in, staff
from thaw.accounts.models import Role, User
from thaw.learn import counter, pagecache, services
from thaw.learn.models import Article

DATA = Path(__file__).resolve().parent.parent / "thaw" / "learn" / "data" / "articles"
SPANISH = sorted((DATA / "es").glob("*.md"))
ENGLISH = {p.stem: p for p in DATA.glob("*.md")}
TOOL_PATHS = {"/checkin/", "/emotions/", "/circle/", "/grounding/", "/grounding/now/", "/substances/",
              "/assessments/", "/report/", "/help/", "/contact/"}
LINK = re.compile(r"\]\(\s*<?([^)\s>]*)>?\s*\)")
WORD = re.compile(r"\w+(?:['’-]\w+)*")
ES_SLUG = "que-es-el-entumecimiento-emocional"
EN_SLUG = "what-is-emotional-numbness"


def _split(path: Path) -> tuple[dict, str]:
    lines = path.read_text(encoding="utf-8").split("\n")
    end = lines.index("+++", 1)
    return tomllib.loads("\n".join(lines[1:end])), "\n".join(lines[end + 1:])


# --- the files ---------------------------------------------------------------------------------

def test_every_english_seed_article_has_one_spanish_version() -> None:
    translates = [_split(p)[0]["translates"] for p in SPANISH]
    assert sorted(translates) == sorted(ENGLISH) and len(SPANISH) == 15


@pytest.mark.parametrize("path", SPANISH, ids=lambda p: p.stem)
def test_spanish_article(path: Path) -> None:
    meta, body = _split(path)
    assert set(meta) == {"slug", "title", "summary", "translates"}, path.name
    assert meta["slug"] == path.stem and meta["slug"] not in ENGLISH
    assert 0 < len(meta["title"]) <= 100 and 40 <= len(meta["summary"]) <= 180
    assert not re.search(r"[<>\[\]*`\n]", meta["summary"]) and not re.search(r"<[A-Za-z/!?]", body)
    assert not re.search(r"^#(?!#)", body, re.MULTILINE) and "![" not in body
    spanish_slugs = {p.stem for p in SPANISH}
    targets = LINK.findall(body)
    bad = [t for t in targets if t not in TOOL_PATHS and not (t.startswith("/learn/") and t[7:-1] in spanish_slugs)]
    assert not bad, f"{path.name}: links to {bad} (a Spanish article links to Spanish articles)"
    english_meta, english_body = _split(ENGLISH[meta["translates"]])
    # The same Thaw tools as the original, and the crisis lines.
    english_tools = {t for t in LINK.findall(english_body) if t in TOOL_PATHS}
    assert english_tools <= set(targets) and "/help/" in targets, sorted(english_tools - set(targets))
    # The same sources, cited as the original cites them.
    if "## Sources" in english_body:
        sources = english_body.split("## Sources", 1)[1].strip()
        assert "## Fuentes" in body and body.split("## Fuentes", 1)[1].strip() == sources
    assert 500 <= len(WORD.findall(LINK.sub("]", body))) <= 1100


# --- seeding -----------------------------------------------------------------------------------

@pytest.fixture
def seed(db):
    seeded()
    counter.flush()
    pagecache.forget()


def test_seeding_adds_the_spanish_articles_linked_to_their_originals(seed) -> None:
    spanish = Article.objects.filter(language="es")
    assert spanish.count() == 15 and Article.objects.filter(language="en").count() >= 15
    for article in spanish.select_related("translation_of"):
        original = article.translation_of
        assert original is not None and original.language == "en" and original.translation_of_id is None
        assert article.published_at == original.published_at and article.is_live
        assert set(article.topics.all()) == set(original.topics.all())
        assert all(r.language == "es" for r in article.related.all()) and article.related.count() >= 2
        assert article.revisions.get().kind == "seed"
    assert services.live_article(ES_SLUG).translation_of.slug == EN_SLUG


# --- readers -----------------------------------------------------------------------------------

def _english_only(editor) -> Article:
    return services.save_article(None, editor, {"slug": "only-in-english", "title": "Only written in English",
                                                "summary": "An article that nobody has translated into Spanish yet.",
                                                "body": "## Hello\n\nThis has no Spanish version.\n"}, "publish")


def test_a_spanish_readers_learn_lists_the_spanish_articles_and_marks_the_english_only_ones(seed) -> None:
    _english_only(staff("editor@example.org", Role.EDITOR))
    page = Client(headers={"Accept-Language": "es-MX,es;q=0.9"}).get("/learn/all/").content.decode()
    for article in Article.objects.filter(language="es"):
        assert f'href="/learn/{article.slug}/"' in page
    assert not any(f'href="/learn/{slug}/"' in page for slug in ENGLISH)
    assert '<h3 lang="en"><a href="/learn/only-in-english/" hreflang="en">Only written in English</a></h3>' in page
    assert '<span class="language-note">En inglés</span>' in page
    recent = Client(headers={"Accept-Language": "es"}).get("/learn/").content.decode()
    assert "only-in-english" in recent and "Entradas recientes" in recent or "Aprender" in recent
    topic = Client(headers={"Accept-Language": "es"}).get("/learn/?topic=grief").content.decode()
    assert "/learn/duelo-y-entumecimiento/" in topic and "/learn/grief-and-numbness/" not in topic
    feed = Client(headers={"Accept-Language": "es"}).get("/learn/feed/").content.decode()
    assert "/learn/duelo-y-entumecimiento/" in feed and "/learn/grief-and-numbness/" not in feed


def test_a_profile_in_spanish_wins_over_the_browser(seed) -> None:
    person = User.objects.create_user("ana@example.org", "a long passphrase here", language="es")
    client = signed_in(person)
    page = client.get("/learn/all/", headers={"Accept-Language": "en"}).content.decode()
    assert f'href="/learn/{ES_SLUG}/"' in page and f'href="/learn/{EN_SLUG}/"' not in page


def test_an_english_readers_learn_is_unchanged(seed) -> None:
    page = Client(headers={"Accept-Language": "en"}).get("/learn/all/").content.decode()
    for slug in ENGLISH:
        assert f'href="/learn/{slug}/"' in page
    assert not any(f'href="/learn/{p.stem}/"' in page for p in SPANISH)
    assert "language-note" not in page and '<h3 lang=' not in page
    home = Client().get("/learn/").content.decode()
    assert f'href="/learn/{ES_SLUG}/"' not in home


def test_an_article_offers_its_translation_and_hreflang_alternates(seed) -> None:
    english = Client().get(f"/learn/{EN_SLUG}/").content.decode()
    assert (f'<a href="/learn/{ES_SLUG}/" hreflang="es" lang="es" rel="alternate">Leer en español</a>' in english)
    assert re.search(rf'<link rel="alternate" hreflang="es" href="http[^"]+/learn/{ES_SLUG}/">', english)
    assert re.search(rf'<link rel="alternate" hreflang="en" href="http[^"]+/learn/{EN_SLUG}/">', english)
    spanish = Client(headers={"Accept-Language": "es"}).get(f"/learn/{ES_SLUG}/").content.decode()
    assert f'<a href="/learn/{EN_SLUG}/" hreflang="en" lang="en" rel="alternate">Read in English</a>' in spanish
    assert '<div class="article-text" lang="es">' in spanish and "language-note" not in spanish
    # A Spanish reader who lands on the English original is told, in Spanish, and offered the translation.
    crossed = Client(headers={"Accept-Language": "es"}).get(f"/learn/{EN_SLUG}/").content.decode()
    assert "Este artículo está en inglés." in crossed and "Leer en español" in crossed
    assert '<div class="article-text" lang="en">' in crossed and "Todavía no está traducido" not in crossed
    # Related articles in the reader's language.
    assert "/learn/por-que-adormecer-apaga-lo-bueno/" in crossed


def test_an_english_only_article_says_so_to_a_spanish_reader(seed) -> None:
    _english_only(staff("editor@example.org", Role.EDITOR))
    page = Client(headers={"Accept-Language": "es"}).get("/learn/only-in-english/").content.decode()
    assert "Este artículo está en inglés. Todavía no está traducido a tu idioma." in page
    assert '<h1 id="article-title" lang="en">' in page and "hreflang" not in page.split("<main", 1)[-1]


def test_a_spanish_article_page_has_no_english_sentence(seed) -> None:
    """The crawl's check, without treating the article's text as data: only its citations (kept as
    published), the link to the original (marked lang="en") and the topics' names (data the clinic
    edits, left out by the crawl too) may be English."""
    from thaw.learn.models import Topic

    topics = tuple(t for topic in Topic.objects.all() for t in (topic.label, topic.description))
    client = Client(headers={"Accept-Language": "es-MX,es;q=0.9"})
    for path in SPANISH:
        _, body = _split(path)
        citations = tuple(re.sub(r"[*]", "", line[2:]).strip() for line in body.split("## Fuentes", 1)[-1].splitlines()
                          if line.startswith("- ")) if "## Fuentes" in body else ()
        html = client.get(f"/learn/{path.stem}/").content.decode()
        found = [str(b) for b in english_blocks(html, ignore=citations + topics)]
        assert found == [], (path.stem, found)


# --- the API -----------------------------------------------------------------------------------

def test_the_api_carries_each_articles_language(seed) -> None:
    listing = Client().get("/api/v1/articles").json()
    assert {item["language"] for item in listing["items"]} <= {"en", "es"}
    assert set(listing["items"][0]) == {"slug", "title", "summary", "published_at", "views", "comments", "language"}
    spanish = Client().get("/api/v1/articles?language=es").json()["items"]
    assert spanish and all(item["language"] == "es" for item in spanish)
    one = Client().get(f"/api/v1/articles/{ES_SLUG}").json()
    assert one["language"] == "es" and one["translations"] == {"en": EN_SLUG}
    assert Client().get(f"/api/v1/articles/{EN_SLUG}").json()["translations"] == {"es": ES_SLUG}


# --- editors -----------------------------------------------------------------------------------

def test_an_editor_sets_an_articles_language_and_the_original_it_translates(seed) -> None:
    editor = staff("editor@example.org", Role.EDITOR)
    client = signed_in(editor)
    form = client.get("/learn/manage/new/").content.decode()
    assert 'name="language"' in form and 'name="translation_of"' in form
    _english_only(editor)
    response = client.post("/learn/manage/new/", {
        "slug": "solo-en-ingles", "title": "Escrito solo en inglés", "summary": "Un artículo que ya tiene su versión.",
        "body": "## Hola\n\nAhora sí tiene versión en español.\n", "language": "es",
        "translation_of": "only-in-english", "action": "publish"})
    assert response.status_code == 302
    article = Article.objects.get(slug="solo-en-ingles")
    assert article.language == "es" and article.translation_of.slug == "only-in-english"
    page = client.get("/learn/manage/solo-en-ingles/").content.decode()
    assert '<option value="es" selected>' in page and '<option value="only-in-english" selected>' in page
    # A second Spanish translation of the same original, or a translation of a translation, is refused.
    for original in ("only-in-english", "solo-en-ingles"):
        refused = client.post("/learn/manage/new/", {
            "slug": f"otra-{original}", "title": "Otra", "summary": "Otra versión que no debería guardarse.",
            "body": "## Otra\n\nTexto.\n", "language": "es", "translation_of": original, "action": "publish"})
        assert refused.status_code == 400 and not Article.objects.filter(slug=f"otra-{original}").exists()
    # Making it an original again.
    client.post("/learn/manage/solo-en-ingles/", {
        "title": article.title, "summary": article.summary, "body": article.body, "language": "es",
        "translation_of": "", "action": "publish", "base": article.revisions.order_by("-number").first().number})
    article.refresh_from_db()
    assert article.translation_of is None


# --- the migrations on an existing site ---------------------------------------------------------

BEFORE = [("learn", "0002_seed_content")]


@pytest.mark.django_db(transaction=True)
def test_the_migrations_make_existing_articles_english_and_add_their_spanish_versions() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        OldArticle = old.get_model("learn", "Article")  # noqa: N806
        OldArticle.objects.all().delete()
        from thaw.learn.content import load_seed

        load_seed(old)  # the site as it was: its English articles, one of them edited by the clinic
        OldArticle.objects.filter(slug=EN_SLUG).update(title="Our own title")
        count = OldArticle.objects.count()
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        assert Article.objects.filter(language="en").count() == count
        assert Article.objects.get(slug=EN_SLUG).title == "Our own title"
        assert Article.objects.filter(language="es", translation_of__language="en").count() == 15
        # The clinic's edited article gets its translation as a draft, for an editor to read
        # first; the untouched ones get theirs live beside them.
        edited = Article.objects.get(translation_of__slug=EN_SLUG)
        assert edited.published_at is None
        assert Article.objects.filter(language="es").exclude(pk=edited.pk).filter(published_at__isnull=True).count() == 0
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
