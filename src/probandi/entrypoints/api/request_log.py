"""Request ids, the access log, and JSON log lines (PROBANDI_LOG_FORMAT=json).

Each request gets an id (a sane incoming X-Request-ID is kept), echoed in the response's
X-Request-ID. With JSON logs every record is one JSON object per line, and each request is
logged once with its id, method, route template, path, status and duration. Headers, cookies,
bodies and query strings are never logged; an API key that slips into a message anyway is
masked.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from probandi.entrypoints.api.metrics import route_template

ACCESS = logging.getLogger("probandi.access")
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
SECRET = re.compile(r"(pbk_|Bearer\s+)[A-Za-z0-9_\-.~+/=]+", re.IGNORECASE)
FIELDS = ("request_id", "method", "route", "path", "status", "duration_ms", "client")


def mask(text: str) -> str:
    """API keys and bearer tokens reduced to their prefix."""
    return SECRET.sub(lambda m: f"{m.group(1)}[redacted]", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and the request fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
            "message": mask(record.getMessage()),
        }
        line |= {k: getattr(record, k) for k in FIELDS if hasattr(record, k)}
        if record.exc_info:
            line["exception"] = mask(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def log_config(fmt: str) -> dict[str, Any]:
    """A logging.dictConfig for uvicorn and probandi: `json` or `text`."""
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"}
        if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "root": {"handlers": ["main"], "level": "INFO"},
        "loggers": {
            name: {"handlers": [], "level": "INFO", "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "probandi")
        },
    }


def request_id_of(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text: str = value.decode("latin-1")
            if REQUEST_ID.fullmatch(text):
                return text
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Gives each request an id and, when `log_requests`, logs it on completion."""

    def __init__(self, app: ASGIApp, log_requests: bool) -> None:
        self.app, self.log_requests = app, log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500

        async def tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["x-request-id"] = rid
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        finally:
            if self.log_requests:
                self._log(scope, rid, status, time.perf_counter() - started)

    @staticmethod
    def _log(scope: Scope, rid: str, status: int, seconds: float) -> None:
        client = scope.get("client")
        fields = {
            "request_id": rid,
            "method": scope["method"],
            "route": route_template(scope),
            "path": mask(scope["path"]),
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "client": client[0] if client else None,
        }
        ACCESS.info(
            "%s %s %s %.1f ms",
            scope["method"],
            fields["route"],
            status,
            seconds * 1000,
            extra=fields,
        )
