"""The reading's states: queued -> reading -> read or failed; failed -> queued on retry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from probandi.domain.errors import InvalidTransition
from probandi.domain.reading.model import Field
from probandi.domain.reading.record import ReadingStatus, VoucherReading

AT = datetime(2026, 11, 2, 9, tzinfo=UTC)


def a_reading() -> VoucherReading:
    return VoucherReading("v1", ReadingStatus.QUEUED, queued_at=AT)


def finished(reading: VoucherReading) -> VoucherReading:
    return reading.finish(
        at=AT,
        kind_guess="mall_receipt",
        fields={"total": Field("12.00", 0.97)},
        pages=(),
        text="合计 12.00",
        note=None,
        truncated_at=None,
    )


def test_a_reading_is_read_after_it_starts_and_counts_its_attempts() -> None:
    read = finished(a_reading().start())
    assert read.status is ReadingStatus.READ
    assert read.settled
    assert read.attempts == 1


def test_a_reading_interrupted_mid_way_starts_again() -> None:
    again = a_reading().start().start()
    assert again.status is ReadingStatus.READING
    assert again.attempts == 2


def test_a_finished_reading_is_never_read_again() -> None:
    with pytest.raises(InvalidTransition):
        finished(a_reading().start()).start()


def test_a_failed_reading_keeps_its_reason_and_may_be_queued_again() -> None:
    failed = a_reading().start().fail("the reading took longer than 120 s", at=AT)
    assert failed.error == "the reading took longer than 120 s"
    queued = failed.retry(at=AT)
    assert queued.status is ReadingStatus.QUEUED
    assert queued.error is None


def test_a_queued_reading_cannot_be_finished_before_it_starts() -> None:
    with pytest.raises(InvalidTransition):
        finished(a_reading())
