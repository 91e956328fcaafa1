"""SQLite's single writer, queued in-process, with an uncontended fast path."""

from __future__ import annotations

import threading
from types import TracebackType


class WriteLock:
    """A re-entrant lock that knows whether any thread is queued for it.

    SQLite admits one writer at a time; queueing writers here is fairer and faster than
    its busy handler's sleep-and-retry. `try_uncontended()` lets a caller run a short
    write inline (on the event loop) only when nobody is waiting, so an inline caller
    never barges ahead of a queued thread (ADR 0004).
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._count = threading.Lock()
        self._waiting = 0

    def __enter__(self) -> WriteLock:
        if not self._lock.acquire(blocking=False):
            with self._count:
                self._waiting += 1
            try:
                self._lock.acquire()
            finally:
                with self._count:
                    self._waiting -= 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def try_uncontended(self) -> bool:
        """Take the lock if it is free and no thread is queued for it; never blocks."""
        return self._waiting == 0 and self._lock.acquire(blocking=False)

    def release(self) -> None:
        self._lock.release()
