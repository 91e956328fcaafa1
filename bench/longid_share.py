"""Long-id share: how much of an original's id pieces a copy keeps, against other documents.

Originals: the real e-invoice of ../shared/data and generated e-invoices and boutique receipts
(tests/support/vouchers.py). Each is read by OCR (`OcrDocumentReader`, first page), and so is
every copy made of it here: a perspective photo with a border, blur, noise and JPEG; its top
half; its bottom half (informative: below the goods an e-invoice holds only the seller's
ids); its halves stitched around another image; a phone screenshot (shrunk, in dark app
chrome); grayscale JPEG q20; and a doctored copy (number and date painted over and re-typed,
a new QR code pasted over the old). When tests/support/attacks.py imports, its acceptance
attack set is read as well (classes `set:...`: photo, screenshot, crop_half, stitched,
turned, resaved_pdf, gray_q20, doctored). An original with fewer than `MIN_PIECES` pieces
(a boutique receipt) gets no copies: the share says nothing about it. Against them: other
e-invoices on the same template, the real invoice's own seller on new invoices (same tax id,
address, bank account; code, number, check code, machine number, cipher area and order
number repainted), the real invoice
refilled by tests/support/real_invoice.py (it keeps the original's cipher area, check code
and machine number, so it is a doctored copy as far as ids go), and letters.

For each class it prints the share (`id_share`) distribution and the pieces counts, for the
stride-1 shingles that `id_pieces` makes and for fixed 8-character pieces (the alternative),
then the margin between the lowest copy and the highest other document.

    PROBANDI_SHARED_DATA=../shared/data .venv/bin/python bench/longid_share.py \
        [--einvoices 6] [--receipts 3] [--cache /tmp/longid-readings.json]

About 90 OCR reads at 2-9 s each (idle machine / shared one); `--cache` keeps the read texts,
so the figures can be printed again without reading.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.real_invoice import a_refill, real_invoice_path, refilled  # noqa: E402
from tests.support.vouchers import (  # noqa: E402
    forged_receipts,
    same_template_einvoices,
    unrelated_document_image,
)

from probandi.adapters.reading.ocr import OcrDocumentReader  # noqa: E402
from probandi.domain.forensics.longids import (  # noqa: E402
    MIN_PIECES,
    PIECE,
    id_pieces,
    id_runs,
    id_share,
    usable,
)

PNG, JPEG, PDF = "image/png", "image/jpeg", "application/pdf"
INK = (30, 30, 30)
Lines = list[tuple[str, tuple[int, int, int, int]]]  # each line read, with its box
DIGITS, SYMBOLS = "0123456789", "<>*/+-"
# The real invoice's seller ids: on every invoice that seller issues.
SELLER_IDS = ("91120222079642398Y", "57807000", "12001720800052531259")
COPIES = ("photo", "top_half", "stitched", "screenshot", "gray_q20", "doctored")
ATTACK_SET = tuple(
    f"set:{name}"
    for name in (
        "photo",
        "screenshot",
        "crop_half",
        "stitched",
        "turned",
        "resaved_pdf",
        "gray_q20",
        "doctored",
    )
)
INFORMATIVE = ("bottom_half",)


@dataclass(frozen=True)
class Original:
    name: str
    data: bytes
    number: str  # as printed, to find and repaint
    date_text: str  # as OCR reads the date line, to find it


def image_of(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB")


def encoded(image: Image.Image, fmt: str = "PNG", **save: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


# --- copies ----------------------------------------------------------------------------------


def photo(image: Image.Image, seed: int) -> bytes:
    """A phone photo: on a table (5 % border), in perspective, blurred, noisy, JPEG q80."""
    rng = np.random.default_rng(seed)
    w, h = image.size
    bw, bh = round(w * 0.05), round(h * 0.05)
    canvas = Image.new("RGB", (w + 2 * bw, h + 2 * bh), (150, 130, 110))
    canvas.paste(image, (bw, bh))
    cw, ch = canvas.size
    jitter = rng.uniform(0.0, 0.04, size=(4, 2)) * (cw, ch)
    src = np.array([(0, 0), (cw, 0), (cw, ch), (0, ch)], dtype=np.float32)
    dst = np.array(
        [
            (jitter[0][0], jitter[0][1]),
            (cw - jitter[1][0], jitter[1][1] * 0.5),
            (cw - jitter[2][0] * 0.5, ch - jitter[2][1]),
            (jitter[3][0] * 0.5, ch - jitter[3][1] * 0.5),
        ],
        dtype=np.float32,
    )
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(np.asarray(canvas), matrix, (cw, ch), borderValue=(90, 80, 70))
    blurred = Image.fromarray(warped).filter(ImageFilter.GaussianBlur(1.0))
    pixels = np.asarray(blurred, dtype=np.float32) * 0.92 + 10
    noisy = np.clip(pixels + rng.normal(0, 6, pixels.shape), 0, 255).astype(np.uint8)
    return encoded(Image.fromarray(noisy), "JPEG", quality=80)


def half(image: Image.Image, top: bool) -> bytes:
    w, h = image.size
    return encoded(image.crop((0, 0, w, h // 2)) if top else image.crop((0, h // 2, w, h)))


def stitched(image: Image.Image, other: Image.Image) -> bytes:
    """The top half, another image, then the bottom half: one page as a collage."""
    w, h = image.size
    middle = other.resize((w, round(other.height * w / other.width)))
    page = Image.new("RGB", (w, h + middle.height), (255, 255, 255))
    page.paste(image.crop((0, 0, w, h // 2)), (0, 0))
    page.paste(middle, (0, h // 2))
    page.paste(image.crop((0, h // 2, w, h)), (0, h // 2 + middle.height))
    return encoded(page, "JPEG", quality=85)


def screenshot(image: Image.Image) -> bytes:
    """A phone screenshot: dark app chrome, the page shrunk to the screen's width."""
    screen_w, screen_h = 1080, 2340
    page_w = screen_w - 40
    shrunk = image.resize(
        (page_w, round(image.height * page_w / image.width)), Image.Resampling.LANCZOS
    )
    screen = Image.new("RGB", (screen_w, screen_h), (18, 18, 22))
    draw = ImageDraw.Draw(screen)
    font = ImageFont.load_default(size=34)
    draw.text((40, 30), "9:41", font=font, fill=(240, 240, 240))
    draw.rectangle((0, 120, screen_w, 240), fill=(36, 36, 44))
    draw.text((60, 160), "< Back      e-invoice.png", font=font, fill=(240, 240, 240))
    top = (screen_h - shrunk.height) // 2
    screen.paste(shrunk, (20, top))
    draw.rectangle((0, screen_h - 200, screen_w, screen_h), fill=(36, 36, 44))
    return encoded(screen)


