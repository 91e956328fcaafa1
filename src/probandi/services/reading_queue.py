"""Queue a voucher's reading in the upload's own transaction (ADR 0009, the queue)."""

from __future__ import annotations

from datetime import datetime

from probandi.domain.policy import Policy
from probandi.domain.reading.record import ReadingStatus, VoucherReading
from probandi.domain.vouchers import Voucher
from probandi.services.jobs import enqueue
from probandi.services.ports import UnitOfWork

READ_JOB = "voucher.read"


def queue_reading(uow: UnitOfWork, voucher: Voucher, *, policy: Policy, now: datetime) -> None:
    """A `queued` reading row and its job, or nothing when this voucher's job exists or
    the policy reads no vouchers."""
    if not policy.read_vouchers:
        return
    job = enqueue(
        uow,
        READ_JOB,
        {"voucher_id": voucher.id},
        now=now,
        dedupe_key=f"read:{voucher.id}",
        max_attempts=policy.reading_attempts,
    )
    if job is not None and uow.readings.get(voucher.id) is None:
        uow.readings.add(VoucherReading(voucher.id, ReadingStatus.QUEUED, queued_at=now))
