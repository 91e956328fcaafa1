"""Notices through real HTTP: time from request to every listing suspended, for a notice of
300 listings and for 100 concurrent notices, against a bare one-transaction baseline.

probandi and the baseline each run as their own uvicorn process (one worker) on 127.0.0.1;
this process sets up the world over HTTP and then sends the notices (asyncio + httpx).
`POST /v1/notices` answers only once the whole notice is applied in one transaction, so
its latency is the time from request to every listing suspended. Run from the project root:

    .venv/bin/python bench/notice_load.py --db both
    .venv/bin/python bench/notice_load.py --db sqlite --quick
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import uvicorn
from fastapi import Body, FastAPI
from sqlalchemy import Column, MetaData, String, Table, Text, bindparam, insert, select, update

from gate_api import (
    HOST,
    Databases,
    bearer,
    each_database,
    serve_probandi,
    server,
)
from probandi.adapters.db.engine import make_engine
from probandi.bootstrap import Runtime, bootstrap
from probandi.config import Settings
from probandi.domain.actors import Role
from probandi.services.keys import create_api_key

TARGET_MS = 1000.0  # a 300-listing notice fully applied in under a second
BRAND = {
    "name": "Gucci",
    "aliases": ["古驰", "古奇"],
    "gated": True,
    "reference_prices": [{"scope": "*", "amount": "12000", "currency": "CNY"}],
    "distributors": [{"name": "上海奢品供应链有限公司", "tax_id": "91310000MA1FL0XX7Y"}],
}
TITLES = (
    "Gucci GG Marmont 小号肩背包 黑色",
    "古驰 Dionysus 酒神包 中号",
    "Gucci Jackie 1961 手袋",
    "古奇 Ophidia 老花腰包",
    "Gucci Horsebit 1955 马衔扣单肩包",
)
PUSH_CLIENTS = 8  # clients creating the concurrent phase's listings (untimed)
MAX_HOLDERS = 20  # a brand names at most 20 rights holders


# --- the baseline ---------------------------------------------------------------------------
def baseline_app(database_url: str) -> FastAPI:
    """The floor of suspending N listings: one route that, in one transaction, reads the
    listings, inserts one item row each and marks each held, with SQLAlchemy Core."""
    metadata = MetaData()
    listings = Table(
        "bench_listings",
        metadata,
        Column("id", String(128), primary_key=True),
        Column("held_by", String(32)),
        Column("body", Text),
    )
    items = Table(
        "bench_items",
        metadata,
        Column("id", String(32), primary_key=True),
        Column("notice_id", String(32), index=True),
        Column("listing_id", String(128), index=True),
        Column("body", Text),
    )
    engine = make_engine(database_url, writer=True)  # same pool and SQLite pragmas as probandi
    metadata.create_all(engine)
    app = FastAPI()

    @app.post("/listings", status_code=201)
    def post_listings(body: dict[str, Any] = Body()) -> dict[str, int]:
        rows = [{"id": lid, "held_by": None, "body": "{}"} for lid in body["listing_ids"]]
        with engine.begin() as conn:
            conn.execute(insert(listings), rows)
        return {"created": len(rows)}

    @app.post("/suspensions", status_code=201)
    def post_suspension(body: dict[str, Any] = Body()) -> dict[str, Any]:
        notice_id = uuid.uuid4().hex
        ids: list[str] = body["listing_ids"]
        with engine.begin() as conn:
            taken_at = time.time()  # after BEGIN (IMMEDIATE on SQLite: the write lock held)
            found = set(conn.scalars(select(listings.c.id).where(listings.c.id.in_(ids))))
            taken = [lid for lid in ids if lid in found]
            if taken:
                conn.execute(
                    insert(items),
                    [
                        {
                            "id": uuid.uuid4().hex,
                            "notice_id": notice_id,
                            "listing_id": lid,
                            "body": json.dumps({"reason": body.get("reason"), "state": "held"}),
                        }
                        for lid in taken
                    ],
                )
                conn.execute(
                    update(listings)
                    .where(listings.c.id == bindparam("b_id"))
                    .values(held_by=notice_id),
                    [{"b_id": lid} for lid in taken],
                )
        return {"id": notice_id, "suspended": len(taken), "taken_at": taken_at}

    return app


def serve_baseline(database_url: str, port: int) -> None:
    uvicorn.run(baseline_app(database_url), host=HOST, port=port, log_level="warning")


# --- setup ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Options:
    notices: int  # sequential single notices
    size: int  # listings per single notice
    concurrent: int  # notices sent at once
    concurrent_size: int  # listings per concurrent notice
    holders: int
    sellers: int


@dataclass
class World:
    admin: str
    platform: str
    holder_keys: dict[str, str] = field(default_factory=dict)

    @property
    def holders(self) -> list[str]:
        return list(self.holder_keys)


def listing_body(seller_id: str, n: int) -> dict[str, Any]:
    return {
        "seller_id": seller_id,
        "title": f"{TITLES[n % len(TITLES)]} #{n}",
        "brand": "Gucci",
        "category": "bags",
        "price": f"{15_000 + n % 5000}.00",
        "currency": "CNY",
        "stock": 1 + n % 5,
        "images": [f"https://img.example/notice-bench/{n}.jpg"],
    }


def check(r: httpx.Response, *codes: int) -> httpx.Response:
    if r.status_code not in codes:
        raise RuntimeError(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text}")
    return r


def set_up_world(base_url: str, runtime: Runtime, opts: Options) -> World:
    """Keys, verified trusted-flagger rights holders of one gated brand, and sellers."""
    try:
        svc = runtime.services
        world = World(
            admin=create_api_key(Role.ADMIN, None, "bench-admin", svc=svc),
            platform=create_api_key(Role.PLATFORM, None, "bench", svc=svc),
        )
        holders = [f"bench-holder-{i + 1}" for i in range(opts.holders)]
        admin = bearer(world.admin)
        with httpx.Client(base_url=base_url, timeout=60) as http:
            for hid in holders:
                body = {"id": hid, "name": f"{hid} 知识产权部"}
                check(http.post("/v1/rights-holders", json=body, headers=admin), 201)
                world.holder_keys[hid] = create_api_key(Role.RIGHTS_HOLDER, hid, hid, svc=svc)
            brand = {**BRAND, "rights_holder_ids": holders}
            brand_id = check(http.post("/v1/brands", json=brand, headers=admin), 201).json()["id"]
            for hid in holders:
                profile = {
                    "kind": "brand",
                    "registrations": [
                        {
                            "brand_id": brand_id,
                            "office": "CNIPA",
                            "number": f"TM-{hid}",
                            "classes": [18],
                            "expires_on": "2035-01-01",
                        }
                    ],
                }
                url = f"/v1/rights-holders/{hid}"
                own = bearer(world.holder_keys[hid])
                check(http.put(f"{url}/profile", json=profile, headers=own), 200)
                check(http.post(f"{url}/verification", headers=admin), 200)
                enrol = {"enrolled": True}
                check(http.put(f"{url}/trusted-flagger", json=enrol, headers=admin), 200)
            for s in range(opts.sellers):
                body = {
                    "kind": "reseller",
                    "legal_name": f"bench-seller-{s} 贸易有限公司",
                    "address": "上海市黄浦区南京东路1号",
                }
                r = http.put(
                    f"/v1/sellers/bench-seller-{s}", json=body, headers=bearer(world.platform)
                )
                check(r, 200, 201)
        return world
    finally:
        runtime.dispose()


async def push_listings(
    base_url: str, key: str, ids: Sequence[str], first: int, sellers: int, clients: int
) -> list[float]:
    """PUT each listing (clients at a time); returns each client's elapsed seconds."""
    queue = list(enumerate(ids, start=first))
    queue.reverse()

    async def one(http: httpx.AsyncClient) -> float:
        started = time.perf_counter()
        while queue:
            n, lid = queue.pop()
            body = listing_body(f"bench-seller-{n % sellers}", n)
            check(await http.put(f"/v1/listings/{lid}", json=body), 201)
        return time.perf_counter() - started

    async with contextlib.AsyncExitStack() as stack:
        https = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=base_url, headers=bearer(key), timeout=60)
            )
            for _ in range(clients)
        ]
        return list(await asyncio.gather(*(one(h) for h in https)))


