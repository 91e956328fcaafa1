"""Deterministic voucher images for tests: recycled copies versus documents on a shared template.

A recycler re-uploads someone else's voucher, re-encoded, scaled and trimmed; an honest seller
uploads a different document printed on the same template (every Chinese VAT e-invoice shares one
national layout). Both land close to the original in PDQ, which is why the gate needs a second
stage; these generators make both cases on demand. Only Latin text and digits are drawn, in
Pillow's bundled font, so the bytes depend on the Pillow version and nothing else on the machine.
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypedDict

import numpy as np
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

RGB = tuple[int, int, int]
Line = tuple[str, int, Decimal]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

INK: RGB = (35, 35, 40)
GREY: RGB = (120, 120, 128)
MAROON: RGB = (150, 70, 40)  # VAT invoices are printed in brown
RED: RGB = (210, 30, 35)
PAPER: RGB = (255, 255, 255)
CENT = Decimal("0.01")
VAT_RATE = Decimal("0.13")

# Each form is drawn at its own size and laid on a page with a white margin, as a PDF renders.
# The margins are measured, not arbitrary: under a 2% crop PDQ moves by 22-46 bits depending on
# how the page's size falls on PDQ's 64x64 sampling grid, and these sizes keep it at 16-32.
EINVOICE_SIZE = (1000, 600)
EINVOICE_MARGIN = 100
RECEIPT_SIZE = (640, 900)
RECEIPT_MARGIN = 80
RECEIPT_PAPER: RGB = (250, 248, 242)
LETTER_SIZE = (800, 1000)
COLUMNS = (40, 300, 380, 440, 520, 640, 780, 830, 960)  # the e-invoice's goods table

CITIES = ("Shanghai", "Tianjin", "Hangzhou", "Shenzhen", "Beijing", "Guangzhou", "Chengdu")
FIRMS = ("Xinyu", "Ruijia", "Mingde", "Haoran", "Jinghua", "Yuehai", "Tianfu", "Jinlan", "Zijin")
TRADES = ("Trading", "Commerce", "Supply Chain", "Import & Export", "Technology")
GOODS = ("Leather handbag", "Silk scarf", "Wool coat", "Sneakers", "Wallet", "Sunglasses", "Belt")
BOUTIQUES = (
    "GUCCI Boutique Hong Kong IFC",
    "Milan Outlet Store 12",
    "PRADA Galleria Shanghai",
    "Maison Paris Rue Cambon",
    "LV Flagship Ginza Tokyo",
    "Hermes Avenue Macau",
    "Dior Boutique Harbour City",
    "Chanel Outlet Serravalle 7",
)
RECEIPT_TERMS = (
    "Goods sold are not returnable.",
    "Exchanges within 7 days with this",
    "receipt and the original packaging.",
    "Thank you for shopping with us.",
)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


class EInvoiceFields(TypedDict):
    """The keyword arguments of `einvoice_image`, format aside."""

    buyer: str
    seller: str
    seller_tax_id: str
    code: str
    number: str
    issued_on: date
    amount: Decimal
    tax: Decimal
    items: list[Line]
    check_code: str


class ReceiptFields(TypedDict):
    """The keyword arguments of `paper_receipt_image`, format aside."""

    shop: str
    number: str
    issued_on: date
    lines: list[Line]


@functools.cache
def _font(size: int) -> Font:
    return ImageFont.load_default(size=size)


def _text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    words: str,
    size: int,
    fill: RGB = INK,
    align: str = "left",
) -> None:
    width = draw.textlength(words, font=_font(size))
    shift = {"left": 0.0, "center": width / 2, "right": width}[align]
    draw.text((xy[0] - shift, xy[1]), words, font=_font(size), fill=fill)


def _encode(image: Image.Image, fmt: str, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    if fmt.upper() in {"JPEG", "JPG"}:
        image.convert("RGB").save(buf, "JPEG", quality=quality)
    else:
        image.convert("RGB").save(buf, fmt)
    return buf.getvalue()


def _on_page(form: Image.Image, margin: int, paper: RGB) -> Image.Image:
    """The form on a page `margin` pixels wider on every side."""
    page = Image.new("RGB", (form.width + 2 * margin, form.height + 2 * margin), paper)
    page.paste(form, (margin, margin))
    return page


def _digest(*parts: object) -> str:
    """Hex that follows from the inputs, for details the arguments do not name."""
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def recycle(data: bytes, *, quality: int = 70, scale: float = 0.8, crop: float = 0.02) -> bytes:
    """What a recycler does to a stolen voucher: trim the edges, shrink, re-save as JPEG."""
    with Image.open(io.BytesIO(data)) as original:
        image = original.convert("RGB")
    width, height = image.size
    dx, dy = round(width * crop / 2), round(height * crop / 2)
    trimmed = image.crop((dx, dy, width - dx, height - dy))
    size = (max(1, round(trimmed.width * scale)), max(1, round(trimmed.height * scale)))
    return _encode(trimmed.resize(size, Image.Resampling.LANCZOS), "JPEG", quality)


# --- the national VAT e-invoice ----------------------------------------------------------------


def einvoice_qr_payload(
    *, code: str, number: str, amount: Decimal, issued_on: date, check_code: str
) -> str:
    """The text of an e-invoice's QR code, in the tax bureau's comma-separated order."""
    return f"01,10,{code},{number},{amount:.2f},{issued_on:%Y%m%d},{check_code},ABCD,"


def _qr(payload: str, module_px: int = 3) -> Image.Image:
    # Version 5 whatever the payload length, so every invoice's QR has the same footprint.
    barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, version=5)
    image = zxingcpp.write_barcode_to_image(barcode, scale=module_px, add_quiet_zones=False)
    return Image.fromarray(np.asarray(image, dtype=np.uint8))


def _einvoice_frame(draw: ImageDraw.ImageDraw) -> None:
    """Everything printed on the blank form: title, rules, boxes and their labels."""
    _text(draw, (410, 30), "SHANGHAI VAT E-INVOICE", 28, MAROON, "center")
    for y in (70, 75):
        draw.line((250, y, 570, y), fill=MAROON, width=2)
    draw.ellipse((340, 40, 480, 110), outline=RED, width=4)  # the tax bureau's oval seal
    _text(draw, (410, 84), "STATE TAXATION ADMIN.", 11, RED, "center")
    draw.rectangle((40, 150, 960, 520), outline=MAROON, width=3)
    for y in (240, 400, 432):
        draw.line((40, y, 960, y), fill=MAROON, width=2)
    for x in (72, 560, 592):  # party label columns and the cipher / remarks column
        draw.line((x, 150, x, 240), fill=MAROON, width=2)
        draw.line((x, 432, x, 520), fill=MAROON, width=2)
    for x in COLUMNS[1:-1]:
        draw.line((x, 240, x, 400), fill=MAROON, width=1)
    draw.line((300, 400, 300, 432), fill=MAROON, width=1)
    heads = ("Goods or services", "Model", "Unit", "Qty", "Unit price", "Amount", "Rate", "Tax")
    for head, (x0, x1) in zip(heads, itertools.pairwise(COLUMNS), strict=True):
        _text(draw, ((x0 + x1) / 2, 246), head, 14, MAROON, "center")
    _text(draw, (170, 380), "Total", 15, MAROON, "center")
    _text(draw, (170, 410), "Total incl. tax (in words)", 15, MAROON, "center")
    for label, top in (("BUYER", 150), ("SELLER", 432)):
        _stacked(draw, (56, top), label)
        for i, name in enumerate(("Name:", "Tax ID:", "Addr/Tel:", "Bank/Acct:")):
            _text(draw, (82, top + 10 + 20 * i), name, 14, MAROON)
    _stacked(draw, (576, 150), "CIPHER")
    _stacked(draw, (576, 432), "NOTES")
    for i, name in enumerate(("Invoice code:", "Invoice No.:", "Issue date:", "Check code:")):
        _text(draw, (610, 24 + 26 * i), name, 15, MAROON)
    for x, name in ((60, "Payee:"), (300, "Reviewer:"), (520, "Drawer:"), (740, "Seller (seal):")):
        _text(draw, (x, 534), name, 15, MAROON)


def _stacked(draw: ImageDraw.ImageDraw, top_centre: tuple[float, float], word: str) -> None:
    """A box label written top to bottom, one letter a line, as on the printed form."""
    x, top = top_centre
    first = top + (88 - 14 * len(word)) / 2
    for i, letter in enumerate(word):
        _text(draw, (x, first + 14 * i), letter, 13, MAROON, "center")


def einvoice_image(
    *,
    buyer: str,
    seller: str,
    seller_tax_id: str,
    code: str,
    number: str,
    issued_on: date,
    amount: Decimal,
    tax: Decimal,
    items: list[Line],
    check_code: str,
    fmt: str = "PNG",
) -> bytes:
    """A national VAT e-invoice look-alike: one fixed layout, the fields filled in."""
    image = Image.new("RGB", EINVOICE_SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    _einvoice_frame(draw)
    payload = einvoice_qr_payload(
        code=code, number=number, amount=amount, issued_on=issued_on, check_code=check_code
    )
    image.paste(_qr(payload), (50, 16))
    noise = _digest(code, number, seller_tax_id)
    _text(draw, (50, 132), f"Machine No.: {_digits(noise, 0, 12)}", 13, MAROON)
    checks = " ".join(check_code[i : i + 5] for i in range(0, len(check_code), 5))
    for i, value in enumerate((code, number, f"{issued_on:%Y  %m  %d}", checks)):
        _text(draw, (720, 24 + 26 * i), value, 15)
    _text(draw, (160, 160), buyer, 15)
    _einvoice_cipher(draw, noise)
    _einvoice_lines(draw, items, amount, tax)
    _einvoice_seller(draw, seller, seller_tax_id, noise)
    for x, name in ((115, "JD Mall"), (580, "JD Mall")):
        _text(draw, (x, 534), name, 15)
    _einvoice_seal(draw, seller_tax_id)
    return _encode(_on_page(image, EINVOICE_MARGIN, PAPER), fmt)


def _digits(noise: str, start: int, count: int) -> str:
    """`count` decimal digits read from the hex `noise` at `start`."""
    return f"{int(noise[start : start + count], 16) % 10**count:0{count}d}"


def _einvoice_seller(
    draw: ImageDraw.ImageDraw, seller: str, seller_tax_id: str, noise: str
) -> None:
    _text(draw, (160, 442), seller, 15)
    _text(draw, (160, 461), seller_tax_id, 17)
    street = f"No. {int(noise[12:15], 16) % 900 + 1} Beihuan Road"
    _text(draw, (160, 482), f"{street}  021-5780{_digits(noise, 15, 4)}", 13)
    _text(draw, (160, 501), f"China Construction Bank  {_digits(noise, 19, 15)}", 13)
    _text(draw, (604, 442), f"Order No.: {_digits(noise, 34, 11)}", 13)


def _einvoice_cipher(draw: ImageDraw.ImageDraw, noise: str) -> None:
    """The cipher area: four rows of symbols, derived from the invoice so they are repeatable."""
    symbols = "0123456789+-*/<>"
    chars = "".join(symbols[int(c, 16)] for c in (noise * 2)[: 4 * 28])
    for row in range(4):
        _text(draw, (604, 156 + 20 * row), chars[28 * row : 28 * (row + 1)], 15)


def _einvoice_lines(
    draw: ImageDraw.ImageDraw, items: list[Line], amount: Decimal, tax: Decimal
) -> None:
    for row, (name, quantity, unit_price) in enumerate(items[:5]):
        y = 270 + 22 * row
        line_amount = unit_price * quantity
        _text(draw, (46, y), name, 14)
        _text(draw, (515, y), str(quantity), 14, align="right")
        _text(draw, (635, y), _money(unit_price), 14, align="right")
        _text(draw, (775, y), _money(line_amount), 14, align="right")
        _text(draw, (805, y), "13%", 14, align="center")
        _text(draw, (955, y), _money((line_amount * VAT_RATE).quantize(CENT)), 14, align="right")
    _text(draw, (775, 378), f"CNY {_money(amount)}", 15, align="right")
    _text(draw, (955, 378), f"CNY {_money(tax)}", 15, align="right")
    _text(draw, (310, 410), _in_words(amount + tax), 14)
    _text(draw, (955, 410), f"(figures) CNY {_money(amount + tax)}", 15, align="right")


def _in_words(total: Decimal) -> str:
    words = ("ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE")
    return " ".join(words[int(c)] if c.isdigit() else "POINT" for c in f"{total:.2f}")


def _einvoice_seal(draw: ImageDraw.ImageDraw, seller_tax_id: str) -> None:
    draw.ellipse((760, 450, 930, 560), outline=RED, width=4)
    _text(draw, (845, 490), seller_tax_id, 11, RED, "center")
    _text(draw, (845, 512), "INVOICE SEAL", 15, RED, "center")


def _company(rng: random.Random) -> str:
    return f"{rng.choice(CITIES)} {rng.choice(FIRMS)} {rng.choice(TRADES)} Co., Ltd."


def _day_in_2026(rng: random.Random) -> date:
    return date(2026, 1, 1) + timedelta(days=rng.randrange(365))


def _goods(rng: random.Random, most: int) -> list[Line]:
    return [
        (rng.choice(GOODS), rng.randint(1, 3), Decimal(rng.randrange(5_000, 2_000_000)) / 100)
        for _ in range(rng.randint(1, most))
    ]


def einvoice_fields(rng: random.Random) -> EInvoiceFields:
    """Random but valid-looking e-invoice fields (the tax ID's check digit is not computed)."""
    items = _goods(rng, 3)
    amount = sum((price * quantity for _, quantity, price in items), Decimal(0))
    region = rng.choice(("310000", "120000", "330100", "440300", "110000"))
    body = "".join(rng.choice(USCC_ALPHABET) for _ in range(10))
    return EInvoiceFields(
        buyer=rng.choice(("Individual", _company(rng))),
        seller=_company(rng),
        seller_tax_id=f"91{region}{body}",
        code=f"0{rng.randrange(10**11):011d}",
        number=f"{rng.randrange(10**8):08d}",
        issued_on=_day_in_2026(rng),
        amount=amount,
        tax=(amount * VAT_RATE).quantize(CENT),
        items=items,
        check_code=f"{rng.randrange(10**20):020d}",
    )


def same_template_einvoices(n: int, seed: int) -> list[tuple[bytes, EInvoiceFields]]:
    """`n` different e-invoices on the national template, with the fields each shows."""
    rng = random.Random(seed)
    fields = [einvoice_fields(rng) for _ in range(n)]
    return [(einvoice_image(**f), f) for f in fields]


# --- a forger's boutique receipt ---------------------------------------------------------------


def _receipt_form(draw: ImageDraw.ImageDraw) -> None:
    """The printed template the forgery service sells; identical on every receipt."""
    width = RECEIPT_SIZE[0]
    gold = (214, 190, 120)
    draw.rectangle((250, 22, 390, 108), fill=(24, 24, 26))  # the logo box
    draw.ellipse((285, 36, 355, 94), outline=gold, width=6)
    _text(draw, (320, 118), "MAISON DE LUXE", 16, INK, "center")
    draw.line((40, 150, width - 40, 150), fill=gold, width=3)
    _text(draw, (320, 196), "Tel +852 2234 5678   www.maison-de-luxe.com", 13, GREY, "center")
    _text(draw, (320, 232), "SALES RECEIPT", 26, align="center")
    for i, label in enumerate(("Receipt No.", "Date", "Cashier")):
        _text(draw, (50, 282 + 28 * i), label, 16, GREY)
    draw.rectangle((40, 370, width - 40, 400), fill=(60, 60, 64))
    for head, x, align in (("ITEM", 50, "left"), ("QTY", 400, "right"), ("AMOUNT", 590, "right")):
        _text(draw, (x, 376), head, 16, (250, 248, 242), align)
    for x in (340, 420):
        draw.line((x, 400, x, 652), fill=GREY, width=2)
    for row in range(7):
        y = 436 + 36 * row
        for x in range(40, width - 40, 8):  # a dotted rule under each row
            draw.line((x, y, x + 3, y), fill=GREY, width=1)
    draw.rectangle((40, 668, width - 40, 712), fill=(230, 226, 216))
    _text(draw, (50, 678), "TOTAL", 22)
    for i, term in enumerate(RECEIPT_TERMS):
        _text(draw, (50, 740 + 20 * i), term, 13, GREY)
    draw.ellipse((450, 736, 590, 856), outline=RED, width=8)  # the fake shop stamp
    _text(draw, (520, 786), "PAID", 20, RED, "center")


def paper_receipt_image(
    *, shop: str, number: str, issued_on: date, lines: list[Line], fmt: str = "JPEG"
) -> bytes:
    """A forged luxury-boutique receipt: one printed template, the shop and sale written in."""
    image = Image.new("RGB", RECEIPT_SIZE, RECEIPT_PAPER)
    draw = ImageDraw.Draw(image)
    _receipt_form(draw)
    _text(draw, (320, 166), shop, 19, align="center")
    _text(draw, (590, 282), number, 16, align="right")
    _text(draw, (590, 310), f"{issued_on:%d/%m/%Y}", 16, align="right")
    _text(draw, (590, 338), f"#{int(_digest(shop)[:4], 16) % 90 + 10}", 16, align="right")
    for row, (item, quantity, price) in enumerate(lines[:7]):
        y = 412 + 36 * row
        _text(draw, (50, y), item, 16)
        _text(draw, (400, y), str(quantity), 16, align="right")
        _text(draw, (590, y), _money(price * quantity), 16, align="right")
    total = sum((price * quantity for _, quantity, price in lines), Decimal(0))
    _text(draw, (590, 680), f"HKD {_money(total)}", 20, align="right")
    return _encode(_on_page(image, RECEIPT_MARGIN, RECEIPT_PAPER), fmt)


def einvoice_declaration(
    buyer: str,
    *,
    seller: str,
    tax_id: str,
    number: str,
    amount: Decimal,
    on: date,
    item: str = "bag",
    quantity: int = 1,
) -> dict[str, Any]:
    """An e-invoice's declaration as the API takes it: one GUCCI line of `amount`."""
    return {
        "issuer": seller,
        "issuer_tax_id": tax_id,
        "buyer_name": buyer,
        "issued_on": on.isoformat(),
        "document_number": number,
        "currency": "CNY",
        "lines": [{"brand": "GUCCI", "item": item, "quantity": quantity, "amount": str(amount)}],
    }


def fields_declaration(
    buyer: str, f: EInvoiceFields, *, amount: Decimal | None = None
) -> dict[str, Any]:
    """The declaration of a generated e-invoice by `buyer`: its own fields, and `amount`
    (by default what it totals with tax)."""
    return einvoice_declaration(
        buyer,
        seller=f["seller"],
        tax_id=f["seller_tax_id"],
        number=f["number"],
        on=f["issued_on"],
        amount=f["amount"] + f["tax"] if amount is None else amount,
    )


def receipt_declaration(fields: ReceiptFields, seller: str, today: date) -> dict[str, Any]:
    """A forged receipt's declaration in `seller`'s own name, dated ten days before `today`."""
    return {
        "issuer": fields["shop"],
        "buyer_name": f"{seller} 贸易有限公司",
        "issued_on": (today - timedelta(days=10)).isoformat(),
        "document_number": fields["number"],
        "currency": "CNY",
        "lines": [{"brand": "GUCCI", "item": "bag", "quantity": 2, "amount": "30000.00"}],
    }


def receipt_as_read(fields: ReceiptFields, buyer: str) -> dict[str, Any]:
    """A receipt declared as it reads: its shop, number, day and total (Hong Kong dollars);
    the first line's goods under a GUCCI line."""
    item, quantity, _ = fields["lines"][0]
    total = sum((price * n for _, n, price in fields["lines"]), Decimal(0))
    return {
        "issuer": fields["shop"],
        "buyer_name": buyer,
        "issued_on": fields["issued_on"].isoformat(),
        "document_number": fields["number"],
        "currency": "HKD",
        "lines": [{"brand": "GUCCI", "item": item, "quantity": quantity, "amount": str(total)}],
    }


def forged_receipts(n: int, seed: int) -> list[tuple[bytes, ReceiptFields]]:
    """`n` receipts from one forgery template, for different shops, numbers and sales."""
    rng = random.Random(seed)
    out: list[tuple[bytes, ReceiptFields]] = []
    for i in range(n):
        fields = ReceiptFields(
            shop=BOUTIQUES[(seed + i) % len(BOUTIQUES)],
            number=f"{rng.choice('HMPT')}{rng.randrange(10**7):07d}",
            issued_on=_day_in_2026(rng),
            lines=_goods(rng, 3),
        )
        out.append((paper_receipt_image(**fields), fields))
    return out


# --- something else entirely -------------------------------------------------------------------

LETTER_SENTENCES = (
    "We hereby confirm that the company named below is an authorized reseller of our goods.",
    "This authorization covers online sales in mainland China through the listed shop only.",
    "The reseller may use our trademarks solely to describe genuine products it has bought.",
    "Any sub-licensing, transfer or assignment of this authorization is expressly excluded.",
    "This letter may be withdrawn at any time by written notice to the reseller.",
    "Questions about this letter may be sent to our brand protection department.",
)


def unrelated_document_image(seed: int) -> bytes:
    """A brand authorization letter: paragraphs and a signature line, no grid, no QR."""
    rng = random.Random(seed)
    width, height = LETTER_SIZE
    image = Image.new("RGB", LETTER_SIZE, PAPER)
    draw = ImageDraw.Draw(image)
    _text(draw, (width / 2, 60), "LETTER OF AUTHORIZATION", 32, align="center")
    _text(draw, (width - 70, 130), f"Ref. LA-{rng.randrange(10**6):06d}", 14, GREY, "right")
    y = 190
    for _ in range(4):
        for sentence in rng.sample(LETTER_SENTENCES, 3):
            _text(draw, (70, y), sentence, 15)
            y += 26
        y += 30
    draw.line((480, height - 180, width - 70, height - 180), fill=INK, width=2)
    _text(draw, (480, height - 170), "Authorized signatory", 14, GREY)
    _text(draw, (70, height - 120), f"Issued {_day_in_2026(rng):%d %B %Y}", 15)
    return _encode(image, "PNG")


def rotated(data: bytes) -> bytes:
    """A portrait phone shot of a landscape document: the pixels turned, no EXIF to undo it."""
    with Image.open(io.BytesIO(data)) as image:
        turned = image.convert("RGB").transpose(Image.Transpose.ROTATE_270)
    buf = io.BytesIO()
    turned.save(buf, "PNG")
    return buf.getvalue()
