"""Copies a camera made (issue 16): recall per attack class, false hard calls on honest
documents, and CPU per upload, all through the real upload pipeline.

Everything runs in-process on the services (`submit_voucher`, the review service, the
reading worker via `read_queued`) over a real SQLite database and real files in a temp
directory; one database per original (recall) and per honest set, migrated by
`bootstrap(migrate=True)`, its clock 10 days after each document's date.

1. Recall. Per family (the real e-invoice of the shared data and, past the first original,
   refills of its template; generated e-invoices; receipts), seller A uploads each original
   (declaring what it shows), a reviewer claims and approves it, then seller B uploads each
   attack class's copy (tests/support/attacks.py) to a listing of its own (B's vouchers are
   never each other's candidates): e-invoice copies declare the original's
   fields (a doctored one the values of its new QR code), receipt copies a number of their own.
   Caught: B's voucher holds a HARD finding among REUSE naming A's voucher (`other_voucher_id`);
   "upload" when it was there at upload (the image path), "reading" when only after the
   reading (long ids).
2. False hard calls: any HARD finding among REUSE, over honest documents each uploaded by a
   different seller: (a) same-template e-invoices with different content; (b) receipts of
   distinct shops (one forgery template: tests/support/vouchers.py draws every receipt on it);
   (c) one shop's near-identical documents (an e-invoice series and a receipt series), each in
   the same phone frame (`attacks.framed`), uploaded by that shop alone and, in a database of
   their own, alternately by two different shops.
3. CPU per upload: `time.process_time` around `submit_voucher`, p50, reading off, for a
   same-template e-invoice into an empty index (a fresh database each) and by a new seller after
   50 same-template uploads by other sellers (about 50 candidates), and the ratio.

    .venv/bin/python bench/copies.py [--originals 2] [--read/--no-read] [--seed 16]
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import shared_data  # noqa: E402
from tests.support import attacks as attack_set  # noqa: E402
from tests.support.readings import days_after, read_queued  # noqa: E402
from tests.support.real_invoice import (  # noqa: E402
    REAL_AMOUNT,
    REAL_DATE,
    REAL_NUMBER,
    REAL_SELLER,
    REAL_SELLER_TAX_ID,
    REAL_TAX,
    a_refill,
    real_invoice_path,
    refilled,
)
from tests.support.vouchers import (  # noqa: E402
    BOUTIQUES,
    EInvoiceFields,
    ReceiptFields,
    einvoice_declaration,
    einvoice_fields,
    einvoice_image,
    fields_declaration,
    forged_receipts,
    receipt_as_read,
    same_template_einvoices,
)

from probandi.bootstrap import Runtime, bootstrap  # noqa: E402
from probandi.config import Settings  # noqa: E402
from probandi.domain.actors import Actor, Role  # noqa: E402
from probandi.domain.brands import ReferencePrice  # noqa: E402
from probandi.domain.commands import (  # noqa: E402
    BrandFields,
    DecideTask,
    SaveBrand,
    SubmitVoucher,
    UpsertListing,
    UpsertSeller,
)
from probandi.domain.forensics.einvoice import parse_einvoice_qr  # noqa: E402
from probandi.domain.forensics.findings import FORGERY_CODES  # noqa: E402
from probandi.domain.listings import ListingContent  # noqa: E402
from probandi.domain.money import Money  # noqa: E402
from probandi.domain.policy import Policy  # noqa: E402
from probandi.domain.review import Decision  # noqa: E402
from probandi.domain.sellers import SellerKind, VoucherKind  # noqa: E402
from probandi.domain.vouchers import Declaration, DeclaredLine, Finding, Severity  # noqa: E402
from probandi.services.brands import save_brand  # noqa: E402
from probandi.services.clock import FrozenClock  # noqa: E402
from probandi.services.listings import upsert_listing, upsert_seller  # noqa: E402
from probandi.services.review import claim_task, decide_task  # noqa: E402
from probandi.services.vouchers import submit_voucher  # noqa: E402

REUSE = FORGERY_CODES  # hard: a copy (perhaps doctored) or a forged QR
ADMIN = Actor("admin-1", Role.ADMIN)
PLATFORM = Actor("platform-1", Role.PLATFORM)
REVIEWER = Actor("reviewer-1", Role.REVIEWER)
CLASSES = tuple(attack_set.attacks(attack_set.RECEIPT))
CPU_EMPTY, CPU_FILL, CPU_TIMED = 7, 50, 11


@dataclass(frozen=True)
class Document:
    """A document with what its holder declares, the day it is shown and its layout."""

    data: bytes
    decl: dict[str, Any]
    kind: VoucherKind
    layout: attack_set.Layout
    at: datetime


@dataclass(frozen=True)
class Uploaded:
    id: str
    at_upload: tuple[Finding, ...]
    final: tuple[Finding, ...]
    status: str
    cpu: float


@dataclass
class Lab:
    """One database with the gated brand; the clock moves only forward."""

    runtime: Runtime
    clock: FrozenClock
    read: bool

    def shop(self, seller_id: str, listing: str, legal_name: str | None = None) -> None:
        svc = self.runtime.services
        name = legal_name or f"{seller_id} 贸易有限公司"
        upsert_seller(UpsertSeller(PLATFORM, seller_id, SellerKind.RESELLER, name, "上海"), svc=svc)
        content = ListingContent(
            title="Gucci GG Marmont 小号肩背包 黑色",
            price=Money(Decimal("15800"), "CNY"),
            stock=2,
            brand="Gucci",
        )
        upsert_listing(UpsertListing(PLATFORM, listing, seller_id, content), svc=svc)

    def upload(self, seller_id: str, doc: Document, listing: str = "") -> Uploaded:
        """Upload as `seller_id` to a listing of its own (both made here, the listing named
        after the seller unless given), then read it when reading is on."""
        svc = self.runtime.services
        self.clock.set(max(self.clock.now(), doc.at))
        listing = listing or f"L-{seller_id}"
        self.shop(seller_id, listing, doc.decl.get("buyer_name"))
        actor = Actor(f"key-{seller_id}", Role.SELLER, seller_id)
        cmd = SubmitVoucher(actor, listing, doc.kind, declaration(doc.decl), "doc", doc.data)
        start = time.process_time()
        voucher_id = submit_voucher(cmd, svc=svc).voucher.id
        cpu = time.process_time() - start
        at_upload = self.findings(voucher_id)[0]
        if self.read:
            read_queued(self.runtime)
        final, status = self.findings(voucher_id)
        return Uploaded(voucher_id, at_upload, final, status, cpu)

    def findings(self, voucher_id: str) -> tuple[tuple[Finding, ...], str]:
        with self.runtime.services.reader() as uow:
            voucher = uow.vouchers.get(voucher_id)
        assert voucher is not None
        return voucher.findings, voucher.status.value

    def matches(self, voucher_id: str) -> int:
        """The PDQ candidates kept as matches for this voucher."""
        query = text("SELECT count(*) FROM voucher_matches WHERE voucher_id = :v")
        with self.runtime.reader.connect() as conn:
            return int(conn.execute(query, {"v": voucher_id}).scalar_one())

    def approve(self, seller_id: str) -> None:
        svc = self.runtime.services
        with svc.reader() as uow:
            task = uow.tasks.open_for_listing(f"L-{seller_id}")
        assert task is not None, "the original has no review task"
        task = claim_task(task.id, REVIEWER, svc=svc)
        cmd = DecideTask(
            REVIEWER, task.id, Decision.APPROVE, "proof_sufficient", None, task.version
        )
        decide_task(cmd, svc=svc)


@contextmanager
def lab(root: Path, name: str, *, read: bool) -> Iterator[Lab]:
    folder = root / name
    settings = Settings(
        database_url=f"sqlite:///{folder}.db",
        voucher_dir=folder / "vouchers",
        policy=Policy(read_vouchers=read),
    )
    clock = FrozenClock(datetime(2000, 1, 3, 9, 0, tzinfo=UTC))
    runtime = bootstrap(settings, clock=clock, migrate=True)
    try:
        gucci = BrandFields(
            name="Gucci",
            aliases=("古驰", "古奇"),
            reference_prices=(ReferencePrice("*", Money(Decimal("12000"), "CNY")),),
        )
        save_brand(SaveBrand(ADMIN, gucci), svc=runtime.services)
        yield Lab(runtime, clock, read)
    finally:
        runtime.dispose()


def declaration(d: dict[str, Any]) -> Declaration:
    lines = tuple(
        DeclaredLine(ln["brand"], ln["item"], ln["quantity"], Decimal(ln["amount"]))
        for ln in d["lines"]
    )
    return Declaration(
        issuer=d["issuer"],
        issuer_tax_id=d.get("issuer_tax_id"),
        buyer_name=d["buyer_name"],
        issued_on=date.fromisoformat(d["issued_on"]),
        document_number=d["document_number"],
        currency=d["currency"],
        lines=lines,
    )


def reuse_calls(findings: tuple[Finding, ...]) -> list[tuple[str, str]]:
    """Hard reuse findings: (code, the voucher each names)."""
    return [
        (f.code, str(f.evidence.get("other_voucher_id") or ""))
        for f in findings
        if f.severity is Severity.HARD and f.code in REUSE
    ]


# --- documents ----------------------------------------------------------------------------------


def generated_einvoice(data: bytes, f: EInvoiceFields, buyer: str | None = None) -> Document:
    decl = fields_declaration(buyer or f["buyer"], f)
    return Document(
        data,
        decl,
        VoucherKind.PURCHASE_INVOICE,
        attack_set.GENERATED_EINVOICE,
        days_after(f["issued_on"]),
    )


def real_family(n: int, seed: int) -> list[Document]:
    """The real e-invoice, then refills of its template (another seller, buyer, number), each
    declared by its buyer: the real one names an individual (个人)."""
    real = real_invoice_path(shared_data()).read_bytes()
    layout, at = attack_set.REAL_EINVOICE, days_after(REAL_DATE)
    kind = VoucherKind.PURCHASE_INVOICE
    decl = einvoice_declaration(
        "个人", seller=REAL_SELLER, tax_id=REAL_SELLER_TAX_ID, number=REAL_NUMBER, on=REAL_DATE,
        amount=REAL_AMOUNT + REAL_TAX,
    )  # fmt: skip
    docs = [Document(real, decl, kind, layout, at)]
    for k in range(1, n):
        r = a_refill(seed * 100 + k)
        decl = einvoice_declaration(
            r.buyer, seller=r.seller, tax_id=r.seller_tax_id, number=r.number, on=r.issued_on,
            amount=r.amount + r.tax,
        )  # fmt: skip
        docs.append(Document(refilled(real, r), decl, kind, layout, at))
    return docs


def generated_family(n: int, seed: int) -> list[Document]:
    return [generated_einvoice(d, f) for d, f in same_template_einvoices(n, seed)]


def receipt(data: bytes, fields: ReceiptFields, buyer: str = "") -> Document:
    decl = receipt_as_read(fields, buyer)
    at = days_after(fields["issued_on"])
    return Document(data, decl, VoucherKind.MALL_RECEIPT, attack_set.RECEIPT, at)


def receipt_family(n: int, seed: int) -> list[Document]:
    return [receipt(d, f) for d, f in forged_receipts(n, seed)]


def as_shown_by(doc: Document, seller_id: str) -> Document:
    """The document declared by `seller_id` as its buyer (its shop's legal name)."""
    decl = doc.decl | {"buyer_name": f"{seller_id} 贸易有限公司"}
    return Document(doc.data, decl, doc.kind, doc.layout, doc.at)


def copy_declaration(original: Document, attack: str, copy: bytes, own: str) -> dict[str, Any]:
    """What the copier declares: a number of its own where no QR code says otherwise, the
    new QR code's values on a doctored e-invoice, the original's fields on other copies."""
    if original.layout.qr is None:
        return original.decl | {"document_number": own}
    if attack != "doctored":
        return original.decl
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(copy)).convert("RGB"))
    qr = parse_einvoice_qr(found[0].text) if found else None
    if qr is None:
        return original.decl | {"document_number": own}
    lines = [ln | {"amount": str(qr.amount or ln["amount"])} for ln in original.decl["lines"]]
    said = {"document_number": qr.number, "issued_on": qr.issued_on.isoformat(), "lines": lines}
    return original.decl | said


