"""Where a short write use case runs: inline on SQLite's free writer, else in a thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from probandi.bootstrap import Runtime

P = ParamSpec("P")
T = TypeVar("T")


async def run_write(request: Request, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run fn inline when SQLite's writer is free and nobody queues for it (ADR 0004).

    SQLite writes one transaction at a time, and a listing push is a millisecond of
    CPU under the GIL; handing it to a worker thread cost more in GIL hand-offs between
    threads than the push itself (measured at 16 clients). When the writer is busy (a
    worker thread holds or awaits it), or on PostgreSQL, the call waits in the thread pool
    instead, so the event loop never blocks on a lock.
    """
    runtime: Runtime = request.app.state.runtime
    lock = runtime.write_lock
    if lock is not None and lock.try_uncontended():
        try:
            return fn(*args, **kwargs)
        finally:
            lock.release()
    return await run_in_threadpool(fn, *args, **kwargs)
