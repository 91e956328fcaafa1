"""Recycled copies (JPEG quality 70, scaled to 80 %, 2 % cropped) are found and called
recycled: PDQ of the full page or of its trimmed content within 31 bits, then the aligned
comparison says the images differ nowhere, whatever the recycler declares."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image, ImageDraw, ImageFont

from probandi.adapters.forensics.reader import ForensicReader
from probandi.domain.forensics.findings import ForensicContext, altered_copy
from probandi.domain.forensics.model import NearMatch, Relation, VoucherSide, hamming, relate
from probandi.domain.vouchers import Declaration
from tests.support.vouchers import forged_receipts, recycle, rotated, same_template_einvoices

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


def doctored(data: bytes) -> bytes:
    """Another seller's receipt with its number painted over and written anew."""
    with Image.open(io.BytesIO(data)) as original:
        image = original.convert("RGB")
    w, h = image.size
    box = (int(w * 0.73), int(h * 0.343), int(w * 0.845), int(h * 0.362))
    draw = ImageDraw.Draw(image)
    draw.rectangle(box, fill=image.getpixel((box[0] - 3, box[1] - 3)))
    draw.text(
        (box[0] + 4, box[1] + 1),
        "Q1234567",
        fill=(30, 30, 30),
        font=ImageFont.load_default(size=15),
    )
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def test_a_doctored_copy_of_another_sellers_receipt_is_flagged_for_review() -> None:
    reader = ForensicReader()
    for n, (original, _) in enumerate(forged_receipts(4, seed=8)):
        copy = doctored(original)
        diff = reader.compare(copy, "image/jpeg", 0, original, "image/jpeg", 0)
        theirs = side("a", "shop-a", f"A{n}")
        verdict = relate(side("b", "shop-b", f"B{n}"), theirs, diff)
        assert verdict.relation is Relation.SAME_TEMPLATE, (n, diff)  # not the same document
        match = NearMatch(theirs, 0, 0, 10, verdict, diff)
        ctx = ForensicContext(
            seller_id="shop-b", declaration=Declaration(), listing_stock=1, matches=(match,)
        )
        [finding] = altered_copy(ctx)
        assert finding.code == "voucher.altered_copy"
        assert finding.evidence["other_voucher_id"] == "a"
