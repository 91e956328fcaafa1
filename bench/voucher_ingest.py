"""Voucher ingest: fingerprints per second, single core, for invoice-sized JPEGs and PDFs.

Fingerprinting is the fixed hash pipeline (EXIF orientation, RGB, at most 512 pixels on the
longer side: a large JPEG decoded at a reduced DCT size, a PDF page rendered by PDFium at
that size), PDQ of the page and of its trimmed content, and sha256. Measured in the same
run: the whole forensic read of an upload (the fingerprints plus the page at reading
resolution for the QR code, and metadata), and two floors: decoding the page at reading
resolution, and PDQ alone on already prepared hash views. Inputs are the real e-invoice of
../shared/data (as PNG, as JPEG and as a one-page PDF) and generated invoice-sized JPEGs.

    .venv/bin/python bench/voucher_ingest.py [--files 200] [--rounds 3]

Target: >= 100 fingerprinted files per second per core.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

from probandi.adapters.forensics.decode import decode_pages, hash_views
from probandi.adapters.forensics.reader import ForensicReader, pdq_of

ROOT = Path(__file__).resolve().parents[1]
JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"


def shared_invoice() -> Image.Image:
    default = ROOT.parent / "shared" / "data"
    folder = Path(os.environ.get("PROBANDI_SHARED_DATA", default)) / "invoices"
    with Image.open(folder / "e-invoice-real.png") as image:
        return image.convert("RGB")


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **options)
    return buf.getvalue()


def generated_jpeg(seed: int) -> bytes:
    """An invoice-sized (1240 x 877) scan with its own numbers."""
    image = Image.new("RGB", (1240, 877), (250, 249, 244))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 1200, 837), outline=(150, 40, 40), width=3)
    for row in range(18):
        y = 90 + row * 40
        draw.line((40, y, 1200, y), fill=(180, 120, 120))
        draw.text(
            (60, y + 10),
            f"ITEM {seed:06d}-{row:02d}   QTY {row % 4 + 1}   CNY {seed * 7 + row}.00",
            fill=(20, 20, 20),
        )
    return encoded(image, "JPEG", quality=85)


def inputs(files: int) -> dict[str, list[tuple[bytes, str]]]:
    real = shared_invoice()
    return {
        "real e-invoice PNG (980x575)": [(encoded(real, "PNG"), PNG)] * files,
        "real e-invoice JPEG q85": [(encoded(real, "JPEG", quality=85), JPEG)] * files,
        "real e-invoice as 1-page PDF": [(encoded(real, "PDF", resolution=100.0), PDF)] * files,
        "generated JPEG 1240x877": [(generated_jpeg(i), JPEG) for i in range(files)],
    }


def rate(
    work: Callable[[bytes, str], object], files: list[tuple[bytes, str]], rounds: int
) -> float:
    seconds = []
    for _ in range(rounds):
        start = time.perf_counter()
        for data, media_type in files:
            work(data, media_type)
        seconds.append(time.perf_counter() - start)
    return len(files) / statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    reader = ForensicReader()

    def fingerprint(data: bytes, media_type: str) -> object:
        hashlib.sha256(data).hexdigest()
        return reader.fingerprints(data, media_type)

    print(f"{args.files} files per input, single core, median of {args.rounds} rounds (files/s)")
    print(f"  {'input':<32} {'decode':>8} {'PDQ':>8} {'fingerprint':>12} {'full read':>10}")
    worst = float("inf")
    for name, files in inputs(args.files).items():
        pages = [hash_views(d, m)[0] for d, m in files[: min(len(files), 50)]]
        pdq_only = len(pages) / min(_timed(pdq_of, pages) for _ in range(args.rounds))
        decode = rate(decode_pages, files, args.rounds)
        prints = rate(fingerprint, files, args.rounds)
        full = rate(reader.read, files, args.rounds)
        if "PNG" not in name:  # the target is for JPEGs and PDFs
            worst = min(worst, prints)
        print(f"  {name:<32} {decode:>8,.0f} {pdq_only:>8,.0f} {prints:>12,.0f} {full:>10,.0f}")
        print(f"  {'':<32} fingerprint / decode floor: {prints / decode:.2f}x")
    verdict = "met" if worst >= 100 else "MISSED"
    print(
        f"slowest JPEG or PDF input: {worst:,.0f} fingerprints/s; "
        f"target >= 100 per second per core: {verdict}"
    )


def _timed(work: Callable[[Image.Image], object], pages: list[Image.Image]) -> float:
    start = time.perf_counter()
    for page in pages:
        work(page)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
