"""Running calls at the same moment, for tests of concurrent use."""

from __future__ import annotations

import threading
from collections.abc import Callable

from probandi.domain.errors import DomainError


def race(*calls: Callable[[], object]) -> list[str]:
    """Start the calls together; sorted outcomes: "won", or the code of the domain error."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            call()
            outcomes.append("won")
        except DomainError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)
