"""The test vouchers: repeatable, their QR readable, and where they land in PDQ.

The PDQ figures are the point: a recycled copy and a different invoice on the same template are
both PDQ matches (<= 31 bits), so PDQ alone cannot tell them apart. Run with `-s` to see them.
"""

from __future__ import annotations

import io
import itertools
import os
import random
import re
import statistics
from decimal import Decimal
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pdqhash
import pytest
import zxingcpp
from PIL import Image

from tests.support.vouchers import (
    EInvoiceFields,
    ReceiptFields,
    einvoice_fields,
    einvoice_image,
    einvoice_qr_payload,
    forged_receipts,
    paper_receipt_image,
    recycle,
    same_template_einvoices,
    unrelated_document_image,
)

PDQ_MATCH = 31  # the usual PDQ threshold: at or under it, two images count as the same picture
Bits = npt.NDArray[np.uint8]


def pdq_bits(data: bytes) -> Bits:
    with Image.open(io.BytesIO(data)) as image:
        bits, _quality = pdqhash.compute(np.asarray(image.convert("RGB")))
    return np.asarray(bits, dtype=np.uint8)


def pdq_distance(a: bytes | Bits, b: bytes | Bits) -> int:
    left = pdq_bits(a) if isinstance(a, bytes) else a
    right = pdq_bits(b) if isinstance(b, bytes) else b
    return int(np.count_nonzero(left != right))


def spread(distances: list[int]) -> str:
    inside = sum(d <= PDQ_MATCH for d in distances)
    return (
        f"min {min(distances)} median {statistics.median(distances)} max {max(distances)}"
        f" ({inside}/{len(distances)} within {PDQ_MATCH})"
    )


def payload_of(fields: EInvoiceFields) -> str:
    return einvoice_qr_payload(
        code=fields["code"],
        number=fields["number"],
        amount=fields["amount"],
        issued_on=fields["issued_on"],
        check_code=fields["check_code"],
    )


def qr_texts(data: bytes) -> list[str]:
    with Image.open(io.BytesIO(data)) as image:
        return [barcode.text for barcode in zxingcpp.read_barcodes(image.convert("RGB"))]


@pytest.fixture(scope="module")
def einvoices() -> list[tuple[bytes, EInvoiceFields]]:
    return same_template_einvoices(11, seed=2026)


@pytest.fixture(scope="module")
def receipts() -> list[tuple[bytes, ReceiptFields]]:
    return forged_receipts(11, seed=2026)


@pytest.fixture
def shared_data() -> Path:
    default = Path(__file__).resolve().parents[3] / "shared" / "data"
    folder = Path(os.environ.get("PROBANDI_SHARED_DATA", default))
    if not folder.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared test data is missing at {folder}")
        pytest.skip(f"shared test data is missing at {folder}")
    return folder


def test_the_same_arguments_give_the_same_bytes() -> None:
    fields = einvoice_fields(random.Random(7))
    assert einvoice_image(**fields) == einvoice_image(**fields)
    assert same_template_einvoices(2, seed=7) == same_template_einvoices(2, seed=7)
    assert forged_receipts(2, seed=7) == forged_receipts(2, seed=7)
    receipt = forged_receipts(1, seed=7)[0][1]
    assert paper_receipt_image(**receipt) == paper_receipt_image(**receipt)
    assert unrelated_document_image(7) == unrelated_document_image(7)
    assert recycle(einvoice_image(**fields)) == recycle(einvoice_image(**fields))


def test_different_fields_give_different_images(
    einvoices: list[tuple[bytes, EInvoiceFields]], receipts: list[tuple[bytes, ReceiptFields]]
) -> None:
    assert len({data for data, _ in einvoices}) == len(einvoices)
    assert len({data for data, _ in receipts}) == len(receipts)
    assert unrelated_document_image(1) != unrelated_document_image(2)


