"""Fingerprints and decided near-duplicate matches of vouchers."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from probandi.adapters.db.repositories import core
from probandi.adapters.db.rows import VoucherFingerprintRow, VoucherMatchRow, VoucherRow, table_of
from probandi.domain.forensics.model import RECTIFIED, NearMatch, PageFingerprint

FINGERPRINTS = table_of(VoucherFingerprintRow)
OWNER_CHUNK = 1_000  # seqs per IN list
MATCHES = table_of(VoucherMatchRow)
# One voucher intake at a time across PostgreSQL connections: every upload sees every
# fingerprint committed before it, and fingerprint sequence numbers commit in order.
INTAKE_LOCK = text("SELECT pg_advisory_xact_lock(hashtext('probandi.voucher_intake'))")


class SqlFingerprintRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def lock_intake(self) -> None:
        """Serialize voucher intake (SQLite's single writer lock already does)."""
        conn = core(self.s)
        if conn.dialect.name == "postgresql":
            conn.execute(INTAKE_LOCK)

    def add(self, voucher_id: str, seller_id: str, prints: Sequence[PageFingerprint]) -> None:
        if prints:
            core(self.s).execute(
                insert(FINGERPRINTS),
                [
                    {
                        "voucher_id": voucher_id,
                        "seller_id": seller_id,
                        "page": p.page,
                        "variant": p.variant,
                        "pdq": p.pdq,
                        "quality": p.quality,
                    }
                    for p in prints
                ],
            )

    def since(self, seq: int, min_quality: int, limit: int) -> list[tuple[int, str]]:
        """Matchable fingerprints after `seq`, in order: (seq, pdq hex)."""
        rows = core(self.s).execute(
            select(FINGERPRINTS.c.seq, FINGERPRINTS.c.pdq)
            .where(FINGERPRINTS.c.seq > seq, FINGERPRINTS.c.quality >= min_quality)
            .order_by(FINGERPRINTS.c.seq)
            .limit(limit)
        )
        return [(r.seq, r.pdq) for r in rows]

    def owners(self, seqs: Collection[int]) -> dict[int, tuple[str, int, str]]:
        """seq -> (voucher id, page, seller id)."""
        found: dict[int, tuple[str, int, str]] = {}
        ordered = sorted(seqs)
        for start in range(0, len(ordered), OWNER_CHUNK):
            rows = core(self.s).execute(
                select(
                    FINGERPRINTS.c.seq,
                    FINGERPRINTS.c.voucher_id,
                    FINGERPRINTS.c.page,
                    FINGERPRINTS.c.seller_id,
                ).where(FINGERPRINTS.c.seq.in_(ordered[start : start + OWNER_CHUNK]))
            )
            found |= {r.seq: (r.voucher_id, r.page, r.seller_id) for r in rows}
        return found

    def unfingerprinted(self, limit: int) -> list[str]:
        """Vouchers stored before forensics existed (no fingerprint rows), oldest first."""
        known = select(FINGERPRINTS.c.voucher_id).distinct()
        rows = self.s.execute(
            select(VoucherRow.id)
            .where(VoucherRow.id.not_in(known))
            .order_by(VoucherRow.created_at, VoucherRow.id)
            .limit(limit)
        )
        return [r.id for r in rows]

    def unrectified(self, limit: int) -> list[str]:
        """Vouchers fingerprinted before pages were rectified (no `rect` row, not even the
        marker of a page without one), oldest first."""
        done = select(FINGERPRINTS.c.voucher_id).where(FINGERPRINTS.c.variant == RECTIFIED)
        known = select(FINGERPRINTS.c.voucher_id)
        rows = self.s.execute(
            select(VoucherRow.id)
            .where(VoucherRow.id.in_(known), VoucherRow.id.not_in(done))
            .order_by(VoucherRow.created_at, VoucherRow.id)
            .limit(limit)
        )
        return [r.id for r in rows]

    def matched_at_upload(self, voucher_id: str) -> list[str]:
        rows = self.s.execute(
            select(MATCHES.c.other_voucher_id)
            .where(MATCHES.c.voucher_id == voucher_id, MATCHES.c.differing_share < 1.0)
            .order_by(MATCHES.c.distance, MATCHES.c.id)
        )
        return list(dict.fromkeys(r.other_voucher_id for r in rows))

    def add_matches(self, voucher_id: str, matches: Sequence[NearMatch]) -> None:
        if matches:
            core(self.s).execute(
                insert(MATCHES),
                [
                    {
                        "voucher_id": voucher_id,
                        "other_voucher_id": m.other.voucher_id,
                        "page": m.page,
                        "other_page": m.other_page,
                        "distance": m.distance,
                        "relation": m.verdict.relation.value,
                        "legitimate": m.verdict.legitimate,
                        "differing_share": None if m.diff is None else m.diff.differing_share,
                        "reason": m.verdict.reason,
                    }
                    for m in matches
                ],
            )