def gray_q20(image: Image.Image) -> bytes:
    return encoded(image.convert("L"), "JPEG", quality=20)


def doctored(image: Image.Image, original: Original, lines: Lines, seed: int) -> bytes:
    """Number and date painted over and re-typed, a new QR code pasted over the old one."""
    rng = random.Random(seed)
    page = image.copy()
    draw = ImageDraw.Draw(page)
    for read, box in lines:
        text = read.replace(" ", "")
        if original.number in text or original.date_text in text:
            left, top, right, bottom = box
            draw.rectangle((left - 2, top - 2, right + 2, bottom + 2), fill=(255, 255, 255))
            font = ImageFont.load_default(size=max(10, bottom - top - 2))
            fresh = "".join(rng.choice("0123456789") for _ in range(len(original.number)))
            draw.text(
                (left, top),
                fresh if original.number in text else "2026-11-30",
                font=font,
                fill=INK,
            )
    for barcode in zxingcpp.read_barcodes(page):
        pos = barcode.position
        xs = [pos.top_left.x, pos.top_right.x, pos.bottom_left.x, pos.bottom_right.x]
        ys = [pos.top_left.y, pos.top_right.y, pos.bottom_left.y, pos.bottom_right.y]
        side = max(max(xs) - min(xs), max(ys) - min(ys))
        payload = f"01,10,0{rng.randrange(10**11):011d},{rng.randrange(10**8):08d},1.00,20261130,"
        qr = zxingcpp.write_barcode_to_image(
            zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode), scale=3
        )
        page.paste(
            Image.fromarray(np.asarray(qr)).convert("RGB").resize((side, side)), (min(xs), min(ys))
        )
    return encoded(page)


