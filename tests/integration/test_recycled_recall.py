"""Recycled copies (JPEG quality 70, scaled to 80 %, 2 % cropped) are found and called
recycled: PDQ of the full page or of its trimmed content within 31 bits, then the aligned
comparison says the images differ nowhere, whatever the recycler declares."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from probandi.adapters.forensics.reader import ForensicReader
from probandi.domain.forensics.model import Relation, VoucherSide, hamming, relate
from probandi.domain.vouchers import Declaration
from tests.support.vouchers import forged_receipts, recycle, same_template_einvoices

COPIES = 15


def nearest(reader: ForensicReader, a: bytes, a_type: str, b: bytes) -> int:
    ours = reader.fingerprints(a, a_type)
    theirs = reader.fingerprints(b, "image/jpeg")
    return min(hamming(x.pdq, y.pdq) for x in ours for y in theirs)


def side(voucher_id: str, seller_id: str, number: str) -> VoucherSide:
    decl = Declaration(
        issuer=f"shop of {seller_id}", document_number=number, issued_on=date(2026, 5, 1)
    )
    return VoucherSide(voucher_id, seller_id, f"L-{seller_id}", decl, qr=None)


@pytest.mark.parametrize(
    ("documents", "media_type"),
    [
        (lambda: same_template_einvoices(COPIES, seed=31), "image/png"),
        (lambda: forged_receipts(COPIES, seed=31), "image/jpeg"),
    ],
    ids=["einvoice", "paper-receipt"],
)
def test_every_recycled_copy_is_a_candidate_and_is_called_recycled(
    documents: object, media_type: str
) -> None:
    reader = ForensicReader()
    assert callable(documents)
    for n, (original, _) in enumerate(documents()):
        copy = recycle(original, quality=70, scale=0.8, crop=0.02)
        assert nearest(reader, original, media_type, copy) <= 31, n
        diff = reader.compare(copy, "image/jpeg", 0, original, media_type, 0)
        # The recycler declares its own shop and number: the images still give it away.
        verdict = relate(side("b", "shop-b", f"B{n}"), side("a", "shop-a", f"A{n}"), diff)
        assert verdict.relation is Relation.RECYCLED, (n, diff)


def rotated(data: bytes) -> bytes:
    """A portrait phone shot of a landscape document: the pixels turned, no EXIF to undo it."""
    with Image.open(io.BytesIO(data)) as image:
        turned = image.convert("RGB").transpose(Image.Transpose.ROTATE_270)
    buf = io.BytesIO()
    turned.save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("documents", "media_type"),
    [
        (lambda: same_template_einvoices(6, seed=41), "image/png"),
        (lambda: forged_receipts(6, seed=41), "image/jpeg"),
    ],
    ids=["einvoice", "paper-receipt"],
)
def test_a_turned_recycled_copy_is_found_by_a_turned_hash_and_called_recycled(
    documents: object, media_type: str
) -> None:
    reader = ForensicReader()
    assert callable(documents)
    for n, (original, _) in enumerate(documents()):
        copy = recycle(rotated(original), quality=70, scale=0.8, crop=0.02)
        stored = reader.fingerprints(original, media_type)
        facts = reader.read(copy, "image/jpeg")
        as_is = min(hamming(x.pdq, y.pdq) for x in stored for y in facts.fingerprints)
        distance, turn = min((hamming(x.pdq, t.pdq), t.turn) for x in stored for t in facts.turned)
        assert as_is > 31, "a turned copy must need the turned hashes, or this proves nothing"
        assert distance <= 31, n
        diff = reader.compare(copy, "image/jpeg", 0, original, media_type, 0, turn)
        verdict = relate(side("b", "shop-b", f"B{n}"), side("a", "shop-a", f"A{n}"), diff)
        assert verdict.relation is Relation.RECYCLED, (n, turn, diff)
