"""A credential as a one-page letter for the print-minded brand (PNG or PDF, A4 at 200 dpi):
the signed `vc+jwt` as a large QR code under a short bilingual text of what it grants. The
platform verifies the QR; people read the text, so it must show what the token signs."""

from __future__ import annotations

import base64
import binascii
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeAlias

import segno
from PIL import Image, ImageDraw, ImageFont

from probandi.domain.errors import InvalidInput

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
DPI = 200
PAGE = (1654, 2339)  # A4 (210 x 297 mm) at 200 dpi
MARGIN = 130
QR_MAX_SIDE = 1250  # about 16 cm: modules stay above half a millimetre up to version 40
QUIET_ZONE = 4  # modules, as ISO/IEC 18004 asks
TITLE_SIZE, BODY_SIZE, LINE_HEIGHT = 56, 30, 44
TITLE = "授权经销商证明 Authorized Reseller Credential"
NOTICE = (
    "二维码即品牌签名的授权凭证；平台会对照品牌公布的状态列表核验其是否已被撤销。",
    "The QR code holds the signed credential; the platform checks it against the brand's "
    "published status list.",
)
Font: TypeAlias = ImageFont.FreeTypeFont | ImageFont.ImageFont


def letter_text(payload: Mapping[str, Any]) -> list[str]:
    """What the credential grants, one line per fact (Chinese label, then English)."""
    issuer = payload.get("issuer")
    issuer = issuer if isinstance(issuer, Mapping) else {"id": issuer}
    subject = payload.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    scheme = _show(subject.get("registrationScheme") or "USCC")
    lines = [
        f"签发方 Issuer: {_show(issuer.get('name'))} ({_show(issuer.get('id'))})",
        f"被授权方 Authorized reseller: {_show(subject.get('legalName'))}",
        f"注册号 Registration ({scheme}): {_show(subject.get('registrationId'))}",
        f"授权品牌 Brands: {_brands(subject.get('brands'))}",
    ]
    scope = subject.get("scope")
    if isinstance(scope, Mapping) and scope:
        lines.append(f"授权范围 Scope: {_scope(scope)}")
    until = payload.get("validUntil")
    ending = f"至 to {_show(until)}" if until else "起 onwards (长期 no end date)"
    lines += [
        f"有效期 Valid: {_show(payload.get('validFrom'))} {ending}",
        f"证书编号 Credential id: {_show(payload.get('id'))}",
        *NOTICE,
    ]
    return lines


def _show(value: object) -> str:
    return str(value).strip() if value is not None and str(value).strip() else "—"


def _brands(brands: object) -> str:
    if not isinstance(brands, list) or not brands:
        return "—"
    names = (b.get("name") or b.get("id") if isinstance(b, Mapping) else b for b in brands)
    return ", ".join(_show(n) for n in names)


def _scope(scope: Mapping[str, Any]) -> str:
    labels = {"categories": "品类 categories", "channels": "渠道 channels"}
    parts = [f"{labels[k]} {', '.join(map(str, scope[k]))}" for k in labels if scope.get(k)]
    if scope.get("quantityCap") is not None:
        parts.append(f"数量上限 quantity cap {scope['quantityCap']}")
    return "; ".join(parts) or "—"


def render_png(token: str, payload: Mapping[str, Any]) -> bytes:
    """The letter as a grayscale PNG (1654 x 2339 px, 200 dpi)."""
    out = io.BytesIO()
    _page(token, payload).save(out, "PNG", dpi=(DPI, DPI), optimize=True)
    return out.getvalue()


def render_pdf(token: str, payload: Mapping[str, Any]) -> bytes:
    """The letter as a one-page A4 PDF; the page is bilevel so Pillow stores it losslessly
    (CCITT G4) rather than as a JPEG that would blur the QR's modules."""
    out = io.BytesIO()
    bilevel = _page(token, payload).convert("1", dither=Image.Dither.NONE)
    bilevel.save(out, "PDF", resolution=DPI)
    return out.getvalue()


def _page(token: str, payload: Mapping[str, Any]) -> Image.Image:
    code = _qr(token)
    _check_same(token, payload)
    width = PAGE[0] - 2 * MARGIN
    modules = int(code.symbol_size(border=QUIET_ZONE)[0])
    side = min(width, QR_MAX_SIDE) // modules * modules
    page = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(page)
    cjk = CJK_FONT.is_file()
    title, body = _font(TITLE_SIZE, cjk), _font(BODY_SIZE, cjk)
    draw.text((MARGIN, MARGIN), _drawable(TITLE, cjk), font=title, fill=0)
    y = MARGIN + TITLE_SIZE * 2
    rows = [r for line in letter_text(payload) for r in _wrap(_drawable(line, cjk), body, width)]
    room = (PAGE[1] - MARGIN - side - y) // LINE_HEIGHT - 1
    if len(rows) > room:
        rows = [*rows[: room - 1], "..."]
    for row in rows:
        draw.text((MARGIN, y), row, font=body, fill=0)
        y += LINE_HEIGHT
    symbol = _symbol(code, side // modules)
    page.paste(symbol, ((PAGE[0] - side) // 2, y + LINE_HEIGHT))
    return page


def _qr(token: str) -> segno.QRCode:
    """Level M when the token fits, else L; a token no QR version holds is refused."""
    for level in ("M", "L"):
        try:
            return segno.make_qr(token, error=level, boost_error=False)
        except segno.DataOverflowError:
            continue
    raise InvalidInput(
        "the credential (%(length)s characters) is too long for a QR code",
        field="credential",
        params={"length": len(token)},
    )


def _check_same(token: str, payload: Mapping[str, Any]) -> None:
    """Every claim the text shows is the one the token signs (the token may add `iat`)."""
    parts = token.strip().split(".")
    try:
        signed = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (IndexError, ValueError, binascii.Error):
        raise InvalidInput("the token is not a compact JWS", field="credential") from None
    if not isinstance(signed, dict) or any(signed.get(k) != v for k, v in payload.items()):
        raise InvalidInput("the letter's text is not what the token signs", field="credential")


def _symbol(code: segno.QRCode, scale: int) -> Image.Image:
    matrix = list(code.matrix_iter(scale=1, border=QUIET_ZONE))
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    small = Image.frombytes("L", (len(matrix), len(matrix)), pixels)
    return small.resize((len(matrix) * scale,) * 2, Image.Resampling.NEAREST)


def _font(size: int, cjk: bool) -> Font:
    return ImageFont.truetype(str(CJK_FONT), size) if cjk else ImageFont.load_default(size)


def _drawable(line: str, cjk: bool) -> str:
    """Without the CJK font, only Latin-1 survives (the default font has no Chinese)."""
    return line if cjk else "".join(c for c in line if ord(c) < 256).strip()


def _wrap(line: str, font: Font, width: int) -> list[str]:
    """Greedy: break at the last space of a full row, else (Chinese, a long id) anywhere."""
    rows: list[str] = []
    while len(line) > 1 and font.getlength(line) > width:
        fits = (i for i in range(len(line) - 1, 0, -1) if font.getlength(line[:i]) <= width)
        cut = next(fits, 1)
        space = line.rfind(" ", 0, cut + 1)
        cut = space if space > cut // 2 else cut
        rows.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    return [*rows, line] if line else rows
