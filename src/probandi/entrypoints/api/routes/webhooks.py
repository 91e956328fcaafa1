"""Webhook endpoints (admins), their attempt logs, redelivery and test events; delivery
metrics; and the pull feed of the same events for the platform (ADR 0012)."""

from __future__ import annotations

import inspect
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query

from probandi.adapters.webhooks.http import SystemResolver
from probandi.entrypoints.api.deps import CurrentActor, Svc
from probandi.entrypoints.api.webhook_schemas import (
    CATALOG_MODELS,
    AttemptOut,
    EndpointCreatedOut,
    EndpointIn,
    EndpointOut,
    EndpointPatch,
    FeedOut,
    MetricsOut,
    QueuedOut,
    RedeliverIn,
    RotateIn,
    SecretOut,
    TestEventOut,
)
from probandi.services.webhooks import (
    EndpointStats,
    EndpointView,
    delivery_metrics,
    endpoint_attempts,
    event_feed,
    get_endpoint,
    list_endpoints,
    redeliver,
    register_endpoint,
    rotate_secret,
    send_test,
    update_endpoint,
)

router = APIRouter(prefix="/v1", tags=["events"])
RESOLVER = SystemResolver()


@router.get("/events", response_model=FeedOut)
def get_events(
    actor: CurrentActor,
    svc: Svc,
    after: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the last page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    types: Annotated[list[str] | None, Query(max_length=20, description="only these types")] = None,
) -> FeedOut:
    """The event feed, oldest first: the same events the webhooks carry, for platforms
    that cannot take inbound HTTP. Keep `next_cursor` and pass it as `after`."""
    return FeedOut.from_page(
        event_feed(actor, after=after, limit=limit, types=types or (), svc=svc)
    )


@router.post("/webhooks/endpoints", response_model=EndpointCreatedOut, status_code=201)
def post_endpoint(body: EndpointIn, actor: CurrentActor, svc: Svc) -> EndpointCreatedOut:
    """An admin registers an endpoint. The answer carries its signing secret, this once."""
    endpoint, secret = register_endpoint(body.to_spec(), actor, RESOLVER, svc=svc)
    out = EndpointOut.from_view(EndpointView(endpoint, EndpointStats()))
    return EndpointCreatedOut(**out.model_dump(), secret=secret)


@router.get("/webhooks/endpoints", response_model=list[EndpointOut])
def get_endpoints(actor: CurrentActor, svc: Svc) -> list[EndpointOut]:
    return [EndpointOut.from_view(v) for v in list_endpoints(actor, svc=svc)]


@router.get("/webhooks/endpoints/{endpoint_id}", response_model=EndpointOut)
def get_one_endpoint(endpoint_id: str, actor: CurrentActor, svc: Svc) -> EndpointOut:
    return EndpointOut.from_view(get_endpoint(endpoint_id, actor, svc=svc))


@router.patch("/webhooks/endpoints/{endpoint_id}", response_model=EndpointOut)
def patch_endpoint(
    endpoint_id: str, body: EndpointPatch, actor: CurrentActor, svc: Svc
) -> EndpointOut:
    """Change the URL, types or description; enable or disable it."""
    update_endpoint(endpoint_id, body.to_change(), actor, RESOLVER, svc=svc)
    return EndpointOut.from_view(get_endpoint(endpoint_id, actor, svc=svc))


@router.post("/webhooks/endpoints/{endpoint_id}/secret", response_model=SecretOut)
def post_rotation(endpoint_id: str, body: RotateIn, actor: CurrentActor, svc: Svc) -> SecretOut:
    """A new signing secret; the old one still signs (a second signature) for the overlap."""
    secret, until = rotate_secret(
        endpoint_id, timedelta(seconds=body.overlap_seconds), actor, svc=svc
    )
    return SecretOut(secret=secret, old_secrets_valid_until=until)


@router.get("/webhooks/endpoints/{endpoint_id}/attempts", response_model=list[AttemptOut])
def get_attempts(
    endpoint_id: str,
    actor: CurrentActor,
    svc: Svc,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: Annotated[int | None, Query(ge=1, description="page: attempts older than this")] = None,
) -> list[AttemptOut]:
    """Every try, newest first: status, latency and the start of the answer."""
    attempts = endpoint_attempts(endpoint_id, actor, before=before, limit=limit, svc=svc)
    return [AttemptOut.from_domain(a) for a in attempts]


@router.post(
    "/webhooks/endpoints/{endpoint_id}/redeliveries", response_model=QueuedOut, status_code=202
)
def post_redelivery(
    endpoint_id: str, body: RedeliverIn, actor: CurrentActor, svc: Svc
) -> QueuedOut:
    """Send one event again, or every event that occurred in [since, until)."""
    queued = redeliver(
        endpoint_id, actor, event_id=body.event_id, since=body.since, until=body.until, svc=svc
    )
    return QueuedOut(queued=queued)


@router.post("/webhooks/endpoints/{endpoint_id}/test", response_model=TestEventOut, status_code=202)
def post_test(endpoint_id: str, actor: CurrentActor, svc: Svc) -> TestEventOut:
    """Queue a `webhook.test` event to this endpoint ("send example")."""
    return TestEventOut(event_id=send_test(endpoint_id, actor, svc=svc).id)


@router.get("/webhooks/metrics", response_model=MetricsOut)
def get_metrics(actor: CurrentActor, svc: Svc) -> MetricsOut:
    """Queue depth, the oldest undelivered age, attempts per second and failures."""
    return MetricsOut.from_metrics(delivery_metrics(actor, svc=svc))


def document_webhooks(app: FastAPI) -> None:
    """Each event type as an OpenAPI 3.1 webhook, with its JSON Schema."""
    for name, model in CATALOG_MODELS.items():

        def receiver(body: Any) -> None:
            """Signed with the Standard Webhooks headers (webhook-id, webhook-timestamp,
            webhook-signature); answer 2xx within 10 s."""

        # The body's model per type, set on the signature (annotations here are strings).
        body = inspect.Parameter("body", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=model)
        receiver.__signature__ = inspect.Signature([body], return_annotation=None)  # type: ignore[attr-defined]
        receiver.__name__ = name.replace(".", "_")
        app.webhooks.add_api_route(
            name, receiver, methods=["POST"], summary=name, tags=["events"], status_code=204
        )
