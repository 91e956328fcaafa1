"""`probandi serve` in subprocesses on free ports, sharing one database: what two server
processes of one deployment look like, for tests that need more than one process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

PROBANDI = str(Path(sys.executable).with_name("probandi"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def child_pids(pid: int) -> list[int]:
    """The processes `pid` started that still exist (zombies too): `serve`'s job worker."""
    return [
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]


def server_env(database_url: str, voucher_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PROBANDI_DATABASE_URL": database_url,
        "PROBANDI_VOUCHER_DIR": str(voucher_dir),
        "PROBANDI_TICK_SECONDS": "3600",
        "PROBANDI_READ_VOUCHERS": "0",  # tests that read vouchers turn it on
    }


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PROBANDI, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@contextmanager
def _server(env: dict[str, str], log: Path, args: tuple[str, ...] = ()) -> Iterator[str]:
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [PROBANDI, "serve", "--port", str(port), *args], env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def probandi_servers(
    env: dict[str, str], logs: Path, count: int = 2, args: tuple[str, ...] = ()
) -> Iterator[list[str]]:
    """`count` servers (`probandi serve ARGS`), each serving the database in `env`; their
    URLs. A server's output is in `logs`/server-N.log."""
    logs.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        yield [
            stack.enter_context(_server(env, logs / f"server-{i}.log", args)) for i in range(count)
        ]
