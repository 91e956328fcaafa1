"""The event catalog's mapping from outbox messages, delivery states, endpoint health and
the rules on webhook targets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from probandi.domain.errors import InvalidInput, InvalidTransition
from probandi.domain.events import EventType, events_from_outbox, example_event, wanted
from probandi.domain.webhooks import (
    DELIVERY_TRANSITIONS,
    Attempt,
    Delivery,
    DeliveryAction,
    DeliveryState,
    Endpoint,
    WebhookPolicy,
    check_addresses,
    check_url,
    event_types_of,
    refused_address,
)
from probandi.entrypoints.api.webhook_schemas import CATALOG_MODELS

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
GATE = {
    "listing_id": "L1",
    "seller_id": "S1",
    "state": "awaiting_proof",
    "notice_holds": {},
    "publishable": False,
    "reasons": ["names the gated brand(s) Gucci; proof has not been supplied yet"],
    "cause": "gate:hold",
    "statement_id": "st1",
    "proof_due_at": (T0 + timedelta(days=7)).isoformat(),
    "proof_due_changed": True,
    "brands": ["Gucci"],
    "required_evidence": "a purchase invoice",
    "at": T0.isoformat(),
}

# (outbox topic, payload) -> [(event type, subject)]
MAPPING_TABLE: list[tuple[str, dict[str, Any], list[tuple[EventType, str]]]] = [
    (
        "listing.gate_changed",
        GATE,
        [
            (EventType.PUBLISHABILITY_CHANGED, "listing:L1"),
            (EventType.PROOF_DUE, "listing:L1"),
        ],
    ),
    (
        "listing.gate_changed",
        GATE | {"proof_due_changed": False},  # a notice hold on a held listing
        [(EventType.PUBLISHABILITY_CHANGED, "listing:L1")],
    ),
    (
        "listing.gate_changed",
        GATE | {"state": "approved", "publishable": True, "reasons": [], "proof_due_at": None},
        [(EventType.PUBLISHABILITY_CHANGED, "listing:L1")],
    ),
    (
        "voucher.decided",
        {
            "voucher_id": "V1",
            "listing_id": "L1",
            "seller_id": "S1",
            "status": "rejected",
            "decided_by": "automated",
            "statement_id": "st2",
            "reason_codes": ["voucher.document_number_reused"],
            "at": T0.isoformat(),
        },
        [(EventType.VOUCHER_DECIDED, "listing:L1")],
    ),
    (
        "notice.received",
        {
            "notice_id": "N1",
            "holder_id": "H1",
            "received_at": T0.isoformat(),
            "suspended": ["L1", "L2"],
            "refused": ["L3"],
        },
        [(EventType.NOTICE_RECEIVED, "notice:N1")],
    ),
    (
        "notice.item_settled",
        {
            "notice_id": "N1",
            "listing_id": "L2",
            "seller_id": "S1",
            "outcome": "upheld",
            "hold": "removed",
            "decision": "notice_item:I1",
            "at": T0.isoformat(),
        },
        [(EventType.NOTICE_OUTCOME, "listing:L2")],
    ),
    (
        "seller.standing_changed",
        {
            "seller_id": "S1",
            "closed": True,
            "restricted_until": None,
            "strikes": 3,
            "at": T0.isoformat(),
            "listings": [
                {"listing_id": "L1", "publishable": False, "reasons": ["the shop is closed"]},
                {"listing_id": "L2", "publishable": False, "reasons": ["the shop is closed"]},
            ],
        },
        [
            (EventType.SELLER_STANDING_CHANGED, "listing:L1"),
            (EventType.SELLER_STANDING_CHANGED, "listing:L2"),
        ],
    ),
    (
        "seller.standing_changed",
        {
            "seller_id": "S1",
            "closed": False,
            "restricted_until": (T0 + timedelta(days=30)).isoformat(),
            "strikes": 2,
            "at": T0.isoformat(),
        },
        [(EventType.SELLER_STANDING_CHANGED, "seller:S1")],
    ),
    (
        "appeal.decided",
        {
            "appeal_id": "A1",
            "appellant": "seller:S1",
            "appealed": "penalty",
            "listing_id": "L1",
            "state": "granted",
            "reason_code": "new_evidence",
            "at": T0.isoformat(),
        },
        [(EventType.APPEAL_DECIDED, "listing:L1")],
    ),
    ("notice.served", {"notice_id": "N1"}, []),  # internal: nobody outside is told
    ("review.sla_breached", {"task_id": "T1"}, []),
]


@pytest.mark.parametrize(("topic", "payload", "expected"), MAPPING_TABLE)
def test_each_outbox_message_maps_to_its_catalog_events(
    topic: str, payload: dict[str, Any], expected: list[tuple[EventType, str]]
) -> None:
    drafts = events_from_outbox(topic, payload, T0)
    assert [(d.type, d.subject) for d in drafts] == expected
    for i, draft in enumerate(drafts):
        # Every event's data follows its published JSON Schema (the OpenAPI document's).
        envelope = {
            "id": f"evt_{i}",
            "type": draft.type.value,
            "version": 1,
            "occurred_at": draft.occurred_at.isoformat(),
            "subject": draft.subject,
            "sequence": i + 1,
            "data": dict(draft.data),
        }
        CATALOG_MODELS[draft.type.value].model_validate(envelope)


def test_subscriptions_take_named_types_or_all_and_never_someone_elses_test() -> None:
    assert wanted(frozenset({"*"}), EventType.NOTICE_RECEIVED)
    assert wanted(frozenset({"notice.received"}), EventType.NOTICE_RECEIVED)
    assert not wanted(frozenset({"voucher.decided"}), EventType.NOTICE_RECEIVED)
    assert not wanted(frozenset({"*"}), EventType.TEST)
    assert example_event("E1", T0).subject == "endpoint:E1"
    assert event_types_of(["*", " voucher.decided "]) == {"*", "voucher.decided"}
    with pytest.raises(InvalidInput, match="unknown event type"):
        event_types_of(["listing.sold"])
    with pytest.raises(InvalidInput):
        event_types_of([" "])


def attempt(at: datetime, status: int | None) -> Attempt:
    return Attempt(1, "E1", "evt_1", at, status, 12, "", None if status else "refused")


def delivery() -> Delivery:
    return Delivery(1, "E1", "evt_1", "listing:L1", created_at=T0, next_attempt_at=T0)


POLICY = WebhookPolicy()


def test_a_delivery_is_delivered_on_2xx_and_backs_off_otherwise() -> None:
    sent = delivery().claim("w1", now=T0, lease=POLICY.lease)
    assert sent.state is DeliveryState.SENDING
    assert sent.attempts == 1
    done = sent.settle(attempt(T0, 204), POLICY, jitter=0.0)
    assert done.state is DeliveryState.DELIVERED
    assert done.delivered_at == T0
    again = sent.settle(attempt(T0, 500), POLICY, jitter=0.0)
    assert again.state is DeliveryState.PENDING
    assert again.next_attempt_at == T0 + POLICY.backoff_base
    assert again.lease_owner is None
    redirect = sent.settle(attempt(T0, 302), POLICY, jitter=0.0)
    assert redirect.state is DeliveryState.PENDING  # a redirect is not a delivery


def test_the_wait_grows_exponentially_with_jitter_up_to_the_cap() -> None:
    d = delivery()
    waits = []
    for _ in range(15):
        d = d.claim("w1", now=T0, lease=POLICY.lease)
        d = d.settle(attempt(T0, 500), POLICY, jitter=0.0)
        waits.append(d.next_attempt_at - T0)
    assert waits[:3] == [timedelta(seconds=5), timedelta(seconds=10), timedelta(seconds=20)]
    assert max(waits) == POLICY.backoff_cap
    jittered = delivery().claim("w1", now=T0, lease=POLICY.lease)
    stretched = jittered.settle(attempt(T0, 500), POLICY, jitter=0.3).next_attempt_at - T0
    assert timedelta(seconds=5) < stretched <= timedelta(seconds=6.5)


def test_past_the_retry_window_the_message_is_dead_lettered() -> None:
    late = T0 + POLICY.retry_window - timedelta(seconds=1)
    d = delivery().claim("w1", now=late, lease=POLICY.lease)
    dead = d.settle(attempt(late, 503), POLICY, jitter=0.0)
    assert dead.state is DeliveryState.DEAD
    with pytest.raises(InvalidTransition):
        dead.claim("w2", now=late, lease=POLICY.lease)
    back = dead.redeliver(late)
    assert back.state is DeliveryState.PENDING
    assert back.created_at == late  # a fresh window


def test_the_transition_table_allows_only_what_it_lists() -> None:
    for state in DeliveryState:
        for action in DeliveryAction:
            allowed = (state, action) in DELIVERY_TRANSITIONS
            if action is DeliveryAction.REDELIVER:
                assert allowed == (state in {DeliveryState.DELIVERED, DeliveryState.DEAD})
    with pytest.raises(InvalidTransition):
        delivery().redeliver(T0)  # still pending: nothing to send again


def test_an_endpoint_failing_for_five_days_is_disabled_and_a_success_clears_the_streak() -> None:
    e = Endpoint("E1", "https://hooks.example/x", frozenset({"*"}), "", True, T0)
    failing = e.after_attempt(attempt(T0, 500), POLICY)
    assert failing.failing_since == T0
    assert failing.enabled
    day4 = failing.after_attempt(attempt(T0 + timedelta(days=4), None), POLICY)
    assert day4.enabled
    assert day4.failing_since == T0
    assert day4.after_attempt(attempt(T0 + timedelta(days=4, hours=1), 200), POLICY) == replace_ok(
        day4
    )
    day5 = day4.after_attempt(attempt(T0 + timedelta(days=5), 500), POLICY)
    assert not day5.enabled
    assert "5 days" in (day5.disabled_reason or "")


def replace_ok(e: Endpoint) -> Endpoint:
    from dataclasses import replace

    return replace(e, failing_since=None)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.example/x", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("https://", "no host"),
        ("https://user:pw@hooks.example/x", "credentials"),
        ("https://hooks.example:99999/x", "does not parse"),
        ("https://hooks.example/" + "x" * 2000, "longer than"),
    ],
)
def test_urls_that_are_not_plain_http_targets_are_refused(url: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_url(url)


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "private"),  # the cloud metadata address (also link-local)
        ("::ffff:127.0.0.1", "loopback"),
        ("fd00::1", "private"),
        ("0.0.0.0", "private"),
        ("224.0.0.1", "multicast"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_private_and_loopback_addresses_are_refused_targets(address: str, why: str | None) -> None:
    assert refused_address(address) == why


def test_the_admin_setting_allows_private_targets_and_nothing_resolving_is_refused() -> None:
    with pytest.raises(InvalidInput, match="loopback") as refused:
        check_addresses("localhost", ["127.0.0.1"], POLICY)
    assert refused.value.code == "webhook_target_refused"
    check_addresses("localhost", ["127.0.0.1"], WebhookPolicy(allow_private_targets=True))
    check_addresses("hooks.example", ["93.184.216.34"], POLICY)
    with pytest.raises(InvalidInput, match="does not resolve"):
        check_addresses("nowhere.invalid", [], POLICY)
