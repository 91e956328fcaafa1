"""Voucher forensics inside the upload's transaction: near duplicates and what they are.

The reader's CPU work (decode, PDQ, QR, metadata) happens before the transaction. Inside it,
intake is serialized, the index catches up with every committed fingerprint, and the nearest
other vouchers are compared: PDQ finds candidates, `relate` decides recycled or same template.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from probandi.domain.brands import Brand
from probandi.domain.forensics.einvoice import EInvoiceQr, parse_einvoice_qr
from probandi.domain.forensics.findings import ForensicContext, forensic_findings, is_copy
from probandi.domain.forensics.identifiers import compact_tax_id, looks_like_uscc
from probandi.domain.forensics.model import (
    RECTIFIED,
    DocumentFacts,
    ImageDiff,
    NearMatch,
    PageFingerprint,
    VoucherSide,
    relate,
)
from probandi.domain.listings import Listing
from probandi.domain.sellers import Seller
from probandi.domain.vouchers import Declaration, Finding, StoredFile, Voucher
from probandi.services.context import Services
from probandi.services.ports import UnitOfWork

_log = logging.getLogger(__name__)
REFRESH_BATCH = 50_000
MAX_CANDIDATES = 200  # other vouchers considered per upload, nearest first
MAX_HIT_ROWS = 5_000  # fingerprint hits looked up per upload, nearest first


def refresh_index(uow: UnitOfWork, svc: Services) -> int:
    """Add every committed, matchable fingerprint the index has not seen; returns how many."""
    added = 0
    while True:
        rows = uow.fingerprints.since(
            svc.near_index.high_water, svc.policy.min_pdq_quality, REFRESH_BATCH
        )
        if not rows:
            return added
        svc.near_index.add(rows)
        added += len(rows)


def load_index(svc: Services) -> int:
    """Bring the near-duplicate index level with the database: at start, so the first
    upload does not wait for it; every upload catches up again under the intake lock."""
    with svc.reader() as uow:
        return refresh_index(uow, svc)


def qr_of(payload: str | None) -> EInvoiceQr | None:
    return parse_einvoice_qr(payload) if payload else None


@dataclass(frozen=True)
class Examination:
    findings: list[Finding]
    matches: list[NearMatch]


def _nearest_per_voucher(
    uow: UnitOfWork, svc: Services, facts: DocumentFacts, seller_id: str
) -> dict[str, tuple[int, int, int, int]]:
    """Other sellers' vouchers within the distance: id -> (distance, our page, their page,
    turn). Our page is looked up as it is and turned by 90, 180 and 270 degrees. The
    seller's own vouchers are dropped before any cut, so its own copies can never push
    another seller's original out of the candidates."""
    floor = svc.policy.min_pdq_quality
    queries = [(fp.page, fp.pdq, 0) for fp in facts.fingerprints if fp.matchable(floor)]
    queries += [(t.page, t.pdq, t.turn) for t in facts.turned if t.quality >= floor]
    hits: dict[int, tuple[int, int, int]] = {}  # seq -> (distance, our page, turn)
    radius = svc.policy.near_duplicate_distance
    found = svc.near_index.search_many([pdq for _, pdq, _ in queries], radius)
    for (page, _, turn), near in zip(queries, found, strict=True):
        for seq, distance in near:
            if seq not in hits or distance < hits[seq][0]:
                hits[seq] = (distance, page, turn)
    nearest = sorted(hits.items(), key=lambda kv: kv[1][0])[:MAX_HIT_ROWS]
    owners = uow.fingerprints.owners([seq for seq, _ in nearest])
    best: dict[str, tuple[int, int, int, int]] = {}
    for seq, (distance, page, turn) in nearest:
        owner = owners.get(seq)
        if owner is None or owner[2] == seller_id:
            continue
        voucher_id, other_page, _ = owner
        if voucher_id not in best or distance < best[voucher_id][0]:
            best[voucher_id] = (distance, page, other_page, turn)
    return best


@dataclass(frozen=True)
class Candidate:
    other: Voucher
    side: VoucherSide
    distance: int
    page: int
    other_page: int
    turn: int  # how our page was turned to match theirs (0: as it is)
    compare_pages: tuple[int, int] | None  # None: decided without an image comparison


