"""/readyz: may this process take traffic? Database reachable, schema at the migrations'
head, near-duplicate index loaded. /healthz stays the liveness check (the process answers)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from starlette.concurrency import run_in_threadpool

from probandi.adapters.db.migrate import alembic_config

JSON_BODY = {"application/json": {"schema": {"type": "object"}}}


@functools.cache
def code_heads() -> frozenset[str]:
    """The head revisions this code expects (read once from the migration scripts)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


@dataclass
class IndexState:
    """Set once the near-duplicate index has been brought level with the database."""

    loaded: bool = False
    size: int = 0


def checks(engine: Engine, index: IndexState) -> dict[str, dict[str, Any]]:
    """Each check with `ok` and what it found."""
    found: dict[str, dict[str, Any]] = {}
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = frozenset(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:  # an unreachable database is an answer here, not an error
        found["database"] = {"ok": False, "error": type(exc).__name__}
        found["migrations"] = {"ok": False, "error": "database unreachable"}
    else:
        found["database"] = {"ok": True}
        heads = code_heads()
        found["migrations"] = {
            "ok": current == heads,
            "current": sorted(current),
            "head": sorted(heads),
        }
    found["index"] = {"ok": index.loaded, "size": index.size}
    return found


def install(app: FastAPI, engine: Engine, index: IndexState) -> None:
    not_ready = {"description": "not ready: the body lists each check", "content": JSON_BODY}

    @app.get("/readyz", tags=["meta"], responses={200: {"content": JSON_BODY}, 503: not_ready})
    async def readyz() -> JSONResponse:
        """200 when every check passes, else 503; the body lists each check."""
        found = await run_in_threadpool(checks, engine, index)
        ready = all(c["ok"] for c in found.values())
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "checks": found},
            status_code=200 if ready else 503,
        )