def test_einvoice_fields_look_like_a_real_invoice() -> None:
    fields = einvoice_fields(random.Random(3))
    assert re.fullmatch(r"0\d{11}", fields["code"])
    assert re.fullmatch(r"\d{8}", fields["number"])
    assert re.fullmatch(r"\d{20}", fields["check_code"])
    assert re.fullmatch(r"91\d{6}[0-9A-HJ-NP-RTUWXY]{10}", fields["seller_tax_id"])
    assert fields["issued_on"].year == 2026
    lines_total = sum((price * qty for _, qty, price in fields["items"]), Decimal(0))
    assert fields["amount"] == lines_total
    assert fields["tax"] == (fields["amount"] * Decimal("0.13")).quantize(Decimal("0.01"))


def test_the_qr_payload_reads_back_from_the_whole_invoice(
    einvoices: list[tuple[bytes, EInvoiceFields]],
) -> None:
    for data, fields in einvoices[:4]:
        assert qr_texts(data) == [payload_of(fields)]
    data, fields = einvoices[0]
    assert payload_of(fields) == (
        f"01,10,{fields['code']},{fields['number']},{fields['amount']:.2f},"
        f"{fields['issued_on']:%Y%m%d},{fields['check_code']},ABCD,"
    )
    assert qr_texts(einvoice_image(**fields, fmt="JPEG")) == [payload_of(fields)]


def test_the_qr_payload_survives_recycling(einvoices: list[tuple[bytes, EInvoiceFields]]) -> None:
    for data, fields in einvoices[:4]:
        assert qr_texts(recycle(data)) == [payload_of(fields)]


@pytest.mark.parametrize("kind", ["einvoice", "receipt"])
def test_a_recycled_copy_is_a_pdq_match(
    kind: str,
    einvoices: list[tuple[bytes, EInvoiceFields]],
    receipts: list[tuple[bytes, ReceiptFields]],
) -> None:
    originals = [data for data, _ in (einvoices if kind == "einvoice" else receipts)]
    light = [pdq_distance(data, recycle(data, crop=0.01)) for data in originals]
    default = [pdq_distance(data, recycle(data)) for data in originals]
    print(f"\n{kind} recycled, 1% crop: {spread(light)}; 2% crop: {spread(default)}")
    assert max(light) <= PDQ_MATCH
    # A 2% crop sits on the threshold: most copies stay under it, none far over it.
    assert sum(d <= PDQ_MATCH for d in default) >= 0.75 * len(default)
    assert max(default) <= PDQ_MATCH + 9


@pytest.mark.parametrize("kind", ["einvoice", "receipt"])
def test_different_documents_on_one_template_are_mostly_pdq_matches(
    kind: str,
    einvoices: list[tuple[bytes, EInvoiceFields]],
    receipts: list[tuple[bytes, ReceiptFields]],
) -> None:
    hashes = [pdq_bits(data) for data, _ in (einvoices if kind == "einvoice" else receipts)]
    distances = [pdq_distance(a, b) for a, b in itertools.combinations(hashes, 2)]
    print(f"\n{kind} same-template pairs: {spread(distances)}")
    assert min(distances) > 0
    assert sum(d <= PDQ_MATCH for d in distances) >= 0.75 * len(distances)


def test_an_unrelated_letter_is_no_pdq_match(
    einvoices: list[tuple[bytes, EInvoiceFields]], receipts: list[tuple[bytes, ReceiptFields]]
) -> None:
    letters = [pdq_bits(unrelated_document_image(seed)) for seed in range(3)]
    vouchers = [pdq_bits(data) for data, _ in einvoices[:3] + receipts[:3]]
    distances = [pdq_distance(a, b) for a, b in itertools.product(letters, vouchers)]
    print(f"\nletter vs vouchers: {spread(distances)}")
    assert min(distances) > PDQ_MATCH


def test_the_real_einvoice_recycled_stays_near_the_threshold(shared_data: Path) -> None:
    real = (shared_data / "invoices" / "e-invoice-real.png").read_bytes()
    light = pdq_distance(real, recycle(real, crop=0.01))
    default = pdq_distance(real, recycle(real))
    print(f"\nreal e-invoice recycled, 1% crop: {light}; 2% crop: {default}")
    assert light <= PDQ_MATCH
    assert default <= PDQ_MATCH + 9
