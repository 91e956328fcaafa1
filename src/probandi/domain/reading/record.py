"""A voucher's reading as kept: its state as a transition table, and what was read."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from probandi.domain.errors import InvalidTransition
from probandi.domain.reading.model import Extracted, Field, PageText
from probandi.domain.sellers import VoucherKind

MAX_ERROR_CHARS = 2_000


class ReadingStatus(enum.StrEnum):
    QUEUED = "queued"
    READING = "reading"
    READ = "read"
    FAILED = "failed"


class ReadingAction(enum.StrEnum):
    START = "start"
    FINISH = "finish"
    FAIL = "fail"
    RETRY = "retry"


READING_TRANSITIONS: dict[tuple[ReadingStatus, ReadingAction], ReadingStatus] = {
    (ReadingStatus.QUEUED, ReadingAction.START): ReadingStatus.READING,
    # A worker killed mid-reading leaves the row `reading`; the job taken again starts over.
    (ReadingStatus.READING, ReadingAction.START): ReadingStatus.READING,
    (ReadingStatus.READING, ReadingAction.FINISH): ReadingStatus.READ,
    (ReadingStatus.READING, ReadingAction.FAIL): ReadingStatus.FAILED,
    (ReadingStatus.QUEUED, ReadingAction.FAIL): ReadingStatus.FAILED,
    (ReadingStatus.FAILED, ReadingAction.RETRY): ReadingStatus.QUEUED,
}
SETTLED = frozenset({ReadingStatus.READ, ReadingStatus.FAILED})


@dataclass(frozen=True)
class VoucherReading:
    """What probandi read of one voucher's document, and where that reading stands."""

    voucher_id: str
    status: ReadingStatus
    queued_at: datetime
    attempts: int = 0
    kind_guess: str | None = None
    fields: dict[str, Field] | None = None
    pages: tuple[PageText, ...] = ()
    text: str = ""
    note: str | None = None
    truncated_at: int | None = None
    error: str | None = None
    finished_at: datetime | None = None

    @property
    def settled(self) -> bool:
        return self.status in SETTLED

    def extracted(self) -> Extracted:
        """What was read, as the comparisons take it (sure of the kind it was read as)."""
        kind = next((k for k in VoucherKind if k.value == self.kind_guess), None)
        return Extracted(kind, 1.0 if kind else 0.0, dict(self.fields or {}), self.text)

    def _to(self, action: ReadingAction) -> ReadingStatus:
        target = READING_TRANSITIONS.get((self.status, action))
        if target is None:
            raise InvalidTransition(
                "cannot %(action)s a reading that is %(state)s",
                state=self.status.value,
                params={"action": action.value},
            )
        return target

    def start(self) -> VoucherReading:
        return replace(self, status=self._to(ReadingAction.START), attempts=self.attempts + 1)

    def finish(
        self,
        *,
        at: datetime,
        kind_guess: str | None,
        fields: dict[str, Field],
        pages: tuple[PageText, ...],
        text: str,
        note: str | None,
        truncated_at: int | None,
    ) -> VoucherReading:
        return replace(
            self,
            status=self._to(ReadingAction.FINISH),
            kind_guess=kind_guess,
            fields=dict(fields),
            pages=pages,
            text=text,
            note=note,
            truncated_at=truncated_at,
            error=None,
            finished_at=at,
        )

    def fail(self, reason: str, *, at: datetime) -> VoucherReading:
        return replace(
            self,
            status=self._to(ReadingAction.FAIL),
            error=reason[:MAX_ERROR_CHARS],
            finished_at=at,
        )

    def retry(self, *, at: datetime) -> VoucherReading:
        return replace(
            self, status=self._to(ReadingAction.RETRY), error=None, queued_at=at, finished_at=None
        )
