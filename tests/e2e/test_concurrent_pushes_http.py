"""Many listing pushes at once, right after a registry change, all answer.

The push runs on the event loop (ADR 0004): nothing on its path may hold a thread lock
across a database round trip that yields to the loop, or the next push would block the
loop while the first waits for it, and the server would hang.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from probandi.domain.actors import Role
from tests.support.world import World

PUSHES = 16
BRANDS = (("Prada", "普拉达"), ("Fendi", "芬迪"), ("Celine", "思琳"))


def _body(title: str) -> dict[str, object]:
    return {"seller_id": "shop-a", "title": title, "price": "9800.00", "currency": "CNY"}


async def _waves(base_url: str, key: str, change_registry: Callable[[str, str], None]) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=PUSHES, max_keepalive_connections=PUSHES)
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, timeout=15, limits=limits
    ) as http:

        async def wave(tag: str, name: str) -> list[httpx.Response]:
            return await asyncio.gather(
                *(
                    http.put(f"/v1/listings/{tag}{i}", json=_body(f"{name} 双肩包 #{i}"))
                    for i in range(PUSHES)
                )
            )

        # Open every connection first, so that the pushes after a change arrive together.
        assert {r.status_code for r in await wave("W", "帆布")} == {201}
        for n, (brand, alias) in enumerate(BRANDS):
            change_registry(brand, alias)
            responses = await wave(f"B{n}-", alias)
            assert [r.status_code for r in responses] == [201] * PUSHES
            assert {r.json()["gate"]["state"] for r in responses} == {"awaiting_proof"}


def test_concurrent_pushes_after_registry_changes_all_answer(world: World, live_url: str) -> None:
    world.a_seller("shop-a")

    def change_registry(brand: str, alias: str) -> None:
        body = {"name": brand, "aliases": [alias], "gated": True}
        r = world.admin("POST", "/v1/brands", json=body)
        assert r.status_code == 201, r.text

    # Each wave finds the screener stale and rebuilds it, or waits for the rebuild.
    asyncio.run(_waves(live_url, world.key(Role.PLATFORM), change_registry))
