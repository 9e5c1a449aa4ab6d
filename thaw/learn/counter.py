"""Article views, counted in this process's memory and written in batches.

A view is one anonymous or signed-in GET of an article page that answered 200. Thaw keeps no
cookie, no address and no row per reader for it: each process adds views up per (article, UTC
day) and writes the sums with one upsert (``views = views + n``), which is atomic on SQLite and
PostgreSQL alike, so any number of workers on any number of app servers add up correctly.

When the sums are written:
- after a response has gone out, when this process holds ``FLUSH_VIEWS`` views or its oldest
  unwritten view is ``FLUSH_SECONDS`` old (``request_finished``; never while a page is waiting);
- every ``FLUSH_SECONDS`` from a small thread in each server worker, so a quiet worker's
  views are not left behind (``start_flusher``, called after gunicorn forks a worker);
- when a worker exits (gunicorn's ``worker_exit`` and ``atexit``), so a restart loses nothing.

If the database cannot take the write, the sums go back into the buffer for the next attempt.
Only a process killed outright (SIGKILL, power loss) loses the views it had not written: at most
``FLUSH_SECONDS`` seconds' worth.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 10.0
FLUSH_VIEWS = 200

_lock = threading.Lock()
_pending: Counter[tuple[int, date]] = Counter()
_oldest: float | None = None  # monotonic time of the oldest unwritten view
_flusher: threading.Thread | None = None


def count(article_id: int) -> None:
    global _oldest
    key = (article_id, datetime.now(UTC).date())
    with _lock:
        _pending[key] += 1
        if _oldest is None:
            _oldest = time.monotonic()


def pending() -> int:
    with _lock:
        return sum(_pending.values())


def flush_if_due(**_: Any) -> None:
    if _oldest is None:
        return
    if time.monotonic() - _oldest >= FLUSH_SECONDS or pending() >= FLUSH_VIEWS:
        flush()


def flush() -> int:
    """Write every buffered view; return how many were written."""
    global _oldest
    with _lock:
        batch = dict(_pending)
        _pending.clear()
        _oldest = None
    if not batch:
        return 0
    try:
        return _write(batch)
    except Exception:  # the database is away: keep the views for the next attempt
        logger.exception("article views could not be written; keeping %s for later", sum(batch.values()))
        with _lock:
            _pending.update(batch)
            _oldest = _oldest if _oldest is not None else time.monotonic()
        return 0


def _write(batch: dict[tuple[int, date], int]) -> int:
    from django.db import connection, transaction

    from thaw.learn.models import Article, ArticleDay

    day_table = connection.ops.quote_name(ArticleDay._meta.db_table)
    article_table = connection.ops.quote_name(Article._meta.db_table)
    with transaction.atomic():
        existing = set(Article.objects.filter(pk__in={a for a, _ in batch}).values_list("pk", flat=True))
        rows = [(article_id, day.isoformat(), n) for (article_id, day), n in sorted(batch.items())
                if article_id in existing]  # an article deleted meanwhile takes its views with it
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {day_table} (article_id, day, views) VALUES (%s, %s, %s) "
                f"ON CONFLICT (article_id, day) DO UPDATE SET views = {day_table}.views + excluded.views", rows)
            totals: Counter[int] = Counter()
            for article_id, _, n in rows:
                totals[article_id] += n
            cursor.executemany(f"UPDATE {article_table} SET views = views + %s WHERE id = %s",
                               [(n, article_id) for article_id, n in sorted(totals.items())])
    return sum(n for _, _, n in rows)


def _flush_forever() -> None:
    from django.db import connection

    while True:
        time.sleep(FLUSH_SECONDS)
        if _oldest is not None:
            flush()
            connection.close()  # this thread's own connection; opened again next time


def start_flusher() -> None:
    """Start this process's timer (once per process: call it after a fork)."""
    global _flusher
    if _flusher is None or not _flusher.is_alive():
        _flusher = threading.Thread(target=_flush_forever, name="thaw-view-flusher", daemon=True)
        _flusher.start()


def after_fork() -> None:
    """In a freshly forked worker: forget the parent's thread and buffer, start our own timer."""
    global _flusher, _oldest
    _flusher = None
    with _lock:
        _pending.clear()
        _oldest = None
    start_flusher()


atexit.register(flush)
