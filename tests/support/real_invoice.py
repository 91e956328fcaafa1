"""The real e-invoice of the shared data, and the same national template refilled with
another buyer, seller, number, date and amount: what an honest second seller would show."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import zxingcpp
from PIL import Image, ImageDraw, ImageFont

REAL_CODE, REAL_NUMBER, REAL_DATE = "012001800311", "33207675", date(2019, 5, 8)
REAL_SELLER, REAL_SELLER_TAX_ID = "天津瑞佳讯贸易有限公司", "91120222079642398Y"
REAL_AMOUNT, REAL_TAX = Decimal("46.62"), Decimal("6.08")

WHITE, INK = (255, 255, 255), (40, 40, 40)
# Field boxes of the real 980 x 575 invoice (left, top, right, bottom), inside its grid lines.
QR_BOX = (100, 48, 168, 116)
CODE_AND_NUMBER = (681, 52, 800, 90)
BUYER = (191, 151, 400, 165)
AMOUNTS = ((630, 251, 686, 265), (800, 251, 835, 265), (630, 381, 686, 396), (785, 381, 835, 396))
TOTAL = (680, 403, 740, 418)
SELLER = (191, 431, 470, 465)


def real_invoice_path(shared: Path) -> Path:
    return shared / "invoices" / "e-invoice-real.png"


@dataclass(frozen=True)
class Refill:
    code: str
    number: str
    issued_on: date
    amount: Decimal
    tax: Decimal
    buyer: str
    seller: str
    seller_tax_id: str
    check_code: str

    @property
    def qr_payload(self) -> str:
        return (
            f"01,10,{self.code},{self.number},{self.amount:.2f},{self.issued_on:%Y%m%d},"
            f"{self.check_code},ABCD,"
        )


def a_refill(seed: int) -> Refill:
    rng = random.Random(seed)
    amount = Decimal(rng.randrange(2_000, 9_000)) / 100
    return Refill(
        code=f"0{rng.randrange(10**10, 10**11)}",
        number=f"{rng.randrange(10**7, 10**8)}",
        issued_on=REAL_DATE,
        amount=amount,
        tax=(amount * Decimal("0.13")).quantize(Decimal("0.01")),
        buyer=f"Buyer {rng.randrange(10**6)} Trading Co.",
        seller=f"Seller {rng.randrange(10**6)} Commerce Ltd.",
        seller_tax_id=f"9111{rng.randrange(10**13, 10**14)}",
        check_code="".join(rng.choice("0123456789") for _ in range(20)),
    )


def _blank(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int]) -> None:
    draw.rectangle(box, fill=WHITE)


def refilled(real_png: bytes, r: Refill) -> bytes:
    """The real invoice's layout with buyer, seller, number and amounts replaced (PNG)."""
    image = Image.open(io.BytesIO(real_png)).convert("RGB")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=12)
    for box in (QR_BOX, CODE_AND_NUMBER, BUYER, *AMOUNTS, TOTAL, SELLER):
        _blank(draw, box)
    barcode = zxingcpp.create_barcode(r.qr_payload, zxingcpp.BarcodeFormat.QRCode)
    qr = Image.fromarray(zxingcpp.write_barcode_to_image(barcode, scale=2)).convert("RGB")
    qr = qr.resize((QR_BOX[2] - QR_BOX[0], QR_BOX[3] - QR_BOX[1]), Image.Resampling.NEAREST)
    image.paste(qr, QR_BOX[:2])
    draw.text((CODE_AND_NUMBER[0], CODE_AND_NUMBER[1] + 2), r.code, font=font, fill=INK)
    draw.text((CODE_AND_NUMBER[0], CODE_AND_NUMBER[1] + 25), r.number, font=font, fill=INK)
    draw.text(BUYER[:2], r.buyer, font=font, fill=INK)
    money = (r.amount, r.tax, r.amount, r.tax)
    for box, value in zip(AMOUNTS, money, strict=True):
        draw.text((box[0] + 2, box[1] + 1), f"{value:.2f}", font=font, fill=INK)
    draw.text((TOTAL[0] + 2, TOTAL[1] + 1), f"{r.amount + r.tax:.2f}", font=font, fill=INK)
    draw.text((SELLER[0], SELLER[1] + 1), r.seller, font=font, fill=INK)
    draw.text((SELLER[0], SELLER[1] + 19), r.seller_tax_id, font=font, fill=INK)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()