# --- 1. recall ----------------------------------------------------------------------------------

FAMILIES = {"real e-invoice": real_family, "generated e-invoice": generated_family}
FAMILIES["receipt"] = receipt_family


@dataclass
class Recall:
    seed: int
    caught: Counter[tuple[str, str]]
    total: Counter[tuple[str, str]]
    how: Counter[tuple[str, str, str]]  # (class, code, upload|reading)
    misses: list[tuple[str, str, list[tuple[str, str]]]]  # (family, class, hard calls)
    originals_refused: list[str]
    labels: dict[str, str]  # voucher id -> what it is, to say what a miss named instead


def attack_original(lab: Lab, family: str, k: int, original: Document, out: Recall) -> None:
    """Seller A shows the original and it is approved; seller B shows each copy of it, every
    copy on a listing of its own (its own vouchers are never its copies' candidates)."""
    owner, copier = "a", "b"
    mine = lab.upload(
        owner, original if original.decl["buyer_name"] else as_shown_by(original, owner)
    )
    if mine.status != "pending_review":
        hard = [f.code for f in mine.final if f.severity is Severity.HARD]
        out.originals_refused.append(f"{family} #{k}: {mine.status}, hard findings {hard}")
        return
    lab.approve(owner)
    out.labels[mine.id] = "the original"
    for c, (name, attack) in enumerate(attack_set.attacks(original.layout).items()):
        copy = attack(original.data, out.seed * 1000 + k)
        decl = copy_declaration(original, name, copy, f"H7{k:03d}{c:03d}")
        shown = as_shown_by(Document(copy, decl, *_rest(original)), copier)
        got = lab.upload(copier, shown, f"L-{copier}-{name}")
        out.labels[got.id] = f"the {name} copy"
        tally(out, family, name, mine.id, got)


