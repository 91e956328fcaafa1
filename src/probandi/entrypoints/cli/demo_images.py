"""Demo voucher images: invoices, receipts, authorization letters and price captures.

Drawn with Pillow, deterministic given their inputs and the fonts on the machine: the same
document always gives the same bytes, which is what lets the demo show an exact-reuse rejection.
Without a CJK font the Latin rendering of every Chinese text is drawn instead.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1000, 700
FONT_ROOTS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
CJK_PATTERNS = ("NotoSansCJK*", "NotoSerifCJK*", "SourceHanSans*", "wqy*", "DroidSansFallback*")
FONT_SUFFIXES = (".ttc", ".otf", ".ttf")
INK = (30, 30, 38)
MAROON = (140, 70, 40)  # Chinese VAT invoices are printed in brown
GREY = (120, 120, 128)
RED = (205, 25, 35)
PAPER = (253, 251, 244)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
XY = tuple[float, float]


@dataclass(frozen=True)
class Text:
    """Words in Chinese with the Latin rendering drawn when no CJK font is installed."""

    zh: str
    latin: str


INVOICE_TITLE = Text("增值税专用发票", "VAT SPECIAL INVOICE")
INVOICE_SEAL = Text("发票专用章", "INVOICE SEAL")
CASHIER_SEAL = Text("收银专用章", "CASHIER SEAL")
LETTER_SEAL = Text("授权专用章", "AUTHORIZED")
DRAWERS = Text(
    "收款人: 王丽   复核: 张伟   开票人: 李娜",
    "Payee: Wang Li   Checked: Zhang Wei   Drawer: Li Na",
)


@dataclass(frozen=True)
class Party:
    name: Text
    tax_id: str | None = None
    address: Text | None = None


@dataclass(frozen=True)
class DocLine:
    item: Text
    quantity: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class Document:
    """An invoice or receipt: who sold what to whom, when, under which number."""

    number: str
    issued_on: date
    issuer: Party
    buyer: Party
    lines: tuple[DocLine, ...]
    currency: str = "CNY"

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal(0))


@dataclass(frozen=True)
class AuthorizationLetter:
    number: str
    issued_on: date
    valid_until: date
    grantor: Party
    grantee: Party
    brand: str
    scope: tuple[Text, ...]


@dataclass(frozen=True)
class PriceCapture:
    url: str
    brand: str
    product: str
    price: Decimal
    currency: str
    captured_at: datetime


@functools.cache
def cjk_font_path() -> Path | None:
    """The first CJK-capable font installed, if any."""
    for root in FONT_ROOTS:  # a missing root globs to nothing
        for pattern in CJK_PATTERNS:
            try:
                found = sorted(p for p in root.rglob(pattern) if p.suffix.lower() in FONT_SUFFIXES)
            except OSError:  # an unreadable font directory is no reason to fail the demo
                continue
            if found:
                return found[0]
    return None


@functools.cache
def _cjk_font(size: int) -> Font | None:
    path = cjk_font_path()
    if path is None:
        return None
    try:
        return ImageFont.truetype(str(path), size)
    except (OSError, ImportError):
        return None


@functools.cache
def _latin_font(size: int) -> Font:
    try:
        return ImageFont.load_default(size=size)
    except (OSError, ImportError):  # Pillow built without FreeType: fixed-size bitmap font
        return ImageFont.load_default()


def money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


class Pen:
    """Draws bilingual text in the best font the machine has."""

    def __init__(self, image: Image.Image) -> None:
        self.draw = ImageDraw.Draw(image)
        self.cjk = _cjk_font(20) is not None

    def font(self, size: int) -> Font:
        return (_cjk_font(size) if self.cjk else None) or _latin_font(size)

    def words(self, text: Text | str) -> str:
        if isinstance(text, str):
            return text
        return text.zh if self.cjk else text.latin

    def text(
        self,
        xy: XY,
        text: Text | str,
        size: int = 18,
        *,
        fill: tuple[int, int, int] = INK,
        align: str = "left",
    ) -> float:
        """Draw one line; return the x where it ends."""
        words, font = self.words(text), self.font(size)
        width = self.draw.textlength(words, font=font)
        shift = {"left": 0.0, "right": width, "center": width / 2}[align]
        self.draw.text((xy[0] - shift, xy[1]), words, font=font, fill=fill)
        return xy[0] - shift + width

    def fitted(self, text: Text, size: int, width: float) -> tuple[str, Font]:
        """The words in the largest font up to `size` that fits `width` (at least 9 px)."""
        words = self.words(text)
        while size > 9 and self.draw.textlength(words, font=self.font(size)) > width:
            size -= 1
        return words, self.font(size)

    def wrapped(self, xy: XY, text: Text, size: int, width: int) -> float:
        """Draw `text` wrapped to `width` pixels; return the y below it."""
        words, font = self.words(text), self.font(size)
        tokens = list(words) if self.cjk else [w + " " for w in words.split()]
        x, y, line = xy[0], xy[1], ""
        for token in tokens:
            if line and self.draw.textlength(line + token, font=font) > width:
                self.draw.text((x, y), line.rstrip(), font=font, fill=INK)
                y, line = y + size * 1.6, token.lstrip()
            else:
                line += token
        self.draw.text((x, y), line.rstrip(), font=font, fill=INK)
        return y + size * 1.6


def _seed(*parts: object) -> int:
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def stamp(image: Image.Image, centre: XY, issuer: Text, label: Text, *, seed: int) -> None:
    """A red company seal: a ring, a star, the issuer and the seal's purpose, slightly askew."""
    size = 190
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = Pen(layer)
    red = (*RED, 190)
    pen.draw.ellipse((6, 6, size - 6, size - 6), outline=red, width=6)
    c = size / 2
    pen.draw.polygon(_star(c, 84.0, 28.0), fill=red)
    for text, y, font_size in ((issuer, 32, 14), (label, 126, 16)):
        words, font = pen.fitted(text, font_size, 132)
        width = pen.draw.textlength(words, font=font)
        pen.draw.text((c - width / 2, y), words, font=font, fill=red)
    angle = (seed % 31) - 15
    rotated = layer.rotate(angle, resample=Image.Resampling.BICUBIC)
    image.paste(rotated, (int(centre[0] - c), int(centre[1] - c)), rotated)


