"""The admin's webhook pages: endpoints with their health and the delivery metrics; one
endpoint's settings, secret rotation, example event, redelivery and attempt log.

A signing secret is shown once, in the answer to the form that made it. Those two forms
post through htmx, which swaps the page in and replaces the address with the endpoint's
own (HX-Replace-Url): a reload then asks for that page and the secret is gone, rather
than posting the form again. Without JavaScript they post as plain forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from probandi.adapters.webhooks.http import SystemResolver
from probandi.domain.actors import Role
from probandi.domain.errors import DomainError, InvalidInput
from probandi.domain.events import CATALOG
from probandi.domain.webhooks import MAX_DESCRIPTION_CHARS, MAX_URL_CHARS, Endpoint
from probandi.entrypoints.console.web import ConsoleRoute, Signed, actor_of, check_csrf, go, page
from probandi.services.webhooks import (
    MAX_OVERLAP,
    EndpointChange,
    EndpointSpec,
    delivery_metrics,
    endpoint_attempts,
    get_endpoint,
    list_endpoints,
    redeliver,
    register_endpoint,
    rotate_secret,
    send_test,
    update_endpoint,
)

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
RESOLVER = SystemResolver()
HOME = "/console/admin/webhooks"
EVENT_TYPES = sorted(t.value for t in CATALOG)
ATTEMPTS_SHOWN = 100
FLASH = {
    "saved": "Endpoint saved.",
    "enabled": "Endpoint enabled: its failing streak and flag are cleared.",
    "disabled": "Endpoint disabled: nothing is sent to it until it is enabled again.",
    "test": "Example event queued; its attempt appears in the log below.",
    "redelivered": "Redelivery queued.",
}


def _age(seconds: float | None) -> str:
    """An age in words a person reads at a glance: 42 s, 7 min, 3 h 5 min, 2 d 4 h."""
    if seconds is None:
        return "none"
    s = int(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        return f"{s // 3600} h {s % 3600 // 60} min"
    return f"{s // 86400} d {s % 86400 // 3600} h"


def _needs_attention(endpoint: Endpoint) -> bool:
    """Disabled (by an admin, or after failing for days), flagged, or failing now."""
    return not endpoint.enabled or bool(endpoint.flagged_at or endpoint.failing_since)


def _htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _flash(request: Request) -> str | None:
    key = request.query_params.get("flash", "")
    queued = request.query_params.get("queued", "")
    if key == "redelivered" and queued.isdigit():
        n = int(queued)
        return f"Redelivery queued: {n} {'delivery' if n == 1 else 'deliveries'}."
    return FLASH.get(key)


async def _types(request: Request) -> list[str]:
    """The checked event types; `*` (all, and any added later) wins over single ones."""
    form = await request.form()
    chosen = [str(v) for v in form.getlist("event_types")]
    return ["*"] if "*" in chosen else chosen


def _list_page(
    request: Request, session: Signed, *, status_code: int = 200, **context: Any
) -> Response:
    actor = actor_of(session, Role.ADMIN)
    svc = request.app.state.services
    views = list_endpoints(actor, svc=svc)
    return page(
        request,
        "admin_webhooks.html",
        session,
        status_code=status_code,
        endpoints=views,
        attention=[v.endpoint for v in views if _needs_attention(v.endpoint)],
        metrics=delivery_metrics(actor, svc=svc),
        event_types=EVENT_TYPES,
        max_url=MAX_URL_CHARS,
        max_description=MAX_DESCRIPTION_CHARS,
        age=_age,
        **({"form": {"types": ["*"]}, "flash": _flash(request)} | context),
    )


def _endpoint_page(
    request: Request,
    session: Signed,
    endpoint_id: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    actor = actor_of(session, Role.ADMIN)
    svc = request.app.state.services
    view = get_endpoint(endpoint_id, actor, svc=svc)
    attempts = endpoint_attempts(endpoint_id, actor, before=None, limit=ATTEMPTS_SHOWN, svc=svc)
    return page(
        request,
        "admin_webhook.html",
        session,
        status_code=status_code,
        view=view,
        attempts=attempts,
        attempts_shown=ATTEMPTS_SHOWN,
        event_types=EVENT_TYPES,
        max_url=MAX_URL_CHARS,
        max_description=MAX_DESCRIPTION_CHARS,
        max_overlap_hours=int(MAX_OVERLAP.total_seconds() // 3600),
        age=_age,
        **({"flash": _flash(request)} | context),
    )


def _refused(request: Request) -> int:
    """A refused form is shown again with its message: htmx swaps only 2xx answers in."""
    return 200 if _htmx(request) else 422


async def _refused_page(
    request: Request, session: Signed, endpoint_id: str, exc: DomainError
) -> Response:
    return await run_in_threadpool(
        _endpoint_page,
        request,
        session,
        endpoint_id,
        status_code=_refused(request),
        error=exc.message,
    )


def _shown_once(request: Request, response: Response, endpoint_id: str) -> Response:
    if _htmx(request):
        response.headers["HX-Replace-Url"] = f"{HOME}/{endpoint_id}"
    return response


@router.get("/admin/webhooks", response_class=HTMLResponse)
def webhooks(request: Request, session: Signed) -> Response:
    return _list_page(request, session)


@router.post("/admin/webhooks", response_class=HTMLResponse)
async def add(request: Request, session: Signed) -> Response:
    """Register an endpoint; the answer is its page, with its secret shown this once."""
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.ADMIN)
    spec = EndpointSpec(
        url=str(form.get("url", "")),
        event_types=await _types(request),
        description=str(form.get("description", "")),
    )
    svc = request.app.state.services
    try:
        endpoint, secret = await run_in_threadpool(
            register_endpoint, spec, actor, RESOLVER, svc=svc
        )
    except DomainError as exc:
        kept = {"url": spec.url, "types": list(spec.event_types), "description": spec.description}
        return await run_in_threadpool(
            _list_page,
            request,
            session,
            status_code=_refused(request),
            error=exc.message,
            form=kept,
        )
    shown = await run_in_threadpool(
        _endpoint_page, request, session, endpoint.id, new_secret=secret, flash="Endpoint added."
    )
    return _shown_once(request, shown, endpoint.id)


@router.get("/admin/webhooks/{endpoint_id}", response_class=HTMLResponse)
def webhook(endpoint_id: str, request: Request, session: Signed) -> Response:
    return _endpoint_page(request, session, endpoint_id)


@router.post("/admin/webhooks/{endpoint_id}", response_class=HTMLResponse)
async def save(endpoint_id: str, request: Request, session: Signed) -> Response:
    """Change the URL, the event types, the description."""
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.ADMIN)
    change = EndpointChange(
        url=str(form.get("url", "")),
        event_types=await _types(request),
        description=str(form.get("description", "")),
    )
    svc = request.app.state.services
    try:
        await run_in_threadpool(update_endpoint, endpoint_id, change, actor, RESOLVER, svc=svc)
    except DomainError as exc:
        return await _refused_page(request, session, endpoint_id, exc)
    return go(f"{HOME}/{endpoint_id}", "saved")


@router.post("/admin/webhooks/{endpoint_id}/enabled")
async def enable(endpoint_id: str, request: Request, session: Signed) -> Response:
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.ADMIN)
    on = form.get("enabled") == "yes"
    await run_in_threadpool(
        update_endpoint,
        endpoint_id,
        EndpointChange(enabled=on),
        actor,
        RESOLVER,
        svc=request.app.state.services,
    )
    return go(f"{HOME}/{endpoint_id}", "enabled" if on else "disabled")


@router.post("/admin/webhooks/{endpoint_id}/secret", response_class=HTMLResponse)
async def rotate(endpoint_id: str, request: Request, session: Signed) -> Response:
    """A new secret, shown this once; the old ones keep signing for the overlap."""
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.ADMIN)
    svc = request.app.state.services
    try:
        overlap = _hours(form.get("overlap_hours"))
        secret, until = await run_in_threadpool(rotate_secret, endpoint_id, overlap, actor, svc=svc)
    except DomainError as exc:
        return await _refused_page(request, session, endpoint_id, exc)
    shown = await run_in_threadpool(
        _endpoint_page, request, session, endpoint_id, new_secret=secret, old_until=until
    )
    return _shown_once(request, shown, endpoint_id)


@router.post("/admin/webhooks/{endpoint_id}/test")
async def send_example(endpoint_id: str, request: Request, session: Signed) -> Response:
    """Send example: a `webhook.test` event to this endpoint alone."""
    await check_csrf(request, session)
    actor = actor_of(session, Role.ADMIN)
    await run_in_threadpool(send_test, endpoint_id, actor, svc=request.app.state.services)
    return go(f"{HOME}/{endpoint_id}", "test")


@router.post("/admin/webhooks/{endpoint_id}/redeliver", response_class=HTMLResponse)
async def post_redelivery(endpoint_id: str, request: Request, session: Signed) -> Response:
    """Send one event again, or every event that occurred in [since, until) (UTC)."""
    form = await check_csrf(request, session)
    actor = actor_of(session, Role.ADMIN)
    svc = request.app.state.services
    event_id = str(form.get("event_id", "")).strip()
    try:
        since, until = _moment(form.get("since"), "since"), _moment(form.get("until"), "until")
        if event_id and (since or until):
            raise InvalidInput("name one event id, or a time range, not both", field="event_id")
        queued = await run_in_threadpool(
            redeliver,
            endpoint_id,
            actor,
            event_id=event_id or None,
            since=since,
            until=until,
            svc=svc,
        )
    except DomainError as exc:
        return await _refused_page(request, session, endpoint_id, exc)
    return go(f"{HOME}/{endpoint_id}?queued={queued}", "redelivered")


def _hours(value: object) -> timedelta:
    try:
        hours = float(str(value))
    except ValueError:
        raise InvalidInput("the overlap is a number of hours", field="overlap_hours") from None
    most = MAX_OVERLAP.total_seconds() / 3600
    if not 0 <= hours <= most:  # also refuses nan and inf
        raise InvalidInput(
            "the overlap is between 0 and %(most)g hours",
            field="overlap_hours",
            params={"most": most},
        )
    return timedelta(hours=hours)


def _moment(value: object, field: str) -> datetime | None:
    """A date and time from the form, read as UTC unless it names its offset."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "%(field)s: not a date and time (%(text)r)", field=field, params={"text": text[:40]}
        ) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)
