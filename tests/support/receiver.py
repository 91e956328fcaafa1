"""A webhook receiver as its own process: `python -m tests.support.receiver PORT LOG`.

It appends one JSON line per request to LOG (headers, body, start and end times, the status
it answered) and answers as told by `POST /_control`:
`{"status": 500, "delay": 0.5, "body_bytes": 0, "redirect": null}`. Verification is the
test's job (with the `standardwebhooks` verifier), so the log keeps the raw bytes."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Receiver:
    def __init__(self, log: Path) -> None:
        self.log = log.open("a", buffering=1)
        self.mode: dict[str, Any] = {"status": 200, "delay": 0.0, "body_bytes": 0, "redirect": None}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        began = time.time()
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the sender died mid-request: nothing was received
            body.extend(message.get("body", b""))
            if not message.get("more_body"):
                break
        if scope["path"] == "/_control":
            self.mode.update(json.loads(body))
            await self._answer(send, 200, b"{}")
            return
        mode = dict(self.mode)
        if mode["delay"]:
            await asyncio.sleep(float(mode["delay"]))
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        status = int((mode["redirect"] and 302) or mode["status"])
        self.log.write(
            json.dumps(
                {
                    "start": began,
                    "end": time.time(),
                    "path": scope["path"],
                    "status": status,
                    "headers": {k: v for k, v in headers.items() if k.startswith("webhook-")},
                    "body": body.decode(),
                }
            )
            + "\n"
        )
        extra = [(b"location", str(mode["redirect"]).encode())] if mode["redirect"] else []
        await self._answer(send, status, b"x" * int(mode["body_bytes"]) or b"ok", extra)

    @staticmethod
    async def _answer(
        send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        headers = [(b"content-type", b"text/plain"), *(extra or [])]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class ReceiverProcess:
    """The receiver's process and what it logged."""

    def __init__(self, port: int, log: Path) -> None:
        self.port, self.log_path = port, log
        self.url = f"http://127.0.0.1:{port}/hooks"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_path.touch()
        self.proc = start_test_process(
            "tests.support.receiver", [str(self.port), str(self.log_path)], self.port
        )

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def control(self, **mode: Any) -> None:
        r = httpx.post(f"http://127.0.0.1:{self.port}/_control", json=mode, timeout=5)
        r.raise_for_status()

    def requests(self) -> list[dict[str, Any]]:
        lines = self.log_path.read_text().splitlines()
        return [json.loads(line) for line in lines if line.strip()]


@contextmanager
def receiver(port: int, log: Path) -> Iterator[ReceiverProcess]:
    process = ReceiverProcess(port, log)
    process.start()
    try:
        yield process
    finally:
        process.stop()


def main() -> None:
    import uvicorn

    port, log = int(sys.argv[1]), Path(sys.argv[2])
    uvicorn.run(
        Receiver(log),
        host="127.0.0.1",
        port=port,
        log_level="error",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
        http="httptools",  # the C parser: the receiver is not what a benchmark measures
    )


if __name__ == "__main__":
    main()


def start_test_process(module: str, args: list[str], port: int) -> subprocess.Popen[bytes]:
    """`python -m module args` from the project root, once it answers `POST /_control` on
    `port` (20 s at most)."""
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.post(f"http://127.0.0.1:{port}/_control", json={}, timeout=1)
            return proc
        except httpx.TransportError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{module} did not start") from None
            time.sleep(0.05)
