"""Reads for integrity checks: audit lane heads, and which stored files rows still name."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from probandi.adapters.db.repositories import core
from probandi.adapters.db.rows import AuditHeadRow, NoticeEvidenceRow, VoucherRow, table_of
from probandi.domain.checkpoints import LaneHead

HEAD = table_of(AuditHeadRow)
CHUNK = 500


class SqlAuditHeadRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def heads(self) -> list[LaneHead]:
        rows = core(self.s).execute(select(HEAD.c.id, HEAD.c.seq, HEAD.c.hash).order_by(HEAD.c.id))
        return [LaneHead(r.id, r.seq, r.hash) for r in rows]


class SqlBlobReferenceRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def referenced(self, digests: Collection[str]) -> set[str]:
        wanted = sorted(set(digests))
        found: set[str] = set()
        conn = core(self.s)
        for i in range(0, len(wanted), CHUNK):
            chunk = wanted[i : i + CHUNK]
            for column in (VoucherRow.sha256, NoticeEvidenceRow.sha256):
                found.update(conn.execute(select(column).where(column.in_(chunk))).scalars())
        return found
