"""Learn's rules: reading lists, posting and moderating comments, and editing articles.

Views and API handlers parse and render; everything that decides or writes is here. Comments
from visitors and signed-in people alike are scanned for crisis language before the write
transaction; a signed-in commenter whose words show risk also gets a risk flag (so their care
team, if they share flags with one, is alerted), as with a check-in note.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from thaw.accounts.throttle import spend
from thaw.audit.models import record
from thaw.checkins.rules import CheckInInvalid as FieldErrors
from thaw.core.versions import EditConflict
from thaw.learn import wording
from thaw.learn.markdown import render, word_count
from thaw.learn.models import (
    ALT_MAX,
    BODY_MAX,
    COMMENT_MAX,
    COMMENT_NAME_MAX,
    REPLY_MAX,
    RESERVED_SLUGS,
    SLUG_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    Article,
    Comment,
    CommentMode,
    CommentStatus,
    Image,
    Revision,
    RevisionKind,
    Topic,
)
from thaw.safety.services import flag_crisis, scan_text
from thaw.text import take_text

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DUPLICATE_WINDOW = timedelta(hours=1)
RELATED_MAX = 4
PAGE_SIZE = 20


class CommentsOff(Exception):
    """This article takes no new comments."""


class TooMany(Exception):
    def __init__(self, wait: int) -> None:
        self.wait = wait
        super().__init__(f"try again in {wait} seconds")


# --- reading ----------------------------------------------------------------------------------

def live_articles(now: datetime | None = None, language: str | None = None) -> QuerySet[Article]:
    """Published articles, newest first. With ``language``, what a reader of that language is
    shown: the articles written in it, and each other article that has no published version in
    it (an English article not yet translated still reaches a Spanish reader, marked as English)."""
    found = Article.objects.live(now)
    if language:
        versions = Article.objects.live(now).filter(language=language).annotate(
            group=Coalesce("translation_of_id", "id")).values("group")
        found = found.annotate(group=Coalesce("translation_of_id", "id")).filter(
            Q(language=language) | ~Q(group__in=versions))
    return found.order_by("-published_at", "-id")


def versions_of(article: Article) -> list[Article]:
    """The other published versions of ``article`` (its original and the original's translations),
    by language."""
    group = article.translation_of_id or article.pk
    return list(Article.objects.live().filter(Q(pk=group) | Q(translation_of_id=group)).exclude(pk=article.pk)
                .order_by("language", "id"))


def in_language(articles: list[Article], language: str) -> list[Article]:
    """Each article as a reader of ``language`` should meet it: its published version in that
    language when there is one, else itself; each article once."""
    groups = {a.translation_of_id or a.pk for a in articles if a.language != language}
    found = {a.translation_of_id or a.pk: a for a in Article.objects.live().filter(language=language).filter(
        Q(translation_of_id__in=groups) | Q(pk__in=groups))} if groups else {}
    shown, seen = [], set()
    for article in articles:
        version = article if article.language == language else found.get(article.translation_of_id or article.pk,
                                                                         article)
        if version.pk not in seen:
            seen.add(version.pk)
            shown.append(version)
    return shown


def live_article(slug: object) -> Article | None:
    if not isinstance(slug, str) or not SLUG.fullmatch(slug) or len(slug) > SLUG_MAX:
        return None
    return Article.objects.live().filter(slug=slug).select_related("image").first()


def search(queryset: QuerySet[Article], words: str) -> QuerySet[Article]:
    """Articles whose title, summary or body holds every word (at most 8 words are used)."""
    for word in words.split()[:8]:
        queryset = queryset.filter(Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word))
    return queryset


def related_to(article: Article, language: str | None = None) -> list[Article]:
    """The article's related articles; with ``language``, each in that language where it can be."""
    related = list(article.related.live().order_by("-published_at")[:RELATED_MAX])
    if language:
        related = [a for a in in_language(related, language) if a.pk != article.pk]
    return related


def shown_comments(article: Article) -> list[Comment]:
    return list(article.comments.filter(status=CommentStatus.APPROVED).order_by("created_at", "id"))


# --- comments ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Posted:
    comment: Comment
    crisis: bool
    duplicate: bool

    @property
    def status(self) -> str:
        return "published" if self.comment.status == CommentStatus.APPROVED else "held"


def address_key(address: str) -> str:
    """A keyed hash of the sender's address, for the rate limit only: the address is never stored."""
    return hmac.new(settings.SECRET_KEY.encode(), f"addr:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def clean_comment(name: object, body: object) -> tuple[str, str, dict[str, str]]:
    errors: dict[str, str] = {}
    name = take_text(errors, "name", name, COMMENT_NAME_MAX, wording=wording.NAME).strip()
    if not name and "name" not in errors:
        errors["name"] = gettext("Please give a name to show with your comment (it can be a first name or a nickname)")
    body = take_text(errors, "body", body, COMMENT_MAX, wording=wording.COMMENT).strip()
    if not body and "body" not in errors:
        errors["body"] = gettext("Please write your comment")
    return name, body, errors


def post_comment(article: Article, *, name: object, body: object, author: Any = None, address: str = "",
                 now: datetime | None = None) -> Posted:
    if article.comments_mode == CommentMode.OFF:
        raise CommentsOff()
    name, body, errors = clean_comment(name, body)
    if errors:
        raise FieldErrors(errors)
    now = now or timezone.now()
    fingerprint = hmac.new(settings.SECRET_KEY.encode(), f"{article.pk}\x1f{name}\x1f{body}".encode(),
                           hashlib.sha256).hexdigest()
    earlier = Comment.objects.filter(article=article, fingerprint=fingerprint,
                                     created_at__gte=now - DUPLICATE_WINDOW).first()
    if earlier is not None:  # the same comment again (a reload, a double tap): it is already here
        return Posted(earlier, earlier.urgent, duplicate=True)
    wait = spend("comment", address_key(address), limit=settings.THAW_COMMENT_LIMIT, window=3600)
    if wait:
        raise TooMany(wait)
    matches = scan_text(name, body)  # before the write transaction
    shown_at_once = article.comments_mode == CommentMode.ON and not matches
    with transaction.atomic():
        comment = Comment.objects.create(
            article=article, author=author if getattr(author, "is_authenticated", False) else None, name=name,
            body=body, urgent=bool(matches), fingerprint=fingerprint, created_at=now,
            status=CommentStatus.APPROVED if shown_at_once else CommentStatus.HELD)
        if shown_at_once:
            Article.objects.filter(pk=article.pk).update(comment_count=F("comment_count") + 1)
        if comment.author is not None:
            flag_crisis(comment.author, matches, source="comment", source_id=str(comment.pk))
        record("comment.posted", actor=comment.author, article=article.slug, comment=comment.pk,
               urgent=comment.urgent, status=comment.status)
    return Posted(comment, bool(matches), duplicate=False)


def moderation_queue() -> QuerySet[Comment]:
    return (Comment.objects.filter(status=CommentStatus.HELD).select_related("article")
            .order_by("-urgent", "created_at"))


def moderate(comment: Comment, editor: Any, action: str, reply: object = "") -> Comment:
    """``approve``, ``reject``, or ``reply`` (shows the comment with the editor's reply under it)."""
    errors: dict[str, str] = {}
    if action not in ("approve", "reject", "reply"):
        errors["action"] = gettext("choose approve, reject or reply")
    text = take_text(errors, "reply", reply, REPLY_MAX, wording=wording.REPLY).strip()
    if action == "reply" and not text and "reply" not in errors:
        errors["reply"] = gettext("Write the reply to show under the comment")
    if errors:
        raise FieldErrors(errors)
    now = timezone.now()
    status = CommentStatus.REJECTED if action == "reject" else CommentStatus.APPROVED
    with transaction.atomic():
        before = Comment.objects.select_for_update().get(pk=comment.pk).status
        comment.status = status
        comment.reviewed_by, comment.reviewed_at = editor, now
        if action == "reply":
            comment.reply, comment.reply_by, comment.replied_at = text, editor, now
        comment.save()
        change = (status == CommentStatus.APPROVED) - (before == CommentStatus.APPROVED)
        # The article's row changes with every decision (a reply shows without a count change):
        # thaw.learn.pagecache serves a reader's copy only while that row is unchanged.
        Article.objects.filter(pk=comment.article_id).update(comment_count=F("comment_count") + change,
                                                             updated_at=now)
        record(f"comment.{action}", actor=editor, article=comment.article.slug, comment=comment.pk)
    return comment


# --- editing ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Draft:
    """What the editor's form holds: an article's newest revision, or what was just typed."""

    slug: str
    title: str
    summary: str
    body: str
    topics: list[str]
    related: list[str]
    language: str = "en"
    translation_of: str = ""  # the slug of the original this translates, or ""


def newest(article: Article) -> Revision | None:
    return article.revisions.order_by("-number").first()


def draft_of(article: Article) -> Draft:
    revision = newest(article)
    original = article.translation_of.slug if article.translation_of_id else ""  # type: ignore[union-attr]
    if revision is None:
        return Draft(article.slug, article.title, article.summary, article.body,
                     list(article.topics.values_list("slug", flat=True)),
                     list(article.related.values_list("slug", flat=True)), article.language, original)
    return Draft(article.slug, revision.title, revision.summary, revision.body, list(revision.topics),
                 list(revision.related), article.language, original)


def has_unpublished_changes(article: Article) -> bool:
    revision = newest(article)
    return bool(revision and revision.kind in (RevisionKind.DRAFT, RevisionKind.RESTORED))


def _choices(values: object, known: set[str], field: str, errors: dict[str, str], noun: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        errors[field] = gettext("must be a list of names")
        return []
    unknown = [v for v in values if v not in known]
    if unknown:
        from thaw.text import shown

        errors[field] = (gettext("no topic is called %(names)s") if noun == "topic" else gettext("no article is called %(names)s")) % {
            "names": ", ".join(shown(v) for v in unknown[:3])}
    return list(dict.fromkeys(v for v in values if v in known))


def clean_article(data: dict[str, Any], article: Article | None) -> tuple[Draft, dict[str, str]]:
    errors: dict[str, str] = {}
    slug = article.slug if article else take_text(errors, "slug", data.get("slug"), SLUG_MAX, wording=wording.ADDRESS).strip()
    if article is None and "slug" not in errors:
        if not SLUG.fullmatch(slug):
            errors["slug"] = gettext("Use lowercase letters, digits and single hyphens, like what-numbness-feels-like")
        elif slug in RESERVED_SLUGS:
            errors["slug"] = gettext("“%(slug)s” is an address Thaw uses itself; choose another") % {"slug": slug}
        elif Article.objects.filter(slug=slug).exists():
            errors["slug"] = gettext("Another article has this address; choose another")
    title = take_text(errors, "title", data.get("title"), TITLE_MAX, wording=wording.TITLE).strip()
    if not title and "title" not in errors:
        errors["title"] = gettext("Give the article a title")
    summary = take_text(errors, "summary", data.get("summary"), SUMMARY_MAX, wording=wording.SUMMARY).strip()
    if "summary" not in errors:
        if not summary:
            errors["summary"] = gettext("Write one or two plain sentences for lists, feeds and search results")
        elif "\n" in summary:
            errors["summary"] = gettext("Keep the summary to one line")
    body = take_text(errors, "body", data.get("body"), BODY_MAX, wording=wording.ARTICLE).strip()
    if not body and "body" not in errors:
        errors["body"] = gettext("Write the article (Markdown)")
    topics = _choices(data.get("topics"), set(Topic.objects.values_list("slug", flat=True)), "topics", errors, "topic")
    others = set(Article.objects.exclude(slug=slug).values_list("slug", flat=True))
    related = _choices(data.get("related"), others, "related", errors, "article")
    if len(related) > RELATED_MAX:
        errors["related"] = gettext("Choose at most %(most)s related articles") % {"most": RELATED_MAX}
    language, original = _clean_language(data, article, slug, errors)
    return Draft(slug, title, summary, body, topics, related, language, original), errors


def _clean_language(data: dict[str, Any], article: Article | None, slug: str,
                    errors: dict[str, str]) -> tuple[str, str]:
    """The article's language and the slug of the original it translates ("" for an original).
    Left out, they stay as they are (a new article is an English original)."""
    from thaw.learn.models import ARTICLE_LANGUAGES

    language = data.get("language") or (article.language if article else "en")
    if language not in dict(ARTICLE_LANGUAGES):
        errors["language"] = gettext("Choose one of the languages listed")
        language = article.language if article else "en"
    if "translation_of" in data:
        original = data.get("translation_of") or ""
    else:
        original = article.translation_of.slug if article and article.translation_of_id else ""  # type: ignore[union-attr]
    if not isinstance(original, str):
        errors["translation_of"] = gettext("Choose the original article from the list")
        return language, ""
    if not original:
        return language, ""
    found = Article.objects.filter(slug=original).first()
    if found is None or found.slug == slug:
        errors["translation_of"] = gettext("Choose the original article from the list")
    elif found.translation_of_id:
        errors["translation_of"] = gettext("That article is itself a translation; choose the original it translates")
    elif article is not None and article.pk and article.translations.exists():
        errors["translation_of"] = gettext("Other articles translate this one, so it stays an original")
    elif found.language == language:
        errors["translation_of"] = gettext("A translation is in another language than its original")
    elif Article.objects.filter(translation_of=found, language=language).exclude(
            pk=article.pk if article else None).exists():
        errors["translation_of"] = gettext("That article already has a translation in this language")
    return language, original


def save_article(article: Article | None, editor: Any, data: dict[str, Any], action: str,
                 publish_at: datetime | None = None, base: int | None = None) -> Article:
    """``draft`` keeps the text as a revision without showing it; ``publish`` shows it now (an
    article already published keeps its first date); ``schedule`` shows it at ``publish_at``.

    ``base`` is the revision number the editor opened: if another save came after it, nothing is
    saved and ``EditConflict`` carries the newest revision (two editors never overwrite each other
    silently). Without ``base`` the save applies to whatever is newest."""
    try:
        return _save_article(article, editor, data, action, publish_at, base)
    except IntegrityError:
        if article is None or article.pk is None:
            raise
        # Two saves of one article at the same moment: the other took this revision number.
        raise EditConflict(newest(article)) from None


def _save_article(article: Article | None, editor: Any, data: dict[str, Any], action: str,
                  publish_at: datetime | None, base: int | None) -> Article:
    draft, errors = clean_article(data, article)
    now = timezone.now()
    if action not in ("draft", "publish", "schedule"):
        errors["action"] = gettext("choose save draft, publish or schedule")
    if action == "schedule":
        if publish_at is None:
            errors["publish_at"] = gettext("Choose the date and time to publish")
        elif publish_at <= now:
            errors["publish_at"] = gettext("Choose a time in the future (or publish now)")
        elif article is not None and article.is_live:
            errors["publish_at"] = gettext("This article is already published; publish the changes now instead")
    if errors:
        raise FieldErrors(errors)
    html = render(draft.body)
    with transaction.atomic():
        if article is not None and article.pk is not None:
            Article.objects.select_for_update().filter(pk=article.pk).first()  # PostgreSQL: one save at a time
            current = newest(article)
            if base is not None and current is not None and current.number != base:
                raise EditConflict(current)
        if article is None:
            article = Article(slug=draft.slug, created_at=now)
        goes_live = action in ("publish", "schedule")
        if goes_live or article.published_at is None:  # a never-published article shows its newest text
            article.title, article.summary, article.body = draft.title, draft.summary, draft.body
            article.body_html, article.words = html, word_count(html)
        if action == "publish" and not article.is_live:
            article.published_at = now
        elif action == "schedule":
            article.published_at = publish_at
        article.updated_at = now
        # Language and translation are the article's own settings, not its text: they apply at once.
        article.language = draft.language
        article.translation_of = Article.objects.filter(slug=draft.translation_of).first() if draft.translation_of else None
        article.save()
        if goes_live or article.published_at is None:
            article.topics.set(Topic.objects.filter(slug__in=draft.topics))
            article.related.set(Article.objects.filter(slug__in=draft.related))
        number = (newest(article).number if newest(article) else 0) + 1
        Revision.objects.create(article=article, number=number, author=editor,
                                kind=RevisionKind.DRAFT if action == "draft" else RevisionKind.PUBLISHED,
                                title=draft.title, summary=draft.summary, body=draft.body, topics=draft.topics,
                                related=draft.related, created_at=now)
        record(f"article.{action}", actor=editor, article=article.slug, revision=number)
    return article


def unpublish(article: Article, editor: Any) -> None:
    with transaction.atomic():
        article.published_at = None
        article.updated_at = timezone.now()
        article.save(update_fields=["published_at", "updated_at"])
        record("article.unpublished", actor=editor, article=article.slug)


def restore(article: Article, revision: Revision, editor: Any) -> Revision:
    """Bring an old version back into the editor as the newest draft (readers see it once published)."""
    with transaction.atomic():
        number = newest(article).number + 1  # type: ignore[union-attr]
        copy = Revision.objects.create(article=article, number=number, kind=RevisionKind.RESTORED, author=editor,
                                       title=revision.title, summary=revision.summary, body=revision.body,
                                       topics=revision.topics, related=revision.related)
        record("article.restored", actor=editor, article=article.slug, revision=revision.number, as_revision=number)
    return copy


def set_comments_mode(article: Article, editor: Any, mode: object) -> None:
    if mode not in CommentMode.values:
        raise FieldErrors({"comments_mode": gettext("choose on, held or off")})
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).update(comments_mode=mode, updated_at=timezone.now())
        record("article.comments_mode", actor=editor, article=article.slug, mode=mode)


def set_image(article: Article, editor: Any, raw: bytes | None, alt: object) -> None:
    """Attach a re-encoded picture with its required description (alt text)."""
    from thaw.learn.images import ImageRefused, reencode

    errors: dict[str, str] = {}
    alt_text = take_text(errors, "alt", alt, ALT_MAX, wording=wording.DESCRIPTION).strip()
    if not alt_text and "alt" not in errors:
        errors["alt"] = gettext("Describe the picture for people who cannot see it (what it shows, in a sentence); "
                                 "it is required")
    encoded = None
    if raw is None:
        errors["image"] = gettext("Choose a picture to upload")
    else:
        try:
            encoded = reencode(raw)
        except ImageRefused as exc:
            errors["image"] = str(exc)
    if errors or encoded is None:
        raise FieldErrors(errors)
    with transaction.atomic():
        image, _ = Image.objects.get_or_create(digest=encoded.digest, defaults={
            "content_type": encoded.content_type, "data": encoded.data, "width": encoded.width,
            "height": encoded.height})
        Article.objects.filter(pk=article.pk).update(image=image, image_alt=alt_text, updated_at=timezone.now())
        record("article.image", actor=editor, article=article.slug, image=image.digest[:12])


def remove_image(article: Article, editor: Any) -> None:
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).update(image=None, image_alt="", updated_at=timezone.now())
        record("article.image_removed", actor=editor, article=article.slug)


def servable_image(digest: str, viewer: Any) -> Image | None:
    """A picture used by a live article (or any, for an editor)."""
    from thaw.access import is_editor

    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        return None
    image = Image.objects.filter(digest=digest).first()
    if image is None:
        return None
    if is_editor(viewer) or Article.objects.live().filter(image=image).exists():
        return image
    return None
