"""A small sample of the generated vouchers (bench/reading_accuracy.py runs hundreds): the
fields are read, truthful declarations are not rejected, altered ones are caught."""

from __future__ import annotations

import pytest

from probandi.adapters.reading.ocr import OcrDocumentReader
from tests.support.documents import Outcome, assess, generated

SAMPLE = 16  # four of each kind, across the first four styles (0, 0.75x, 1.5x noisy, 90)


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    reader = OcrDocumentReader()
    return [
        assess(doc, reader.read(doc.image, doc.media_type, max_pages=1))
        for doc in generated(SAMPLE, seed=15)
    ]


def test_number_date_amount_and_tax_id_are_read_on_most_generated_vouchers(
    outcomes: list[Outcome],
) -> None:
    checks = [ok for o in outcomes for ok in o.fields_right.values()]
    assert sum(checks) / len(checks) >= 0.9


def test_truthful_declarations_are_never_rejected_as_contradicted(
    outcomes: list[Outcome],
) -> None:
    assert [o.truthful_hard for o in outcomes if o.truthful_hard] == []
    assert not any(o.truthful_kind_hard for o in outcomes)


def test_altered_declarations_are_caught(outcomes: list[Outcome]) -> None:
    altered = [caught for o in outcomes for _, caught, _ in o.altered_caught]
    assert sum(altered) / len(altered) >= 0.9


def test_every_generated_voucher_reads_as_its_kind(outcomes: list[Outcome]) -> None:
    assert [o.kind_read for o in outcomes] == [o.kind for o in outcomes]