def same_seller(image: Image.Image, lines: Lines, seed: int) -> bytes:
    """Another invoice of the same seller: its own code, number, check code, machine number,
    cipher area and order number; the seller's tax id, address and bank account kept."""
    rng = random.Random(seed)
    page = image.copy()
    draw = ImageDraw.Draw(page)
    for text, box in lines:
        runs = id_runs(text)
        if not runs or any(kept in text for kept in SELLER_IDS):
            continue
        left, top, right, bottom = box
        draw.rectangle((left - 1, top - 1, right + 1, bottom + 1), fill=(255, 255, 255))
        font = ImageFont.load_default(size=max(10, bottom - top - 2))
        draw.text((left, top), " ".join(_refilled(run, rng) for run in runs), font=font, fill=INK)
    return encoded(page)


def _refilled(run: str, rng: random.Random) -> str:
    """A run of the same shape: digits for digits, cipher symbols for symbols."""
    return "".join(
        rng.choice(DIGITS) if ch.isdigit() else rng.choice(SYMBOLS) if ch in SYMBOLS else ch
        for ch in run
    )


# --- reading -----------------------------------------------------------------------------------


class Reader:
    """OCR, first page, with the texts and boxes kept in an optional JSON cache."""

    def __init__(self, cache: Path | None) -> None:
        self._reader = OcrDocumentReader()
        self._cache = cache
        self._seen: dict[str, Lines] = {}
        if cache is not None and cache.exists():
            loaded = json.loads(cache.read_text())
            self._seen = {k: [(t, tuple(b)) for t, b in v] for k, v in loaded.items()}
        self.reads = 0
        self.seconds = 0.0

    def lines(self, key: str, data: bytes, media_type: str) -> Lines:
        if key not in self._seen:
            started = time.perf_counter()
            reading = self._reader.read(data, media_type, max_pages=1)
            self.seconds += time.perf_counter() - started
            self.reads += 1
            self._seen[key] = [(line.text, line.box) for line in reading.lines]
            if self._cache is not None:
                self._cache.write_text(json.dumps(self._seen, ensure_ascii=False))
        return self._seen[key]


def text_of(lines: Lines) -> str:
    return "\n".join(text for text, _ in lines)


# --- the set -----------------------------------------------------------------------------------


def originals(einvoices: int, receipts: int) -> list[Original]:
    default = ROOT.parent / "shared" / "data"
    shared = Path(os.environ.get("PROBANDI_SHARED_DATA", default))
    found = [Original("real", real_invoice_path(shared).read_bytes(), "33207675", "20190508")]
    for i, (data, f) in enumerate(same_template_einvoices(einvoices, 1601)):
        found.append(Original(f"einvoice{i}", data, f["number"], f"{f['issued_on']:%Y%m%d}"))
    for i, (data, r) in enumerate(forged_receipts(receipts, 1602)):
        found.append(Original(f"receipt{i}", data, r["number"], f"{r['issued_on']:%d/%m/%Y}"))
    return found


def media_type_of(data: bytes) -> str:
    return PDF if data.startswith(b"%PDF") else PNG if data.startswith(b"\x89PNG") else JPEG


