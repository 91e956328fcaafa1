"""Webhook endpoints over HTTP: who may manage them, refused URLs, secret rotation checked by
a receiver process, example events, and receivers that are slow, redirect or answer 10 MB
while another endpoint is served on time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from standardwebhooks import Webhook

from probandi.config import Settings
from probandi.domain.actors import Role
from probandi.domain.policy import Policy
from probandi.domain.webhooks import WebhookPolicy
from probandi.services.clock import FrozenClock
from tests.support.receiver import ReceiverProcess, receiver
from tests.support.servers import free_port
from tests.support.webhooks import delivered, register, verified, wait_until
from tests.support.world import World

PRIVATE_ALLOWED = "private_allowed"


@pytest.fixture
def settings(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    allow = request.node.get_closest_marker(PRIVATE_ALLOWED) is not None
    return Settings(
        database_url=database_url,
        voucher_dir=tmp_path / "vouchers",
        policy=Policy(
            read_vouchers=False,
            webhooks=WebhookPolicy(allow_private_targets=allow, timeout_seconds=2.0),
        ),
    )


@pytest.fixture
def slow(tmp_path: Path) -> Iterator[ReceiverProcess]:
    with receiver(free_port(), tmp_path / "b.jsonl") as r:
        yield r


def test_only_admins_manage_endpoints_and_bad_urls_get_a_clear_422(world: World) -> None:
    body: dict[str, object] = {
        "url": "https://93.184.216.34/in",
        "event_types": ["*"],
    }  # public; no DNS here
    for role in (Role.PLATFORM, Role.REVIEWER):
        r = world.call("POST", "/v1/webhooks/endpoints", role, json=body)
        assert r.status_code == 403, r.text
    world.a_seller("s1")
    assert world.seller("s1", "GET", "/v1/webhooks/endpoints").status_code == 403
    assert world.platform("GET", "/v1/webhooks/metrics").status_code == 200
    cases: list[tuple[dict[str, object], str]] = [
        ({"url": "ftp://hooks.example.com/in"}, "only http and https"),
        ({"url": "javascript:alert(1)"}, "only http and https"),
        ({"url": "https://" + "a" * 1990 + ".com/"}, "2000"),
        ({"url": "https://no-such-host.invalid/in"}, "does not resolve"),
        ({"url": "http://127.0.0.1:8080/hooks"}, "loopback"),
        ({"url": "http://10.0.0.5/hooks"}, "private"),
        ({"url": "http://169.254.169.254/latest/meta-data"}, "169.254.169.254"),
        ({"url": "http://[::1]:9000/"}, "loopback"),
        ({"url": "http://localhost:9000/"}, "loopback"),
        ({"event_types": ["listing.sold"]}, "unknown event type"),
        ({"event_types": []}, "at least 1"),
        ({"description": "x" * 501}, "500"),
        ({"secret": "mine"}, "extra"),
    ]
    for change, message in cases:
        r = world.admin("POST", "/v1/webhooks/endpoints", json=body | change)
        assert r.status_code == 422, (change, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert message in r.text, (change, r.text)
    refused = world.admin(
        "POST", "/v1/webhooks/endpoints", json=body | {"url": "http://10.0.0.5/x"}
    ).json()
    assert refused["code"] == "webhook_target_refused"
    assert world.admin("GET", "/v1/webhooks/endpoints").json() == []  # nothing half-stored
    assert world.admin("GET", "/v1/webhooks/endpoints/nope").status_code == 404
    r = world.admin("POST", "/v1/webhooks/endpoints/nope/redeliveries", json={"event_id": "evt_x"})
    assert r.status_code == 404, r.text
    for body_ in (
        {},
        {"event_id": "evt_x", "since": "2026-01-01T00:00:00Z"},
        {"until": "2026-01-01T00:00:00Z"},
    ):
        r = world.admin("POST", "/v1/webhooks/endpoints/nope/redeliveries", json=body_)
        assert r.status_code == 422, (body_, r.text)


@pytest.mark.private_allowed
@pytest.mark.usefixtures("dispatcher")
def test_a_rotated_secret_signs_beside_the_old_one_for_the_overlap(
    world: World, hooks: ReceiverProcess
) -> None:
    created = register(world.admin, hooks.url)
    old = created["secret"]
    url = f"/v1/webhooks/endpoints/{created['id']}"
    r = world.admin("POST", f"{url}/secret", json={"overlap_seconds": 3600})
    assert r.status_code == 200, r.text
    new = r.json()["secret"]
    assert new != old
    assert new.startswith("whsec_")
    assert "secret" not in world.admin("GET", url).json()  # never shown again
    r = world.admin("POST", f"{url}/test")
    assert r.status_code == 202, r.text
    example = r.json()["event_id"]
    wait_until(lambda: bool(hooks.requests()), what="the example")
    (got,) = verified(hooks, new)
    assert got["event"]["id"] == example
    assert got["event"]["type"] == "webhook.test"
    # Both secrets verify during the overlap: receivers can switch without losing one.
    Webhook(old).verify(got["body"], got["headers"])
    assert len(got["headers"]["webhook-signature"].split(" ")) == 2
    # Without overlap the old secret stops signing at once.
    newest = world.admin("POST", f"{url}/secret", json={"overlap_seconds": 0}).json()["secret"]
    world.admin("POST", f"{url}/test")
    wait_until(lambda: len(hooks.requests()) == 2, what="the second example")
    last = hooks.requests()[-1]
    assert len(last["headers"]["webhook-signature"].split(" ")) == 1
    Webhook(newest).verify(last["body"], last["headers"])
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(new).verify(last["body"], last["headers"])
    r = world.admin("POST", f"{url}/secret", json={"overlap_seconds": 8 * 86400})
    assert r.status_code == 422, r.text


@pytest.mark.private_allowed
@pytest.mark.usefixtures("dispatcher")
def test_a_slow_redirecting_or_flooding_receiver_does_not_hold_back_another(
    world: World, hooks: ReceiverProcess, slow: ReceiverProcess, clock: FrozenClock
) -> None:
    fast = register(world.admin, hooks.url, ["listing.publishability_changed"])
    bad = register(world.admin, slow.url, ["listing.publishability_changed"])
    slow.control(delay=30)  # past the 2 s timeout, every time
    world.a_gated_brand()
    world.a_seller("shop-a")
    began = time.monotonic()
    for i in range(20):
        world.a_listing(f"L{i}", "shop-a", title=f"Gucci 古驰 手袋 {i}")
    wait_until(lambda: len(delivered(hooks, fast["secret"])) >= 20, timeout=20, what="20 events")
    assert time.monotonic() - began < 15, "the fast endpoint waited for the slow one"
    attempts_url = f"/v1/webhooks/endpoints/{bad['id']}/attempts"

    def errors() -> set[str]:
        return {a["error"] for a in world.admin("GET", attempts_url).json() if a["error"]}

    wait_until(lambda: "timed out" in errors(), timeout=20, what="a timed-out try")
    # A redirect is not followed and not a delivery; a 10 MB answer is cut, not read.
    slow.control(delay=0, redirect="http://10.0.0.1/elsewhere")
    world.admin("POST", f"/v1/webhooks/endpoints/{bad['id']}/test")
    wait_until(
        lambda: any(e.startswith("redirects are not followed") for e in errors()),
        timeout=30,
        what="a refused redirect",
    )
    failing = world.admin("GET", "/v1/webhooks/metrics").json()
    assert failing["failures"] >= 2
    assert failing["endpoints"][bad["id"]]["failures"] >= 2
    slow.control(redirect=None, status=200, body_bytes=10 * 1024 * 1024)
    clock.advance(timedelta(hours=1))  # every backoff is over: the example is tried again
    wait_until(lambda: any("answer cut at" in e for e in errors()), timeout=60, what="a cut")
    view = world.admin("GET", f"/v1/webhooks/endpoints/{bad['id']}").json()
    assert view["failing_since"] is None  # the flood was a 200: delivered, and the streak ends
    metrics = world.admin("GET", "/v1/webhooks/metrics").json()
    assert metrics["attempts_per_second"] > 0
    assert metrics["queued"] >= 1  # the slow endpoint's listings wait for their next try
    assert world.platform("GET", "/v1/listings/L0").status_code == 200  # the API answers


def test_the_openapi_document_has_one_schema_per_event_type(world: World) -> None:
    doc = world.http.get("/openapi.json").json()
    expected = {
        "listing.publishability_changed",
        "listing.proof_due",
        "voucher.decided",
        "notice.received",
        "notice.outcome",
        "seller.standing_changed",
        "appeal.decided",
        "webhook.test",
    }
    assert set(doc["webhooks"]) == expected
    schemas = doc["components"]["schemas"]
    for name in expected:
        ref = doc["webhooks"][name]["post"]["requestBody"]["content"]["application/json"]
        model = schemas[ref["schema"]["$ref"].rsplit("/", 1)[1]]
        assert model["properties"]["type"]["const"] == name
        assert {"id", "occurred_at", "subject", "sequence", "version", "data"} <= set(
            model["properties"]
        )
    feed = doc["paths"]["/v1/events"]["get"]["responses"]["200"]["content"]["application/json"]
    events = schemas[feed["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]["events"]
    assert len(events["items"]["oneOf"]) == 7  # the catalog, without the test event
