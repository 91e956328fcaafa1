"""Every error leaves as application/problem+json with a stable `code` (RFC 9457)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from probandi.domain import errors
from probandi.domain.locales import N_
from probandi.entrypoints.i18n import _

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


# Each code's title, in English (the message id); problem+json carries it in the reader's
# locale. `tests/unit/test_locales.py` fails on a code raised anywhere without a title.
TITLES = {
    "domain_error": N_("The request could not be carried out"),
    "not_found": N_("Not found"),
    "forbidden": N_("Not allowed"),
    "invalid_input": N_("Invalid input"),
    "invalid_transition": N_("Not possible in the current state"),
    "conflict": N_("Conflict"),
    "precondition_failed": N_("The resource has changed"),
    "unsupported_media": N_("Unsupported file type"),
    "payload_too_large": N_("Too large"),
    "malformed_request": N_("Malformed request"),
    "unauthenticated": N_("Authentication required"),
    "method_not_allowed": N_("Method not allowed"),
    "validation_error": N_("Validation error"),
    "rate_limited": N_("Too many requests"),
    "internal_error": N_("Internal error"),
    "csrf_failed": N_("Security token missing or stale"),
    "sign_in_throttled": N_("Too many failed sign-ins"),
    "idempotency_in_progress": N_("The same request is still in progress"),
    "idempotency_key_reused": N_("Idempotency key reused with another request"),
    "invalid_idempotency_key": N_("Invalid idempotency key"),
    "already_extended": N_("Already extended"),
    "brand_not_held": N_("Brand not held"),
    "deadline_passed": N_("Deadline passed"),
    "evidence_required": N_("Evidence required"),
    "filing_suspended": N_("Filing suspended"),
    "good_faith_required": N_("Statement of good faith required"),
    "holder_not_verified": N_("Rights holder not verified"),
    "invalid_cursor": N_("Invalid cursor"),
    "kid_taken": N_("Key id already in use"),
    "reading_pending": N_("Document still being read"),
    "same_reviewer": N_("A different reviewer must decide"),
    "seller_restricted": N_("Seller restricted"),
    "too_many_pending_requests": N_("Too many pending requests"),
    "upload.multiple_files": N_("One file per upload"),
    "webhook_target_refused": N_("Webhook target refused"),
}
GENERIC_TITLE = N_("The request could not be carried out")
STANDARD = ("type", "title", "status", "code", "detail")

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


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    params: Mapping[str, object] | None = None,
    **extra: Any,
) -> JSONResponse:
    """`detail` is English, with `%(name)s` placeholders filled from `params`; `title` and
    `detail` are sent in the request's locale, `code` and `status` never change."""
    body = {
        **{k: v for k, v in extra.items() if k not in STANDARD},
        "type": f"https://probandi.dev/problems/{code}",
        "title": _(TITLES.get(code, GENERIC_TITLE)),
        "status": status,
        "code": code,
        "detail": _(detail, **(params or {})),
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
    return problem(status, exc.code, exc.template, params=exc.params, **_safe(exc.details))


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
    extra: dict[str, Any] = {"errors": issues[:50]}
    if where:
        extra["field"] = ".".join(where)
    return problem(422, "validation_error", "the request does not match the schema", **extra)


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
