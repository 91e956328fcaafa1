"""Fault injection for the crash tests, off unless PROBANDI_FAULT_INJECTION=1.

With it on, a request carrying `X-Probandi-Fault: crash-after-answer` kills the server
(SIGKILL, as `kill -9` would) after its effect and answer are committed and before the
answer is sent: the window in which a client sees a dropped connection and retries.
"""

from __future__ import annotations

import os
import signal

from starlette.types import Scope

HEADER = b"x-probandi-fault"


def crash_after_answer(scope: Scope) -> None:
    for name, value in scope.get("headers", []):
        if name == HEADER and value == b"crash-after-answer":
            os.kill(os.getpid(), signal.SIGKILL)
