"""Listing upserts through real HTTP: probandi against a bare one-row FastAPI baseline.

Each server runs as its own uvicorn process (one worker) on 127.0.0.1; this process is
the load generator (asyncio + httpx, N concurrent clients). Run from the project root:

    .venv/bin/python bench/gate_api.py --db both --requests 4000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import socket
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import Body, FastAPI
from sqlalchemy import Column, MetaData, String, Table, Text, create_engine, insert, text
from sqlalchemy.exc import SQLAlchemyError

from probandi.adapters.db.engine import make_engine
from probandi.bootstrap import bootstrap
from probandi.config import Settings
from probandi.domain.actors import Role
from probandi.entrypoints.api.app import create_app
from probandi.services.keys import create_api_key

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HOST = "127.0.0.1"
SELLERS = ("bench-seller-1", "bench-seller-2", "bench-seller-3", "bench-seller-4")
GATED_BRANDS: tuple[dict[str, Any], ...] = (
    {"name": "Gucci", "aliases": ["古驰", "古奇"]},
    {"name": "Louis Vuitton", "aliases": ["LV", "路易威登"]},
    {"name": "Chanel", "aliases": ["香奈儿"]},
)
GATED_TITLES = (
    ("Gucci", "Gucci GG Marmont 小号肩背包 黑色"),
    ("Gucci", "古驰 Dionysus 酒神包 中号"),
    ("Louis Vuitton", "LV Neverfull MM 老花托特包"),
    ("Louis Vuitton", "路易威登 Zippy 长款钱包"),
    ("Chanel", "Chanel Classic Flap 口盖包 羊皮"),
    ("Chanel", "香奈儿 19 链条包 白色"),
)
UNGATED_TITLES = (
    ("Uniqlo", "优衣库 纯棉圆领T恤 白色"),
    ("Xiaomi", "小米 透明手机壳 防摔"),
    ("Muji", "无印良品 PP收纳盒 深型"),
    ("Anker", "Anker 充电宝 10000mAh 快充"),
    (None, "手工陶瓷马克杯 350ml"),
    ("Lenovo", "联想 无线鼠标 静音款"),
)
NEW_SHARE = 0.6  # the rest are edits of listings this client pushed earlier


# --- the servers ----------------------------------------------------------------------------
def baseline_app(database_url: str) -> FastAPI:
    """The floor: one POST route that inserts one row with SQLAlchemy Core, nothing else."""
    metadata = MetaData()
    rows = Table(
        "bench_rows", metadata, Column("id", String(128), primary_key=True), Column("body", Text)
    )
    engine = make_engine(database_url, writer=True)  # same pool and SQLite pragmas as probandi
    metadata.create_all(engine)
    app = FastAPI()

    @app.post("/rows/{row_id}", status_code=201)
    def post_row(row_id: str, body: dict[str, Any] = Body()) -> dict[str, str]:
        with engine.begin() as conn:
            conn.execute(insert(rows).values(id=row_id, body=json.dumps(body)))
        return {"id": row_id}

    return app


def serve_baseline(database_url: str, port: int) -> None:
    uvicorn.run(baseline_app(database_url), host=HOST, port=port, log_level="warning")


def serve_probandi(settings: Settings, port: int) -> None:
    uvicorn.run(create_app(settings), host=HOST, port=port, log_level="warning")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_listening(port: int, proc: BaseProcess, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.is_alive():
            raise RuntimeError(f"server process exited with {proc.exitcode}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start within {timeout}s")


@contextlib.contextmanager
def server(target: Callable[..., None], *args: object) -> Iterator[str]:
    """Run target(*args, port) in a spawned process; yield its base URL."""
    port = free_port()
    proc = multiprocessing.get_context("spawn").Process(target=target, args=(*args, port))
    proc.start()
    try:
        wait_listening(port, proc)
        yield f"http://{HOST}:{port}"
    finally:
        proc.terminate()
        proc.join(10)
        if proc.is_alive():
            proc.kill()
            proc.join()


# --- the databases --------------------------------------------------------------------------
@dataclass(frozen=True)
class Databases:
    probandi_url: str
    baseline_url: str
    voucher_dir: Path


@contextlib.contextmanager
def sqlite_databases() -> Iterator[Databases]:
    with tempfile.TemporaryDirectory(prefix="probandi-bench-") as tmp:
        root = Path(tmp)
        yield Databases(
            f"sqlite:///{root / 'bench.db'}", f"sqlite:///{root / 'baseline.db'}", root / "v"
        )


def schema_url(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


@contextlib.contextmanager
def postgres_databases(url: str) -> Iterator[Databases]:
    """Two fresh schemas (probandi, baseline) in one database, dropped afterwards."""
    tag = uuid.uuid4().hex[:10]
    schemas = (f"bench_{tag}", f"bench_base_{tag}")
    admin = create_engine(url)
    try:
        with admin.begin() as conn:
            for name in schemas:
                conn.execute(text(f'CREATE SCHEMA "{name}"'))
        with tempfile.TemporaryDirectory(prefix="probandi-bench-") as tmp:
            urls = [schema_url(url, name) for name in schemas]
            yield Databases(urls[0], urls[1], Path(tmp) / "v")
    finally:
        with admin.begin() as conn:
            for name in schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def postgres_reachable(url: str) -> str | None:
    """None when a connection works, else why not."""
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return str(exc).splitlines()[0]
    finally:
        engine.dispose()
    return None


# --- seeding --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Keys:
    platform: str
    admin: str


def migrate_and_key(settings: Settings) -> Keys:
    runtime = bootstrap(settings, migrate=True)
    try:
        svc = runtime.services
        return Keys(
            platform=create_api_key(Role.PLATFORM, None, "bench", svc=svc),
            admin=create_api_key(Role.ADMIN, None, "bench-admin", svc=svc),
        )
    finally:
        runtime.dispose()


def register_world(base_url: str, keys: Keys) -> None:
    """Gated brands (admin) and sellers (platform), over HTTP, before any timing."""
    with httpx.Client(base_url=base_url, timeout=30) as http:
        for brand in GATED_BRANDS:
            body = {
                **brand,
                "gated": True,
                "reference_prices": [{"scope": "*", "amount": "8000", "currency": "CNY"}],
            }
            r = http.post("/v1/brands", json=body, headers=bearer(keys.admin))
            r.raise_for_status()
        for seller_id in SELLERS:
            body = {
                "kind": "reseller",
                "legal_name": f"{seller_id} 贸易有限公司",
                "address": "上海市黄浦区南京东路1号",
            }
            r = http.put(f"/v1/sellers/{seller_id}", json=body, headers=bearer(keys.platform))
            r.raise_for_status()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# --- the workload ---------------------------------------------------------------------------
@dataclass
class Workload:
    """One client's stream of upserts: new listings and edits of its own earlier ones."""

    prefix: str
    seller_id: str
    rng: random.Random
    pushed: list[str] = field(default_factory=list)
    serial: int = 0

    def next(self) -> tuple[str, dict[str, Any]]:
        self.serial += 1
        if self.pushed and self.rng.random() > NEW_SHARE:
            listing_id = self.rng.choice(self.pushed)
        else:
            listing_id = f"{self.prefix}-{self.serial}"
            self.pushed.append(listing_id)
        return listing_id, self.body()

    def body(self) -> dict[str, Any]:
        gated = self.rng.random() < 0.5
        brand, title = self.rng.choice(GATED_TITLES if gated else UNGATED_TITLES)
        price = self.rng.randint(9_000, 40_000) if gated else self.rng.randint(20, 800)
        return {
            "seller_id": self.seller_id,
            "title": f"{title} #{self.rng.randint(1, 99)}",
            "brand": brand,
            "category": "bags" if gated else "general",
            "price": f"{price}.00",
            "currency": "CNY",
            "stock": self.rng.randint(0, 20),
            "images": [f"https://img.example/{self.prefix}/{self.serial}.jpg"],
        }