def attack_set(original: Original, seed: int) -> dict[str, tuple[bytes, str]]:
    """The acceptance attack set of tests/support/attacks.py, when it imports (written
    beside this bench; absent, only the copies made here are read)."""
    try:
        from tests.support import attacks
    except ImportError:
        return {}
    layouts = {
        "real": attacks.REAL_EINVOICE,
        "einvoice": attacks.GENERATED_EINVOICE,
        "receipt": attacks.RECEIPT,
    }
    layout = layouts[original.name.rstrip("0123456789")]
    made = {name: attack(original.data, seed) for name, attack in attacks.attacks(layout).items()}
    return {f"set:{name}": (data, media_type_of(data)) for name, data in made.items()}


def copies(original: Original, lines: Lines, seed: int) -> dict[str, tuple[bytes, str]]:
    image = image_of(original.data)
    letter = image_of(unrelated_document_image(seed))
    return attack_set(original, seed) | {
        "photo": (photo(image, seed), JPEG),
        "top_half": (half(image, top=True), PNG),
        "bottom_half": (half(image, top=False), PNG),
        "stitched": (stitched(image, letter), JPEG),
        "screenshot": (screenshot(image), PNG),
        "gray_q20": (gray_q20(image), JPEG),
        "doctored": (doctored(image, original, lines, seed), PNG),
    }


Pieces = Callable[[str], frozenset[str]]


def fixed_pieces(text: str) -> frozenset[str]:
    """The alternative: each run cut at 0, 8, 16, ... (and its last 8 characters)."""
    pieces: set[str] = set()
    for run in id_runs(text):
        starts = [*range(0, len(run) - PIECE + 1, PIECE), len(run) - PIECE]
        pieces.update(run[s : s + PIECE] for s in starts)
    return frozenset(pieces)


@dataclass
class Measured:
    """Read texts by role: originals, their copies, and the other uploads."""

    originals: dict[str, str]
    copies: dict[tuple[str, str], str]  # (original, transform) -> text
    same_seller: list[str]  # new invoices of the real invoice's seller
    refills: list[str]  # the real invoice refilled by tests/support/real_invoice.py
    letters: list[str]


def measure(reader: Reader, set_: list[Original], others: int) -> Measured:
    found = Measured({}, {}, [], [], [])
    for seed, original in enumerate(set_):
        lines = reader.lines(original.name, original.data, media_type_of(original.data))
        found.originals[original.name] = text_of(lines)
        if not usable(id_pieces(found.originals[original.name])):
            continue  # its copies prove nothing either way
        for name, (data, media_type) in copies(original, lines, seed).items():
            found.copies[(original.name, name)] = text_of(
                reader.lines(f"{original.name}/{name}", data, media_type)
            )
        print(f"  read {original.name} and its copies ({reader.reads} reads)", flush=True)
    real = set_[0]
    real_lines = reader.lines(real.name, real.data, PNG)
    for i in range(others):
        seller = same_seller(image_of(real.data), real_lines, 100 + i)
        found.same_seller.append(text_of(reader.lines(f"same_seller{i}", seller, PNG)))
        refill = refilled(real.data, a_refill(200 + i))
        found.refills.append(text_of(reader.lines(f"refill{i}", refill, PNG)))
        letter = unrelated_document_image(300 + i)
        found.letters.append(text_of(reader.lines(f"letter{i}", letter, PNG)))
    return found


# --- figures -----------------------------------------------------------------------------------


def kind(name: str) -> str:
    return "receipt" if name.startswith("receipt") else "einvoice"