async def seed_baseline(base_url: str, ids: Sequence[str]) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        for start in range(0, len(ids), 1000):
            body = {"listing_ids": list(ids[start : start + 1000])}
            check(await http.post("/listings", json=body), 201)


# --- sending notices ------------------------------------------------------------------------
@dataclass(frozen=True)
class Sent:
    seconds: float  # request to response: the whole notice applied and answered
    suspended: int
    notice_id: str
    error: str = ""
    start: float | None = None  # request to the server starting to apply it (its clock)


@dataclass(frozen=True)
class Sender:
    """Where and how one server takes a notice."""

    name: str
    base_url: str
    path: str
    key_for: Callable[[int], dict[str, str]]  # notice index -> headers

    def body(self, listing_ids: list[str]) -> dict[str, Any]:
        return {
            "reason": "counterfeit",
            "listing_ids": listing_ids,
            "text": "test buys of these listings showed counterfeit goods",
            "good_faith": True,
        }


async def send(http: httpx.AsyncClient, sender: Sender, index: int, ids: list[str]) -> Sent:
    sent_at, started = time.time(), time.perf_counter()
    try:
        r = await http.post(sender.path, json=sender.body(ids), headers=sender.key_for(index))
    except httpx.HTTPError as exc:
        return Sent(time.perf_counter() - started, 0, "", repr(exc))
    elapsed = time.perf_counter() - started
    if r.status_code != 201:
        return Sent(elapsed, 0, "", f"{r.status_code} {r.text[:300]}")
    out = r.json()
    if sender.name == "baseline":
        start = float(out["taken_at"]) - sent_at
        return Sent(elapsed, int(out["suspended"]), str(out["id"]), start=start)
    start = datetime.fromisoformat(out["received_at"]).timestamp() - sent_at
    items = out["items"]
    suspended = sum(1 for i in items if i["state"] == "suspended")
    error = ""
    if suspended != len(ids) or out["refused"]:
        error = f"{suspended}/{len(ids)} suspended, refused {out['refused'][:3]}"
    return Sent(elapsed, suspended, str(out["id"]), error, start)