def _rest(doc: Document) -> tuple[VoucherKind, attack_set.Layout, datetime]:
    return doc.kind, doc.layout, doc.at


def tally(out: Recall, family: str, name: str, original: str, got: Uploaded) -> None:
    out.total[family, name] += 1
    naming = [code for code, other in reuse_calls(got.final) if other == original]
    if not naming:
        out.misses.append((family, name, reuse_calls(got.final)))
        return
    out.caught[family, name] += 1
    early = {code for code, other in reuse_calls(got.at_upload) if other == original}
    for code in sorted(set(naming)):
        out.how[name, code, "upload" if code in early else "reading"] += 1


def run_recall(root: Path, n: int, seed: int, read: bool) -> Recall:
    out = Recall(seed, Counter(), Counter(), Counter(), [], [], {})
    for f, (family, make) in enumerate(FAMILIES.items()):
        for k, original in enumerate(make(n, seed + f)):
            with lab(root, f"recall-{f}-{k}", read=read) as it:
                attack_original(it, family, k, original, out)
    return out


def print_recall(r: Recall) -> None:
    width = max(len(c) for c in CLASSES) + 2
    print("\n1. Recall: caught/total (hard reuse or altered-copy finding naming the original)")
    print(" " * 22 + "".join(c.rjust(width) for c in CLASSES))
    for family in FAMILIES:
        cells = [f"{r.caught[family, c]}/{r.total[family, c]}" for c in CLASSES]
        print(family.ljust(22) + "".join(cell.rjust(width) for cell in cells))
    rates = [
        sum(r.caught[f, c] for f in FAMILIES) / max(1, sum(r.total[f, c] for f in FAMILIES))
        for c in CLASSES
    ]
    print("recall".ljust(22) + "".join(f"{rate:.2f}".rjust(width) for rate in rates))
    print("Codes naming the original (class: code at upload or only after reading x copies):")
    for c in CLASSES:
        seen = [
            f"{code} at {when} x{k}" for (cc, code, when), k in sorted(r.how.items()) if cc == c
        ]
        print(f"  {c}: {'; '.join(seen) or '-'}")
    for line in r.originals_refused:
        print(f"  original not approvable: {line}")
    for family, name, calls in r.misses:
        named = [
            f"{code} naming {r.labels.get(other, other or 'no voucher')}" for code, other in calls
        ]
        print(f"  missed: {family} / {name}: hard reuse calls: {', '.join(named) or 'none'}")


