"""SQLite backend that queues writers on a file lock.

SQLite allows one writer at a time. When a second process wants to write, SQLite's
own busy handler sleeps and retries with growing pauses (1, 2, 5 … up to 100 ms), so
a writer can sleep for tens of milliseconds after the lock was already free: under
concurrent check-ins that shows up as a long latency tail. Here every write
transaction first takes an exclusive ``flock`` on ``<database>.writelock``; the kernel
wakes the waiters the moment the lock is released (one of them wins, roughly in
arrival order), and the ``BEGIN IMMEDIATE`` that follows never has to wait. Writes
outside ``transaction.atomic()`` (autocommit) do not take the file lock; they rely on
SQLite's busy timeout, so the frequent ones are wrapped in ``atomic()``. The wait for
the lock has no timeout of its own: a stuck holder ends in gunicorn's worker timeout. The kernel drops the lock if a
worker dies, so a crash cannot wedge the database. Set
``THAW_SQLITE_WRITE_LOCK=none`` to fall back to SQLite's busy handler alone.
"""

from __future__ import annotations

import fcntl
import os

from django.conf import settings
from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _write_lock_fd: int | None = None
    _write_lock_held: bool = False

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if getattr(settings, "SQLITE_WRITE_LOCK", "file") != "file" or self.is_in_memory_db():
            return None
        return name + ".writelock"

    def _acquire_write_lock(self) -> None:
        path = self._lock_path()
        if path is None or self._write_lock_held:
            return
        if self._write_lock_fd is None:
            self._write_lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._write_lock_fd, fcntl.LOCK_EX)
        self._write_lock_held = True

    def _release_write_lock(self) -> None:
        if self._write_lock_held and self._write_lock_fd is not None:
            fcntl.flock(self._write_lock_fd, fcntl.LOCK_UN)
        self._write_lock_held = False

    def _start_transaction_under_autocommit(self) -> None:
        self._acquire_write_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._release_write_lock()
            if self._write_lock_fd is not None:
                os.close(self._write_lock_fd)
                self._write_lock_fd = None