# Comparisons already made, by (other voucher, our page, their page, turn).
Diffs = dict[tuple[str, int, int, int], ImageDiff | None]


def _candidates(
    uow: UnitOfWork, svc: Services, ours: VoucherSide, file: StoredFile, facts: DocumentFacts
) -> list[Candidate]:
    """Other sellers' vouchers within the PDQ distance, nearest first. Vouchers already
    rejected as copies are skipped: a copy never counts against the original's owner."""
    best = _nearest_per_voucher(uow, svc, facts, ours.seller_id)
    ranked = sorted(best, key=lambda vid: best[vid][0])[:MAX_CANDIDATES]
    others = uow.vouchers.get_many(ranked)
    found = [
        others[vid]
        for vid in ranked
        if vid in others and not is_copy(others[vid]) and others[vid].file.sha256 != file.sha256
    ]  # the same bytes: voucher.reused_exact already says so
    multi_page = len({fp.page for fp in facts.fingerprints}) > 1
    candidates = []
    for rank, other in enumerate(found):
        distance, page, other_page, turn = best[other.id]
        side = VoucherSide(
            other.id, other.seller_id, other.listing_id, other.declaration, qr_of(other.qr_payload)
        )
        pages = None
        if rank < svc.policy.compared_candidates and (ours.qr is None or side.qr is None):
            # The first page holds the document; a shared later page (terms, a letterhead)
            # must not make two different documents one.
            multi = multi_page or other.file.pages > 1
            pages = (0, 0) if multi else (page, other_page)
        candidates.append(Candidate(other, side, distance, page, other_page, turn, pages))
    return candidates


def _diffs(
    svc: Services, data: bytes, file: StoredFile, candidates: list[Candidate], done: Diffs
) -> Diffs:
    """The comparisons the candidates need, reusing those already made."""
    diffs = dict(done)
    for c in candidates:
        if c.compare_pages is not None:
            key = (c.other.id, *c.compare_pages, c.turn)
            if key not in diffs:
                diffs[key] = _compare(svc, data, file, key[1], c.other, key[2], c.turn)
    return diffs


def precompare(
    svc: Services, *, seller_id: str, file: StoredFile, data: bytes, facts: DocumentFacts
) -> Diffs:
    """The slow part, before the upload's transaction: compare the pages of the candidates
    the index knows now. Inside the transaction only newer candidates are compared, so the
    intake lock (and SQLite's single writer) is held for milliseconds, not seconds."""
    qr = qr_of(facts.qr_payload)
    ours = VoucherSide("", seller_id, "", Declaration(), qr)
    with svc.reader() as uow:
        candidates = _candidates(uow, svc, ours, file, facts)
    return _diffs(svc, data, file, candidates, {})


def find_matches(
    uow: UnitOfWork,
    svc: Services,
    *,
    ours: VoucherSide,
    file: StoredFile,
    data: bytes,
    facts: DocumentFacts,
    done: Diffs | None = None,
) -> list[NearMatch]:
    """Every other seller's voucher within the PDQ distance, decided by content."""
    refresh_index(uow, svc)
    candidates = _candidates(uow, svc, ours, file, facts)
    diffs = _diffs(svc, data, file, candidates, done or {})
    matches = []
    for c in candidates:
        diff = None if c.compare_pages is None else diffs[(c.other.id, *c.compare_pages, c.turn)]
        verdict = relate(ours, c.side, diff)
        matches.append(NearMatch(c.side, c.page, c.other_page, c.distance, verdict, diff))
    return matches


def _compare(
    svc: Services,
    data: bytes,
    file: StoredFile,
    page: int,
    other: Voucher,
    other_page: int,
    turn: int = 0,
) -> ImageDiff | None:
    """The aligned comparison, or None when it cannot be made (the other file is missing or
    unreadable): no evidence either way, and never a failed upload."""
    try:
        theirs = svc.files.read(other.file.sha256)
        return svc.forensics.compare(
            data, file.media_type, page, theirs, other.file.media_type, other_page, turn
        )
    except Exception:  # any failure here must not cost the seller its upload
        _log.warning("voucher comparison with %s failed", other.id, exc_info=True)
        return None