# --- 2. false hard calls ------------------------------------------------------------------------


def honest_calls(lab: Lab, uploads: list[tuple[str, Document]]) -> tuple[int, int, Counter[str]]:
    """(uploads with a hard reuse call, uploads, the codes), in date order."""
    called, codes = 0, Counter[str]()
    for seller, doc in sorted(uploads, key=lambda sd: sd[1].at):
        calls = reuse_calls(lab.upload(seller, doc).final)
        called += bool(calls)
        codes.update(code for code, _ in calls)
    return called, len(uploads), codes


def own_series(n: int, seed: int) -> tuple[list[Document], list[Document]]:
    """One shop's near-identical documents in its phone frame: an e-invoice series (one seller,
    buyer and goods; another code, number, check code and day each) and its receipts."""
    rng = random.Random(seed)
    base = einvoice_fields(rng)
    einvoices = []
    for i in range(n):
        f = base.copy()
        f["code"], f["number"] = f"0{rng.randrange(10**11):011d}", f"{rng.randrange(10**8):08d}"
        f["check_code"] = f"{rng.randrange(10**20):020d}"
        f["issued_on"] = base["issued_on"] + timedelta(days=i % 5)
        einvoices.append(generated_einvoice(attack_set.framed(einvoice_image(**f)), f))
    receipts = []
    for i in range(n):  # one boutique: forged_receipts picks the shop by the seed
        [(data, fields)] = forged_receipts(1, seed + i * len(BOUTIQUES))
        receipts.append(receipt(attack_set.framed(data), fields))
    return einvoices, receipts


