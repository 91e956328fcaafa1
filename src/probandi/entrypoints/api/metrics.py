"""/metrics in the Prometheus text format (docs/operations.md lists the series).

Request latency and index lookups are measured in the process; with several worker
processes (`probandi serve --workers N`) they go through prometheus_client's multiprocess
mode (PROMETHEUS_MULTIPROC_DIR), so any process answers for all. Backlogs (review queue,
SLA, outbox, jobs) are read from the database at scrape time: the same from every process.

Every request is authenticated: a scraper sends `Authorization: Bearer <token>` with the
PROBANDI_METRICS_TOKEN value, or an admin API key.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterator, Sized

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from probandi.adapters.forensics.fingerprint_index import FingerprintIndex
from probandi.bootstrap import Runtime
from probandi.domain.actors import Role
from probandi.entrypoints.api import problems
from probandi.entrypoints.api.deps import ActorCache, raw_key
from probandi.queries.operations import backlogs

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LOOKUP_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/v1/listings/{listing_id}`), never the raw path:
    one series per route, whatever ids the requests carry."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else "unmatched"


def status_class(status: int) -> str:
    return f"{status // 100}xx"


class Metrics:
    """The in-process series of one app; in multiprocess mode their values live in files."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "probandi_http_request_duration_seconds",
            "HTTP request latency by route template, method and status class.",
            ("route", "method", "status"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.lookups = Histogram(
            "probandi_index_lookup_seconds",
            "Near-duplicate index lookups (one PDQ hash against every stored fingerprint).",
            buckets=LOOKUP_BUCKETS,
            registry=self.registry,
        )


class MetricsMiddleware:
    """Times every HTTP request; labelled once the router has matched its route."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            self.metrics.requests.labels(
                route_template(scope), method, status_class(status)
            ).observe(time.perf_counter() - started)


class BacklogCollector(Collector):
    """Gauges read at scrape time: from the database, and this process's index size."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[Metric]:
        svc = self.runtime.services
        with Session(self.runtime.reader) as session:
            b = backlogs(session, svc.clock.now())
        tasks = GaugeMetricFamily(
            "probandi_review_queue_depth",
            "Review tasks not yet decided, by state.",
            labels=["state"],
        )
        for state, count in b.review_tasks.items():
            tasks.add_metric([state], count)
        yield tasks
        yield _gauge(
            "probandi_review_oldest_task_age_seconds",
            "Age of the oldest undecided review task.",
            b.oldest_review_task_age,
        )
        yield _gauge(
            "probandi_review_sla_overdue_tasks",
            "Undecided review tasks past their SLA due time now.",
            b.sla_breached_pending,
        )
        yield _gauge(
            "probandi_review_sla_breaches",
            "Review tasks ever flagged as past their SLA (grows; alert on its rate).",
            b.sla_breaches_flagged,
        )
        yield _gauge(
            "probandi_outbox_undelivered",
            "Outbox messages not yet relayed into events.",
            b.outbox_undelivered,
        )
        yield _gauge(
            "probandi_outbox_oldest_age_seconds",
            "Age of the oldest outbox message not yet relayed.",
            b.oldest_outbox_age,
        )
        deliveries = GaugeMetricFamily(
            "probandi_webhook_deliveries",
            "Webhook deliveries not delivered, by state (pending, sending, dead).",
            labels=["state"],
        )
        for state, count in b.webhook_deliveries.items():
            deliveries.add_metric([state], count)
        yield deliveries
        yield _gauge(
            "probandi_webhook_oldest_undelivered_age_seconds",
            "Age of the oldest webhook delivery not yet delivered or dead-lettered.",
            b.oldest_webhook_age,
        )
        yield _gauge(
            "probandi_webhook_endpoints_disabled",
            "Webhook endpoints disabled (by an admin or after 5 days of failures).",
            b.webhook_endpoints_disabled,
        )
        yield _gauge(
            "probandi_webhook_endpoints_flagged",
            "Webhook endpoints with a dead-lettered message.",
            b.webhook_endpoints_flagged,
        )
        dsa = GaugeMetricFamily(
            "probandi_dsa_submissions_backlog",
            "Statements of reasons not yet accepted by the DSA Transparency Database, by "
            "state (unsent, pending a retry, refused).",
            labels=["state"],
        )
        for state, count in b.dsa_submissions.items():
            dsa.add_metric([state], count)
        yield dsa
        jobs = GaugeMetricFamily(
            "probandi_jobs_backlog", "Durable jobs not done, by state.", labels=["state"]
        )
        for state, count in b.jobs.items():
            jobs.add_metric([state], count)
        yield jobs
        yield _gauge(
            "probandi_fingerprints_stored",
            "Voucher fingerprints in the database.",
            b.fingerprints_stored,
        )
        yield _gauge(
            "probandi_index_size",
            "Fingerprints in the answering process's near-duplicate index.",
            index_size(svc.near_index),
        )


def index_size(index: object) -> int:
    return len(index) if isinstance(index, Sized) else 0


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def exposition(metrics: Metrics, runtime: Runtime) -> bytes:
    """The text every scrape gets: in-process series (all processes' in multiprocess
    mode) followed by the backlog gauges."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        own = generate_latest(registry)
    else:
        own = generate_latest(metrics.registry)
    backlog = CollectorRegistry()
    backlog.register(BacklogCollector(runtime))
    return own + generate_latest(backlog)


def may_scrape(request: Request, token: str | None, cache: ActorCache, runtime: Runtime) -> bool:
    raw = raw_key(request)
    if not raw:
        return False
    if token and hmac.compare_digest(raw.encode(), token.encode()):
        return True
    found = cache.get(raw, runtime.services)
    return found is not None and found[0].role is Role.ADMIN


def install(app: FastAPI, runtime: Runtime, token: str | None) -> Metrics:
    """Add the middleware, the index timer and the /metrics route; returns the series."""
    metrics = Metrics()
    if isinstance(runtime.services.near_index, FingerprintIndex):
        runtime.services.near_index.on_search = metrics.lookups.observe
    app.add_middleware(MetricsMiddleware, metrics=metrics)

    exposition_format = {"description": "Prometheus text format", "content": {"text/plain": {}}}

    @app.get(
        "/metrics",
        tags=["meta"],
        response_class=Response,
        responses={**problems.problem_responses(), 200: exposition_format},
    )
    async def scrape(request: Request) -> Response:
        """Prometheus text format; send the metrics token or an admin API key."""
        cache: ActorCache = request.app.state.actor_cache
        if not await run_in_threadpool(may_scrape, request, token, cache, runtime):
            raise HTTPException(401, "send the metrics token or an admin API key")
        body = await run_in_threadpool(exposition, metrics, runtime)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return metrics
