"""API: the public Learn articles and programs, and posting a comment.

Everything here is public. Reads are limited per address in each process's memory (no write per
read); a comment is limited per address in the shared database cache, like the web form, and is
screened for crisis language. A comment is attributed to a person only when they identify
themselves with a bearer token or a signed-in session that passes the CSRF check; a public
write also needs ``Content-Type: application/json``, which a page on another site cannot send
without the browser asking first (and Thaw answers no such question), so no other site can post
in a visitor's name.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from thaw.api_auth import optional_user
from thaw.core.net import client_ip
from thaw.learn import services
from thaw.learn.models import COMMENT_MAX, COMMENT_NAME_MAX, Article, ProgramPage
from thaw.safety.api import ResourceOut
from thaw.safety.services import person_region
from thaw.text import SHORT, Text

router = Router(tags=["learn"])

PAGE = 20
READS_PER_MINUTE = 300


class ReadLimit:
    """Public reads per address and minute, counted in this process only (a read never writes)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lock = threading.Lock()
        self.minute = 0
        self.counts: Counter[str] = Counter()

    def spend(self, key: str) -> bool:
        minute = int(time.time() // 60)
        with self.lock:
            if minute != self.minute:
                self.minute, self.counts = minute, Counter()
            self.counts[key] += 1
            return self.counts[key] <= self.limit


_reads = ReadLimit(READS_PER_MINUTE)


def _read_allowed(request: HttpRequest) -> None:
    if not _reads.spend(services.address_key(client_ip(request))):
        raise HttpError(429, gettext("Too many requests from this address; wait a minute and try again."))


class ArticleItem(Schema):
    slug: str
    title: str
    summary: str
    published_at: datetime
    views: int
    comments: int
    language: str = Field(description="The language the article is written in: en or es")


class ArticlePage(Schema):
    items: list[ArticleItem]
    next: str | None = Field(description="Pass as ?cursor= for the next (older) page; null at the end")


class ArticleOut(ArticleItem):
    body_html: str = Field(description="The body, rendered from Markdown and sanitised (an allow-list)")
    topics: list[str]
    reading_minutes: int
    related: list[str]
    comments_mode: str
    image: str | None = Field(description="Address of the article's picture, if it has one")
    image_alt: str
    translations: dict[str, str] = Field(
        description="The article's published versions in other languages: language code to slug")


class ArticleFilters(Schema):
    topic: Text(40) | None = Field(None, description="A topic's slug")
    q: Text(200) | None = Field(None, description="Words that must all appear")
    language: Text(8) | None = Field(None, description="Only articles written in this language (en or es)")
    cursor: Text(SHORT) | None = None


class Problem(Schema):
    detail: str


def _item(article: Article) -> dict[str, Any]:
    return {"slug": article.slug, "title": article.title, "summary": article.summary,
            "published_at": article.published_at, "views": article.views, "comments": article.comment_count,
            "language": article.language}


def _cursor(article: Article) -> str:
    return signing.dumps([article.published_at.isoformat(), article.pk], salt="thaw.learn.cursor", compress=True)


@router.get("/articles", response={200: ArticlePage, 422: Problem}, auth=None,
            summary="Published Learn articles, newest first")
def list_articles(request: HttpRequest, filters: Query[ArticleFilters]) -> Any:
    from thaw.api import error_response

    _read_allowed(request)
    found = services.live_articles()
    errors = {}
    if filters.topic:
        found = found.filter(topics__slug=filters.topic)
    if filters.q:
        found = services.search(found, filters.q)
    if filters.language:
        found = found.filter(language=filters.language)
    if filters.cursor:
        try:
            at, pk = signing.loads(filters.cursor, salt="thaw.learn.cursor")
            found = found.filter(Q(published_at__lt=datetime.fromisoformat(at)) | Q(published_at=at, id__lt=int(pk)))
        except (signing.BadSignature, ValueError, TypeError):
            errors["cursor"] = "not a cursor this API gave out"
    if errors:
        return error_response(request, errors)
    items = list(found[:PAGE + 1])
    following = _cursor(items[PAGE - 1]) if len(items) > PAGE else None
    return {"items": [_item(a) for a in items[:PAGE]], "next": following}


@router.get("/articles/{slug}", response={200: ArticleOut, 404: Problem}, auth=None, summary="One published article")
def get_article(request: HttpRequest, slug: str) -> Any:
    from django.urls import reverse

    _read_allowed(request)
    article = services.live_article(slug)
    if article is None:
        return Status(404, {"detail": gettext("No published article has this address.")})
    return Status(200, {**_item(article), "body_html": article.body_html,
                 "topics": list(article.topics.values_list("slug", flat=True)),
                 "reading_minutes": article.reading_minutes,
                 "related": [a.slug for a in services.related_to(article)], "comments_mode": article.comments_mode,
                 "image": reverse("learn_image", args=[article.image.digest]) if article.image else None,
                 "image_alt": article.image_alt,
                 "translations": {a.language: a.slug for a in services.versions_of(article)}})


class CommentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: Text(COMMENT_NAME_MAX) = Field(description="The name to show with the comment (nothing else is shown)")
    body: Text(COMMENT_MAX)


class CommentPosted(Schema):
    status: str = Field(description="held (an editor reads it first) or published")
    crisis: bool = Field(description="The comment had crisis language: show the crisis resources")
    resources: list[ResourceOut] = Field(description="Crisis resources when crisis is true")


def require_json(request: HttpRequest) -> None:
    """A public write must say it is JSON: another site's page cannot send that without asking first."""
    if request.content_type != "application/json":
        raise HttpError(415, gettext("Send the body as JSON, with the header Content-Type: application/json."))


def identified(request: HttpRequest) -> Any | None:
    """Who is posting: a bearer token's owner, or a signed-in session that passes the CSRF check."""
    if request.headers.get("Authorization"):
        return optional_user(request) if not request.user.is_authenticated else None
    if request.user.is_authenticated:
        from ninja.utils import check_csrf

        if check_csrf(request) is not None:
            raise HttpError(403, gettext("CSRF check failed: send the X-CSRFToken header with a signed-in session."))
        return request.user
    return None


@router.post("/articles/{slug}/comments", response={202: CommentPosted, 403: Problem, 404: Problem, 429: Problem},
             auth=None, summary="Comment on an article (held for an editor by default)")
def post_comment(request: HttpRequest, slug: str, payload: CommentIn) -> Any:
    require_json(request)
    article = services.live_article(slug)
    if article is None:
        return Status(404, {"detail": gettext("No published article has this address.")})
    author = identified(request)
    try:
        posted = services.post_comment(article, name=payload.name, body=payload.body, author=author,
                                       address=client_ip(request))
    except services.CommentsOff:
        return Status(403, {"detail": gettext("This article is not taking comments.")})
    except services.TooMany as exc:
        from thaw.api import api

        # The English says "seconds" even for one (scripts match the wording); the plural is for translations.
        response = api.create_response(request, {"detail": ngettext(
            "Too many comments from this address; try again in %(wait)s seconds.",
            "Too many comments from this address; try again in %(wait)s seconds.", exc.wait) % {"wait": exc.wait}},
            status=429)
        response["Retry-After"] = str(exc.wait)
        return response
    resources = [r.as_dict() for r in person_region(author).resources] if posted.crisis else []
    return Status(202, {"status": posted.status, "crisis": posted.crisis, "resources": resources})


class ProgramOut(Schema):
    slug: str
    name: str
    summary: str
    format: str
    regions: list[str]
    schedule: str
    length: str
    example: bool
    body_html: str
    url: str


@router.get("/programs", response=list[ProgramOut], auth=None, summary="The clinic's programs (public pages)")
def list_programs(request: HttpRequest) -> list[dict[str, Any]]:
    _read_allowed(request)
    return [{"slug": p.slug, "name": p.program.name, "summary": p.summary, "format": p.format, "regions": p.regions,
             "schedule": p.schedule, "length": p.length, "example": p.example, "body_html": p.body_html,
             "url": p.get_absolute_url()}
            for p in ProgramPage.objects.filter(public=True).select_related("program")]
