"""The hash-chained audit log: each entry's hash covers the previous entry's hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    """One past-tense, namespaced fact, e.g. tag="listing:gate:held"."""

    at: datetime
    actor: str
    tag: str
    subject: str
    data: Mapping[str, object]


@dataclass(frozen=True)
class SealedEntry:
    """An entry as stored: its id (`seq`), its place in its lane's chain, and both hashes."""

    seq: int
    entry: AuditEntry
    prev_hash: str
    hash: str
    lane: int = 0
    position: int | None = None  # 1-based place in the lane; None: same as seq

    @property
    def place(self) -> int:
        return self.seq if self.position is None else self.position


def canonical(entry: AuditEntry) -> str:
    """The exact text that is hashed; stable across databases and Python versions."""
    return json.dumps(
        {
            "at": entry.at.isoformat(),
            "actor": entry.actor,
            "tag": entry.tag,
            "subject": entry.subject,
            "data": entry.data,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )


def chain_hash(prev_hash: str, entry: AuditEntry) -> str:
    return hashlib.sha256((prev_hash + "\n" + canonical(entry)).encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """The first entry whose stored hashes do not match the recomputed chain."""

    seq: int
    reason: str


def verify_chain(entries: Iterable[SealedEntry]) -> tuple[int, ChainBreak | None]:
    """Recompute one lane's chain in order; return how many entries held and the first break."""
    prev = GENESIS
    count = 0
    for sealed in entries:
        if sealed.place != count + 1:
            where = f" of lane {sealed.lane}" if sealed.position is not None else ""
            return count, ChainBreak(sealed.seq, f"entry {count + 1}{where} is missing")
        if sealed.prev_hash != prev:
            return count, ChainBreak(sealed.seq, "prev_hash does not match the previous entry")
        if chain_hash(prev, sealed.entry) != sealed.hash:
            return count, ChainBreak(sealed.seq, "content does not match its hash")
        prev = sealed.hash
        count += 1
    return count, None
