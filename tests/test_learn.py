"""Learn: the seed articles, reading (views without cookies or per-reader rows), comments and
their moderation, editing (drafts, scheduling, revisions, pictures), feed, sitemap, programs."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client, override_settings
from django.utils import timezone
from PIL import Image as PILImage

from tests.conftest import ApiClient, make_user
from tests.learn_support import seeded, signed_in, staff, started
from thaw.accounts.models import Role
from thaw.learn import counter, pagecache, services
from thaw.learn.content import load_seed
from thaw.learn.models import (
    Article,
    ArticleDay,
    Comment,
    CommentStatus,
    Image,
    ProgramPage,
    Revision,
)
from thaw.safety.models import RiskFlag

pytestmark = pytest.mark.django_db

SLUG = "what-is-emotional-numbness"


@pytest.fixture
def seed(db):
    seeded()
    counter.flush()  # views buffered by an earlier test belong to its (rolled back) articles
    pagecache.forget()  # and so do the pages this process kept for readers


@pytest.fixture
def editor(db):
    return staff("editor@example.org", Role.EDITOR)


def png(size=(60, 40), mode="RGB") -> bytes:
    out = io.BytesIO()
    PILImage.new(mode, size, (180, 90, 60) if mode == "RGB" else (180, 90, 60, 128)).save(out, "PNG")
    return out.getvalue()


# --- the seed content --------------------------------------------------------------------------

def test_the_seed_is_there_once_and_never_overwrites_an_editors_change(seed, editor) -> None:
    assert Article.objects.live().count() >= 15 and ProgramPage.objects.count() >= 2
    article = Article.objects.get(slug=SLUG)
    assert article.revisions.get().kind == "seed" and article.related.count() >= 2 and article.topics.exists()
    services.save_article(article, editor, {"title": "Our own title", "summary": article.summary,
                                            "body": "## Ours\n\nRewritten by the clinic.\n"}, "publish")
    added = load_seed(apps)  # a second start, or an upgrade that runs it again
    assert added["articles"] == 0 and added["topics"] == 0
    article.refresh_from_db()
    assert article.title == "Our own title" and "Rewritten by the clinic" in article.body_html


# --- reading -----------------------------------------------------------------------------------

def test_an_article_page_has_what_a_reader_expects_and_sets_no_cookie(seed) -> None:
    response = Client().get(f"/learn/{SLUG}/")
    page = response.content.decode()
    article = Article.objects.get(slug=SLUG)
    assert response.status_code == 200 and not response.cookies
    assert f"<h1 id=\"article-title\">{article.title}</h1>" in page
    assert f"{article.reading_minutes} min read" in page and f"{article.views} views · 0 comments" in page
    assert f'<meta name="description" content="{article.summary}">' in page.replace("&#x27;", "'")
    assert 'property="og:title"' in page and 'rel="canonical"' in page
    assert "Related" in page and all(f"/learn/{r.slug}/" in page for r in services.related_to(article))
    assert "Get help now" in page and "/contact/?from=" in page and "Write a comment" in page


def test_views_are_counted_per_day_in_batches_with_nothing_about_the_reader(seed) -> None:
    article = Article.objects.get(slug=SLUG)
    before = article.views
    day_before = ArticleDay.objects.filter(article=article).values_list("views", flat=True).first() or 0
    for _ in range(3):
        assert Client(REMOTE_ADDR="203.0.113.9").get(f"/learn/{SLUG}/").status_code == 200
    assert Client().get("/learn/no-such-article/").status_code == 404
    assert counter.pending() == 3 and Article.objects.get(pk=article.pk).views == before, "no write per view"
    assert counter.flush() == 3 and counter.pending() == 0
    assert Article.objects.get(pk=article.pk).views == before + 3
    day = ArticleDay.objects.get(article=article)
    assert (day.day, day.views) == (timezone.now().date(), day_before + 3)
    assert {f.name for f in ArticleDay._meta.get_fields()} == {"id", "article", "day", "views"}
    # Another process's buffer adds to the same row (the upsert adds; it never overwrites).
    counter.count(article.pk)
    counter.count(article.pk)
    counter.flush()
    assert ArticleDay.objects.get(article=article).views == day_before + 5
    assert Article.objects.get(pk=article.pk).views == before + 5
    assert f"{before + 5} views" in Client().get(f"/learn/{SLUG}/").content.decode()


def test_a_readers_copy_is_served_only_while_the_article_is_unchanged(seed, editor) -> None:
    article = Article.objects.get(slug=SLUG)
    reader = Client()  # no cookie, no query: the page every such reader gets
    first = reader.get(f"/learn/{SLUG}/").content
    assert reader.get(f"/learn/{SLUG}/").content == first and counter.pending() == 2, "each view counted"
    counter.flush()
    assert f"{article.views + 2} views" in reader.get(f"/learn/{SLUG}/").content.decode(), "written views show"
    shown = services.post_comment(article, name="Ash", body="It named the fog.", address="198.51.100.4")
    assert "It named the fog." not in reader.get(f"/learn/{SLUG}/").content.decode()
    services.moderate(shown.comment, editor, "approve")
    assert "It named the fog." in reader.get(f"/learn/{SLUG}/").content.decode(), "approval shows at once"
    services.moderate(Comment.objects.get(), editor, "reply", "Glad it helped.")
    assert "Glad it helped." in reader.get(f"/learn/{SLUG}/").content.decode(), "a reply shows at once"
    services.set_comments_mode(article, editor, "off")
    assert "Comments are closed" in reader.get(f"/learn/{SLUG}/").content.decode()
    services.unpublish(Article.objects.get(pk=article.pk), editor)
    assert reader.get(f"/learn/{SLUG}/").status_code == 404, "unpublished is gone at once"
    assert signed_in(editor).get(f"/learn/{SLUG}/").status_code == 404, "for the signed-in too"


def test_each_language_gets_its_own_copy_and_the_switcher_works_without_a_cookie(seed, alice) -> None:
    reader = Client(enforce_csrf_checks=True)
    english = reader.get(f"/learn/{SLUG}/", headers={"Accept-Language": "en"})
    spanish = reader.get(f"/learn/{SLUG}/", headers={"Accept-Language": "es"})
    assert not english.cookies and not spanish.cookies, "no cookie, in any language"
    assert '<html lang="en">' in english.content.decode() and '<html lang="es">' in spanish.content.decode()
    assert '<html lang="es">' in reader.get(f"/learn/{SLUG}/", headers={"Accept-Language": "es"}).content.decode()
    switched = reader.post("/language", {"language": "es", "next": f"/learn/{SLUG}/"})
    assert switched.status_code == 302 and switched["Location"] == f"/learn/{SLUG}/"
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(alice)
    assert forged.post("/language", {"language": "es", "next": "/"}).status_code == 403, "signed in: CSRF checked"
    alice.refresh_from_db()
    assert alice.language == ""


def test_lists_topics_search_and_see_all(seed) -> None:
    client = Client()
    index = client.get("/learn/").content.decode()
    assert "Recent posts" in index and "See all articles" in index and "Understanding numbness" in index
    topic = client.get("/learn/?topic=grief").content.decode()
    assert "/learn/grief-and-numbness/" in topic and f"/learn/{SLUG}/" not in topic
    found = client.get("/learn/?q=freeze response").content.decode()
    assert "/learn/trauma-and-the-freeze-response/" in found
    assert "Nothing matches" in client.get("/learn/?q=zzzqqq").content.decode()
    assert client.get("/learn/?topic=nope").status_code == 404
    everything = client.get("/learn/all/").content.decode()
    assert everything.count('<li>\n    <h3><a href="/learn/') == Article.objects.live().filter(language="en").count()  # an English reader's list


def test_drafts_and_scheduled_articles_stay_hidden_until_their_time(seed, editor) -> None:
    draft = services.save_article(None, editor, {"slug": "a-draft", "title": "Draft", "summary": "Not yet.",
                                                 "body": "Text."}, "draft")
    later = services.save_article(None, editor, {"slug": "a-later", "title": "Later", "summary": "Soon.",
                                                 "body": "Text."}, "schedule",
                                  publish_at=timezone.now() + timedelta(days=1))
    client = Client()
    for slug in (draft.slug, later.slug):
        assert client.get(f"/learn/{slug}/").status_code == 404
        assert client.get(f"/api/v1/articles/{slug}").status_code == 404
        assert f"/learn/{slug}/" not in client.get("/learn/all/").content.decode()
    Article.objects.filter(pk=later.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    assert client.get(f"/learn/{later.slug}/").status_code == 200


def test_the_visitors_home_is_the_clinics_front_door(seed, alice) -> None:
    page = Client().get("/").content.decode()
    assert "Latest articles" in page and "/programs/" in page and "/contact/" in page and "Get help now" in page
    mine = signed_in(alice).get("/").content.decode()
    assert "How is it right now?" in mine and "Latest articles" not in mine
    assert 'href="/learn/label-your-emotions/"' in mine, "a week without check-ins offers labelling emotions"


def test_feed_and_sitemap_list_the_published_articles(seed, editor) -> None:
    services.save_article(None, editor, {"slug": "hidden-draft", "title": "Hidden", "summary": "x", "body": "x"},
                          "draft")
    feed = Client().get("/learn/feed/")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    assert f"/learn/{SLUG}/" in feed.content.decode() and "hidden-draft" not in feed.content.decode()
    sitemap = Client().get("/sitemap.xml").content.decode()
    assert f"/learn/{SLUG}/</loc>" in sitemap and "/programs/virtual-iop-adults/</loc>" in sitemap
    assert "hidden-draft" not in sitemap


def test_the_feed_is_titled_in_the_readers_language_else_the_sites(seed) -> None:
    spanish = Client().get("/learn/feed/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<title>Aprender: artículos nuevos</title>" in spanish and "new articles" not in spanish
    assert "entumecimiento emocional" in spanish and "Plain articles" not in spanish
    with override_settings(THAW_LANGUAGE="es"):
        assert "Aprender: artículos nuevos" in Client().get("/learn/feed/").content.decode()
    assert "<title>Learn: new articles</title>" in Client().get("/learn/feed/").content.decode()


# --- comments ----------------------------------------------------------------------------------

def post_form_comment(client: Client, slug: str, **fields):
    data = {"name": "Sam", "body": "This put words to it.", "started": started("comment"), **fields}
    return client.post(f"/learn/{slug}/comment/", data)


def test_a_comment_is_held_then_approved_and_shows_the_chosen_name_only(seed, editor, alice) -> None:
    response = post_form_comment(signed_in(alice), SLUG, name="S.")
    assert response.status_code == 302 and response["Location"] == f"/learn/{SLUG}/?comment=held#comments"
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.HELD and comment.author == alice
    page = Client().get(response["Location"]).content.decode()
    assert "once an editor has read it" in page and "This put words to it." not in page
    queue = signed_in(editor).get("/learn/manage/comments/").content.decode()
    assert "This put words to it." in queue
    assert signed_in(editor).post(f"/learn/manage/comments/{comment.pk}",
                                  {"action": "reply", "reply": "Thank you."}).status_code == 302
    page = Client().get(f"/learn/{SLUG}/").content.decode()
    assert "This put words to it." in page and "Thank you." in page and "1 comment" in page
    assert "S." in page and "alice" not in page, "only the chosen name is shown"


def test_a_comment_with_crisis_words_shows_the_crisis_lines_and_is_urgent(seed, alice) -> None:
    response = post_form_comment(signed_in(alice), SLUG, body="Honestly I want to end my life.")
    assert response.status_code == 302 and response["Location"].startswith("/help/?from=comment")
    crisis = Client().get(response["Location"]).content.decode()
    assert "Talk to someone now" in crisis and "kept for an editor" in crisis and f"/learn/{SLUG}/" in crisis
    comment = Comment.objects.get()
    assert comment.urgent and comment.status == CommentStatus.HELD
    assert RiskFlag.objects.filter(person=alice, source="comment").exists(), "a signed-in commenter's team is told"
    post_form_comment(Client(), SLUG, name="Jo", body="Helpful, thanks.")
    queue = list(services.moderation_queue())
    assert len(queue) == 2 and queue[0].urgent and not queue[1].urgent, "urgent comments come first"


def test_spam_is_kept_out_and_nothing_half_saved(seed) -> None:
    client = Client(REMOTE_ADDR="198.51.100.7")
    quick = post_form_comment(client, SLUG, started=started("comment", seconds_ago=0))
    assert quick.status_code == 400 and "very quickly" in quick.content.decode()
    assert "This put words to it." in quick.content.decode(), "what was typed is still there"
    honey = post_form_comment(client, SLUG, website="http://spam.example")
    assert honey.status_code == 400 and not Comment.objects.exists()
    script = post_form_comment(client, SLUG, body="<script>alert(1)</script> hi")
    assert script.status_code == 302
    for _ in range(2):  # the same comment again (reload, double tap): still one
        post_form_comment(client, SLUG, body="<script>alert(1)</script> hi")
    assert Comment.objects.count() == 1
    comment = Comment.objects.get()
    services.moderate(comment, None, "approve")
    page = Client().get(f"/learn/{SLUG}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; hi" in page


@override_settings(THAW_COMMENT_LIMIT=2)
def test_comments_from_one_address_are_limited(seed) -> None:
    client = Client(REMOTE_ADDR="198.51.100.8")
    for n in range(2):
        assert post_form_comment(client, SLUG, body=f"Comment {n}").status_code == 302
    refused = post_form_comment(client, SLUG, body="One more")
    assert refused.status_code == 429 and "One more" in refused.content.decode()
    api = Client(REMOTE_ADDR="198.51.100.8").post(f"/api/v1/articles/{SLUG}/comments",
                                                  json.dumps({"name": "x", "body": "y"}), content_type="application/json")
    assert api.status_code == 429 and api["Retry-After"], "the API shares the form's limit"
    assert post_form_comment(Client(REMOTE_ADDR="198.51.100.9"), SLUG, body="Elsewhere").status_code == 302


@override_settings(THAW_COMMENT_LIMIT=1)
def test_a_spanish_reader_over_the_comment_limit_is_told_so_in_spanish(seed) -> None:
    client = Client(REMOTE_ADDR="198.51.100.10", HTTP_ACCEPT_LANGUAGE="es")
    assert post_form_comment(client, SLUG, body="Primero").status_code == 302
    refused = post_form_comment(client, SLUG, body="Uno más")
    page = refused.content.decode()
    assert refused.status_code == 429 and "Uno más" in page
    assert "Tu comentario sigue aquí" in page and "Thank you for writing" not in page


def test_comments_off_and_unknown_articles(seed, editor) -> None:
    article = Article.objects.get(slug=SLUG)
    services.set_comments_mode(article, editor, "off")
    assert post_form_comment(Client(), SLUG).status_code == 403
    api = Client().post(f"/api/v1/articles/{SLUG}/comments", json.dumps({"name": "x", "body": "y"}),
                        content_type="application/json")
    assert api.status_code == 403 and "not taking comments" in api.json()["detail"]
    assert "Comments are closed" in Client().get(f"/learn/{SLUG}/").content.decode()
    assert Client().get("/learn/nope/comment/").status_code == 404
    assert not Comment.objects.exists()


def test_comments_on_appear_at_once_but_crisis_words_are_still_held(seed, editor) -> None:
    article = Article.objects.get(slug=SLUG)
    services.set_comments_mode(article, editor, "on")
    assert post_form_comment(Client(), SLUG).status_code == 302
    assert post_form_comment(Client(), SLUG, body="I keep thinking about killing myself").status_code == 302
    statuses = dict(Comment.objects.values_list("urgent", "status"))
    assert statuses == {False: "approved", True: "held"}
    assert Article.objects.get(pk=article.pk).comment_count == 1


def test_the_comment_api(seed, alice) -> None:
    anon = ApiClient(None)
    held = anon.post(f"/api/v1/articles/{SLUG}/comments", {"name": "Lee", "body": "Thank you."})
    assert held.status_code == 202 and held.json() == {"status": "held", "crisis": False, "resources": []}
    crisis = anon.post(f"/api/v1/articles/{SLUG}/comments", {"name": "Lee", "body": "I want to kill myself"})
    assert crisis.status_code == 202 and crisis.json()["crisis"] and crisis.json()["resources"]
    plain = Client().post(f"/api/v1/articles/{SLUG}/comments", json.dumps({"name": "x", "body": "y"}),
                          content_type="text/plain")
    assert plain.status_code == 415, "a page on another site cannot send JSON without asking"
    session = Client(enforce_csrf_checks=True)
    session.force_login(alice)
    forged = session.post(f"/api/v1/articles/{SLUG}/comments", json.dumps({"name": "x", "body": "forged"}),
                          content_type="application/json")
    assert forged.status_code == 403
    by_token = ApiClient(alice).post(f"/api/v1/articles/{SLUG}/comments", {"name": "A", "body": "Mine."})
    assert by_token.status_code == 202 and Comment.objects.get(body__isnull=False, name="A").author == alice
    assert anon.post("/api/v1/articles/nope/comments", {"name": "x", "body": "y"}).status_code == 404
    assert anon.post(f"/api/v1/articles/{SLUG}/comments", {"name": "", "body": ""}).status_code == 422
    assert Comment.objects.count() == 3


def test_the_articles_api(seed, monkeypatch) -> None:
    from thaw.learn import api as learn_api

    monkeypatch.setattr(learn_api, "PAGE", 4)
    client = ApiClient(None)
    first = client.get("/api/v1/articles").json()
    assert len(first["items"]) == 4 and set(first["items"][0]) == {"slug", "title", "summary", "published_at",
                                                                     "views", "comments", "language"}
    slugs = [i["slug"] for i in first["items"]]
    cursor = first["next"]
    while cursor:
        page = client.get("/api/v1/articles", cursor=cursor).json()
        slugs += [i["slug"] for i in page["items"]]
        cursor = page["next"]
    assert slugs == list(Article.objects.live().order_by("-published_at", "-id").values_list("slug", flat=True))
    assert [i["slug"] for i in client.get("/api/v1/articles", topic="grief", language="en").json()["items"]] == [
        "grief-and-numbness"]
    assert client.get("/api/v1/articles", cursor="made-up").status_code == 422
    one = client.get(f"/api/v1/articles/{SLUG}").json()
    assert one["topics"] == ["numbness"] and "<h2>" in one["body_html"] and one["related"]
    programs = client.get("/api/v1/programs").json()
    assert {p["slug"] for p in programs} >= {"virtual-iop-adults"} and all(p["example"] for p in programs)


# --- editing -----------------------------------------------------------------------------------

def test_an_editor_writes_a_draft_publishes_and_restores_an_older_version(seed, editor) -> None:
    client = signed_in(editor)
    data = {"slug": "waking-up-flat", "title": "Waking up flat", "summary": "Mornings can be the flattest time.",
            "body": "## Mornings\n\nFirst version.\n\n<script>alert(1)</script>", "topics": ["numbness"],
            "related": [SLUG], "action": "draft"}
    assert client.post("/learn/manage/new/", data).status_code == 302
    assert Client().get("/learn/waking-up-flat/").status_code == 404, "a draft is not public"
    assert client.post("/learn/manage/waking-up-flat/", {**data, "action": "publish"}).status_code == 302
    live = Client().get("/learn/waking-up-flat/").content.decode()
    assert "First version." in live and "<script>" not in live and "alert(1)" in live
    client.post("/learn/manage/waking-up-flat/", {**data, "body": "## Mornings\n\nSecond version.", "action": "draft"})
    assert "First version." in Client().get("/learn/waking-up-flat/").content.decode(), "a draft leaves it live"
    editing = client.get("/learn/manage/waking-up-flat/").content.decode()
    assert "Second version." in editing and "Unpublished changes" in editing
    history = client.get("/learn/manage/waking-up-flat/revisions/").content.decode()
    assert "Version 3" in history and "Version 1" in history
    assert client.post("/learn/manage/waking-up-flat/revisions/1/").status_code == 302
    article = Article.objects.get(slug="waking-up-flat")
    assert services.newest(article).kind == "restored" and "First version." in services.newest(article).body
    assert Revision.objects.filter(article=article).count() == 4


def test_two_editors_never_overwrite_each_other_silently(seed, editor) -> None:
    import re

    other = staff("other-editor@example.org", Role.EDITOR)
    mine, theirs = signed_in(editor), signed_in(other)
    opened = mine.get(f"/learn/manage/{SLUG}/").content.decode()
    base = re.search(r'name="base" value="(\d+)"', opened).group(1)
    article = Article.objects.get(slug=SLUG)
    fields = {"title": article.title, "summary": article.summary, "topics": ["numbness"], "action": "draft"}
    theirs_base = re.search(r'name="base" value="(\d+)"', theirs.get(f"/learn/manage/{SLUG}/").content.decode())
    assert theirs.post(f"/learn/manage/{SLUG}/", {**fields, "body": "Their words.", "base": theirs_base.group(1)}
                       ).status_code == 302
    late = mine.post(f"/learn/manage/{SLUG}/", {**fields, "body": "My words.", "base": base})
    page = late.content.decode()
    assert late.status_code == 409 and "changed somewhere else" in page
    assert "Their words." in page and "My words." in page, "both versions, side by side"
    assert services.newest(article).body == "Their words.", "nothing of mine was saved"
    newer = re.search(r'name="base" value="(\d+)"', page).group(1)
    assert int(newer) == int(base) + 1
    assert mine.post(f"/learn/manage/{SLUG}/", {**fields, "body": "My words.", "base": newer}).status_code == 302
    assert services.newest(article).body == "My words.", "saving again on purpose replaces it"


def test_bad_articles_are_refused_with_the_text_kept(seed, editor) -> None:
    client = signed_in(editor)
    base = {"title": "T", "summary": "S", "body": "Body", "action": "publish"}
    for slug, words in (("manage", "uses itself"), (SLUG, "Another article"), ("Bad Slug", "lowercase")):
        response = client.post("/learn/manage/new/", {**base, "slug": slug})
        assert response.status_code == 400 and words in response.content.decode(), slug
    huge = client.post("/learn/manage/new/", {**base, "slug": "huge", "body": "word " * 9000})
    assert huge.status_code == 400 and "the limit is 40,000" in huge.content.decode()
    from django.utils import translation

    from thaw.learn.services import clean_article

    with translation.override("es"):  # the rules behind the form name the field in the editor's language
        _, errors = clean_article({**base, "slug": "huge", "title": "T" * 500}, None)
    assert errors["title"].startswith("El título tiene 500 caracteres"), errors
    assert not Article.objects.filter(slug__in=["huge", "manage", "bad-slug"]).exists()
    past = client.post("/learn/manage/new/", {**base, "slug": "past", "action": "schedule",
                                              "publish_at": "2001-01-01T10:00"})
    assert past.status_code == 400 and "in the future" in past.content.decode()


def test_the_live_preview_is_sanitised(editor) -> None:
    response = signed_in(editor).post("/learn/manage/preview", {"body": "# Hi\n\n<img src=x onerror=alert(1)> "
                                                                         "[x](javascript:alert(1)) ![a cat](https://elsewhere.example/c.png)"})
    html = response.content.decode()
    assert response.status_code == 200 and "<h2>Hi</h2>" in html
    assert "<img" not in html and 'href="javascript' not in html and "elsewhere.example" not in html
    assert "a cat" in html, "an image in the body keeps only its description"
    assert Client().post("/learn/manage/preview", {"body": "x"}).status_code == 302, "editors only"


def test_the_live_preview_says_an_article_is_too_long_in_the_editors_language(editor) -> None:
    editor.language = "es"
    editor.save(update_fields=["language"])
    response = signed_in(editor).post("/learn/manage/preview", {"body": "x" * 40_001})
    html = response.content.decode().replace("\xa0", " ")
    assert response.status_code == 200 and "field-error" in html
    assert "40 001" in html and "40 000" in html, "counts written the Spanish way"
    assert "El artículo tiene" in html and "characters long" not in html


def test_a_picture_is_re_encoded_with_its_description_and_served_by_thaw(seed, editor) -> None:
    client = signed_in(editor)
    upload = io.BytesIO(png(mode="RGBA"))
    upload.name = "photo.png"
    no_alt = client.post(f"/learn/manage/{SLUG}/image", {"image": upload, "alt": ""})
    assert no_alt.status_code == 400 and "required" in no_alt.content.decode() and not Image.objects.exists()
    for name, raw, words in (("notes.txt", b"just some text", "not a picture"),
                             ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                              "not a picture"), ("empty.jpg", b"", "empty")):
        bad = io.BytesIO(raw)
        bad.name = name
        response = client.post(f"/learn/manage/{SLUG}/image", {"image": bad, "alt": "A picture"})
        assert response.status_code == 400 and words in response.content.decode(), name
    assert not Image.objects.exists()
    upload = io.BytesIO(png(size=(2400, 1200)))
    upload.name = "wide.png"
    assert client.post(f"/learn/manage/{SLUG}/image", {"image": upload, "alt": "A warm square"}).status_code == 302
    image = Image.objects.get()
    assert image.content_type == "image/jpeg" and (image.width, image.height) == (1600, 800)
    page = Client().get(f"/learn/{SLUG}/").content.decode()
    assert f'src="/learn/images/{image.digest}.jpg" alt="A warm square"' in page and 'og:image' in page
    served = Client().get(f"/learn/images/{image.digest}.jpg")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg" and bytes(served.content)[:2] == b"\xff\xd8"
    assert Client().get(f"/learn/images/{'0' * 64}.jpg").status_code == 404


def test_editors_see_no_contact_requests_or_clinical_pages_and_people_no_editing(seed, editor, alice) -> None:
    for path in ("/intake/", "/clinic/", "/clinic/programs/"):
        assert signed_in(editor).get(path).status_code == 404, path
    for path in ("/learn/manage/", "/learn/manage/comments/", f"/learn/manage/{SLUG}/", "/learn/manage/programs/"):
        assert signed_in(alice).get(path).status_code == 404, path
    assert signed_in(editor).get("/learn/manage/").status_code == 200


def test_editors_need_two_factor_like_clinicians(seed) -> None:
    bare = make_user("new-editor@example.org", Role.EDITOR)
    response = signed_in(bare).get("/learn/manage/")
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]
    assert signed_in(bare).get(f"/learn/{SLUG}/").status_code == 302, "until two-factor is on, nothing else"


# --- programs ----------------------------------------------------------------------------------

def test_program_pages_show_dates_without_anyones_data_and_lead_to_the_contact_form(seed, editor) -> None:
    from thaw.clinic.models import Membership
    from thaw.schedule import services as schedule

    page = ProgramPage.objects.get(slug="virtual-iop-adults")
    lead = staff("lead@clinic.example", Role.CLINICIAN)
    Membership.objects.create(program=page.program, clinician=lead)
    start = timezone.now() + timedelta(days=3)
    schedule.schedule(lead, {"program": page.program_id, "kind": "group", "title": "Secret title for Jo",
                             "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
                             "video_link": "https://meet.example.org/private-room"})
    html = Client().get("/programs/virtual-iop-adults/").content.decode()
    assert "Upcoming group sessions" in html and start.strftime("%-d") in html
    assert "Secret title" not in html and "private-room" not in html
    assert "/contact/?program=virtual-iop-adults" in html and "Example program" in html
    form = Client().get("/contact/?program=virtual-iop-adults").content.decode()
    assert 'value="virtual-iop-adults" selected' in form
    editing = signed_in(editor).get(f"/learn/manage/programs/{page.program_id}/").content.decode()
    assert re.search(r'<input type="checkbox" name="example"[^>]* checked>', editing), "an example starts ticked"
    form = {"summary": "Our real virtual program.", "body": "## For whom\n\nAdults.", "format": "virtual",
            "regions": "Oregon, Washington", "schedule": "Mornings", "length": "10 weeks", "public": "on"}
    edited = signed_in(editor).post(f"/learn/manage/programs/{page.program_id}/", {**form, "example": "on"})
    assert edited.status_code == 302
    rewritten = Client().get("/programs/virtual-iop-adults/").content.decode()
    assert "Oregon, Washington" in rewritten and "Example program" in rewritten, "still labelled while ticked"
    # The clinic rewrote it for a real program and unticks the label: visitors no longer read "example".
    assert signed_in(editor).post(f"/learn/manage/programs/{page.program_id}/", form).status_code == 302
    assert "Example program" not in Client().get("/programs/virtual-iop-adults/").content.decode()
    listed = {p["slug"]: p for p in Client().get("/api/v1/programs").json()}
    assert listed["virtual-iop-adults"]["example"] is False
    assert Client().get("/programs/nope/").status_code == 404
