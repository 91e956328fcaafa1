"""Transparency report generation time for a year of 1,000,000 statements, against one
grouped count over the same statements, measured in the same run on the same database
(issue 19).

The database is built by the Alembic migrations, then filled with seeded data spread over
one year: sellers, listings, rights holders, notices and their items, statements,
vouchers, appeals and a few audit rows. It is analyzed, then
`queries.transparency_report.transparency_report` runs for that year as the system admin.
Run from the project root:

    .venv/bin/python bench/report.py [--database sqlite|postgresql|both] [--runs 3]
                                     [--statements 1000000] [--postgres-url URL]

Target: the report in under 10 s.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, func, insert, select, text
from sqlalchemy.orm import Session

from gate_api import DEFAULT_PG_URL, postgres_reachable, schema_url
from probandi.adapters.db.engine import make_engine
from probandi.adapters.db.migrate import upgrade
from probandi.adapters.db.rows import (
    AppealRow,
    AuditRow,
    ListingRow,
    NoticeItemRow,
    NoticeRow,
    RightsHolderRow,
    SellerRow,
    StatementRow,
    VoucherRow,
    table_of,
)
from probandi.domain.actors import SYSTEM
from probandi.domain.appeals import AppealState, AppealSubject
from probandi.domain.listing_gate import GateState
from probandi.domain.notices import ItemState, NoticeReason
from probandi.domain.policy import Policy
from probandi.domain.reporting import TransparencyReport
from probandi.domain.sellers import SellerKind, VoucherKind
from probandi.domain.statements import (
    APPEAL_DISMISSED,
    APPEAL_GRANTED,
    APPROVAL_KEPT,
    APPROVAL_REVOKED,
    DEADLINE_REMOVED,
    LISTING_HELD,
    LISTING_RESTORED,
    NOTICE_SUSPENDED,
    NOTICE_UPHELD,
    PROOF_APPROVED,
    PROOF_APPROVED_ON_CREDENTIAL,
    PROOF_REJECTED,
    SHOP_CLOSED,
    VOUCHER_REJECTED,
)
from probandi.domain.vouchers import VoucherStatus
from probandi.queries.transparency_report import NOTIFIER_SUSPENDED, transparency_report

TARGET_S = 10.0
SEED = 19
CHUNK = 20_000
START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2027, 1, 1, tzinfo=UTC)  # 365 days; the policy allows 366
SPAN_S = (END - START).total_seconds()
NOTICE_SPAN_S = SPAN_S - 20 * 86400.0  # a notice's statements stay inside the year
TABLES = (
    "sellers",
    "listings",
    "rights_holders",
    "notices",
    "notice_items",
    "statements",
    "vouchers",
    "appeals",
    "audit_log",
)

# measure, share of statements (%), share automated
MEASURE_MIX: tuple[tuple[str, float, float], ...] = (
    (LISTING_HELD, 50.0, 1.0),
    (NOTICE_SUSPENDED, 12.0, 1.0),
    (VOUCHER_REJECTED, 10.0, 1.0),
    (PROOF_REJECTED, 8.0, 0.0),
    (DEADLINE_REMOVED, 8.0, 1.0),
    (NOTICE_UPHELD, 6.0, 0.7),
    (LISTING_RESTORED, 3.0, 0.0),
    (APPEAL_GRANTED, 1.0, 0.0),
    (SHOP_CLOSED, 0.5, 0.0),
    (PROOF_APPROVED, 0.5, 0.0),
    (PROOF_APPROVED_ON_CREDENTIAL, 0.4, 1.0),
    (APPROVAL_KEPT, 0.3, 0.0),
    (APPEAL_DISMISSED, 0.2, 0.0),
    (APPROVAL_REVOKED, 0.1, 0.0),
)
DAY_S = 86400.0
# the delay after the notice, in seconds: suspended at once, upheld or restored days later
NOTICE_MEASURES = {
    NOTICE_SUSPENDED: (0.0, 2.0),
    NOTICE_UPHELD: (4 * DAY_S, 19 * DAY_S),
    LISTING_RESTORED: (DAY_S, 19 * DAY_S),
}
VOUCHER_MEASURES = {VOUCHER_REJECTED, PROOF_REJECTED, PROOF_APPROVED, APPROVAL_KEPT}
ITEM_STATES = (
    (ItemState.SUSPENDED, 10),
    (ItemState.COUNTER_NOTICED, 5),
    (ItemState.FORWARDED, 3),
    (ItemState.ACTION_REPORTED, 2),
    (ItemState.UPHELD, 50),
    (ItemState.RESTORED, 15),
    (ItemState.WITHDRAWN, 10),
    (ItemState.REVERSED, 5),
)
FINAL_ITEM_STATES = {ItemState.UPHELD, ItemState.RESTORED, ItemState.WITHDRAWN, ItemState.REVERSED}
HARD_CODES = (
    "voucher.reused_exact",
    "voucher.reused_near",
    "voucher.altered_copy",
    "voucher.document_number_reused",
    "voucher.qr_mismatch",
    "voucher.dated_in_future",
)
WARNING_CODES = ("voucher.issuer_unknown", "voucher.brand_not_on_document", "voucher.buyer_missing")
BRANDS = (
    "gucci", "louis-vuitton", "chanel", "hermes", "prada", "dior", "burberry", "fendi",
    "balenciaga", "versace", "cartier", "rolex", "omega", "tiffany", "celine", "loewe",
    "bottega-veneta", "saint-laurent", "givenchy", "valentino",
)  # fmt: skip
REDRESS = (
    "You may upload other proof for this listing before its deadline, or file an internal "
    "complaint, decided by a person, until 2027-07-03."
)


@dataclass(frozen=True)
class Sizes:
    statements: int
    sellers: int = 1_000
    listings: int = 100_000
    holders: int = 20
    notices: int = 60_000
    items_per_notice: int = 2
    vouchers: int = 200_000
    appeals: int = 10_000
    audit: int = 1_000
    audit_suspended: int = 12

    @classmethod
    def for_statements(cls, n: int) -> Sizes:
        """The mix of the 1,000,000-statement database, scaled down for smaller runs."""
        if n >= 1_000_000:
            return cls(n)
        f = n / 1_000_000

        def scaled(full: int, least: int) -> int:
            return max(least, round(full * f))

        return cls(
            n,
            sellers=scaled(1_000, 50),
            listings=scaled(100_000, 500),
            notices=scaled(60_000, 100),
            vouchers=scaled(200_000, 200),
            appeals=scaled(10_000, 50),
        )


# --- the data -------------------------------------------------------------------------
class World:
    """Seeded rows, generated a chunk at a time: the same data on every database."""

    def __init__(self, sizes: Sizes) -> None:
        self.n = sizes
        self.rng = random.Random(SEED)
        self.listing_seller = [self.rng.randrange(sizes.sellers) for _ in range(sizes.listings)]
        self.notice_at: list[datetime] = []
        self.notice_holder: list[int] = []
        self.notice_listings: list[list[int]] = []

    def hexid(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def at(self, span_s: float = SPAN_S) -> datetime:
        return START + timedelta(seconds=self.rng.uniform(0.0, span_s))

    def sellers(self) -> Iterator[list[dict[str, Any]]]:
        kinds = list(SellerKind)
        created = START - timedelta(days=400)
        yield [
            {
                "id": f"seller-{i:05d}",
                "kind": self.rng.choice(kinds).value,
                "legal_name": f"Bench Trading Co. {i}",
                "address": "1 Bench Road, Shanghai",
                "tax_id": None,
                "display_name": f"Shop {i}",
                "created_at": created,
                "updated_at": created,
                "closed_at": None,
                "gated_restricted_until": None,
            }
            for i in range(self.n.sellers)
        ]

    def listings(self) -> Iterator[list[dict[str, Any]]]:
        states = [s.value for s in GateState]
        created = START - timedelta(days=30)
        for lo in range(0, self.n.listings, CHUNK):
            yield [
                {
                    "id": f"listing-{i:07d}",
                    "seller_id": f"seller-{self.listing_seller[i]:05d}",
                    "title": f"{BRANDS[i % len(BRANDS)]} bag {i}",
                    "description": "",
                    "brand": BRANDS[i % len(BRANDS)],
                    "category": None,
                    "price": Decimal("1999.00"),
                    "currency": "CNY",
                    "stock": 1,
                    "images": [],
                    "gate_state": self.rng.choice(states),
                    "gate_version": 1,
                    "matches": [],
                    "approved_terms": None,
                    "held_at": None,
                    "proof_due_at": None,
                    "created_at": created,
                    "updated_at": created,
                    "notice_holds": None,
                    "version": 1,
                }
                for i in range(lo, min(lo + CHUNK, self.n.listings))
            ]

    def holders(self) -> Iterator[list[dict[str, Any]]]:
        created = START - timedelta(days=400)
        yield [
            {
                "id": f"holder-{i:02d}",
                "name": f"{BRANDS[i % len(BRANDS)]} rights holder",
                "created_at": created,
                "verified_at": created,
                "verified_by": "bench-admin",
                "trusted_since": created if i < 6 else None,
                "trusted_enrolled": i < 6,
            }
            for i in range(self.n.holders)
        ]

    def notices(self) -> Iterator[list[dict[str, Any]]]:
        reasons = [r.value for r in NoticeReason]
        rows = []
        for _ in range(self.n.notices):
            holder = self.rng.randrange(self.n.holders)
            at = self.at(NOTICE_SPAN_S)
            self.notice_at.append(at)
            self.notice_holder.append(holder)
            self.notice_listings.append(
                self.rng.sample(range(self.n.listings), self.n.items_per_notice)
            )
            rows.append(
                {
                    "id": f"notice-{len(self.notice_at) - 1:07d}",
                    "holder_id": f"holder-{holder:02d}",
                    "reason": self.rng.choice(reasons),
                    "text": "The goods are not genuine.",
                    "evidence_ids": [],
                    "good_faith": True,
                    "trusted": holder < 6 and self.rng.random() < 0.8,
                    "created_at": at,
                    "created_by": "holder-key",
                }
            )
            if len(rows) == CHUNK:
                yield rows
                rows = []
        if rows:
            yield rows

    def notice_items(self) -> Iterator[list[dict[str, Any]]]:
        states, weights = zip(*ITEM_STATES, strict=True)
        rows = []
        for n, at in enumerate(self.notice_at):
            holder = self.notice_holder[n]
            for listing in self.notice_listings[n]:
                state = self.rng.choices(states, weights)[0]
                final = state in FINAL_ITEM_STATES
                rows.append(
                    {
                        "id": self.hexid(),
                        "notice_id": f"notice-{n:07d}",
                        "holder_id": f"holder-{holder:02d}",
                        "listing_id": f"listing-{listing:07d}",
                        "seller_id": f"seller-{self.listing_seller[listing]:05d}",
                        "brand_id": BRANDS[holder % len(BRANDS)],
                        "state": state.value,
                        "created_at": at,
                        "seller_due_at": at + timedelta(days=5),
                        "counter": None,
                        "forwarded_at": None,
                        "holder_due_at": None,
                        "extended": False,
                        "action": None,
                        "decided_by": "reviewer-1" if final else None,
                        "closed_at": (
                            at + timedelta(hours=self.rng.uniform(1.0, 30 * 24.0))
                            if final
                            else None
                        ),
                        "version": 1,
                    }
                )
                if len(rows) == CHUNK:
                    yield rows
                    rows = []
        if rows:
            yield rows

    def statements(self) -> Iterator[list[dict[str, Any]]]:
        measures = [m for m, _, _ in MEASURE_MIX]
        weights = [w for _, w, _ in MEASURE_MIX]
        automated_share = {m: a for m, _, a in MEASURE_MIX}
        for lo in range(0, self.n.statements, CHUNK):
            count = min(CHUNK, self.n.statements - lo)
            rows = []
            for measure in self.rng.choices(measures, weights, k=count):
                notice_id = None
                if measure in NOTICE_MEASURES:
                    n = self.rng.randrange(len(self.notice_at))
                    notice_id = f"notice-{n:07d}"
                    listing = self.rng.choice(self.notice_listings[n])
                    at = self.notice_at[n] + timedelta(
                        seconds=self.rng.uniform(*NOTICE_MEASURES[measure])
                    )
                else:
                    listing = self.rng.randrange(self.n.listings)
                    at = self.at()
                automated = self.rng.random() < automated_share[measure]
                lid = f"listing-{listing:07d}"
                rows.append(
                    {
                        "id": self.hexid(),
                        "listing_id": lid,
                        "seller_id": f"seller-{self.listing_seller[listing]:05d}",
                        "voucher_id": self.hexid() if measure in VOUCHER_MEASURES else None,
                        "measure": measure,
                        "scope": f"listing {lid}",
                        "facts": (
                            ["[voucher.reused_exact] this document was shown before"]
                            if measure == VOUCHER_REJECTED
                            else []
                        ),
                        "ground": "probandi proof policy: gated brands need approved proof",
                        "automated": automated,
                        "redress": REDRESS,
                        "decided_by": None if automated else "reviewer-1",
                        "created_at": at,
                        "notice_id": notice_id,
                    }
                )
            yield rows

    def findings(self, status: str) -> list[dict[str, Any]]:
        def finding(code: str, severity: str) -> dict[str, Any]:
            return {"code": code, "severity": severity, "message": "m", "evidence": {}}

        roll = self.rng.random()
        if status == VoucherStatus.REJECTED.value:
            if roll < 0.7:
                return [finding(self.rng.choice(HARD_CODES), "hard")]
            if roll < 0.85:
                return [finding(self.rng.choice(WARNING_CODES), "warning")]
            return []
        if roll < 0.15:
            return [finding(self.rng.choice(WARNING_CODES), "warning")]
        return []

    def vouchers(self) -> Iterator[list[dict[str, Any]]]:
        kinds = [k.value for k in VoucherKind]
        statuses = [
            VoucherStatus.APPROVED.value,
            VoucherStatus.REJECTED.value,
            VoucherStatus.PENDING_REVIEW.value,
        ]
        for lo in range(0, self.n.vouchers, CHUNK):
            rows = []
            for _ in range(min(CHUNK, self.n.vouchers - lo)):
                listing = self.rng.randrange(self.n.listings)
                status = self.rng.choices(statuses, (60, 30, 10))[0]
                findings = self.findings(status)
                at = self.at()
                decided = None
                if status != VoucherStatus.PENDING_REVIEW.value:
                    hard = any(f["severity"] == "hard" for f in findings)
                    wait = self.rng.uniform(1.0, 5.0) if hard else self.rng.uniform(600, 72 * 3600)
                    decided = at + timedelta(seconds=wait)
                rows.append(
                    {
                        "id": self.hexid(),
                        "seller_id": f"seller-{self.listing_seller[listing]:05d}",
                        "listing_id": f"listing-{listing:07d}",
                        "kind": self.rng.choice(kinds),
                        "sha256": f"{self.rng.getrandbits(256):064x}",
                        "size": self.rng.randrange(50_000, 900_000),
                        "media_type": "image/jpeg",
                        "pages": 1,
                        "width": 1240,
                        "height": 877,
                        "filename": "invoice.jpg",
                        "declaration": {"units": 1},
                        "status": status,
                        "findings": findings,
                        "created_at": at,
                        "decided_at": decided,
                        "document_key": None,
                        "qr_payload": None,
                    }
                )
            yield rows

    def appeals(self) -> Iterator[list[dict[str, Any]]]:
        subjects = [AppealSubject.NOTICE_ITEM, AppealSubject.PENALTY, AppealSubject.REFUSAL]
        states = [AppealState.OPEN, AppealState.GRANTED, AppealState.DISMISSED]
        rows = []
        for _ in range(self.n.appeals):
            at = self.at()
            state = self.rng.choices(states, (10, 25, 65))[0]
            decided = None
            if state is not AppealState.OPEN:
                decided = at + timedelta(hours=self.rng.uniform(1.0, 7 * 24.0))
            listing = self.rng.randrange(self.n.listings)
            rows.append(
                {
                    "id": self.hexid(),
                    "subject": self.rng.choices(subjects, (60, 30, 10))[0].value,
                    "subject_id": self.hexid(),
                    "appellant": f"seller-{self.listing_seller[listing]:05d}",
                    "listing_id": f"listing-{listing:07d}",
                    "statement": "The goods are genuine; the invoice is attached.",
                    "created_at": at,
                    "decision_at": at + timedelta(days=7),
                    "original_decider": None if self.rng.random() < 0.5 else "reviewer-1",
                    "state": state.value,
                    "task_id": None,
                    "decided_by": "reviewer-2" if decided else None,
                    "decided_at": decided,
                    "reason_code": "bench" if decided else None,
                    "note": None,
                }
            )
        yield rows

    def audit(self) -> Iterator[list[dict[str, Any]]]:
        tags = ("listing:gate_changed", "voucher:decided", "notice:filed", "appeal:decided")
        suspended = set(self.rng.sample(range(self.n.audit), self.n.audit_suspended))
        yield [
            {
                "lane": i % 4,
                "lane_seq": i // 4 + 1,
                "at": self.at(),
                "actor": "system",
                "tag": NOTIFIER_SUSPENDED if i in suspended else tags[i % len(tags)],
                "subject": f"holder-{i % self.n.holders:02d}",
                "data": "{}",
                "prev_hash": "0" * 64,
                "hash": f"{self.rng.getrandbits(256):064x}",
            }
            for i in range(self.n.audit)
        ]


def load(engine: Engine, sizes: Sizes) -> dict[str, int]:
    """Every table of the world, in foreign-key order; rows loaded per table."""
    world = World(sizes)
    steps: tuple[tuple[Table, Callable[[], Iterator[list[dict[str, Any]]]]], ...] = (
        (table_of(SellerRow), world.sellers),
        (table_of(ListingRow), world.listings),
        (table_of(RightsHolderRow), world.holders),
        (table_of(NoticeRow), world.notices),
        (table_of(NoticeItemRow), world.notice_items),
        (table_of(StatementRow), world.statements),
        (table_of(VoucherRow), world.vouchers),
        (table_of(AppealRow), world.appeals),
        (table_of(AuditRow), world.audit),
    )
    loaded: dict[str, int] = {}
    for table, rows_of in steps:
        began = time.perf_counter()
        for rows in rows_of():
            with engine.begin() as conn:
                conn.execute(insert(table), rows)
            loaded[table.name] = loaded.get(table.name, 0) + len(rows)
        took = time.perf_counter() - began
        print(
            f"  loaded {table.name:<15}{loaded[table.name]:>11,} rows in {took:6.1f} s", flush=True
        )
    return loaded


def analyze(engine: Engine) -> None:
    """Statistics, as a production database would have them. On PostgreSQL also VACUUM: the
    test server runs without autovacuum, which would set the visibility map in production."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM (ANALYZE) {', '.join(TABLES)}"))


