"""A process's copy of the article pages a cookie-less reader gets, so a popular article costs one
indexed lookup instead of four ORM queries and a template render.

Only the page a reader with no cookie and no query string sees is kept, one per language: it holds
nothing about anyone (no session, no CSRF token, no messages, no nonce), so it is the same for every
such reader of that language.
Before a copy is served, one raw indexed SELECT reads the article's row: the copy is used only while
the row's stamp (``updated_at``, ``published_at``, ``views``, ``comment_count``, ``comments_mode``)
is what it was when the page was rendered. Every change a reader can see goes through that row
(an edit, publishing or unpublishing, a picture, a comment shown or a reply, the comment setting,
the views written by a flush), so a change shows on the next request in every process, on every app
server. What the row does not carry (another article's title in "Related", a topic's name) is
picked up within ``MAX_AGE`` seconds. Views are still counted on every request.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection

MAX_AGE = 30.0
MAX_PAGES = 256


@dataclass(frozen=True)
class Page:
    article_id: int
    stamp: tuple[Any, ...]
    html: bytes
    kept_at: float


_pages: dict[str, Page] = {}
_lock = threading.Lock()
_sql: str | None = None


def _query() -> str:
    global _sql
    if _sql is None:
        from thaw.learn.models import Article

        qn = connection.ops.quote_name
        columns = ", ".join(qn(c) for c in ("id", "updated_at", "published_at", "views", "comment_count",
                                            "comments_mode"))
        _sql = f"SELECT {columns} FROM {qn(Article._meta.db_table)} WHERE {qn('slug')} = %s"
    return _sql


def stamp(slug: str) -> tuple[Any, ...] | None:
    """The article row's id and stamp as the database holds them now, or None."""
    with connection.cursor() as cursor:
        cursor.execute(_query(), [slug])
        row = cursor.fetchone()
    return tuple(row) if row else None


def _key(slug: str) -> str:
    """One copy per article and language (the page speaks the reader's language, issue 17)."""
    from django.utils import translation

    return f"{translation.get_language() or ''}:{slug}"


def lookup(slug: str) -> Page | None:
    page = _pages.get(_key(slug))
    if page is None or time.monotonic() - page.kept_at > MAX_AGE:
        return None
    if stamp(slug) != page.stamp:
        return None
    return page


def keep(slug: str, article_id: int, row: tuple[Any, ...], html: bytes) -> None:
    """Keep the page rendered from the article as ``row`` stood before rendering (read first, so a
    change during the render makes the copy stale rather than hiding the change)."""
    with _lock:
        if len(_pages) >= MAX_PAGES:
            _pages.clear()
        _pages[_key(slug)] = Page(article_id, row, html, time.monotonic())


def forget() -> None:
    with _lock:
        _pages.clear()
