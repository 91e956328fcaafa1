"""The delivery services on SQLite and PostgreSQL, with the test's clock: the relay's
numbering, subject heads, claims that never overlap, fencing of a lost lease, endpoint
health over days, secret rotation, redelivery and test events."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import text

from probandi.bootstrap import Runtime
from probandi.domain.actors import Actor, Role
from probandi.domain.events import EventType
from probandi.domain.webhooks import Attempt, DeliveryState, WebhookPolicy
from probandi.services.clock import FrozenClock
from probandi.services.deliveries import Claim, claim, purge_deliveries, relay_outbox, settle
from probandi.services.webhooks import (
    EndpointSpec,
    event_feed,
    get_endpoint,
    redeliver,
    register_endpoint,
    rotate_secret,
    send_test,
)

ADMIN = Actor("admin-1", Role.ADMIN)
PLATFORM = Actor("platform-1", Role.PLATFORM)
POLICY = WebhookPolicy()


class PublicDns:
    """DNS is outside; this stand-in answers a public address for every host."""

    def resolve(self, host: str) -> list[str]:
        return ["93.184.216.34"]


def gate_changed(runtime: Runtime, *listings: str, state: str = "in_review") -> None:
    """One use-case transaction publishing one gate change per listing."""
    with runtime.services.uow() as uow:
        for listing_id in listings:
            uow.publish(
                "listing.gate_changed",
                {
                    "listing_id": listing_id,
                    "seller_id": "S1",
                    "state": state,
                    "publishable": False,
                    "reasons": ["under review"],
                    "at": runtime.services.clock.now().isoformat(),
                },
            )
        uow.commit()


def endpoint(runtime: Runtime, types: tuple[str, ...] = ("*",)) -> str:
    e, _ = register_endpoint(
        EndpointSpec("https://hooks.example/in", types), ADMIN, PublicDns(), svc=runtime.services
    )
    return e.id


def answer(c: Claim, status: int | None, runtime: Runtime) -> tuple[Claim, Attempt]:
    at = runtime.services.clock.now()
    return c, Attempt(c.delivery.id, c.delivery.endpoint_id, c.event.id, at, status, 5, "")


def test_the_relay_numbers_each_subject_in_commit_order_and_fans_out(runtime: Runtime) -> None:
    svc = runtime.services
    every = endpoint(runtime)
    vouchers_only = endpoint(runtime, ("voucher.decided",))
    gate_changed(runtime, "L1", "L2")
    gate_changed(runtime, "L1")
    assert relay_outbox(svc=svc) == 3
    assert relay_outbox(svc=svc) == 0  # each message once
    page = event_feed(PLATFORM, after=None, limit=10, svc=svc)
    assert [(e.subject, e.sequence) for e in page.events] == [
        ("listing:L1", 1),
        ("listing:L2", 1),
        ("listing:L1", 2),
    ]
    positions = [e.position for e in page.events]
    assert positions == sorted(positions)
    assert {e.type for e in page.events} == {EventType.PUBLISHABILITY_CHANGED}
    heads = claim(every, "w1", 10, POLICY, svc=svc)
    assert sorted((c.event.subject, c.event.sequence) for c in heads) == [
        ("listing:L1", 1),
        ("listing:L2", 1),
    ]  # L1's second event waits for its first
    assert claim(vouchers_only, "w1", 10, POLICY, svc=svc) == []
    assert all(c.secrets and c.secrets[0].startswith("whsec_") for c in heads)


def test_a_failed_head_holds_its_subject_back_until_it_is_delivered(
    runtime: Runtime, clock: FrozenClock
) -> None:
    svc = runtime.services
    ep = endpoint(runtime)
    gate_changed(runtime, "L1")
    gate_changed(runtime, "L1")
    relay_outbox(svc=svc)
    (first,) = claim(ep, "w1", 10, POLICY, svc=svc)
    assert settle([answer(first, 500, runtime)], POLICY, svc=svc) == 0
    assert claim(ep, "w1", 10, POLICY, svc=svc) == []  # backing off; the second must wait
    clock.advance(timedelta(seconds=10))
    (again,) = claim(ep, "w1", 10, POLICY, svc=svc)
    assert again.event.id == first.event.id
    assert again.delivery.attempts == 2
    assert settle([answer(again, 200, runtime)], POLICY, svc=svc) == 1
    (second,) = claim(ep, "w1", 10, POLICY, svc=svc)
    assert second.event.sequence == 2
    view = get_endpoint(ep, ADMIN, svc=svc)
    assert view.endpoint.failing_since is None
    assert view.stats.queued == 1


def test_two_claimers_at_once_never_take_the_same_delivery(runtime: Runtime) -> None:
    svc = runtime.services
    ep = endpoint(runtime)
    gate_changed(runtime, *[f"L{i}" for i in range(60)])
    relay_outbox(svc=svc)
    got: dict[str, list[int]] = {}
    start = threading.Barrier(3)

    def take(owner: str) -> None:
        start.wait()
        ids: list[int] = []
        while batch := claim(ep, owner, 7, POLICY, svc=svc):
            ids += [c.delivery.id for c in batch]
        got[owner] = ids

    threads = [threading.Thread(target=take, args=(f"w{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    taken = [i for ids in got.values() for i in ids]
    assert len(taken) == 60
    assert len(set(taken)) == 60


def test_a_lost_lease_is_fenced_the_new_owner_records_the_outcome(
    runtime: Runtime, clock: FrozenClock
) -> None:
    svc = runtime.services
    ep = endpoint(runtime)
    gate_changed(runtime, "L1")
    relay_outbox(svc=svc)
    (stale,) = claim(ep, "w1", 1, POLICY, svc=svc)
    clock.advance(POLICY.lease + timedelta(seconds=1))  # w1 hangs past its lease
    (fresh,) = claim(ep, "w2", 1, POLICY, svc=svc)
    assert fresh.delivery.id == stale.delivery.id
    assert fresh.delivery.attempts == 2
    assert settle([answer(stale, 500, runtime)], POLICY, svc=svc) == 0  # not written
    assert settle([answer(fresh, 200, runtime)], POLICY, svc=svc) == 1
    with svc.reader() as uow:
        (d,) = uow.webhooks.deliveries(ep)
        attempts = uow.webhooks.attempts(ep, before=None, limit=10)
    assert d.state is DeliveryState.DELIVERED
    assert [a.status_code for a in attempts] == [200, 500]  # both tries, newest first
    with svc.reader() as uow:
        older = uow.webhooks.attempts(ep, before=attempts[0].id, limit=10)
    assert [a.status_code for a in older] == [500]  # the log pages by attempt id


def test_an_endpoint_failing_for_days_is_flagged_then_disabled_and_audited(
    runtime: Runtime, clock: FrozenClock
) -> None:
    svc = runtime.services
    ep = endpoint(runtime)
    began = clock.now()
    n = 0
    while get_endpoint(ep, ADMIN, svc=svc).endpoint.enabled:
        assert clock.now() - began <= timedelta(days=5, hours=6), "still enabled after 5 days"
        taken = claim(ep, "w1", 1, POLICY, svc=svc)
        if not taken:  # dead-lettered after 3 days: the next message keeps it failing
            n += 1
            gate_changed(runtime, f"L{n}")
            relay_outbox(svc=svc)
            continue
        settle([answer(taken[0], 503, runtime)], POLICY, svc=svc)
        clock.advance(timedelta(hours=6))
    view = get_endpoint(ep, ADMIN, svc=svc)
    assert clock.now() - began >= timedelta(days=5)
    assert view.endpoint.flagged_at is not None
    assert "5 days" in (view.endpoint.disabled_reason or "")
    assert view.stats.dead >= 1
    with runtime.reader.connect() as conn:
        tags = set(conn.execute(text("SELECT tag FROM audit_log")).scalars())
    assert {"webhook:endpoint:flagged", "webhook:endpoint:disabled"} <= tags
    assert claim(ep, "w1", 1, POLICY, svc=svc) == []  # a disabled endpoint gets nothing


def test_rotation_signs_with_both_secrets_for_the_overlap_then_the_new_one(
    runtime: Runtime, clock: FrozenClock
) -> None:
    svc = runtime.services
    ep = endpoint(runtime)
    gate_changed(runtime, "L1")
    relay_outbox(svc=svc)
    (before,) = claim(ep, "w1", 1, POLICY, svc=svc)
    new, until = rotate_secret(ep, timedelta(hours=1), ADMIN, svc=svc)
    assert until == clock.now() + timedelta(hours=1)
    settle([answer(before, 500, runtime)], POLICY, svc=svc)
    clock.advance(timedelta(seconds=10))
    (during,) = claim(ep, "w1", 1, POLICY, svc=svc)
    assert during.secrets == (new, before.secrets[0])
    settle([answer(during, 500, runtime)], POLICY, svc=svc)
    clock.advance(timedelta(hours=2))
    (after,) = claim(ep, "w1", 1, POLICY, svc=svc)
    assert after.secrets == (new,)


def test_redelivery_of_a_range_and_a_test_event_reach_only_that_endpoint(
    runtime: Runtime, clock: FrozenClock
) -> None:
    svc = runtime.services
    ep, other = endpoint(runtime), endpoint(runtime)
    gate_changed(runtime, "L1", "L2")
    relay_outbox(svc=svc)
    for c in claim(ep, "w1", 10, POLICY, svc=svc):
        settle([answer(c, 200, runtime)], POLICY, svc=svc)
    since = clock.now() - timedelta(minutes=1)
    assert redeliver(ep, ADMIN, since=since, until=clock.now() + timedelta(1), svc=svc) == 2
    assert len(claim(ep, "w1", 10, POLICY, svc=svc)) == 2
    example = send_test(other, ADMIN, svc=svc)
    assert example.type is EventType.TEST
    taken = claim(other, "w1", 10, POLICY, svc=svc)
    assert example.id in {c.event.id for c in taken}
    assert example.id not in {
        e.id for e in event_feed(PLATFORM, after=None, limit=99, svc=svc).events
    }


def test_the_purge_keeps_what_is_open_and_the_last_30_days(
    runtime: Runtime, clock: FrozenClock
) -> None:
    svc = runtime.services
    ep = endpoint(runtime)
    gate_changed(runtime, "L1", "L2")
    relay_outbox(svc=svc)
    (done, _open) = sorted(claim(ep, "w1", 10, POLICY, svc=svc), key=lambda c: c.event.subject)
    settle([answer(done, 200, runtime)], POLICY, svc=svc)
    assert purge_deliveries(timedelta(days=30), svc=svc) == 0  # nothing old yet
    clock.advance(timedelta(days=31))
    assert purge_deliveries(timedelta(days=30), svc=svc) > 0
    feed = event_feed(PLATFORM, after=None, limit=10, svc=svc).events
    assert [e.subject for e in feed] == ["listing:L2"]  # its delivery is still open
    with svc.reader() as uow:
        assert [d.event_id for d in uow.webhooks.deliveries(ep)] == [feed[0].id]
        assert uow.webhooks.unrelayed_count() == 0