@dataclass(frozen=True)
class Target:
    """Where and how one server takes an upsert."""

    name: str
    base_url: str
    headers: dict[str, str]
    path: Callable[[str, str], str]  # (listing id, unique request id) -> path
    method: str
    idempotency_keys: bool = False  # send a fresh Idempotency-Key with every request


def probandi_target(base_url: str, key: str, idempotency_keys: bool = False) -> Target:
    def path(listing_id: str, _request_id: str) -> str:
        return f"/v1/listings/{listing_id}"

    return Target("probandi", base_url, bearer(key), path, "PUT", idempotency_keys)


def baseline_target(base_url: str) -> Target:
    return Target("baseline", base_url, {}, lambda _lid, rid: f"/rows/{rid}", "POST")


# --- the load generator ---------------------------------------------------------------------
@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""


async def one_client(
    http: httpx.AsyncClient, target: Target, work: Workload, budget: list[int], tally: Tally | None
) -> None:
    """Send upserts until the shared budget is spent; tally=None is the warm-up."""
    while budget[0] > 0:
        budget[0] -= 1
        listing_id, body = work.next()
        request_id = f"{work.prefix}-{work.serial}"
        headers = {"Idempotency-Key": request_id} if target.idempotency_keys else None
        started = time.perf_counter()
        try:
            r = await http.request(
                target.method, target.path(listing_id, request_id), json=body, headers=headers
            )
            ok, why = r.is_success, f"{r.status_code} {r.text[:200]}"
        except httpx.HTTPError as exc:
            ok, why = False, repr(exc)
        if tally is None:
            continue
        tally.latencies.append(time.perf_counter() - started)
        if not ok:
            tally.errors += 1
            tally.first_error = tally.first_error or why


