"""ASGI middleware: a retried request with the same Idempotency-Key replays the first answer."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from sqlalchemy.util import greenlet_spawn
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from probandi.adapters.db import request_tx
from probandi.adapters.db.idempotency import Claim, SqlIdempotencyStore, StoredResponse
from probandi.entrypoints.api.problems import PROBLEM, problem

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_KEY = 200
BOUNDARY = re.compile(rb"boundary=([^;\s]+)")


def _problem(
    status: int, code: str, detail: str, params: dict[str, object] | None = None
) -> StoredResponse:
    """A problem answered by this middleware itself, in the request's locale."""
    answer = problem(status, code, detail, params=params)
    return StoredResponse(status, PROBLEM, bytes(answer.body))


async def _send_stored(
    send: Send, r: StoredResponse, replayed: bool, retry_after: str | None = None
) -> None:
    headers = [
        (b"content-type", r.content_type.encode()),
        (b"content-length", str(len(r.body)).encode()),
    ]
    if retry_after:
        headers.append((b"retry-after", retry_after.encode()))
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": r.status, "headers": headers})
    await send({"type": "http.response.body", "body": r.body})


def request_fingerprint(scope: Scope, headers: dict[bytes, bytes], body: bytes) -> str:
    """Method, path, query and body; a multipart boundary does not count."""
    match = BOUNDARY.search(headers.get(b"content-type", b""))
    if match:
        body = body.replace(match.group(1).strip(b'"'), b"BOUNDARY")
    digest = hashlib.sha256()
    for part in (
        scope["method"].encode(),
        scope["path"].encode(),
        scope.get("query_string", b""),
        body,
    ):
        digest.update(part + b"\x00")
    return digest.hexdigest()


class IdempotencyMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        store: SqlIdempotencyStore,
        max_body: int,
        after_answer: Callable[[Scope], None] | None = None,
    ) -> None:
        self.app, self.store, self.max_body = app, store, max_body
        # A fault-injection hook for the crash tests: runs once the answer is committed,
        # before it is sent (None in production).
        self.after_answer = after_answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key = headers.get(b"idempotency-key", b"").decode("latin-1").strip()
        has_credentials = headers.get(b"authorization") or headers.get(b"x-api-key")
        if not key or not has_credentials:  # nothing stored for callers without a key
            await self.app(scope, receive, send)
            return
        if len(key) > MAX_KEY:
            await _send_stored(
                send,
                _problem(
                    422, "invalid_idempotency_key", "Idempotency-Key is at most 200 characters"
                ),
                False,
            )
            return
        body = await self._read_body(receive)
        if body is None:
            await _send_stored(
                send, _problem(413, "payload_too_large", "the request body is too large"), False
            )
            return
        auth = headers.get(b"authorization", b"") + b"|" + headers.get(b"x-api-key", b"")
        caller = hashlib.sha256(auth).hexdigest()
        fingerprint = request_fingerprint(scope, headers, body)
        claim, stored = await run_in_threadpool(self.store.begin, caller, key, fingerprint)
        if claim is Claim.REPLAY and stored is not None:
            await _send_stored(send, stored, True)
        elif claim is Claim.MISMATCH:
            await _send_stored(
                send,
                _problem(
                    422,
                    "idempotency_key_reused",
                    "this Idempotency-Key was used for a different request",
                ),
                False,
            )
        elif claim is Claim.IN_PROGRESS:
            retry_after = str(max(1, int(self.store.lease.total_seconds())))
            await _send_stored(
                send,
                _problem(
                    409,
                    "idempotency_in_progress",
                    "a request with this Idempotency-Key is still being processed; retry "
                    "after %(retry_after)s s (an attempt that died is given up by then)",
                    {"retry_after": retry_after},
                ),
                False,
                retry_after,
            )
        else:
            await self._run(scope, body, send, caller, key)

    async def _read_body(self, receive: Receive) -> bytes | None:
        chunks, size, more = [], 0, True
        while more:
            try:
                message = await receive()
            except HTTPException:  # the body limit, seen from inside
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)

    async def _run(self, scope: Scope, body: bytes, send: Send, caller: str, key: str) -> None:
        """Run the request and store its answer in the transaction of its effect, before
        sending it: a crash leaves both or neither, and a client that retries the moment it
        has the answer gets the replay, never "in progress"."""
        sent = False
        status, content_type, parts = 500, "", []
        held: list[Message] = []

        async def replay_body() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        content_type = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
            held.append(message)

        rt = request_tx.RequestTransaction(caller, key)
        token = request_tx.CURRENT.set(rt)
        try:
            await self.app(scope, replay_body, capture)
        finally:
            request_tx.CURRENT.reset(token)
            await self._settle(rt, StoredResponse(status, content_type, b"".join(parts)))
        if self.after_answer is not None:
            self.after_answer(scope)
        for message in held:
            await send(message)

    async def _settle(self, rt: request_tx.RequestTransaction, answer: StoredResponse) -> None:
        """Commit the effect with its answer, or roll it back on a server error."""
        caller, key = rt.scope, rt.key
        if rt.host is None:  # no effect: the answer alone is stored (or the key let go)
            if answer.status < 500:
                await run_in_threadpool(self.store.complete, caller, key, answer)
            else:
                await run_in_threadpool(self.store.abandon, caller, key)
            return
        # On the loop: a parked SQLite transaction holds the one writer that threads of
        # the pool may be queued for, and an asyncio-driver session needs a greenlet.
        if answer.status < 500:
            await greenlet_spawn(rt.finish, lambda s: self.store.answer_in(s, caller, key, answer))
        else:
            await greenlet_spawn(rt.abandon)
            await run_in_threadpool(self.store.abandon, caller, key)
