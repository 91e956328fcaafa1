"""create_app(settings): the REST API under /v1, OpenAPI at /openapi.json, /healthz."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from probandi import __version__
from probandi.adapters.db.idempotency import SqlIdempotencyStore
from probandi.adapters.screening.screener import CatalogEngineCache
from probandi.bootstrap import Runtime, bootstrap
from probandi.config import Settings
from probandi.entrypoints.api import api_docs, faults, metrics, openapi_links, problems, readiness
from probandi.entrypoints.api.deps import ActorCache
from probandi.entrypoints.api.idempotency import IdempotencyMiddleware
from probandi.entrypoints.api.input_guard import RefuseNulMiddleware
from probandi.entrypoints.api.locale import LocaleMiddleware
from probandi.entrypoints.api.ratelimit import RateLimitMiddleware, buckets_for
from probandi.entrypoints.api.request_log import RequestLogMiddleware
from probandi.entrypoints.api.routes import (
    credentials,
    enforcement,
    forensics,
    listings,
    me,
    notices,
    readings,
    registry,
    reports,
    review,
    screen,
    vouchers,
    webhooks,
)
from probandi.entrypoints.console import app as console
from probandi.entrypoints.i18n import _
from probandi.entrypoints.worker import start_worker
from probandi.services.deadlines import apply_deadlines
from probandi.services.forensics import load_index

log = logging.getLogger("probandi.api")
BODY_SLACK = 256 * 1024  # multipart framing and declared fields around the file


JSON_LIMIT = 1024 * 1024
UPLOAD_PATHS = ("/vouchers", "/counter-notice", "/notice-evidence", "/counter", "/notices/new")
IMPORT_LIMIT = 6 * 1024 * 1024


class BodyLimitMiddleware:
    """Refuse bodies over the route's limit: a declared Content-Length before reading a
    byte, a chunked body as soon as it passes the limit (nothing of it is kept)."""

    def __init__(self, app: ASGIApp, upload_limit: int) -> None:
        self.app, self.upload_limit = app, upload_limit

    def limit_for(self, scope: Scope) -> int:
        path = scope["path"]
        if scope["method"] == "POST" and path.endswith(UPLOAD_PATHS):
            return self.upload_limit
        return IMPORT_LIMIT if path.endswith("/brands/import") else JSON_LIMIT

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            response = problems.problem(
                413,
                "payload_too_large",
                "the request body is over %(limit)s bytes",
                params={"limit": limit},
            )
            await response(scope, receive, send)
            return
        if length is not None:
            # The server delivers no more than a declared length: nothing left to count.
            await self.app(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                # FastAPI passes an HTTPException from the body through (anything else is a
                # 400 "error parsing the body"): its detail is written in the reader's locale.
                raise HTTPException(413, _("the request body is over %(limit)s bytes", limit=limit))
            return message

        await self.app(scope, limited, send)


async def _ticker(runtime: Runtime, store: SqlIdempotencyStore) -> None:
    while True:
        await asyncio.sleep(runtime.settings.tick_interval_seconds)
        try:
            await run_in_threadpool(store.purge)
            report = await run_in_threadpool(apply_deadlines, svc=runtime.services)
            if report.removed or report.sla_breached:
                log.info("tick: %s removed, %s SLA breaches", report.removed, report.sla_breached)
        except Exception:  # the ticker must outlive one bad batch
            log.exception("tick failed")


def _warm_up(runtime: Runtime, index: readiness.IndexState) -> None:
    svc = runtime.services
    with svc.reader() as uow:
        svc.screeners.get(uow.brands.registry_version(), uow.brands.list_all)
    load_index(svc)
    index.loaded, index.size = True, metrics.index_size(svc.near_index)


def create_app(
    settings: Settings, *, runtime: Runtime | None = None, run_ticker: bool = False
) -> FastAPI:
    runtime = runtime or bootstrap(settings)
    store = SqlIdempotencyStore(
        sessionmaker(runtime.writer),
        runtime.services.clock,
        timedelta(seconds=settings.idempotency_lease_seconds),
    )

    index = readiness.IndexState()

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        # Build the screener now (language tables, automata), then keep everything that
        # lives as long as the server out of the collector's full scans, which otherwise
        # show up as CPU and latency spikes.
        await run_in_threadpool(_warm_up, runtime, index)
        gc.collect()
        gc.freeze()
        task = asyncio.create_task(_ticker(runtime, store)) if run_ticker else None
        jobs = start_worker(runtime) if run_ticker else None
        yield
        if task:
            task.cancel()
        if jobs:
            await run_in_threadpool(jobs.stop)
        await runtime.aclose()

    app = FastAPI(
        title="probandi",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # served from vendored assets by api_docs
        redoc_url=None,
        description="The burden of proof on the seller: a counterfeit gate for marketplaces. "
        "Authenticate with `Authorization: Bearer <API key>`. Errors are "
        "application/problem+json with a stable `code`. Unsafe requests accept an "
        "`Idempotency-Key` header.",
    )
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.services = runtime.services
    app.state.read_engine = runtime.reader
    app.state.actor_cache = ActorCache(settings.auth_cache_seconds)
    app.state.catalog_engines = CatalogEngineCache(settings.policy.screening_tiers())
    problems.install(app)
    for module in (
        listings,
        vouchers,
        credentials,
        readings,
        forensics,
        review,
        notices,
        enforcement,
        registry,
        reports,
        screen,
        webhooks,
        me,
    ):
        app.include_router(module.router, responses=problems.problem_responses())
    webhooks.document_webhooks(app)

    console.install(app)
    openapi_links.install(app)
    api_docs.install(app)
    readiness.install(app, runtime.reader, index)

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        with runtime.reader.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    max_body = settings.max_upload_bytes + BODY_SLACK
    app.add_middleware(
        IdempotencyMiddleware,
        store=store,
        max_body=max_body,
        after_answer=faults.crash_after_answer if settings.fault_injection else None,
    )
    app.add_middleware(BodyLimitMiddleware, upload_limit=max_body)
    app.add_middleware(RefuseNulMiddleware)
    buckets = buckets_for(settings.api_rate_per_second, settings.api_rate_burst)
    app.add_middleware(RateLimitMiddleware, buckets=buckets)  # before idempotency
    metrics.install(app, runtime, settings.metrics_token)  # times everything below
    app.add_middleware(RequestLogMiddleware, log_requests=settings.log_format == "json")
    app.add_middleware(LocaleMiddleware, default=settings.policy.default_locale)  # outermost
    return app


def app_from_env() -> FastAPI:
    """The app of one worker process (`probandi serve --workers N`, gunicorn with uvicorn
    workers): settings from the environment; migrations are run before workers start."""
    return create_app(Settings.from_env(), run_ticker=True)
