"""A real HTTP server (uvicorn in a thread) on a free port, sharing the test's clock."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from probandi.bootstrap import Runtime
from probandi.config import Settings
from probandi.entrypoints.api.app import create_app
from probandi.entrypoints.dispatcher import Dispatcher
from tests.support.receiver import ReceiverProcess, receiver
from tests.support.servers import free_port
from tests.support.world import World


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def live_url(settings: Settings, runtime: Runtime) -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, runtime=runtime),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # a loaded CI machine can take a while
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def world(live_url: str, runtime: Runtime) -> Iterator[World]:
    with httpx.Client(base_url=live_url, timeout=30) as http:
        yield World(runtime, http)


@pytest.fixture
def hooks(tmp_path: Path) -> Iterator[ReceiverProcess]:
    """A webhook receiver in its own process on 127.0.0.1 (tests/support/receiver.py)."""
    with receiver(free_port(), tmp_path / "received.jsonl") as r:
        yield r


@pytest.fixture
def idle_dispatcher(runtime: Runtime) -> Iterator[Dispatcher]:
    """The webhook dispatcher a worker runs, on the test's runtime; the test starts it."""
    d = Dispatcher(runtime.services, owner="test-dispatcher", poll_seconds=0.05)
    yield d
    d.stop()


@pytest.fixture
def dispatcher(idle_dispatcher: Dispatcher) -> Dispatcher:
    """The webhook dispatcher, started."""
    idle_dispatcher.start()
    return idle_dispatcher
