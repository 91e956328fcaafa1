"""`serve` keeps its job worker in a child process (ADR 0010): the child runs the jobs, is
started again when it dies, and does not outlive the server, even one killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from probandi.config import Settings
from tests.support.servers import PROBANDI, child_pids, free_port, server_env


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's wait is missing


def _until(check: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [PROBANDI, "serve", "--port", str(port)], env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert proc.poll() is None, log.read_text()[-2000:]
        try:
            return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    _until(up, "the server to start")
    return proc, url


def test_the_worker_process_runs_jobs_is_restarted_and_dies_with_its_server(
    settings: Settings, tmp_path: Path
) -> None:
    env = server_env(settings.database_url, settings.voucher_dir) | {
        "PROBANDI_CHECKPOINT_KEY": str(tmp_path / "checkpoint.key"),
        "PROBANDI_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "PROBANDI_CHECKPOINT_SECONDS": "1",
    }
    log = tmp_path / "serve.log"
    proc, _ = _serve(env, log)
    try:
        _until(lambda: len(child_pids(proc.pid)) == 1, "the job worker process")
        (first,) = child_pids(proc.pid)
        assert "worker" in Path(f"/proc/{first}/cmdline").read_text()
        # The child, not the API process, runs the scheduled checkpoint job.
        _until(lambda: any((tmp_path / "checkpoints").glob("*")), "a checkpoint", 90)

        os.kill(first, signal.SIGKILL)
        _until(
            lambda: [c for c in child_pids(proc.pid) if c != first and _alive(c)] != [],
            "a new job worker process",
        )
        (second,) = [c for c in child_pids(proc.pid) if _alive(c)]
        assert "exited with -9" in log.read_text()

        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        _until(lambda: not _alive(second), "the job worker to end with its server", 45)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_no_worker_process_when_job_workers_is_zero(settings: Settings, tmp_path: Path) -> None:
    env = server_env(settings.database_url, settings.voucher_dir) | {"PROBANDI_JOB_WORKERS": "0"}
    proc, url = _serve(env, tmp_path / "serve.log")
    try:
        assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
        time.sleep(1)
        assert child_pids(proc.pid) == []
    finally:
        proc.terminate()
        proc.wait(timeout=30)