async def send_one(sender: Sender, index: int, ids: list[str]) -> Sent:
    async with httpx.AsyncClient(base_url=sender.base_url, timeout=300) as http:
        await http.get("/docs")  # connect before timing
        return await send(http, sender, index, ids)


async def send_all(sender: Sender, batches: list[list[str]]) -> tuple[list[Sent], float]:
    """One client per notice, all connected first, then all sent at the same instant."""
    go = asyncio.Event()
    async with contextlib.AsyncExitStack() as stack:
        https = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=sender.base_url, timeout=600)
            )
            for _ in batches
        ]
        await asyncio.gather(*(h.get("/docs") for h in https))

        async def fire(i: int, http: httpx.AsyncClient) -> Sent:
            await go.wait()
            return await send(http, sender, i, batches[i])

        tasks = [asyncio.create_task(fire(i, h)) for i, h in enumerate(https)]
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        go.set()
        sent = await asyncio.gather(*tasks)
        wall = time.perf_counter() - started
    return list(sent), wall


# --- figures --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figures:
    p50_ms: float
    p99_ms: float
    max_ms: float
    listings_per_s: float  # suspended per second of wall time
    suspended: int
    errors: int
    first_error: str = ""
    wall_s: float = 0.0
    start_p50_ms: float = 0.0
    start_p99_ms: float = 0.0


def p50_p99(ms: list[float]) -> tuple[float, float]:
    if not ms:
        return 0.0, 0.0
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return statistics.median(ms), cuts[98]


def figures(sent: list[Sent], wall: float | None = None) -> Figures:
    ms = [s.seconds * 1000 for s in sent]
    p50, p99 = p50_p99(ms)
    start_p50, start_p99 = p50_p99([s.start * 1000 for s in sent if s.start is not None])
    suspended = sum(s.suspended for s in sent)
    busy = wall if wall is not None else sum(s.seconds for s in sent)
    errors = [s.error for s in sent if s.error]
    return Figures(
        p50_ms=p50,
        p99_ms=p99,
        max_ms=max(ms),
        listings_per_s=suspended / busy if busy else 0.0,
        suspended=suspended,
        errors=len(errors),
        first_error=errors[0] if errors else "",
        wall_s=busy,
        start_p50_ms=start_p50,
        start_p99_ms=start_p99,
    )


@dataclass
class Result:
    single: dict[str, Figures] = field(default_factory=dict)
    burst: dict[str, Figures] = field(default_factory=dict)
    push_ms: float = 0.0  # median time to PUT one notice's listings one by one
    verified: str = ""


# --- one database ---------------------------------------------------------------------------
def ids_for(prefix: str, count: int, size: int) -> list[list[str]]:
    return [[f"{prefix}-{b}-{i}" for i in range(size)] for b in range(count)]


