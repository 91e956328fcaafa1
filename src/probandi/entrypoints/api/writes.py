"""Where a short write use case runs: on the event loop when it can, else in a thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from sqlalchemy.util import greenlet_spawn
from starlette.concurrency import run_in_threadpool

from probandi.bootstrap import Runtime
from probandi.services.context import Services

T = TypeVar("T")


async def run_write(request: Request, use_case: Callable[[Services], T]) -> T:
    """Run a short write use case (a listing push) without a thread hand-off (ADR 0004).

    A push is about a millisecond of CPU under the GIL, and handing it to a worker thread
    cost more in GIL hand-offs than the push itself (measured at 16 clients).
    - SQLite writes one transaction at a time: the push runs inline when the writer is
      free and no thread queues for it; otherwise it waits in the thread pool, so the
      event loop never blocks on the lock.
    - PostgreSQL: the push runs in a greenlet on the event loop over an asyncio engine;
      its round trips yield to other requests, which are served in arrival order.
    """
    runtime: Runtime = request.app.state.runtime
    lock = runtime.write_lock
    if lock is not None and lock.try_uncontended():
        try:
            return use_case(runtime.services)
        finally:
            lock.release()
    if runtime.loop_services is not None:
        result: T = await greenlet_spawn(use_case, runtime.loop_services)
        return result
    return await run_in_threadpool(use_case, runtime.services)