def _star(x: float, y: float, radius: float) -> list[XY]:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.4
        angle = math.radians(-90 + 36 * i)
        points.append((x + r * math.cos(angle), y + r * math.sin(angle)))
    return points


def recycled(data: bytes, *, quality: int = 70, scale: float = 0.8, crop: float = 0.02) -> bytes:
    """What a recycler does to a stolen invoice: trims the edges, shrinks, re-saves as JPEG."""
    with Image.open(io.BytesIO(data)) as original:
        image = original.convert("RGB")
    dx, dy = round(image.width * crop / 2), round(image.height * crop / 2)
    trimmed = image.crop((dx, dy, image.width - dx, image.height - dy))
    size = (round(trimmed.width * scale), round(trimmed.height * scale))
    buf = io.BytesIO()
    trimmed.resize(size, Image.Resampling.LANCZOS).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _encode(image: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    options = {"quality": 88} if fmt == "JPEG" else {}
    image.convert("RGB").save(buf, fmt, **options)
    return buf.getvalue()


def _table(pen: Pen, top: int, doc: Document, columns: tuple[int, ...]) -> int:
    """Item lines under a header row; returns the y below the last line."""
    heads = (
        Text("货物或应税劳务名称", "Goods or services"),
        Text("数量", "Qty"),
        Text("单价", "Unit price"),
        Text("金额", "Amount"),
    )
    pen.draw.rectangle((40, top, WIDTH - 40, top + 34), fill=(246, 238, 226))
    for head, x in zip(heads, columns, strict=True):
        pen.text((x, top + 8), head, 16, fill=MAROON, align="left" if x == columns[0] else "right")
    y = top + 44
    for line in doc.lines:
        pen.text((columns[0], y), line.item, 17)
        pen.text((columns[1], y), str(line.quantity), 17, align="right")
        pen.text((columns[2], y), money(line.unit_price), 17, align="right")
        pen.text((columns[3], y), money(line.amount), 17, align="right")
        y += 30
    pen.draw.line((40, y + 4, WIDTH - 40, y + 4), fill=MAROON, width=1)
    return y + 12


def _party_box(pen: Pen, top: int, role: Text, party: Party) -> None:
    pen.draw.rectangle((40, top, WIDTH - 40, top + 92), outline=MAROON, width=2)
    pen.draw.line((110, top, 110, top + 92), fill=MAROON, width=2)
    pen.text((52, top + 34), role, 18, fill=MAROON)
    rows: list[tuple[Text, Text | str]] = [
        (Text("名称", "Name"), party.name),
        (Text("纳税人识别号", "Tax ID"), party.tax_id or "-"),
    ]
    if party.address is not None:
        rows.append((Text("地    址", "Address"), party.address))
    for i, (label, value) in enumerate(rows):
        end = pen.text((125, top + 10 + 27 * i), label, 16, fill=MAROON)
        pen.text((end + 14, top + 9 + 27 * i), value, 17)


def purchase_invoice(doc: Document) -> bytes:
    """A VAT special invoice (增值税专用发票) as a 1000x700 PNG scan."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    pen = Pen(image)
    pen.text((WIDTH / 2, 22), INVOICE_TITLE, 34, fill=MAROON, align="center")
    pen.draw.line((330, 70, 670, 70), fill=MAROON, width=2)
    pen.draw.line((330, 75, 670, 75), fill=MAROON, width=2)
    pen.text((WIDTH - 40, 24), f"No. {doc.number}", 18, fill=RED, align="right")
    pen.text(
        (WIDTH - 40, 50),
        Text(f"开票日期: {doc.issued_on:%Y年%m月%d日}", f"Date: {doc.issued_on:%Y-%m-%d}"),
        16,
        align="right",
    )
    _party_box(pen, 92, Text("购买方", "Buyer"), doc.buyer)
    y = _table(pen, 198, doc, (55, 640, 790, WIDTH - 55))
    tax = (doc.total * Decimal("0.13") / Decimal("1.13")).quantize(Decimal("0.01"))
    pen.text((55, y), Text("其中税额 (13%)", "incl. VAT 13%"), 16, fill=MAROON)
    pen.text((WIDTH - 55, y), money(tax), 17, align="right")
    pen.text((55, y + 30), Text("价税合计", "Total incl. tax"), 18, fill=MAROON)
    pen.text((WIDTH - 55, y + 28), f"{doc.currency} {money(doc.total)}", 22, align="right")
    _party_box(pen, HEIGHT - 170, Text("销售方", "Seller"), doc.issuer)
    pen.text((55, HEIGHT - 60), DRAWERS, 15, fill=GREY)
    seed = _seed(doc.number, doc.issued_on)
    stamp(image, (WIDTH - 170, HEIGHT - 130), doc.issuer.name, INVOICE_SEAL, seed=seed)
    return _encode(image, "PNG")


def mall_receipt(doc: Document) -> bytes:
    """A till receipt photographed on a desk, as a 1000x700 JPEG."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (92, 84, 78))
    left, right = 240, 760
    ImageDraw.Draw(image).rectangle((left, 20, right, HEIGHT - 20), fill=(250, 250, 246))
    pen = Pen(image)
    mid = (left + right) / 2
    pen.text((mid, 40), doc.issuer.name, 20, align="center")
    pen.text((mid, 70), doc.issuer.address or "", 14, fill=GREY, align="center")
    pen.text((mid, 96), Text("销售小票", "SALES RECEIPT"), 22, align="center")
    rows = (
        (Text("单号", "No."), doc.number),
        (Text("日期", "Date"), f"{doc.issued_on:%Y-%m-%d} 15:42"),
        (Text("会员/抬头", "Bill to"), pen.words(doc.buyer.name)),
    )
    y = 136
    for label, value in rows:
        pen.text((left + 24, y), label, 15, fill=GREY)
        pen.text((right - 24, y), value, 15, align="right")
        y += 26
    y = _receipt_lines(pen, y + 8, doc, left + 24, right - 24)
    pen.text((left + 24, y), Text("合计", "TOTAL"), 22)
    pen.text((right - 24, y), f"{doc.currency} {money(doc.total)}", 22, align="right")
    pen.text((left + 24, y + 40), Text("支付方式: 银联卡", "Paid by: UnionPay card"), 15)
    pen.text(
        (left + 24, y + 66),
        Text(f"纳税人识别号: {doc.issuer.tax_id or '-'}", f"Tax ID: {doc.issuer.tax_id or '-'}"),
        14,
        fill=GREY,
    )
    seed = _seed(doc.number)
    stamp(image, (right - 120, HEIGHT - 130), doc.issuer.name, CASHIER_SEAL, seed=seed)
    return _encode(image, "JPEG")


def _receipt_lines(pen: Pen, top: int, doc: Document, left: int, right: int) -> int:
    pen.draw.line((left, top, right, top), fill=GREY, width=1)
    y = top + 10
    for line in doc.lines:
        pen.text((left, y), line.item, 15)
        pen.text((left + 10, y + 22), f"{line.quantity} x {money(line.unit_price)}", 14, fill=GREY)
        pen.text((right, y + 22), money(line.amount), 15, align="right")
        y += 52
    pen.draw.line((left, y, right, y), fill=GREY, width=1)
    return y + 12


def authorization_letter(letter: AuthorizationLetter) -> bytes:
    """A brand's letter of authorization naming the shop, as a 1000x700 PNG scan."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    pen = Pen(image)
    pen.text((WIDTH / 2, 24), letter.brand.upper(), 36, align="center")
    pen.draw.line((60, 76, WIDTH - 60, 76), fill=INK, width=2)
    pen.text((WIDTH / 2, 92), Text("品牌授权书", "LETTER OF AUTHORIZATION"), 28, align="center")
    pen.text((WIDTH - 60, 136), f"No. {letter.number}", 16, fill=GREY, align="right")
    grantee = letter.grantee
    body = Text(
        f"兹授权{grantee.name.zh}(统一社会信用代码: {grantee.tax_id})在中国大陆地区线上店铺销售"
        f"{letter.brand}品牌正品商品。授权期限自{letter.issued_on:%Y年%m月%d日}至"
        f"{letter.valid_until:%Y年%m月%d日}止。",
        f"We hereby authorize {grantee.name.latin} (USCC {grantee.tax_id}) to sell genuine "
        f"{letter.brand} goods in its online shop in mainland China, from "
        f"{letter.issued_on:%Y-%m-%d} until {letter.valid_until:%Y-%m-%d}.",
    )
    y = pen.wrapped((60, 172), body, 19, WIDTH - 120)
    pen.draw.rectangle((60, y + 6, WIDTH - 60, y + 40), fill=(238, 238, 242))
    pen.text((72, y + 14), Text("授权范围", "Scope of authorization"), 16)
    y += 50
    for i, scope in enumerate(letter.scope, start=1):
        pen.text((72, y), f"{i}.", 16)
        pen.text((100, y), scope, 16)
        y += 28
    pen.text((WIDTH - 300, HEIGHT - 150), Text("授权方 (盖章):", "Grantor (seal):"), 16)
    pen.text((WIDTH - 300, HEIGHT - 120), letter.grantor.name, 17)
    pen.text((WIDTH - 300, HEIGHT - 90), f"{letter.issued_on:%Y-%m-%d}", 16)
    seed = _seed(letter.number)
    stamp(image, (WIDTH - 190, HEIGHT - 130), letter.grantor.name, LETTER_SEAL, seed=seed)
    return _encode(image, "PNG")


def price_capture(capture: PriceCapture) -> bytes:
    """A browser screenshot of the product on the brand's official site, as a PNG."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    pen = Pen(image)
    pen.draw.rectangle((0, 0, WIDTH, 48), fill=(222, 225, 230))
    for i, colour in enumerate(((237, 106, 94), (245, 191, 79), (98, 197, 84))):
        pen.draw.ellipse((16 + i * 22, 17, 30 + i * 22, 31), fill=colour)
    pen.draw.rounded_rectangle((100, 10, WIDTH - 20, 38), radius=12, fill=(255, 255, 255))
    pen.text((118, 16), capture.url, 14, fill=GREY)
    pen.text((WIDTH / 2, 66), capture.brand.upper(), 30, align="center")
    pen.draw.line((0, 112, WIDTH, 112), fill=(230, 230, 230), width=1)
    pen.draw.rectangle((60, 140, 480, 640), fill=(243, 241, 238))
    pen.draw.rounded_rectangle((150, 330, 390, 520), radius=18, fill=(25, 25, 28))
    pen.draw.arc((200, 250, 340, 400), start=180, end=360, fill=(25, 25, 28), width=10)
    pen.text((540, 180), capture.product, 24)
    pen.text((540, 230), f"{capture.currency} {money(capture.price)}", 28)
    pen.text((540, 280), "Tax included. Free shipping.", 15, fill=GREY)
    pen.draw.rectangle((540, 330, 900, 380), fill=(20, 20, 20))
    pen.text((720, 345), "ADD TO BAG", 18, fill=(255, 255, 255), align="center")
    captured = f"Captured {capture.captured_at:%Y-%m-%d %H:%M} UTC"
    pen.text((WIDTH - 20, HEIGHT - 30), captured, 14, fill=GREY, align="right")
    return _encode(image, "PNG")
