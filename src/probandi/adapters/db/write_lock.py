"""SQLite's single writer, queued in-process, with an uncontended fast path."""

from __future__ import annotations

import threading
from types import TracebackType

from probandi.adapters.db.request_tx import lock_owner


def _owner() -> object:
    return lock_owner() or threading.get_ident()


class WriteLock:
    """A re-entrant lock that knows whether any thread is queued for it.

    SQLite admits one writer at a time; queueing writers here is fairer and faster than
    its busy handler's sleep-and-retry. `try_uncontended()` lets a caller run a short
    write inline (on the event loop) only when nobody is waiting, so an inline caller
    never barges ahead of a queued thread (ADR 0004).

    The owner is the thread, or, inside an idempotent request, the request itself: its
    transaction is parked until the answer is written, possibly by another thread
    (adapters/db/request_tx.py), so the lock is released by whoever ends it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = threading.Lock()
        self._waiting = 0
        self._holder: object | None = None
        self._depth = 0

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def acquire(self) -> None:
        me = _owner()
        if self._holder == me:
            self._depth += 1
            return
        if not self._lock.acquire(blocking=False):
            with self._count:
                self._waiting += 1
            try:
                self._lock.acquire()
            finally:
                with self._count:
                    self._waiting -= 1
        self._holder, self._depth = me, 1

    def try_uncontended(self) -> bool:
        """Take the lock if it is free and no thread is queued for it; never blocks."""
        if self._waiting:
            return False
        me = _owner()
        if self._holder == me:
            self._depth += 1
            return True
        if self._lock.acquire(blocking=False):
            self._holder, self._depth = me, 1
            return True
        return False

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._holder = None
            self._lock.release()