# --- the databases --------------------------------------------------------------------
@contextlib.contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="probandi-bench-report-") as tmp:
        yield f"sqlite:///{Path(tmp) / 'report.db'}"


@contextlib.contextmanager
def postgres_database(url: str) -> Iterator[str]:
    """A fresh schema, reached through the connection's search_path; dropped afterwards."""
    schema = f"bench_report_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield schema_url(url, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def database_size(engine: Engine) -> int:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            pages = conn.execute(text("PRAGMA page_count")).scalar_one()
            return int(pages) * int(conn.execute(text("PRAGMA page_size")).scalar_one())
        sizes = [
            conn.execute(text("SELECT pg_total_relation_size(:t)"), {"t": t}).scalar_one()
            for t in TABLES
        ]
        return int(sum(sizes))


# --- the timing -----------------------------------------------------------------------
def run_report(engine: Engine) -> TransparencyReport:
    with Session(engine) as session:
        return transparency_report(session, SYSTEM, START, END, now=END, policy=Policy())


def run_baseline(engine: Engine) -> int:
    """The floor: one grouped count over the period's statements."""
    st = table_of(StatementRow)
    with Session(engine) as session:
        rows = session.execute(
            select(st.c.measure, func.count())
            .where(st.c.created_at >= START, st.c.created_at < END)
            .group_by(st.c.measure)
        ).all()
    return sum(int(n) for _, n in rows)


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    out = work()
    return time.perf_counter() - began, out