def examine(
    uow: UnitOfWork,
    svc: Services,
    *,
    voucher_id: str,
    seller: Seller,
    listing: Listing,
    declaration: Declaration,
    brands: tuple[Brand, ...],
    file: StoredFile,
    data: bytes,
    facts: DocumentFacts,
    done: Diffs | None = None,
) -> Examination:
    """Forensic findings of one upload; call with intake locked (`lock_intake`), passing
    the comparisons `precompare` made before the transaction."""
    qr = qr_of(facts.qr_payload)
    ours = VoucherSide(voucher_id, seller.id, listing.id, declaration, qr)
    matches = find_matches(uow, svc, ours=ours, file=file, data=data, facts=facts, done=done)
    ctx = ForensicContext(
        seller_id=seller.id,
        declaration=declaration,
        listing_stock=listing.content.stock,
        qr=qr,
        metadata=facts.metadata,
        matches=tuple(matches),
        same_document=tuple(uow.vouchers.same_document(declaration, facts.qr_payload)),
        distributors=tuple((d.name, d.tax_id) for b in brands for d in b.distributors),
        cluster_sellers=svc.policy.template_cluster_sellers,
        chinese_invoice=qr is not None
        or looks_like_uscc(compact_tax_id(declaration.issuer_tax_id or "")),
    )
    return Examination(forensic_findings(ctx), matches)


REINDEX_BATCH = 100


def backfill(
    svc: Services,
    pending: Callable[[UnitOfWork], list[str]],
    step: Callable[[UnitOfWork, Voucher], None],
    *,
    intake: bool = False,
    on_voucher: Callable[[str], None] | None = None,
) -> int:
    """Run `step` on every voucher `pending` names, a batch a transaction (under the intake
    lock when the index changes), until it names none; how many. `step` must leave a
    voucher no longer pending."""
    done = 0
    while True:
        with svc.uow() as uow:
            if intake:
                uow.fingerprints.lock_intake()
            ids = pending(uow)
            if not ids:
                return done
            for voucher in uow.vouchers.get_many(ids).values():
                step(uow, voucher)
                if on_voucher:
                    on_voucher(voucher.id)
                done += 1
            uow.commit()


def _stored_prints(svc: Services, voucher: Voucher) -> DocumentFacts:
    """The forensic facts of a stored voucher's file; none when it is lost or unreadable."""
    try:
        return svc.forensics.read(svc.files.read(voucher.file.sha256), voucher.file.media_type)
    except Exception:  # a lost or unreadable blob: nothing to fingerprint
        _log.warning("cannot fingerprint voucher %s", voucher.id, exc_info=True)
        return DocumentFacts(fingerprints=())


def reindex_vouchers(svc: Services, *, on_voucher: Callable[[str], None] | None = None) -> int:
    """Fingerprint the vouchers stored before forensics existed, so that later uploads are
    matched against them too; returns how many. Their own findings stay as decided."""

    def fingerprint(uow: UnitOfWork, voucher: Voucher) -> None:
        facts = _stored_prints(svc, voucher)
        # No fingerprint: a marker row of quality 0, never matched, and never tried again.
        prints = facts.fingerprints or (PageFingerprint(0, "0" * 64, 0),)
        uow.fingerprints.add(voucher.id, voucher.seller_id, prints)
        if voucher.qr_payload is None and facts.qr_payload is not None:
            uow.vouchers.save(replace(voucher, qr_payload=facts.qr_payload))

    def pending(uow: UnitOfWork) -> list[str]:
        return uow.fingerprints.unfingerprinted(REINDEX_BATCH)

    return backfill(svc, pending, fingerprint, intake=True, on_voucher=on_voucher)


def rectify_stored(svc: Services, *, on_voucher: Callable[[str], None] | None = None) -> int:
    """Add the rectified page's hash to vouchers fingerprinted before pages were rectified
    (a marker row where a file shows no page to cut out); returns how many."""

    def rectify(uow: UnitOfWork, voucher: Voucher) -> None:
        prints = _stored_prints(svc, voucher).fingerprints
        found = tuple(fp for fp in prints if fp.variant == RECTIFIED)
        marker = PageFingerprint(0, "0" * 64, 0, variant=RECTIFIED)
        uow.fingerprints.add(voucher.id, voucher.seller_id, found or (marker,))

    def pending(uow: UnitOfWork) -> list[str]:
        return uow.fingerprints.unrectified(REINDEX_BATCH)

    return backfill(svc, pending, rectify, intake=True, on_voucher=on_voucher)
