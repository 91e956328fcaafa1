"""Two `probandi serve` processes on one database, requests alternating between them: the
gate, the near-duplicate index, console sessions and idempotent retries hold across
processes. Then `serve --workers 2` with JSON logs and multiprocess metrics."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from probandi.bootstrap import Runtime
from probandi.config import Settings
from probandi.domain.actors import Role
from probandi.services.keys import create_api_key
from tests.support.console import sign_in
from tests.support.servers import probandi_servers, server_env
from tests.support.vouchers import einvoice_fields, einvoice_image, recycle
from tests.support.world import an_invoice_declaration, invoice_image

BRAND = {
    "name": "Gucci",
    "aliases": ["古驰"],
    "gated": True,
    "reference_prices": [{"scope": "*", "amount": "12000", "currency": "CNY"}],
}


@dataclass
class Deployment:
    """Keys made in the database the servers share, and one client per server."""

    runtime: Runtime
    clients: list[httpx.Client]
    keys: dict[str, str] = field(default_factory=dict)

    def key(self, role: Role, party: str | None = None) -> str:
        name = f"{role.value}:{party or ''}"
        if name not in self.keys:
            self.keys[name] = create_api_key(role, party, name, svc=self.runtime.services)
        return self.keys[name]

    def call(
        self, via: int, role: Role, method: str, url: str, party: str | None = None, **kw: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.key(role, party)}", **kw.pop("headers", {})}
        return self.clients[via].request(method, url, headers=headers, **kw)

    def seller(self, via: int, seller_id: str) -> None:
        body = {"kind": "reseller", "legal_name": f"{seller_id} 贸易有限公司", "address": "上海市"}
        r = self.call(via, Role.PLATFORM, "PUT", f"/v1/sellers/{seller_id}", json=body)
        assert r.status_code in (200, 201), r.text

    def listing(self, via: int, listing_id: str, seller_id: str) -> dict[str, Any]:
        body = {
            "seller_id": seller_id,
            "title": "Gucci GG Marmont 小号肩背包 黑色",
            "brand": "Gucci",
            "category": "bags",
            "price": "15800.00",
            "currency": "CNY",
            "stock": 2,
            "images": ["https://img.example/1.jpg"],
        }
        r = self.call(via, Role.PLATFORM, "PUT", f"/v1/listings/{listing_id}", json=body)
        assert r.status_code in (200, 201), r.text
        return dict(r.json())

    def upload(
        self, via: int, seller_id: str, listing_id: str, data: bytes, decl: dict[str, Any]
    ) -> dict[str, Any]:
        media = "image/jpeg" if data[:2] == b"\xff\xd8" else "image/png"
        r = self.call(
            via,
            Role.SELLER,
            "POST",
            f"/v1/listings/{listing_id}/vouchers",
            party=seller_id,
            files={"file": ("voucher", data, media)},
            data={"kind": "purchase_invoice", "declaration": json.dumps(decl)},
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    def approve(self, claim_via: int, decide_via: int, listing_id: str) -> None:
        task = self.call(claim_via, Role.REVIEWER, "POST", "/v1/review/tasks/claim-next").json()
        assert task["listing_id"] == listing_id, task
        decision = {"decision": "approve", "reason_code": "proof_sufficient"}
        r = self.call(
            decide_via,
            Role.REVIEWER,
            "POST",
            f"/v1/review/tasks/{task['id']}/decision",
            json=decision | {"version": task["version"]},
        )
        assert r.status_code == 200, r.text


def registry_story(d: Deployment) -> None:
    """A brand gated through A holds a listing pushed through B the moment after, though B
    screened a listing a moment before (its screener cache was fresh)."""
    d.seller(1, "shop-n")
    plain = d.listing(1, "N0", "shop-n") | {"brand": "Acme", "title": "plain canvas tote"}
    plain = {k: plain[k] for k in ("seller_id", "title", "brand", "category", "price", "currency")}
    r = d.call(1, Role.PLATFORM, "PUT", "/v1/listings/N0", json=plain)
    assert r.json()["publishable"] is True, r.text
    nike = {"name": "Nike", "aliases": ["耐克"], "gated": True, "reference_prices": []}
    assert d.call(0, Role.ADMIN, "POST", "/v1/brands", json=nike).status_code == 201
    pushed = d.call(1, Role.PLATFORM, "PUT", "/v1/listings/N1", json=plain | {"title": "耐克 Air"})
    assert pushed.status_code == 201, pushed.text
    assert pushed.json()["publishable"] is False, pushed.text
    assert "Nike" in " ".join(pushed.json()["reasons"])


def codes(voucher: dict[str, Any]) -> set[str]:
    return {f["code"] for f in voucher["findings"]}


def einvoice_declaration(buyer: str, f: Any) -> dict[str, Any]:
    return {
        "issuer": f["seller"],
        "buyer_name": buyer,
        "issued_on": f["issued_on"].isoformat(),
        "document_number": f["number"],
        "currency": "CNY",
        "lines": [
            {"brand": "GUCCI", "item": "bag", "quantity": 2, "amount": str(f["amount"] + f["tax"])}
        ],
    }


def gate_story(d: Deployment, today: Any) -> None:
    assert d.call(0, Role.ADMIN, "POST", "/v1/brands", json=BRAND).status_code == 201
    d.seller(1, "shop-a")
    held = d.listing(0, "L1", "shop-a")
    assert held["gate"]["state"] == "awaiting_proof"
    assert held["publishable"] is False
    decl = an_invoice_declaration("shop-a 贸易有限公司", issued_on=today - timedelta(days=10))
    up = d.upload(1, "shop-a", "L1", invoice_image(1), decl)
    assert up["listing"]["gate"]["state"] == "in_review"
    d.approve(0, 1, "L1")
    assert d.call(0, Role.PLATFORM, "GET", "/v1/listings/L1").json()["publishable"] is True


def recycled_voucher_story(d: Deployment, today: Any) -> None:
    fields = einvoice_fields(random.Random(14)) | {"issued_on": today - timedelta(days=10)}
    original = einvoice_image(**fields)
    d.seller(0, "shop-b")
    d.seller(1, "shop-c")
    d.listing(0, "LB", "shop-b")
    d.listing(1, "LC", "shop-c")
    first = d.upload(
        0, "shop-b", "LB", original, einvoice_declaration("shop-b 贸易有限公司", fields)
    )
    assert first["voucher"]["status"] == "pending_review", codes(first["voucher"])
    d.approve(0, 0, "LB")
    # Process B never saw that upload: its index catches up before the lookup.
    copy = recycle(original)
    second = d.upload(1, "shop-c", "LC", copy, einvoice_declaration("shop-c 贸易有限公司", fields))
    assert second["voucher"]["status"] == "rejected"
    assert "voucher.reused_near" in codes(second["voucher"])


def test_two_processes_on_one_database_behave_as_one_service(
    runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    env = server_env(settings.database_url, settings.voucher_dir)
    today = datetime.now(UTC).date()
    with probandi_servers(env, tmp_path / "logs", count=2) as urls:
        clients = [httpx.Client(base_url=u, timeout=60) for u in urls]
        d = Deployment(runtime, clients)
        try:
            gate_story(d, today)
            registry_story(d)
            recycled_voucher_story(d, today)

            # A console session made on A works on B.
            with httpx.Client(base_url=urls[0]) as browser:
                assert sign_in(browser, api_key=d.key(Role.REVIEWER)).status_code == 303
                session = browser.cookies["probandi_session"]
            with httpx.Client(base_url=urls[1], cookies={"probandi_session": session}) as b:
                queue = b.get("/console/queue")
            assert queue.status_code == 200  # not 303 to the sign-in page

            # An idempotent retry sent to the other process replays A's answer.
            retry = {"Idempotency-Key": "two-process-retry-1"}
            body = {"kind": "reseller", "legal_name": "shop-r 贸易有限公司", "address": "上海市"}
            first = d.call(0, Role.PLATFORM, "PUT", "/v1/sellers/shop-r", json=body, headers=retry)
            assert first.status_code == 201, first.text
            again = d.call(1, Role.PLATFORM, "PUT", "/v1/sellers/shop-r", json=body, headers=retry)
            assert again.status_code == 201
            assert again.headers["Idempotent-Replayed"] == "true"
            assert again.json() == first.json()
        finally:
            for c in clients:
                c.close()


def test_serve_with_two_workers_logs_json_and_reports_metrics_of_both(
    runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    admin = create_api_key(Role.ADMIN, None, "ops", svc=runtime.services)
    env = server_env(settings.database_url, settings.voucher_dir) | {
        "PROBANDI_LOG_FORMAT": "json",
        "PROBANDI_METRICS_TOKEN": "scrape-me",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    auth = {"Authorization": f"Bearer {admin}", "X-Request-ID": "req-from-test-1"}
    workers = probandi_servers(env, tmp_path / "logs", count=1, args=("--workers", "2"))
    with workers as (url,), httpx.Client(base_url=url, timeout=30) as http:
        for _ in range(20):  # new connections, so both workers answer some
            assert httpx.get(f"{url}/v1/listings", headers=auth).status_code == 200
        ready = http.get("/readyz")
        assert ready.status_code == 200, ready.text
        scraped = http.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert scraped.status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(scraped.text)}
    counts = [
        s.value
        for s in families["probandi_http_request_duration_seconds"].samples
        if s.name.endswith("_count") and s.labels["route"] == "/v1/listings"
    ]
    assert sum(counts) == 20  # every worker's requests, whichever answered the scrape

    lines = [ln for ln in (tmp_path / "logs" / "server-0.log").read_text().splitlines() if ln]
    bad = [line for line in lines if not line.startswith("{")]
    assert not bad, bad[:5]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    access = [r for r in records if r.get("route") == "/v1/listings"]
    assert len(access) == 20
    assert access[0]["request_id"] == "req-from-test-1"
    assert {r["status"] for r in access} == {200}
    assert all(r["duration_ms"] >= 0 and r["method"] == "GET" for r in access)
    assert len({r["request_id"] for r in records if "request_id" in r}) >= 2  # /readyz too
    text = "\n".join(lines)
    assert admin not in text
    assert admin[4:] not in text  # not even the key without its prefix