@dataclass(frozen=True)
class Run:
    report_s: float
    baseline_s: float

    @property
    def ratio(self) -> float:
        return self.report_s / self.baseline_s


def bench_database(title: str, url: str, sizes: Sizes, runs: int) -> list[Run]:
    engine = make_engine(url, writer=True)  # same pool and SQLite pragmas as probandi
    try:
        upgrade(engine)
        print(f"\n[{title}] migrated; loading (seed {SEED})", flush=True)
        began = time.perf_counter()
        loaded = load(engine, sizes)
        load_s = time.perf_counter() - began
        analyze_s, _ = timed(lambda: analyze(engine))
        print(
            f"  loaded {sum(loaded.values()):,} rows in {load_s:.1f} s; analyzed in "
            f"{analyze_s:.1f} s; {database_size(engine) / 1e6:,.0f} MB",
            flush=True,
        )
        reader = make_engine(url, writer=False)
        try:
            return time_runs(title, reader, loaded, runs)
        finally:
            reader.dispose()
    finally:
        engine.dispose()


def time_runs(title: str, engine: Engine, loaded: dict[str, int], runs: int) -> list[Run]:
    warm_s, report = timed(lambda: run_report(engine))  # caches, connections: not counted
    warm_base_s, in_period = timed(lambda: run_baseline(engine))
    print(f"  warm-up (not counted): report {warm_s:.2f} s, baseline {warm_base_s:.2f} s")
    print_figures(report, in_period)
    results = []
    for n in range(runs):
        base_s, _ = timed(lambda: run_baseline(engine))
        report_s, _ = timed(lambda: run_report(engine))
        r = Run(report_s, base_s)
        results.append(r)
        print(
            f"  run {n + 1}: report {r.report_s:6.2f} s   baseline {r.baseline_s:6.3f} s   "
            f"ratio {r.ratio:6.1f}x",
            flush=True,
        )
    summarize(title, loaded, results)
    return results


