"""One transaction for an idempotent request: its effect and its stored answer commit together.

A request that carries an `Idempotency-Key` runs with a `RequestTransaction` in a context
variable. The first unit of work that commits in it does not commit: it *parks* its
session, and every later unit of work of the same request joins that session (writers
under a savepoint, readers as they are, so they read the request's own writes). When the
answer is known, the idempotency middleware writes it into the same transaction and
commits (`finish`), or rolls everything back on a server error (`abandon`). A crash at any
point therefore leaves either the effect *and* its answer, or neither: a retry replays or
runs afresh, never applies twice.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session


class ParkedWork(Protocol):
    """What a parked unit of work offers its request: its session, and its ending."""

    session: Session
    async_bound: bool

    def end(self, *, commit: bool) -> None: ...


@dataclass(eq=False)  # compared by identity: it owns the write lock
class RequestTransaction:
    """The idempotent request in flight: who asked (scope), with which key."""

    scope: str
    key: str
    host: ParkedWork | None = None
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    def finish(self, write_answer: Callable[[Session], None]) -> None:
        """Write the answer next to the effect and commit both (or neither)."""
        host = self.host
        if host is None:
            return
        self.host = None
        try:
            write_answer(host.session)
        except BaseException:
            host.end(commit=False)
            raise
        host.end(commit=True)

    def abandon(self) -> None:
        """Roll the request's effect back: its answer was a server error."""
        host, self.host = self.host, None
        if host is not None:
            host.end(commit=False)


CURRENT: ContextVar[RequestTransaction | None] = ContextVar("probandi_request_tx", default=None)


def current() -> RequestTransaction | None:
    return CURRENT.get()


def lock_owner() -> object | None:
    """The write lock's owner within an idempotent request: the request, not the thread,
    since its transaction outlives the thread that began it."""
    return CURRENT.get()
