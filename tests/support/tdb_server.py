"""The stand-in Transparency Database as its own process:
`python -m tests.support.tdb_server PORT TOKEN STORE`.

It enforces the documented contract of `POST /api/v1/statements`: a bearer token (401), 1 to
100 statements (422), each statement's field rules (`tests/support/tdb.py`; 422 with
`errors.statement_N`, nothing stored), and puids unique for ever (422 with
`errors.existing_puids`, nothing stored). A 201 stores the whole batch: one JSON line per
statement in STORE. `POST /_control {"down": true, "refuse": [puid, ...], "delay": 0.5}` makes it
answer 503, refuse some puids, or answer late, until told otherwise."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.support.receiver import Receive, Scope, Send, start_test_process
from tests.support.tdb import errors


class StandIn:
    def __init__(self, token: str, store: Path) -> None:
        self.token, self.store = token, store
        self.stored: set[str] = set()
        if store.exists():
            self.stored = {
                json.loads(line)["puid"] for line in store.read_text().splitlines() if line
            }
        self.mode: dict[str, Any] = {"down": False, "refuse": [], "delay": 0.0}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = bytearray()
        while True:
            message = await receive()
            body.extend(message.get("body", b""))
            if not message.get("more_body"):
                break
        if scope["path"] != "/_control" and self.mode.get("delay"):
            await asyncio.sleep(float(self.mode["delay"]))  # a slow database: kills land mid-call
        status, answer = self.handle(scope, bytes(body))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": json.dumps(answer).encode()})

    def handle(self, scope: Scope, body: bytes) -> tuple[int, dict[str, Any]]:
        path = scope["path"]
        if path == "/_control":
            self.mode.update(json.loads(body or b"{}"))
            return 200, {"stored": sorted(self.stored)}
        if path != "/api/v1/statements" or scope["method"] != "POST":
            return 404, {"message": "not found"}
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        if headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"message": "Unauthenticated."}
        if self.mode["down"]:
            return 503, {"message": "Service Unavailable"}
        try:
            statements = json.loads(body)["statements"]
        except (ValueError, KeyError, TypeError):
            return 422, {
                "message": "The statements field is required.",
                "errors": {"statements": ["required"]},
            }
        if not isinstance(statements, list) or not 1 <= len(statements) <= 100:
            return 422, {
                "message": "between 1 and 100",
                "errors": {"statements": ["between 1 and 100"]},
            }
        found = {f"statement_{i}": e for i, s in enumerate(statements) if (e := self._errors(s))}
        if found:
            return 422, {"errors": found}
        puids = [s["puid"] for s in statements]
        taken = sorted({p for p in puids if p in self.stored or puids.count(p) > 1})
        if taken:
            message = "The platform identifier(s) are not all unique within this call."
            return 422, {"message": message, "errors": {"puid": [message], "existing_puids": taken}}
        with self.store.open("a") as out:
            for s in statements:
                out.write(json.dumps(s, ensure_ascii=False) + "\n")
        self.stored |= set(puids)
        return 201, {"statements": [{**s, "uuid": str(uuid.uuid4())} for s in statements]}

    def _errors(self, statement: Any) -> dict[str, list[str]]:
        if not isinstance(statement, dict):
            return {"statement": ["must be an object"]}
        found = errors(statement)
        if statement.get("puid") in self.mode["refuse"]:
            found.setdefault("decision_facts", []).append("refused by the test")
        return found


def main() -> None:
    import uvicorn

    port, token, store = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    uvicorn.run(
        StandIn(token, store),
        host="127.0.0.1",
        port=port,
        log_level="error",
        access_log=False,
        lifespan="off",
        http="httptools",
    )


if __name__ == "__main__":
    main()


class StandInProcess:
    """The stand-in in its own process, with its store and its control."""

    def __init__(self, port: int, token: str, store: Path) -> None:
        self.port, self.token, self.store = port, token, store
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> StandInProcess:
        args = [str(self.port), self.token, str(self.store)]
        self.proc = start_test_process("tests.support.tdb_server", args, self.port)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def control(self, **mode: Any) -> list[str]:
        r = httpx.post(f"{self.url}/_control", json=mode, timeout=5)
        r.raise_for_status()
        return list(r.json()["stored"])

    def records(self) -> list[dict[str, Any]]:
        if not self.store.exists():
            return []
        return [json.loads(line) for line in self.store.read_text().splitlines() if line]