async def verify(base_url: str, world: World, notice_ids: dict[str, int], sample: int) -> str:
    """Every item of every notice suspended; a sample of listings unpublishable on it."""
    admin, platform = bearer(world.admin), bearer(world.platform)
    items = 0
    problems: list[str] = []
    listing_of: list[tuple[str, str]] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        for nid, expected in notice_ids.items():
            out = check(await http.get(f"/v1/notices/{nid}", headers=admin), 200).json()
            states = [i["state"] for i in out["items"]]
            items += len(states)
            if len(states) != expected or any(s != "suspended" for s in states):
                problems.append(f"notice {nid}: {len(states)}/{expected} items, {set(states)}")
            listing_of += [(i["listing_id"], nid) for i in out["items"]]
        for lid, nid in random.Random(7).sample(listing_of, min(sample, len(listing_of))):
            out = check(await http.get(f"/v1/listings/{lid}", headers=platform), 200).json()
            if out["publishable"] or not any(f"notice {nid}" in r for r in out["reasons"]):
                problems.append(f"listing {lid}: publishable={out['publishable']}")
    summary = (
        f"{len(notice_ids)} notices, {items} items all suspended; "
        f"{min(sample, len(listing_of))} sampled listings unpublishable on their notice"
    )
    if problems:
        summary = f"FAILED ({len(problems)} problems, first: {problems[0]}); checked {summary}"
    return summary


def bench_database(kind: str, dbs: Databases, opts: Options) -> Result:
    settings = Settings(database_url=dbs.probandi_url, voucher_dir=dbs.voucher_dir)
    result = Result()
    run = uuid.uuid4().hex[:6]
    singles = ids_for(f"S{run}", opts.notices, opts.size)
    bursts = ids_for(f"C{run}", opts.concurrent, opts.concurrent_size)
    warm = ids_for(f"W{run}", 2, min(opts.size, 20))
    runtime = bootstrap(settings, migrate=True)  # kept for keys until the world is set up
    with (
        server(serve_probandi, settings) as probandi_url,
        server(serve_baseline, dbs.baseline_url) as baseline_url,
    ):
        started = time.perf_counter()
        world = set_up_world(probandi_url, runtime, opts)
        # The single notices' listings go one by one through one client: each batch's time
        # is the platform pushing those listings, a reference for the notice that takes them.
        pushes: list[float] = []
        n = 0
        for batch in singles:
            pushes += asyncio.run(
                push_listings(probandi_url, world.platform, batch, n, opts.sellers, 1)
            )
            n += len(batch)
        rest = [lid for b in (*bursts, *warm) for lid in b]
        asyncio.run(
            push_listings(probandi_url, world.platform, rest, n, opts.sellers, PUSH_CLIENTS)
        )
        asyncio.run(
            seed_baseline(baseline_url, [lid for b in (*singles, *bursts, *warm) for lid in b])
        )
        listings = n + len(rest)
        result.push_ms = statistics.median(pushes) * 1000
        print(
            f"\n[{kind}] setup: {opts.holders} trusted-flagger holders, {opts.sellers} sellers, "
            f"{listings} gated listings in {time.perf_counter() - started:.1f} s",
            flush=True,
        )

        holders = world.holders
        senders = {
            "baseline": Sender("baseline", baseline_url, "/suspensions", lambda _i: {}),
            "probandi": Sender(
                "probandi",
                probandi_url,
                "/v1/notices",
                lambda i: bearer(world.holder_keys[holders[i % len(holders)]]),
            ),
        }
        for i, name in enumerate(senders):  # warm-up: connections, caches, code paths
            asyncio.run(send_one(senders[name], 0, warm[i]))

        print(
            f"  single notices: {opts.notices} x {opts.size} listings, one after another",
            flush=True,
        )
        single: dict[str, list[Sent]] = {name: [] for name in senders}
        notice_ids: dict[str, int] = {}
        for rnd, batch in enumerate(singles):
            order = list(senders) if rnd % 2 == 0 else list(reversed(senders))
            line = []
            for name in order:
                s = asyncio.run(send_one(senders[name], 0, batch))
                single[name].append(s)
                if name == "probandi" and s.notice_id:
                    notice_ids[s.notice_id] = len(batch)
                line.append(f"{name} {s.seconds * 1000:8.1f} ms ({s.suspended} suspended)")
                if s.error:
                    line.append(f"ERROR {s.error}")
            print(f"    notice {rnd + 1:>2}  " + "   ".join(line), flush=True)
        result.single = {name: figures(sent) for name, sent in single.items()}

        print(
            f"  concurrent notices: {opts.concurrent} x {opts.concurrent_size} listings, "
            f"{opts.concurrent} clients, {len(holders)} holders",
            flush=True,
        )
        for name, sender in senders.items():
            sent, wall = asyncio.run(send_all(sender, bursts))
            result.burst[name] = f = figures(sent, wall)
            if name == "probandi":
                notice_ids |= {s.notice_id: len(b) for s, b in zip(sent, bursts, strict=True)}
            print(
                f"    {name:<9} wall {wall:6.2f} s  p50 {f.p50_ms:8.1f} ms  "
                f"p99 {f.p99_ms:8.1f} ms  (start p50 {f.start_p50_ms:7.1f} ms)  "
                f"{f.suspended} suspended  errors {f.errors}",
                flush=True,
            )
        notice_ids.pop("", None)
        result.verified = asyncio.run(verify(probandi_url, world, notice_ids, sample=50))
        print(f"  verification: {result.verified}", flush=True)
    return result


