"""What an operator scrapes and probes: /readyz, /metrics, offline /docs and /redoc."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from probandi.config import Settings
from probandi.entrypoints.api.readiness import IndexState, checks
from probandi.services.clock import FrozenClock
from tests.support.world import World, an_invoice_declaration, invoice_image

TOKEN = "scrape-token-for-tests"
SERIES = (
    "probandi_http_request_duration_seconds",
    "probandi_review_queue_depth",
    "probandi_review_oldest_task_age_seconds",
    "probandi_review_sla_overdue_tasks",
    "probandi_review_sla_breaches",
    "probandi_outbox_undelivered",
    "probandi_outbox_oldest_age_seconds",
    "probandi_jobs_backlog",
    "probandi_webhook_deliveries",
    "probandi_webhook_oldest_undelivered_age_seconds",
    "probandi_webhook_endpoints_disabled",
    "probandi_webhook_endpoints_flagged",
    "probandi_index_size",
    "probandi_index_lookup_seconds",
)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url, voucher_dir=tmp_path / "vouchers", metrics_token=TOKEN
    )


def scrape(world: World, token: str = TOKEN) -> httpx.Response:
    return world.http.get("/metrics", headers={"Authorization": f"Bearer {token}"})


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Family name -> its samples' (labels, value)."""
    return {
        family.name: [(s.labels, s.value) for s in family.samples]
        for family in text_string_to_metric_families(text)
    }


def test_readyz_reports_each_check_once_the_index_is_loaded(world: World) -> None:
    r = world.http.get("/readyz")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "index"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["migrations"]["current"] == body["checks"]["migrations"]["head"]


def test_an_unmigrated_database_and_an_unloaded_index_are_not_ready(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    found = checks(engine, IndexState())
    engine.dispose()
    assert found["database"]["ok"] is True
    assert found["migrations"]["ok"] is False
    assert found["migrations"]["current"] == []
    assert found["index"]["ok"] is False


def test_an_unreachable_database_is_not_ready(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}")
    found = checks(engine, IndexState(loaded=True))
    engine.dispose()
    assert found["database"] == {"ok": False, "error": "OperationalError"}
    assert found["migrations"]["ok"] is False


def test_metrics_need_the_scrape_token_or_an_admin_key(world: World) -> None:
    assert world.http.get("/metrics").status_code == 401
    assert scrape(world, "not-the-token").status_code == 401
    assert world.platform("GET", "/metrics").status_code == 401
    world.a_seller("shop-a")
    assert world.seller("shop-a", "GET", "/metrics").status_code == 401
    assert world.admin("GET", "/metrics").status_code == 200
    ok = scrape(world)
    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith("text/plain")


def test_metrics_parse_and_show_every_series_by_route_template(
    world: World, clock: FrozenClock
) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    decl = an_invoice_declaration("shop-a 贸易有限公司", issued_on=clock.now().date())
    for n in (1, 2):  # the second upload's catch-up brings the first's fingerprints in
        world.a_listing(f"L-metrics-{n}", "shop-a")
        up = world.upload("shop-a", f"L-metrics-{n}", invoice_image(6 + n), declaration=decl)
        assert up.is_success, up.text
    assert world.platform("GET", "/v1/listings/no-such-listing").status_code == 404

    found = samples(scrape(world).text)
    assert set(SERIES) <= set(found), set(SERIES) - set(found)
    routes = {labels["route"] for labels, _ in found["probandi_http_request_duration_seconds"]}
    assert "/v1/listings/{listing_id}" in routes
    assert not any("L-metrics-1" in r or "no-such-listing" in r for r in routes)
    statuses = {
        (labels["route"], labels["method"], labels["status"])
        for labels, _ in found["probandi_http_request_duration_seconds"]
    }
    assert ("/v1/listings/{listing_id}", "GET", "4xx") in statuses
    assert ("/v1/listings/{listing_id}", "PUT", "2xx") in statuses
    queue = {labels["state"]: value for labels, value in found["probandi_review_queue_depth"]}
    assert queue["open"] == 2
    (age,) = [v for _, v in found["probandi_review_oldest_task_age_seconds"]]
    assert age >= 0
    lookups = [v for labels, v in found["probandi_index_lookup_seconds"] if "le" not in labels]
    assert max(lookups) >= 1  # the upload looked its fingerprints up
    (size,) = [v for _, v in found["probandi_index_size"]]
    (stored,) = [v for _, v in found["probandi_fingerprints_stored"]]
    assert 1 <= size <= stored
    jobs = {labels["state"] for labels, _ in found["probandi_jobs_backlog"]}
    assert jobs == {"queued", "running", "failed", "dead"}
    (outbox,) = [v for _, v in found["probandi_outbox_undelivered"]]
    assert outbox >= 1  # the hold and the upload published events; nothing delivers them here


def test_docs_pages_load_their_assets_from_this_server(world: World) -> None:
    for page, asset in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        html = world.http.get(page).text
        assert "cdn.jsdelivr.net" not in html
        assert "fonts.googleapis.com" not in html
        assert f"/docs-static/{asset}" in html
    js = world.http.get("/docs-static/swagger-ui-bundle.js")
    assert js.status_code == 200
    assert "SwaggerUIBundle" in js.text[:2000]
    assert world.http.get("/docs-static/redoc.standalone.js").status_code == 200
