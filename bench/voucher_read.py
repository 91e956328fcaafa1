"""Voucher reading speed: pages per second per core, on invoice-sized images and on a
10-page image PDF (each page OCR'd: no text layer), pinned to one core.

Inputs: the real e-invoice of ../shared/data (980 x 575) and generated VAT invoices
(1200 x 720, tests/support/documents.py), as PNG; the same generated invoices as the pages of
one image PDF at 150 dpi. Each run reads every input once through `OcrDocumentReader`
(upright check, OCR single-threaded); the first read, which loads the models, is not timed.
Per core: pages / wall second with the process pinned to one CPU (os.sched_setaffinity), and
pages / CPU second (steadier when other work shares the machine).

    .venv/bin/python bench/voucher_read.py [--images 8] [--runs 3]

Target: >= 0.4 pages/s/core. Anchor: 2.4 s of CPU per invoice page for rapidocr PP-OCRv4.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.documents import invoice  # noqa: E402

from probandi.adapters.reading.ocr import OcrDocumentReader  # noqa: E402

PNG, PDF = "image/png", "application/pdf"


def real_invoice() -> bytes:
    default = ROOT.parent / "shared" / "data"
    path = Path(os.environ.get("PROBANDI_SHARED_DATA", default)) / "invoices"
    return (path / "e-invoice-real.png").read_bytes()


def generated_invoices(count: int) -> list[Image.Image]:
    rng = random.Random(2026)
    return [invoice(rng)[0] for _ in range(count)]


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def image_pdf(pages: list[Image.Image]) -> bytes:
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], resolution=150)
    return buffer.getvalue()


def timed(work: Callable[[], int]) -> tuple[int, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    pages = work()
    return pages, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--core", type=int, default=0)
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.core})
    reader = OcrDocumentReader()
    images = [real_invoice(), *(png(i) for i in generated_invoices(args.images - 1))]
    pdf = image_pdf(generated_invoices(10))
    reader.read(images[0], PNG, max_pages=1)  # loads the models

    def read_images() -> int:
        return sum(len(reader.read(data, PNG, max_pages=1).pages) for data in images)

    def read_pdf() -> int:
        return len(reader.read(pdf, PDF, max_pages=10).pages)

    print(f"pinned to CPU {args.core}; {len(images)} invoice images, one 10-page image PDF")
    for name, work in (("invoice images", read_images), ("10-page image PDF", read_pdf)):
        per_wall, per_cpu = [], []
        for run in range(args.runs):
            pages, wall, cpu = timed(work)
            per_wall.append(pages / wall)
            per_cpu.append(pages / cpu)
            print(f"  {name} run {run + 1}: {pages} pages, {wall:.1f} s wall, {cpu:.1f} s CPU")
        print(
            f"{name}: {min(per_wall):.2f}-{max(per_wall):.2f} pages/s/core (wall, pinned), "
            f"{min(per_cpu):.2f}-{max(per_cpu):.2f} pages per CPU second   target >= 0.4"
        )


if __name__ == "__main__":
    main()
