"""`probandi serve`: one process, or N uvicorn worker processes on one database.

The parent migrates and loads the demo before any worker starts; each worker then builds
its own app from the environment (`app_from_env`), with its own deadline ticker and job
worker threads (both safe to run in every process: docs/operations.md).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from probandi.bootstrap import Runtime
from probandi.config import Settings

APP_FACTORY = "probandi.entrypoints.api.app:app_from_env"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def metrics_directory() -> Path:
    """Where worker processes share their metric files: PROMETHEUS_MULTIPROC_DIR if set
    (emptied: files of earlier runs would add dead processes' counts), else a fresh one."""
    given = os.environ.get(MULTIPROC_ENV)
    if not given:
        path = Path(tempfile.mkdtemp(prefix="probandi-metrics-"))
        os.environ[MULTIPROC_ENV] = str(path)
        return path
    path = Path(given)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    return path


def serve_api(settings: Settings, runtime: Runtime, *, host: str, port: int, workers: int) -> None:
    """Serve until stopped; `runtime` is the parent's (already migrated)."""
    import uvicorn

    from probandi.entrypoints.api.request_log import log_config

    config = log_config(settings.log_format)
    access_log = settings.log_format != "json"  # JSON: our own line per request instead
    if workers <= 1:
        from probandi.entrypoints.api.app import create_app

        app = create_app(settings, runtime=runtime, run_ticker=True)
        uvicorn.run(app, host=host, port=port, log_config=config, access_log=access_log)
        return
    metrics_directory()
    runtime.dispose()  # workers open their own pools; nothing of the parent's is inherited
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=config,
        access_log=access_log,
    )