@dataclass(frozen=True)
class Measurement:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    first_error: str = ""


async def measure(target: Target, run_id: str, requests: int, concurrency: int) -> Measurement:
    """Warm up (connections, caches, each client's own listings), then time `requests`."""
    works = [
        Workload(f"{run_id}-c{i}", SELLERS[i % len(SELLERS)], random.Random(f"{run_id}-{i}"))
        for i in range(concurrency)
    ]
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=target.base_url, headers=target.headers, timeout=60)
            )
            for _ in works
        ]
        warmup = [max(concurrency * 4, requests // 10)]
        await asyncio.gather(
            *(one_client(c, target, w, warmup, None) for c, w in zip(clients, works, strict=True))
        )
        budget, tally = [requests], Tally()
        started = time.perf_counter()
        await asyncio.gather(
            *(one_client(c, target, w, budget, tally) for c, w in zip(clients, works, strict=True))
        )
        elapsed = time.perf_counter() - started
    return summarize(tally, elapsed)


def summarize(tally: Tally, elapsed: float) -> Measurement:
    cuts = statistics.quantiles(tally.latencies, n=100, method="inclusive")
    return Measurement(
        rps=len(tally.latencies) / elapsed,
        p50_ms=cuts[49] * 1000,
        p99_ms=cuts[98] * 1000,
        errors=tally.errors,
        first_error=tally.first_error,
    )


def median_of(runs: list[Measurement]) -> Measurement:
    errors = sum(m.errors for m in runs)
    first = next((m.first_error for m in runs if m.first_error), "")
    return Measurement(
        rps=statistics.median(m.rps for m in runs),
        p50_ms=statistics.median(m.p50_ms for m in runs),
        p99_ms=statistics.median(m.p99_ms for m in runs),
        errors=errors,
        first_error=first,
    )


# --- one database ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Options:
    requests: int
    concurrency: int
    rounds: int
    idempotency_keys: bool = False


def run_rounds(targets: list[Target], opts: Options) -> dict[str, Measurement]:
    """Alternate the servers, swapping who goes first each round; medians per server."""
    runs: dict[str, list[Measurement]] = {t.name: [] for t in targets}
    for rnd in range(opts.rounds):
        order = targets if rnd % 2 == 0 else list(reversed(targets))
        for target in order:
            run_id = f"r{rnd}{target.name[0]}{uuid.uuid4().hex[:6]}"
            m = asyncio.run(measure(target, run_id, opts.requests, opts.concurrency))
            runs[target.name].append(m)
            print(
                f"  round {rnd + 1} {target.name:<8} {m.rps:8.1f} req/s  "
                f"p50 {m.p50_ms:7.1f} ms  p99 {m.p99_ms:7.1f} ms  errors {m.errors}",
                flush=True,
            )
    return {name: median_of(ms) for name, ms in runs.items()}


def bench_database(kind: str, dbs: Databases, opts: Options) -> dict[str, Measurement]:
    settings = Settings(database_url=dbs.probandi_url, voucher_dir=dbs.voucher_dir)
    keys = migrate_and_key(settings)
    with (
        server(serve_probandi, settings) as probandi_url,
        server(serve_baseline, dbs.baseline_url) as baseline_url,
    ):
        register_world(probandi_url, keys)
        print(
            f"\n[{kind}] {opts.requests} requests x {opts.rounds} rounds, "
            f"{opts.concurrency} clients",
            flush=True,
        )
        targets = [
            baseline_target(baseline_url),
            probandi_target(probandi_url, keys.platform, opts.idempotency_keys),
        ]
        return run_rounds(targets, opts)


def report(kind: str, result: dict[str, Measurement]) -> None:
    base, prob = result["baseline"], result["probandi"]
    print(f"\n{kind}: medians")
    print(f"  {'server':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for name, m in (("baseline", base), ("probandi", prob)):
        print(f"  {name:<10}{m.rps:>10.1f}{m.p50_ms:>10.1f}{m.p99_ms:>10.1f}{m.errors:>8}")
    throughput, p99 = prob.rps / base.rps, prob.p99_ms / base.p99_ms
    print(
        f"  throughput probandi/baseline {throughput:.2f}x (target >= 0.50x: "
        f"{'met' if throughput >= 0.5 else 'MISSED'})"
    )
    print(
        f"  p99 probandi/baseline        {p99:.2f}x (target <= 1.00x: "
        f"{'met' if p99 <= 1.0 else 'MISSED'})"
    )
    for name, m in (("baseline", base), ("probandi", prob)):
        if m.first_error:
            print(f"  first {name} error: {m.first_error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--idempotency-keys",
        action="store_true",
        help="send a fresh Idempotency-Key with every probandi upsert (off by default)",
    )
    args = parser.parse_args()
    opts = Options(args.requests, args.concurrency, args.rounds, args.idempotency_keys)
    each_database(args.db, lambda kind, title, dbs: report(title, bench_database(kind, dbs, opts)))


def each_database(choice: str, run: Callable[[str, str, Databases], None]) -> None:
    """Run on a fresh SQLite and/or PostgreSQL pair of databases (`choice`: sqlite,
    postgres or both); PostgreSQL is skipped with a note when it cannot be reached."""
    if choice in ("sqlite", "both"):
        with sqlite_databases() as dbs:
            run("sqlite", "SQLite", dbs)
    if choice in ("postgres", "both"):
        url = os.environ.get("PROBANDI_BENCH_POSTGRES_URL", DEFAULT_PG_URL)
        why = postgres_reachable(url)
        if why is not None:
            print(f"\nPostgreSQL skipped: cannot connect to {url}: {why}")
            return
        with postgres_databases(url) as dbs:
            run("postgres", "PostgreSQL", dbs)


if __name__ == "__main__":
    main()
