"""The second candidate source (issue 16): copies found through the long ids a reading finds.

A phone photo, a screenshot, a half page or halves stitched around another picture change
the image, and a doctored copy changes its QR code, but the copy still carries most of the
original's long id-like strings: invoice code and number, check code, the cipher area, tax
ids, a bank account. Each finished reading indexes its 8-character pieces
(`voucher_id_pieces`) and looks up other sellers' earlier vouchers that share most of theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from probandi.domain.actors import Actor, Role
from probandi.domain.forensics.einvoice import EInvoiceQr
from probandi.domain.forensics.findings import (
    IdCopy,
    copies_by_ids,
    is_copy,
    retyped_copy,
    same_sale_copy,
)
from probandi.domain.forensics.longids import (
    HARD_SHARE,
    MIN_SHARED,
    copy_share,
    document_pieces,
    joined_runs,
)
from probandi.domain.forensics.model import number_key
from probandi.domain.forensics.textcopy import (
    SAME_SALE,
    numbers_of,
    printed_numbers,
    retyped_lines,
    same_numbers,
)
from probandi.domain.reading.compare import READ_AS, read_value
from probandi.domain.reading.model import Extracted
from probandi.domain.vouchers import Finding, Voucher
from probandi.services.access import require_role
from probandi.services.context import Services
from probandi.services.forensics import qr_of
from probandi.services.ports import UnitOfWork

MAX_ID_CANDIDATES = 20  # earlier vouchers looked at, most shared pieces first


def _invoice(qr: EInvoiceQr | None) -> tuple[str, str] | None:
    return (qr.code, qr.number) if qr is not None else None


def _altered(uow: UnitOfWork, ours: Voucher, extracted: Extracted, theirs: Voucher) -> bool:
    """The copy names another invoice than the original: a replaced QR code, or a number
    (as read, else as declared) that differs."""
    our_qr, their_qr = _invoice(qr_of(ours.qr_payload)), _invoice(qr_of(theirs.qr_payload))
    if our_qr is not None and their_qr is not None and our_qr != their_qr:
        return True
    their_reading = uow.readings.get(theirs.id)
    theirs_read = their_reading.extracted() if their_reading is not None else None
    our_number = number_key(
        read_value(extracted, "document_number") or ours.declaration.document_number
    )
    their_number = number_key(
        (read_value(theirs_read, "document_number") if theirs_read else None)
        or theirs.declaration.document_number
    )
    return our_number is not None and their_number is not None and our_number != their_number


def index_pieces(
    uow: UnitOfWork, voucher: Voucher, text: str, extracted: Extracted
) -> frozenset[str]:
    """Index the pieces of a reading's long ids, its issuer's own tax id left out (every
    invoice of that issuer carries it); the pieces."""
    read = [v for f in READ_AS["issuer_tax_id"] if (v := extracted.value(f))]
    issuer = tuple(dict.fromkeys([*read, voucher.declaration.issuer_tax_id or ""]))
    pieces = document_pieces(text, issuer)
    uow.readings.add_id_pieces(voucher.id, voucher.seller_id, pieces)
    return pieces


def index_and_match(
    uow: UnitOfWork, voucher: Voucher, text: str, extracted: Extracted
) -> list[Finding]:
    """Index this reading's long-id pieces, and find other sellers' earlier documents whose
    pieces are mostly on this one (never one already rejected as a copy)."""
    pieces = index_pieces(uow, voucher, text, extracted)
    if not pieces:
        return []
    rows = uow.readings.sharing_id_pieces(
        pieces,
        other_than_seller=voucher.seller_id,
        at_least=MIN_SHARED,
        limit=MAX_ID_CANDIDATES,
    )
    others = uow.vouchers.get_many([vid for vid, _, _ in rows])
    copies = []
    for vid, shared, total in rows:
        other = others.get(vid)
        share = copy_share(shared, total)
        if other is None or share is None or is_copy(other):
            continue
        if other.created_at > voucher.created_at:
            continue  # a later upload names this one, not the other way round
        altered = _altered(uow, voucher, extracted, other)
        copies.append(IdCopy(other.id, other.seller_id, other.listing_id, share, altered))
    return copies_by_ids(copies, HARD_SHARE)


MAX_RETYPED_CANDIDATES = 8  # image matches of the upload whose readings are compared


def copies_as_read(uow: UnitOfWork, voucher: Voucher, text: str) -> list[Finding]:
    """Other sellers' earlier documents that the upload matched image to image and whose
    reading is this one's but for a few lines of digits (doctored copies), or, where
    neither has a QR code to tell, whose numbers are mostly on this one (the same sale)."""
    ids = uow.fingerprints.matched_at_upload(voucher.id)[:MAX_RETYPED_CANDIDATES]
    others = uow.vouchers.get_many(ids)
    readings = {}
    for vid in ids:
        other = others.get(vid)
        if other is None or other.seller_id == voucher.seller_id or is_copy(other):
            continue
        reading = uow.readings.get(vid)
        if reading is not None and reading.text:
            readings[vid] = reading.text
    # Numbers on two or more of these other sellers' documents belong to the layout.
    printed = printed_numbers(list(readings.values()))
    found = []
    for vid, theirs in readings.items():
        other = others[vid]
        if other.created_at > voucher.created_at:
            continue
        retyped = retyped_lines(text, theirs)
        if retyped is not None:
            found.append(retyped_copy(other, retyped))
        elif voucher.qr_payload is None and other.qr_payload is None:
            share = same_numbers(text, theirs, printed)
            if share is not None and share >= SAME_SALE:
                found.append(same_sale_copy(other, share))
    return found


MAX_SHOWN_RUNS = 12
AS_READ = ("long_ids", "text", "numbers")  # the findings' `via` that a reading gave


@dataclass(frozen=True)
class IdMatch:
    """For a reviewer: another seller's document found by what both readings show: its long
    ids (`via` long_ids), its text but for lines typed over (text), or its numbers
    (numbers); and those ids, lines or numbers."""

    code: str
    severity: str
    other_voucher_id: str
    share: float
    shared: tuple[str, ...]  # the id runs or numbers on both, longest first
    via: str = "long_ids"
    retyped: tuple[str, ...] = ()  # the other's lines typed over on this one (text)


def _share(f: Finding, key: str) -> float:
    value = f.evidence.get(key)
    return float(value) if isinstance(value, int | float) else 0.0


def id_matches(voucher: Voucher, actor: Actor, *, svc: Services) -> list[IdMatch]:
    """The copies `voucher`'s findings name by its reading, with what both show."""
    require_role(actor, Role.REVIEWER, Role.ADMIN)
    named = [f for f in voucher.findings if f.evidence.get("via") in AS_READ]
    if not named:
        return []
    with svc.reader() as uow:
        our_pieces = uow.readings.id_pieces_of(voucher.id)
        our_numbers = numbers_of(_text_of(uow, voucher.id))
        found = []
        for f in named:
            other = str(f.evidence.get("other_voucher_id") or "")
            via = str(f.evidence.get("via"))
            if via == "long_ids":
                runs = joined_runs(our_pieces & uow.readings.id_pieces_of(other))
                found.append(
                    IdMatch(
                        f.code, f.severity.value, other, _share(f, "id_share"),
                        tuple(runs[:MAX_SHOWN_RUNS]),
                    )
                )  # fmt: skip
                continue
            both = our_numbers & numbers_of(_text_of(uow, other))
            shared = tuple(sorted(both, key=lambda n: (-len(n), n))[:MAX_SHOWN_RUNS])
            share = _share(f, "number_share") if via == "numbers" else 1.0
            retyped = str(f.evidence.get("retyped") or "")
            lines = tuple(retyped.split(" | ")) if via == "text" and retyped else ()
            found.append(IdMatch(f.code, f.severity.value, other, share, shared, via, lines))
    return found


def _text_of(uow: UnitOfWork, voucher_id: str) -> str:
    reading = uow.readings.get(voucher_id)
    return reading.text if reading is not None else ""