# --- the report -----------------------------------------------------------------------------
def verdict(ms: float) -> str:
    return "met" if ms < TARGET_MS else "MISSED"


def report(kind: str, opts: Options, res: Result) -> None:
    base, prob = res.single["baseline"], res.single["probandi"]
    print(f"\n{kind}: {opts.notices} single notices of {opts.size} listings, one after another")
    print(
        f"  {'server':<10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'listings/s':>12}{'errors':>8}"
    )
    for name, f in (("baseline", base), ("probandi", prob)):
        print(
            f"  {name:<10}{f.p50_ms:>10.1f}{f.p99_ms:>10.1f}{f.max_ms:>10.1f}"
            f"{f.listings_per_s:>12.0f}{f.errors:>8}"
        )
    print(f"  p50 probandi/baseline            {prob.p50_ms / base.p50_ms:.1f}x")
    print(
        f"  p50 probandi/pushing the same {opts.size} listings one by one "
        f"({res.push_ms:.0f} ms, 1 client): {prob.p50_ms / res.push_ms:.2f}x"
    )
    if opts.size == 300:
        print(
            f"  target: a 300-listing notice applied in < 1 s: p50 {verdict(prob.p50_ms)}, "
            f"p99 {verdict(prob.p99_ms)}"
        )
    else:
        print(f"  (the 1 s target is for 300-listing notices; this run used {opts.size})")

    base, prob = res.burst["baseline"], res.burst["probandi"]
    print(
        f"\n{kind}: {opts.concurrent} concurrent notices of {opts.concurrent_size} listings, "
        f"{opts.concurrent} clients, {opts.holders} holders"
    )
    print(
        f"  {'server':<10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'start p50':>11}"
        f"{'start p99':>11}{'wall s':>9}{'listings/s':>12}{'errors':>8}"
    )
    for name, f in (("baseline", base), ("probandi", prob)):
        print(
            f"  {name:<10}{f.p50_ms:>10.1f}{f.p99_ms:>10.1f}{f.max_ms:>10.1f}"
            f"{f.start_p50_ms:>11.1f}{f.start_p99_ms:>11.1f}{f.wall_s:>9.2f}"
            f"{f.listings_per_s:>12.0f}{f.errors:>8}"
        )
    print(
        f"  wall probandi/baseline           {prob.wall_s / base.wall_s:.1f}x   "
        f"p50 probandi/baseline {prob.p50_ms / base.p50_ms:.1f}x   "
        f"probandi {opts.concurrent / prob.wall_s:.1f} notices/s"
    )
    print(
        "  (p50/p99/max: request to response, every listing suspended; start: request to the "
        "server starting the notice, by its clock)"
    )
    for name, f in (*res.single.items(), *res.burst.items()):
        if f.first_error:
            print(f"  first {name} error: {f.first_error}")
    print(f"  verification: {res.verified}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--notices", type=int, default=10, help="sequential single notices")
    parser.add_argument("--size", type=int, default=300, help="listings per single notice")
    parser.add_argument("--concurrent", type=int, default=100, help="notices sent at once")
    parser.add_argument(
        "--concurrent-size", type=int, default=30, help="listings per concurrent notice"
    )
    parser.add_argument("--holders", type=int, default=10, help=f"at most {MAX_HOLDERS}")
    parser.add_argument("--sellers", type=int, default=20)
    parser.add_argument(
        "--quick", action="store_true", help="3 single notices, 20 concurrent notices of 10"
    )
    args = parser.parse_args()
    if args.quick:
        args.notices, args.concurrent, args.concurrent_size = 3, 20, 10
    if not 1 <= args.holders <= MAX_HOLDERS or not 1 <= args.size <= 300:
        parser.error(f"--holders must be 1..{MAX_HOLDERS} and --size 1..300")
    if not 1 <= args.concurrent_size <= 300:
        parser.error("--concurrent-size must be 1..300")
    opts = Options(
        args.notices, args.size, args.concurrent, args.concurrent_size, args.holders, args.sellers
    )
    each_database(
        args.db, lambda kind, title, dbs: report(title, opts, bench_database(kind, dbs, opts))
    )


if __name__ == "__main__":
    main()