def honest_sets(einvoices: int, receipts: int, own: int, seed: int) -> dict[str, Any]:
    same = [generated_einvoice(d, f) for d, f in same_template_einvoices(einvoices, seed + 7)]
    shops = [receipt(d, f) for d, f in forged_receipts(receipts, seed + 11)]
    series_e, series_r = own_series(own, seed + 13)
    sets: dict[str, list[tuple[str, Document]]] = {
        "(a) same-template e-invoices, one seller each": [
            (f"h{i}", doc) for i, doc in enumerate(same)
        ],
        "(b) receipts of distinct shops, one seller each": [
            (f"h{i}", as_shown_by(doc, f"h{i}")) for i, doc in enumerate(shops)
        ],
    }
    for kind, series in (("e-invoices", series_e), ("receipts", series_r)):
        sets[f"(c) one shop's framed {kind}, by that shop"] = [
            ("own", as_shown_by(doc, "own")) for doc in series
        ]
        sets[f"(c) one shop's framed {kind}, by two shops"] = [
            (s, as_shown_by(doc, s)) for i, doc in enumerate(series) if (s := f"shop-{i % 2}")
        ]
    return sets


def run_false_hard(root: Path, sizes: tuple[int, int, int], seed: int, read: bool) -> None:
    print("\n2. False hard calls (any hard finding among the reuse codes, honest documents)")
    total_called = total = 0
    for s, (name, uploads) in enumerate(honest_sets(*sizes, seed).items()):
        with lab(root, f"honest-{s}", read=read) as it:
            called, n, codes = honest_calls(it, uploads)
        total_called, total = total_called + called, total + n
        detail = f"  {dict(codes)}" if codes else ""
        print(f"  {name}: {called}/{n} = {called / max(1, n):.2%}{detail}")
    print(f"  all: {total_called}/{total} = {total_called / max(1, total):.2%} (target <= 0.5 %)")


