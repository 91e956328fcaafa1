"""SQLite's in-process writer lock: an inline caller never barges ahead of a queued thread."""

from __future__ import annotations

import threading
import time

from probandi.adapters.db.write_lock import WriteLock


def _wait_until(predicate: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.001)


def test_free_lock_is_taken_inline_and_released() -> None:
    lock = WriteLock()
    assert lock.try_uncontended()
    lock.release()
    with lock:  # and a thread can take it afterwards
        pass


def test_lock_held_by_another_thread_is_not_taken_inline() -> None:
    lock = WriteLock()
    held, done = threading.Event(), threading.Event()

    def holder() -> None:
        with lock:
            held.set()
            done.wait(5)

    t = threading.Thread(target=holder)
    t.start()
    held.wait(5)
    try:
        assert not lock.try_uncontended()
    finally:
        done.set()
        t.join(5)
    assert lock.try_uncontended()
    lock.release()


def test_inline_caller_does_not_barge_ahead_of_a_queued_thread() -> None:
    lock = WriteLock()
    order: list[str] = []
    lock.__enter__()  # this thread writes; another queues behind it

    def queued() -> None:
        with lock:
            order.append("queued thread")

    t = threading.Thread(target=queued)
    t.start()
    _wait_until(lambda: lock._waiting == 1)
    # The lock is re-entrant, so this thread could take it again; it must not, because
    # a thread is waiting.
    assert not lock.try_uncontended()
    lock.__exit__(None, None, None)
    t.join(5)
    assert order == ["queued thread"]
    assert lock.try_uncontended()
    lock.release()