def shares(m: Measured, pieces: Pieces, least: int) -> dict[str, list[tuple[float, int]]]:
    """(share, shared pieces) per class, for each original with at least `least` pieces."""
    own = {name: pieces(text) for name, text in m.originals.items()}
    usable = [name for name, p in own.items() if len(p) >= least]
    out: dict[str, list[tuple[float, int]]] = {}

    def add(label: str, original: str, text: str) -> None:
        upload = pieces(text)
        shared = len(own[original] & upload)
        out.setdefault(label, []).append((id_share(own[original], upload), shared))

    for (name, transform), text in m.copies.items():
        if name in usable:
            add(transform, name, text)
        for other in usable:
            if other != name and kind(other) == kind(name):
                add("same_template", other, text)
    for name in usable:
        for other, text in m.originals.items():
            if other != name:
                add("same_template" if kind(other) == kind(name) else "unrelated", name, text)
        for text in m.letters:
            add("unrelated", name, text)
    if "real" in usable:
        for text in m.same_seller:
            add("same_seller", "real", text)
        for text in m.refills:
            add("refill_keeps_cipher", "real", text)
    return out


def report(m: Measured, pieces: Pieces, label: str, least: int) -> None:
    own = {name: len(pieces(text)) for name, text in m.originals.items()}
    counts = sorted(own.values())
    print(f"\n== {label}: pieces per original {counts}")
    print(f"   originals with >= {least} pieces: {sum(c >= least for c in counts)}/{len(counts)}")
    found = shares(m, pieces, least)
    print(
        f"   {'class':22} {'n':>4} {'min':>6} {'p10':>6} {'median':>7} {'max':>6}  shared min-max"
    )
    for name in (*ATTACK_SET, *COPIES, *INFORMATIVE, "refill_keeps_cipher", "same_seller"):
        _row(name, found.get(name, []))
    _row("same_template", found.get("same_template", []))
    _row("unrelated", found.get("unrelated", []))
    copy_low = min(s for c in (*ATTACK_SET, *COPIES) for s, _ in found.get(c, []))
    other_high = max(s for c in ("same_seller", "same_template", "unrelated") for s, _ in found[c])
    shared_low = min(n for c in (*ATTACK_SET, *COPIES) for _, n in found.get(c, []))
    shared_high = max(n for c in ("same_seller", "same_template", "unrelated") for _, n in found[c])
    print(
        f"   lowest copy {copy_low:.3f}, highest other {other_high:.3f}: "
        f"margin {copy_low - other_high:+.3f}; shared pieces: copies >= {shared_low}, "
        f"others <= {shared_high}"
    )


def _row(name: str, values: list[tuple[float, int]]) -> None:
    if not values:
        print(f"   {name:22} {0:>4}")
        return
    s = sorted(v for v, _ in values)
    n = sorted(k for _, k in values)
    p10 = s[len(s) // 10]
    print(
        f"   {name:22} {len(s):>4} {s[0]:>6.3f} {p10:>6.3f} {statistics.median(s):>7.3f} "
        f"{s[-1]:>6.3f}  {n[0]}-{n[-1]}"
    )


def frequent_pieces(m: Measured) -> None:
    """Pieces found in several originals: template text that an index should not count."""
    seen: dict[str, int] = {}
    for text in m.originals.values():
        for piece in id_pieces(text):
            seen[piece] = seen.get(piece, 0) + 1
    common = sorted((n, p) for p, n in seen.items() if n > 1)
    print(f"\npieces in 2+ originals: {len(common)} of {len(seen)}: {common[-8:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--einvoices", type=int, default=6)
    parser.add_argument("--receipts", type=int, default=3)
    parser.add_argument("--others", type=int, default=3, help="same-seller, refills, letters")
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args()
    reader = Reader(args.cache)
    m = measure(reader, originals(args.einvoices, args.receipts), args.others)
    if reader.reads:
        print(f"{reader.reads} OCR reads, {reader.seconds / reader.reads:.2f} s each")
    report(m, id_pieces, "stride-1 shingles (id_pieces)", MIN_PIECES)
    report(m, fixed_pieces, "fixed 8-character pieces", max(1, MIN_PIECES // PIECE))
    frequent_pieces(m)


if __name__ == "__main__":
    main()