# --- 3. CPU per upload --------------------------------------------------------------------------


def cpu_of(root: Path, name: str, docs: list[Document]) -> tuple[float, float, float]:
    """(p50 ms into an empty index, p50 ms after `CPU_FILL` uploads, median matches kept)."""
    docs = sorted(docs, key=lambda doc: doc.at)
    empty = []
    for i, doc in enumerate(docs[:CPU_EMPTY]):
        with lab(root, f"cpu-empty-{name}-{i}", read=False) as it:
            empty.append(it.upload("c0", as_shown_by(doc, "c0")).cpu)
    with lab(root, f"cpu-fifty-{name}", read=False) as it:
        for i, doc in enumerate(docs[:CPU_FILL]):
            it.upload(f"f{i}", as_shown_by(doc, f"f{i}") if not doc.decl["buyer_name"] else doc)
        timed = [
            it.upload(f"t{i}", as_shown_by(doc, f"t{i}") if not doc.decl["buyer_name"] else doc)
            for i, doc in enumerate(docs[CPU_FILL:])
        ]
        candidates = statistics.median(it.matches(u.id) for u in timed)
    p0 = statistics.median(empty) * 1000
    return p0, statistics.median(u.cpu for u in timed) * 1000, candidates


def run_cpu(root: Path, seed: int) -> None:
    n = CPU_FILL + CPU_TIMED
    kinds = {
        "same-template e-invoices": [
            generated_einvoice(d, f) for d, f in same_template_einvoices(n, seed)
        ],
        # No QR code: every candidate up to `compared_candidates` is compared image to image.
        "receipts of one template": receipt_family(n, seed),
    }
    print("\n3. CPU per upload (process_time around submit_voucher, reading off), p50")
    for name, docs in kinds.items():
        p0, p50, candidates = cpu_of(root, name.split()[-1], docs)
        print(
            f"  {name}: {p0:.0f} ms into an empty index ({CPU_EMPTY} fresh databases); "
            f"{p50:.0f} ms after {CPU_FILL} uploads by other sellers ({CPU_TIMED} timed, median "
            f"{candidates:.0f} candidates kept as matches); ratio {p50 / p0:.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=2, help="originals per family")
    parser.add_argument("--read", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--honest-einvoices", type=int, help="set (a); 200, 24 with --read")
    parser.add_argument("--honest-receipts", type=int, help="set (b); 100, 12 with --read")
    parser.add_argument("--own", type=int, default=8, help="documents per set (c)")
    parser.add_argument(
        "--cpu-only", action="store_true", help="only 3 (runs on an older probandi too)"
    )
    opts = parser.parse_args()
    einvoices = opts.honest_einvoices or (24 if opts.read else 200)
    receipts = opts.honest_receipts or (12 if opts.read else 100)
    print(__doc__.split("\n    .venv")[0])
    print(
        f"\nRun: --originals {opts.originals} --{'' if opts.read else 'no-'}read --seed "
        f"{opts.seed}; honest sets {einvoices} e-invoices, {receipts} receipts, {opts.own} x 4"
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="probandi-copies-") as tmp:
        root = Path(tmp)
        if opts.cpu_only:
            run_cpu(root, opts.seed)
            return
        print_recall(run_recall(root, opts.originals, opts.seed, opts.read))
        run_false_hard(root, (einvoices, receipts, opts.own), opts.seed, opts.read)
        run_cpu(root, opts.seed)
    print(f"\nwall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
