"""Plain pushes are last-writer-wins; only a push with If-Match can be refused (412)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import AuditRow
from probandi.bootstrap import Runtime
from probandi.domain.actors import Role
from probandi.services.keys import create_api_key
from tests.support.servers import probandi_servers, server_env
from tests.support.world import World

PUSHES = 160


def _body(n: int) -> dict[str, object]:
    return {
        "seller_id": "shop-a",
        "title": f"帆布托特包 #{n:03d}",
        "price": f"{100 + n}.00",
        "currency": "CNY",
    }


async def _push_all(urls: list[str], key: str, listing_id: str) -> list[httpx.Response]:
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=PUSHES, max_keepalive_connections=PUSHES)
    clients = [
        httpx.AsyncClient(base_url=u, headers=headers, timeout=60, limits=limits) for u in urls
    ]
    try:
        return await asyncio.gather(
            *(
                clients[n % len(clients)].put(f"/v1/listings/{listing_id}", json=_body(n))
                for n in range(PUSHES)
            )
        )
    finally:
        for c in clients:
            await c.aclose()


def _audited_titles(runtime: Runtime, listing_id: str) -> list[str]:
    """The listing's audit entries in chain order: the order the pushes were applied in
    (each applies under the listing's row lock, and seals its entry before releasing it)."""
    with Session(runtime.reader) as s:
        rows = s.execute(
            select(AuditRow.data)
            .where(AuditRow.subject == f"listing:{listing_id}")
            .order_by(AuditRow.lane_seq)
        ).scalars()
        return [json.loads(d)["title"] for d in rows]


def test_plain_pushes_to_one_listing_across_two_processes_never_conflict(
    database_url: str, runtime: Runtime, tmp_path: Path
) -> None:
    world = World(runtime, httpx.Client())
    key = create_api_key(Role.PLATFORM, None, "platform", svc=runtime.services)
    env = server_env(database_url, tmp_path / "vouchers")
    with probandi_servers(env, tmp_path / "logs") as urls:
        seller = {"kind": "reseller", "legal_name": "甲贸易有限公司", "address": "上海市"}
        headers = {"Authorization": f"Bearer {key}"}
        r = httpx.put(f"{urls[0]}/v1/sellers/shop-a", json=seller, headers=headers)
        assert r.status_code == 201, r.text
        # The listing does not exist yet: the first pushes race to create it.
        responses = asyncio.run(_push_all(urls, key, "L1"))
        codes = [r.status_code for r in responses]
        assert sorted(set(codes)) == [200, 201], [r.text for r in responses if r.status_code > 201]
        assert codes.count(201) == 1
        final = httpx.get(f"{urls[1]}/v1/listings/L1", headers=headers)
    titles = _audited_titles(runtime, "L1")
    # Every push changed the listing, so every one was applied and audited once ...
    assert sorted(titles) == sorted(str(_body(n)["title"]) for n in range(PUSHES))
    # ... and what the listing says now is the push applied last.
    assert final.json()["title"] == titles[-1]
    assert final.json()["price"] == str(_body(int(titles[-1][-3:]))["price"])
    assert final.headers["ETag"] == f'"v{PUSHES}"'
    world.http.close()


def test_concurrent_plain_pushes_to_one_listing_all_apply(world: World, live_url: str) -> None:
    world.a_seller("shop-a")
    key = world.key(Role.PLATFORM)
    responses = asyncio.run(_push_all([live_url], key, "L1"))
    assert sorted({r.status_code for r in responses}) == [200, 201]
    titles = _audited_titles(world.runtime, "L1")
    assert len(titles) == PUSHES
    final = world.platform("GET", "/v1/listings/L1")
    assert final.json()["title"] == titles[-1]
    assert final.headers["ETag"] == f'"v{PUSHES}"'


def test_get_and_put_answer_the_listing_version_as_etag(world: World) -> None:
    world.a_seller("shop-a")
    created = world.platform("PUT", "/v1/listings/L1", json=_body(1))
    assert created.headers["ETag"] == '"v1"'
    assert world.platform("GET", "/v1/listings/L1").headers["ETag"] == '"v1"'
    again = world.platform("PUT", "/v1/listings/L1", json=_body(1))  # nothing changed
    assert again.headers["ETag"] == '"v1"'
    edited = world.platform("PUT", "/v1/listings/L1", json=_body(2))
    assert edited.headers["ETag"] == '"v2"'


def test_a_push_with_a_stale_if_match_is_refused_and_changes_nothing(world: World) -> None:
    world.a_seller("shop-a")
    etag = world.platform("PUT", "/v1/listings/L1", json=_body(1)).headers["ETag"]
    world.platform("PUT", "/v1/listings/L1", json=_body(2))  # someone else's edit
    stale = world.platform("PUT", "/v1/listings/L1", json=_body(3), headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["code"] == "precondition_failed"
    assert stale.json()["current_version"] == 2
    assert world.platform("GET", "/v1/listings/L1").json()["title"] == _body(2)["title"]
    fresh = world.platform("GET", "/v1/listings/L1").headers["ETag"]
    ok = world.platform("PUT", "/v1/listings/L1", json=_body(3), headers={"If-Match": fresh})
    assert ok.status_code == 200, ok.text
    assert ok.headers["ETag"] == '"v3"'


def test_if_match_needs_the_listing_to_exist(world: World) -> None:
    world.a_seller("shop-a")
    for tag in ("*", '"v1"', 'W/"v1"', "garbage"):
        r = world.platform("PUT", "/v1/listings/NEW", json=_body(1), headers={"If-Match": tag})
        assert r.status_code == 412, (tag, r.text)
    assert world.platform("GET", "/v1/listings/NEW").status_code == 404
    world.platform("PUT", "/v1/listings/NEW", json=_body(1))
    star = world.platform("PUT", "/v1/listings/NEW", json=_body(2), headers={"If-Match": "*"})
    assert star.status_code == 200
    weak = world.platform("PUT", "/v1/listings/NEW", json=_body(3), headers={"If-Match": 'W/"v2"'})
    assert weak.status_code == 412  # If-Match compares strongly
