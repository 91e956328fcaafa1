"""Generated vouchers of the four kinds, drawn with a CJK font at several scales, rotations
and noise levels, each with the truth printed on it, a truthful declaration, and declarations
altered on one field, as a forger would re-type them."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from probandi.domain.forensics.identifiers import USCC_CHARSET
from probandi.domain.reading.compare import compare
from probandi.domain.reading.fields import extract
from probandi.domain.reading.model import Reading
from probandi.domain.sellers import VoucherKind
from probandi.domain.vouchers import Declaration, DeclaredLine, Severity
from probandi.entrypoints.cli.demo_images import cjk_font_path

INK, PAPER = (30, 30, 30), (250, 250, 246)
COMPANIES = (
    "上海锦程贸易有限公司",
    "北京华联商贸有限责任公司",
    "杭州悦尚服饰有限公司",
    "深圳市恒通供应链管理有限公司",
    "广州天河百货有限公司",
    "成都蓉城奢品贸易有限公司",
)
MALLS = ("恒隆广场", "新世界百货", "国贸商城", "万象城购物中心")
BRANDS = (
    ("Gucci", "GG Marmont 手提包"),
    ("Prada", "Re-Edition 尼龙包"),
    ("Burberry", "经典格纹围巾"),
    ("Coach", "Tabby 单肩包"),
)
SITES = (
    "https://www.gucci.com/fr/fr/pr/",
    "https://www.prada.com/it/it/p/",
    "https://uk.burberry.com/p/",
    "https://www.coach.com/products/",
)


@dataclass(frozen=True)
class Style:
    scale: float = 1.0
    rotation: int = 0  # degrees counter-clockwise the page is turned
    noise: float = 0.0  # standard deviation of the pixel noise
    blur: float = 0.0
    jpeg: int | None = None


@dataclass(frozen=True)
class GeneratedDocument:
    kind: VoucherKind
    image: bytes
    media_type: str
    truth: dict[str, str]  # what is printed, in the reading's field names
    declaration: Declaration
    altered: tuple[tuple[str, Declaration], ...]  # (declared field altered, declaration)


def uscc(rng: random.Random) -> str:
    """A unified social credit code whose check digits hold (GB 32100, GB 11714)."""
    org = "".join(rng.choice("0123456789") for _ in range(8))
    total = sum(int(ch) * w for ch, w in zip(org, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    org += {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
    body = "91" + "".join(rng.choice("0123456789") for _ in range(6)) + org
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    value = sum(USCC_CHARSET.index(ch) * w for ch, w in zip(body, weights, strict=True))
    return body + USCC_CHARSET[(31 - value % 31) % 31]


def _font(size: int) -> ImageFont.FreeTypeFont:
    path = cjk_font_path()
    if path is None:
        raise RuntimeError("no CJK font installed")
    return ImageFont.truetype(str(path), size)


class Page:
    def __init__(self, width: int, height: int) -> None:
        self.image = Image.new("RGB", (width, height), PAPER)
        self.draw = ImageDraw.Draw(self.image)

    def text(self, xy: tuple[int, int], text: str, size: int = 18) -> None:
        self.draw.text(xy, text, font=_font(size), fill=INK)

    def field(
        self, xy: tuple[int, int], label: str, value: str, rng: random.Random, size: int = 18
    ) -> None:
        """Label and value as printers vary them: one box with a colon (full or half
        width), glued together, or the value in a box of its own further right."""
        if rng.random() < 0.25:
            self.text(xy, f"{label}：", size)
            gap = round(self.draw.textlength(f"{label}：", font=_font(size))) + 3 * size
            self.text((xy[0] + gap, xy[1]), value, size)
        else:
            self.text(xy, _label(rng, label, value), size)

    def line(self, box: tuple[int, int, int, int]) -> None:
        self.draw.rectangle(box, outline=(150, 90, 60), width=2)


def _day(rng: random.Random) -> date:
    return date(2024, 1, 1) + timedelta(days=rng.randrange(700))


def _date_text(day: date, rng: random.Random) -> str:
    return rng.choice((f"{day:%Y年%m月%d日}", f"{day:%Y%m%d}", f"{day:%Y-%m-%d}"))


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def _label(rng: random.Random, label: str, value: str) -> str:
    """Label and value as printers vary them: full-width colon, half-width, or glued."""
    return rng.choice((f"{label}：{value}", f"{label}: {value}", f"{label}{value}"))


def invoice(rng: random.Random) -> tuple[Image.Image, dict[str, str], Declaration]:
    code, number = f"0{rng.randrange(10**10, 10**11)}", f"{rng.randrange(10**7, 10**8)}"
    day, seller, buyer = _day(rng), rng.choice(COMPANIES), rng.choice(COMPANIES)
    tax_id, buyer_tax_id = uscc(rng), uscc(rng)
    brand, item = rng.choice(BRANDS)
    qty, amount = rng.randrange(1, 6), _money(rng, 300, 20000)
    tax = (amount * Decimal("0.13")).quantize(Decimal("0.01"))
    page = Page(1200, 720)
    page.text((330, 30), rng.choice(("上海增值税电子普通发票", "增值税普通发票")), 30)
    page.field((800, 40), "发票代码", code, rng)
    page.field((800, 70), "发票号码", number, rng)
    page.field((800, 100), "开票日期", _date_text(day, rng), rng)
    check_code = "".join(rng.choice("0123456789") for _ in range(20))
    page.field((800, 130), "校验码", check_code, rng)
    page.line((40, 170, 1160, 300))
    page.text((50, 200), "购买方", 20)
    page.text((130, 190), f"名    称：{buyer}")
    page.text((130, 225), f"纳税人识别号：{buyer_tax_id}")
    page.text((130, 260), "地址、电话：")
    page.text((60, 320), "货物或应税劳务、服务名称")
    for x, head in (
        (380, "规格型号"),
        (500, "单位"),
        (580, "数量"),
        (680, "单价"),
        (820, "金额"),
        (940, "税率"),
        (1040, "税额"),
    ):
        page.text((x, 320), head)
    page.text((60, 355), f"*箱包*{brand} {item}")
    page.text((580, 355), str(qty))
    page.text((820, 355), f"{amount:.2f}")
    page.text((940, 355), "13%")
    page.text((1040, 355), f"{tax:.2f}")
    page.text((120, 470), "合    计")
    page.text((800, 470), f"¥{amount:,.2f}" if rng.random() < 0.5 else f"￥{amount:.2f}")
    page.text((1020, 470), f"¥{tax:.2f}")
    page.text((120, 510), "价税合计(大写)")
    page.text((800, 510), f"(小写)¥{amount + tax:.2f}")
    page.line((40, 545, 1160, 680))
    page.text((50, 590), "销售方", 20)
    page.text((130, 560), f"名    称：{seller}")
    page.text((130, 595), f"纳税人识别号：{tax_id}")
    page.text((130, 630), "地址、电话：")
    page.text((60, 690), "收款人：    复核：    开票人：")
    truth = {
        "number": number,
        "date": day.isoformat(),
        "amount": f"{amount:.2f}",
        "tax_id": tax_id,
        "code": code,
        "buyer_name": buyer,
        "seller_name": seller,
    }
    declaration = Declaration(
        issuer=seller,
        issuer_tax_id=tax_id,
        buyer_name=buyer,
        issued_on=day,
        document_number=number,
        currency="CNY",
        lines=(DeclaredLine(brand, item, qty, amount),),
    )
    return page.image, truth, declaration


def receipt(rng: random.Random) -> tuple[Image.Image, dict[str, str], Declaration]:
    mall, day = rng.choice(MALLS), _day(rng)
    number = f"{rng.randrange(10**9, 10**12)}"
    brand, item = rng.choice(BRANDS)
    price = _money(rng, 500, 30000)
    page = Page(560, 900)
    page.text((90, 30), f"{mall} 购物小票", 28)
    page.field((30, 100), "单号", number, rng)
    at = f"{day:%Y-%m-%d} {rng.randrange(10, 21)}:{rng.randrange(10, 59)}"
    page.field((30, 135), "日期", at, rng)
    page.text((30, 170), "收银员：0" + str(rng.randrange(10, 99)))
    page.text((30, 230), "品名")
    page.text((330, 230), "数量")
    page.text((430, 230), "金额")
    page.text((30, 270), f"{brand} {item}")
    page.text((340, 270), "1")
    page.text((430, 270), f"{price:.2f}")
    page.text((30, 360), f"合计：¥{price:,.2f}")
    page.text((30, 400), f"实收：¥{price:,.2f}")
    page.text((150, 480), "谢谢惠顾 欢迎再次光临")
    truth = {"number": number, "date": day.isoformat(), "amount": f"{price:.2f}"}
    declaration = Declaration(
        issuer=mall,
        buyer_name=None,
        issued_on=day,
        document_number=number,
        currency="CNY",
        lines=(DeclaredLine(brand, item, 1, price),),
    )
    return page.image, truth, declaration


def authorization(rng: random.Random) -> tuple[Image.Image, dict[str, str], Declaration]:
    grantor, grantee = rng.sample(COMPANIES, 2)
    tax_id, brand = uscc(rng), rng.choice(BRANDS)[0]
    start = _day(rng)
    until, signed = start + timedelta(days=365 * rng.randrange(1, 3)), start
    page = Page(900, 1000)
    page.text((330, 50), "品牌授权书", 36)
    page.field((60, 160), "授权方", grantor, rng, 20)
    page.field((60, 200), "统一社会信用代码", tax_id, rng, 20)
    page.field((60, 240), "被授权方", grantee, rng, 20)
    page.field((60, 300), "授权品牌", brand, rng, 20)
    page.field((60, 340), "授权范围", "中国大陆线上店铺销售", rng, 20)
    page.text((60, 380), f"授权期限：{start:%Y年%m月%d日}至{until:%Y年%m月%d日}", 20)
    page.text((60, 460), "特此授权。", 20)
    page.text((520, 700), "授权方（盖章）", 20)
    page.text((520, 740), f"日期：{signed:%Y年%m月%d日}", 20)
    truth = {"date": signed.isoformat(), "tax_id": tax_id, "valid_until": until.isoformat()}
    declaration = Declaration(
        issuer=grantor,
        issuer_tax_id=tax_id,
        buyer_name=grantee,
        issued_on=signed,
        valid_until=until,
    )
    return page.image, truth, declaration


def capture(rng: random.Random) -> tuple[Image.Image, dict[str, str], Declaration]:
    index = rng.randrange(len(BRANDS))
    brand, item = BRANDS[index]
    site = SITES[index] + f"{rng.randrange(10**5, 10**6)}"
    price, currency = _money(rng, 200, 5000), rng.choice(("EUR", "USD", "GBP"))
    day = _day(rng)
    page = Page(1100, 700)
    page.text((30, 20), site, 20)
    page.line((20, 60, 1080, 62))
    page.text((60, 120), brand.upper(), 40)
    page.text((560, 200), f"Product: {item}", 22)
    page.text((560, 260), f"Price: {currency} {price:,.2f}", 26)
    page.text((560, 330), "ADD TO BAG", 22)
    page.text((30, 640), f"Captured: {day:%Y-%m-%d} 10:{rng.randrange(10, 59)} UTC", 18)
    truth = {"date": day.isoformat(), "amount": f"{price:.2f}"}
    declaration = Declaration(
        site_url=site,
        price=price,
        currency=currency,
        captured_at=datetime(day.year, day.month, day.day, 10, 0),
    )
    return page.image, truth, declaration


DRAW = {
    VoucherKind.PURCHASE_INVOICE: invoice,
    VoucherKind.MALL_RECEIPT: receipt,
    VoucherKind.BRAND_AUTHORIZATION: authorization,
    VoucherKind.PRICE_CAPTURE: capture,
}


def styled(image: Image.Image, style: Style, rng: random.Random) -> bytes:
    if style.scale != 1.0:
        size = (round(image.width * style.scale), round(image.height * style.scale))
        image = image.resize(size, Image.Resampling.LANCZOS)
    if style.rotation:
        image = image.rotate(style.rotation, expand=True, fillcolor=PAPER)
    if style.blur:
        image = image.filter(ImageFilter.GaussianBlur(style.blur))
    if style.noise:
        pixels = np.asarray(image, dtype=np.float32)
        noise = np.random.default_rng(rng.randrange(2**32)).normal(0, style.noise, pixels.shape)
        image = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    if style.jpeg:
        image.save(buffer, "JPEG", quality=style.jpeg)
    else:
        image.save(buffer, "PNG")
    return buffer.getvalue()


def _altered(
    decl: Declaration, kind: VoucherKind, rng: random.Random
) -> list[tuple[str, Declaration]]:
    out: list[tuple[str, Declaration]] = []
    if decl.document_number:
        other = str(
            (int(decl.document_number) + rng.randrange(1, 10**6)) % 10 ** len(decl.document_number)
        ).zfill(len(decl.document_number))
        out.append(("document_number", replace(decl, document_number=other)))
    if decl.issued_on:
        out.append(
            (
                "issued_on",
                replace(decl, issued_on=decl.issued_on + timedelta(days=rng.randrange(30, 400))),
            )
        )
    if decl.captured_at:
        out.append(
            (
                "issued_on",
                replace(
                    decl, captured_at=decl.captured_at + timedelta(days=rng.randrange(30, 400))
                ),
            )
        )
    line = decl.lines[0] if decl.lines else None
    if line is not None and line.amount is not None:
        more = (line.amount * Decimal(rng.choice(("1.5", "2", "3", "0.5")))).quantize(
            Decimal("0.01")
        )
        out.append(("amount", replace(decl, lines=(replace(line, amount=more),))))
    if decl.price is not None:
        out.append(("amount", replace(decl, price=decl.price * 2)))
    if decl.issuer_tax_id:
        out.append(("issuer_tax_id", replace(decl, issuer_tax_id=uscc(rng))))
    if decl.buyer_name and kind is VoucherKind.PURCHASE_INVOICE:
        other = next(c for c in COMPANIES if c != decl.buyer_name)
        out.append(("buyer_name", replace(decl, buyer_name=other)))
    return out


STYLES = (
    Style(),
    Style(scale=0.75),
    Style(scale=1.5, noise=8),
    Style(rotation=90),
    Style(rotation=180, noise=6),
    Style(rotation=270, scale=0.85),
    Style(noise=14, blur=0.8, jpeg=60),
    Style(rotation=2, blur=0.6, jpeg=75),
    Style(scale=0.6, jpeg=50),
    Style(rotation=90, noise=12, blur=0.8, jpeg=60),
    Style(rotation=-3, scale=0.8, noise=10),
    Style(rotation=180, scale=0.7, blur=1.0, jpeg=50),
)


def generated(count: int, *, seed: int = 15) -> list[GeneratedDocument]:
    """`count` documents cycling through the kinds and styles, deterministic for a seed."""
    rng = random.Random(seed)
    kinds = list(DRAW)
    documents: list[GeneratedDocument] = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        style = STYLES[(i // len(kinds)) % len(STYLES)]
        image, truth, declaration = DRAW[kind](rng)
        data = styled(image, style, rng)
        media = "image/jpeg" if style.jpeg else "image/png"
        documents.append(
            GeneratedDocument(
                kind, data, media, truth, declaration, tuple(_altered(declaration, kind, rng))
            )
        )
    return documents


# The reading's field that states each measured truth, by preference.
TRUTH_FIELDS = {
    "number": ("number",),
    "date": ("date",),
    "amount": ("amount", "total", "price"),
    "tax_id": ("seller_tax_id", "grantor_tax_id"),
}


@dataclass(frozen=True)
class Outcome:
    """How one generated document was read and judged."""

    kind: VoucherKind
    kind_read: VoucherKind | None
    fields_right: dict[str, bool]  # measured field -> read exactly
    truthful_hard: tuple[str, ...]  # hard contradicts_document on the truthful declaration
    truthful_kind_hard: bool
    altered_caught: tuple[tuple[str, bool, bool], ...]  # (field, any finding, hard finding)


def assess(doc: GeneratedDocument, reading: Reading) -> Outcome:
    extracted = extract(reading)
    right = {}
    for name, fields in TRUTH_FIELDS.items():
        if name in doc.truth:
            read = next((extracted.fields[f].value for f in fields if f in extracted.fields), None)
            right[name] = read == doc.truth[name]
    truthful = compare(doc.declaration, extracted, declared_kind=doc.kind)
    contradicted = [f for f in truthful if f.code == "voucher.contradicts_document"]
    caught = []
    for field, declaration in doc.altered:
        findings = compare(declaration, extracted, declared_kind=doc.kind)
        on_field = [
            f
            for f in findings
            if f.code == "voucher.contradicts_document" and f.evidence["field"] == field
        ]
        caught.append((field, bool(on_field), any(f.severity is Severity.HARD for f in on_field)))
    return Outcome(
        doc.kind,
        extracted.kind_guess,
        right,
        tuple(
            f"{f.evidence['field']}: declared {f.evidence['declared']!r}, "
            f"read {f.evidence['read']!r} at {f.evidence['confidence']}"
            for f in contradicted
            if f.severity is Severity.HARD
        ),
        any(f.code == "voucher.kind_mismatch" and f.severity is Severity.HARD for f in truthful),
        tuple(caught),
    )
