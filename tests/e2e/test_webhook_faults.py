"""Webhook delivery under faults, with real processes: `probandi serve` for the API,
`probandi worker` processes delivering, and a receiver process on 127.0.0.1.

- the receiver answers 500 for a while, then 200: every event arrives, in order;
- the receiver is down past the retry window: dead-lettered, the endpoint flagged;
- 20 SIGKILLs of the worker during a burst: nothing lost, duplicates counted;
- two workers on one database: never the same message at once, order per listing."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from probandi.bootstrap import bootstrap
from probandi.config import Settings
from tests.support.notices import a_verified_holder, file_notice
from tests.support.receiver import ReceiverProcess, receiver
from tests.support.servers import PROBANDI, free_port, probandi_servers, server_env
from tests.support.webhooks import assert_in_order, delivered, register, verified, wait_until
from tests.support.world import World


def fault_env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **server_env(database_url, tmp_path / "vouchers"),
        "PROBANDI_JOB_WORKERS": "0",  # `serve` delivers nothing: the test's workers do
        "PROBANDI_WEBHOOK_ALLOW_PRIVATE": "1",
        "PROBANDI_WEBHOOK_BACKOFF_BASE_SECONDS": "0.2",
        "PROBANDI_WEBHOOK_BACKOFF_CAP_SECONDS": "1",
        "PROBANDI_WEBHOOK_LEASE_SECONDS": "3",
        "PROBANDI_WEBHOOK_POLL_SECONDS": "0.05",
        **extra,
    }


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("a") as out:
        return subprocess.Popen([PROBANDI, "worker"], env=env, stdout=out, stderr=out)


@contextmanager
def workers(env: dict[str, str], logs: Path, count: int = 1) -> Iterator[list[Any]]:
    procs = [start_worker(env, logs / f"worker-{i}.log") for i in range(count)]
    try:
        yield procs
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@contextmanager
def deployment(
    database_url: str, tmp_path: Path, **extra: str
) -> Iterator[tuple[World, dict[str, str]]]:
    env = fault_env(database_url, tmp_path, **extra)
    runtime = bootstrap(Settings(database_url=database_url), migrate=True)
    try:
        with (
            probandi_servers(env, tmp_path / "logs", count=1) as (url,),
            httpx.Client(base_url=url, timeout=60) as http,
        ):
            yield World(runtime, http), env
    finally:
        runtime.dispose()


def feed_ids(world: World) -> list[str]:
    ids: list[str] = []
    after = None
    while True:
        params: dict[str, Any] = {"limit": 1000} | ({"after": after} if after else {})
        body = world.platform("GET", "/v1/events", params=params).json()
        ids += [e["id"] for e in body["events"]]
        after = body["next_cursor"]
        if not body["has_more"]:
            return ids


def all_delivered(world: World, hooks: ReceiverProcess, secret: str, at_least: int) -> bool:
    """At least `at_least` events relayed, and every one of them delivered."""
    expected = set(feed_ids(world))
    return len(expected) >= at_least and {e["id"] for e in delivered(hooks, secret)} >= expected


def held_listings(world: World, count: int) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    for i in range(count):
        world.a_listing(f"L{i:03d}", "shop-a", title=f"Gucci GG Marmont 肩背包 {i}")


def test_a_receiver_failing_for_a_while_then_up_gets_every_event_in_order(
    database_url: str, tmp_path: Path
) -> None:
    with (
        deployment(database_url, tmp_path) as (world, env),
        receiver(free_port(), tmp_path / "received.jsonl") as hooks,
    ):
        hooks.control(status=500)
        endpoint = register(world.admin, hooks.url)
        held_listings(world, 10)  # two events per listing: publishability, proof due
        with workers(env, tmp_path / "logs"):
            wait_until(lambda: len(hooks.requests()) >= 30, what="30 failed tries")
            hooks.control(status=200)
            wait_until(
                lambda: len({e["id"] for e in delivered(hooks, endpoint["secret"])}) >= 20,
                what="every event delivered",
            )
        events = delivered(hooks, endpoint["secret"])
        assert {e["id"] for e in events} == set(feed_ids(world))
        assert_in_order(events, contiguous=True)
        statuses = Counter(r["status"] for r in verified(hooks, endpoint["secret"]))
        assert statuses[500] >= 30
        attempts = world.admin("GET", f"/v1/webhooks/endpoints/{endpoint['id']}/attempts").json()
        assert {a["status_code"] for a in attempts} >= {200}
        view = world.admin("GET", f"/v1/webhooks/endpoints/{endpoint['id']}").json()
        assert view["failing_since"] is None  # the streak ended with the first success
        assert view["flagged_at"] is None
        assert view["stats"]["queued"] == 0


def test_a_receiver_down_past_the_retry_window_dead_letters_and_flags(
    database_url: str, tmp_path: Path
) -> None:
    with deployment(database_url, tmp_path, PROBANDI_WEBHOOK_RETRY_WINDOW_SECONDS="3") as (
        world,
        env,
    ):
        port = free_port()
        nobody = f"http://127.0.0.1:{port}/hooks"  # nothing listens there
        endpoint = register(world.admin, nobody)
        held_listings(world, 1)
        view_url = f"/v1/webhooks/endpoints/{endpoint['id']}"
        with workers(env, tmp_path / "logs"):
            wait_until(
                lambda: world.admin("GET", view_url).json()["stats"]["dead"] >= 2,
                timeout=60,
                what="both events dead-lettered",
            )
        view = world.admin("GET", view_url).json()
        assert view["flagged_at"] is not None
        assert view["stats"]["queued"] == 0
        assert view["enabled"] is True  # flagged; disabling takes 5 days of failures
        attempts = world.admin("GET", f"{view_url}/attempts", params={"limit": 500}).json()
        assert attempts
        assert all(a["status_code"] is None and a["error"] for a in attempts)
        metrics = world.admin("GET", "/v1/webhooks/metrics").json()
        assert metrics["dead"] >= 2
        # An admin sends one again once the receiver is back.
        with receiver(port, tmp_path / "back.jsonl") as hooks:
            first = feed_ids(world)[0]
            r = world.admin("POST", f"{view_url}/redeliveries", json={"event_id": first})
            assert r.status_code == 202, r.text
            assert r.json() == {"queued": 1}
            with workers(env, tmp_path / "logs"):
                wait_until(lambda: bool(delivered(hooks, endpoint["secret"])), what="redelivery")
            assert [e["id"] for e in delivered(hooks, endpoint["secret"])] == [first]


def test_twenty_kills_of_the_worker_during_a_burst_lose_nothing(
    database_url: str, tmp_path: Path
) -> None:
    with (
        deployment(database_url, tmp_path) as (world, env),
        receiver(free_port(), tmp_path / "received.jsonl") as hooks,
    ):
        hooks.control(delay=0.02)  # slow enough that kills land with tries in flight
        secret = register(world.admin, hooks.url)["secret"]
        gucci = world.a_gated_brand(gated=False)
        a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
        world.a_seller("shop-a")
        ids = [f"N{i:03d}" for i in range(300)]
        for listing_id in ids:
            world.a_listing(listing_id, "shop-a", title=f"Gucci 古驰 手袋 {listing_id}")
        assert file_notice(world, "gucci-ip", ids).status_code == 201
        logs = tmp_path / "logs"
        kills = 0
        while kills < 20:
            proc = start_worker(env, logs / "killed.log")
            before = len(hooks.requests())
            deadline = time.monotonic() + 20
            while len(hooks.requests()) == before and time.monotonic() < deadline:
                time.sleep(0.02)  # kill it once it is delivering
            time.sleep(0.1)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
        with workers(env, logs):
            wait_until(lambda: all_delivered(world, hooks, secret, 301), timeout=120)
        expected = set(feed_ids(world))  # 300 listings suspended, and the notice itself
        events = delivered(hooks, secret)
        assert {e["id"] for e in events} == expected
        duplicates = len(events) - len(expected)
        print(
            f"\n20 kills: {len(expected)} events, {duplicates} duplicates "
            f"({duplicates / len(expected):.1%})"
        )
        assert_in_order(events, contiguous=True)


def test_two_workers_never_send_one_message_at_once_and_keep_order(
    database_url: str, tmp_path: Path
) -> None:
    with (
        deployment(database_url, tmp_path) as (world, env),
        receiver(free_port(), tmp_path / "received.jsonl") as hooks,
    ):
        hooks.control(delay=0.01)
        secret = register(world.admin, hooks.url)["secret"]
        gucci = world.a_gated_brand()
        a_verified_holder(world, "gucci-ip", gucci["id"], trusted=True)
        world.a_seller("shop-a")
        ids = [f"L{i:03d}" for i in range(100)]
        for listing_id in ids:  # held: publishability and proof due, per listing
            world.a_listing(listing_id, "shop-a", title=f"Gucci 古驰 手袋 {listing_id}")
        assert file_notice(world, "gucci-ip", ids).status_code == 201  # a third, each
        with workers(env, tmp_path / "logs", count=2):
            wait_until(lambda: all_delivered(world, hooks, secret, 301), timeout=120)
        expected = set(feed_ids(world))
        requests = verified(hooks, secret)
        by_id: dict[str, list[tuple[float, float]]] = {}
        for r in requests:
            by_id.setdefault(r["event"]["id"], []).append((r["start"], r["end"]))
        overlapping = [
            i
            for i, spans in by_id.items()
            for a, b in zip(sorted(spans), sorted(spans)[1:], strict=False)
            if b[0] < a[1]
        ]
        assert overlapping == []
        assert len(requests) == len(expected), "no crash, no lost lease: no duplicate"
        assert_in_order(delivered(hooks, secret), contiguous=True)