def print_figures(r: TransparencyReport, in_period: int) -> None:
    actions = sum(a.count for a in r.actions)
    print(
        f"  report says: {in_period:,} statements in the period, {actions:,} actions; "
        f"{r.notices_received:,} notices, {r.notified_listings:,} listings notified; "
        f"{r.vouchers_received:,} vouchers, {sum(r.proof_decisions.values()):,} decided; "
        f"{r.appeals_received:,} appeals; {r.notifiers_suspended} notifiers suspended, "
        f"{r.sellers_suspended} sellers closed"
    )


def summarize(title: str, loaded: dict[str, int], results: list[Run]) -> None:
    report_s = [r.report_s for r in results]
    base_s = [r.baseline_s for r in results]
    ratios = [r.ratio for r in results]
    tables = ", ".join(f"{name} {n:,}" for name, n in loaded.items())
    print(f"\n{title}: {tables}")
    print(
        f"  report:   median {statistics.median(report_s):.2f} s "
        f"(min {min(report_s):.2f}, max {max(report_s):.2f}) over {len(results)} runs"
    )
    print(
        f"  baseline: median {statistics.median(base_s):.3f} s "
        f"(min {min(base_s):.3f}, max {max(base_s):.3f}): "
        "SELECT measure, count(*) FROM statements in the period GROUP BY measure"
    )
    print(
        f"  ratio report/baseline: median {statistics.median(ratios):.1f}x "
        f"({min(ratios):.1f}x to {max(ratios):.1f}x)"
    )
    met = max(report_s) < TARGET_S
    print(
        f"  target report < {TARGET_S:.0f} s in every run: {'met' if met else 'MISSED'} "
        f"(slowest {max(report_s):.2f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--database", "--db", choices=("sqlite", "postgresql", "both"), default="both"
    )
    parser.add_argument("--runs", type=int, default=3, help="timed reports, after a warm-up")
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("PROBANDI_BENCH_POSTGRES_URL")
        or os.environ.get("PROBANDI_TEST_POSTGRES_URL")
        or DEFAULT_PG_URL,
    )
    args = parser.parse_args()
    sizes = Sizes.for_statements(args.statements)
    print(
        f"period {START.date()} to {END.date()} (exclusive); {sizes.statements:,} statements, "
        f"{sizes.notices:,} notices, {sizes.vouchers:,} vouchers, {sizes.appeals:,} appeals"
    )
    if args.database in ("sqlite", "both"):
        with sqlite_database() as url:
            bench_database("SQLite", url, sizes, args.runs)
    if args.database in ("postgresql", "both"):
        why = postgres_reachable(args.postgres_url)
        if why is not None:
            print(f"\nPostgreSQL skipped: cannot connect to {args.postgres_url}: {why}")
            return
        with postgres_database(args.postgres_url) as url:
            bench_database("PostgreSQL", url, sizes, args.runs)


if __name__ == "__main__":
    main()
