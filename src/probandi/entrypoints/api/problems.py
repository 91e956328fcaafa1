"""Every error leaves as application/problem+json with a stable `code` (RFC 9457)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from probandi.domain import errors

log = logging.getLogger("probandi.api")
PROBLEM = "application/problem+json"

STATUS = {
    errors.NotFound: 404,
    errors.Forbidden: 403,
    errors.InvalidInput: 422,
    errors.InvalidTransition: 409,
    errors.Conflict: 409,
    errors.PreconditionFailed: 412,
    errors.UnsupportedMedia: 415,
    errors.PayloadTooLarge: 413,
}
HTTP_CODES = {
    400: "malformed_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media",
    422: "validation_error",
    429: "rate_limited",
}


# What the OpenAPI document promises for errors, on every /v1 route.
DOCUMENTED = {
    400: "Malformed request (for example a body that is not JSON).",
    401: "No API key, or an unknown or revoked one.",
    403: "The caller's party may not do this.",
    404: "No such resource, or not one the caller may see.",
    409: "A conflict: a state that does not allow this, a race lost, an idempotency key in use.",
    413: "The body or upload is too large.",
    415: "The upload's type is not accepted, or its bytes do not match it.",
    422: "The request does not match the schema, or a field is invalid.",
    429: "Too many requests for this API key; wait `Retry-After` seconds.",
    500: "An unexpected error; it has been logged.",
}


class Problem(BaseModel):
    """RFC 9457 problem details with a stable `code`; some problems carry more fields
    (`errors` for a schema mismatch, the offending `field`, ...)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    code: str
    detail: str


def problem_responses() -> dict[int | str, dict[str, Any]]:
    """`responses=` for routers: every documented error is application/problem+json."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {
        status: {"description": text, "content": {PROBLEM: {"schema": schema}}}
        for status, text in DOCUMENTED.items()
    }


def problem(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"https://probandi.dev/problems/{code}",
        "title": code.replace("_", " "),
        "status": status,
        "code": code,
        "detail": detail,
        **extra,
    }
    headers = {"WWW-Authenticate": 'Bearer realm="probandi"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _safe(details: dict[str, object]) -> dict[str, object]:
    return {
        k: v if isinstance(v, str | int | float | bool | list | None) else str(v)
        for k, v in details.items()
    }


async def on_domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.DomainError)
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
    return problem(status, exc.code, exc.message, **_safe(exc.details))


def _json_position(doc: object, pos: object) -> str:
    """`line L column C` of a character offset, as an editor shows it."""
    if not isinstance(doc, str) or not isinstance(pos, int):
        return "at an unknown position"
    line = doc.count("\n", 0, pos) + 1
    column = pos - (doc.rfind("\n", 0, pos) + 1) + 1
    return f"at line {line} column {column}"


def _is_json_media(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _body_problem(request: Request, exc: RequestValidationError) -> JSONResponse | None:
    """A body that is not JSON at all, or sent without saying it is JSON: FastAPI reports
    these as schema mismatches (`["body", 29]`, "a valid dictionary"); say what is wrong."""
    errors_ = exc.errors()
    first = errors_[0] if errors_ else {}
    loc = tuple(first.get("loc", ()))
    if first.get("type") == "json_invalid" and loc[:1] == ("body",):
        reason = str(first.get("ctx", {}).get("error", "JSON decode error"))
        where = _json_position(exc.body, loc[1] if len(loc) > 1 else None)
        detail = f"the body is not valid JSON: {reason} {where}"
        return problem(400, "malformed_request", detail, field="body")
    raw_body = any(
        tuple(e.get("loc", ())) == ("body",) and isinstance(e.get("input"), bytes | str)
        for e in errors_
    )
    if raw_body and not _is_json_media(request.headers.get("content-type", "")):
        detail = "the body must be JSON, sent with Content-Type: application/json"
        return problem(415, "unsupported_media", detail, field="body")
    return None


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    answer = _body_problem(request, exc)
    if answer is not None:
        return answer
    issues = [
        {
            "loc": [str(p) for p in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors()
    ]
    # the first field at fault, without FastAPI's source prefix (body, query, path, ...)
    where = issues[0]["loc"][1:] if issues else []
    return problem(
        422,
        "validation_error",
        "the request does not match the schema",
        errors=issues[:50],
        **({"field": ".".join(where)} if where else {}),
    )


async def on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "http_error")
    return problem(exc.status_code, code, str(exc.detail))


async def on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return problem(500, "internal_error", "an unexpected error occurred; it has been logged")


def install(app: FastAPI) -> None:
    """Error handlers, and the Problem schema in the OpenAPI document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()  # FastAPI keeps this very dict as app.openapi_schema
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = Problem.model_json_schema()
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_exception_handler(errors.DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
