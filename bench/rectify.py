"""Page rectification spike: how far each attack class sits from its original in PDQ, raw and
after rectification, against how far different documents on one template sit; and what a
rectify call costs next to hashing the same page.

Inputs: the real e-invoice of ../shared/data (980 x 575, itself a viewer screenshot with a grey
frame) and generated e-invoices and forged receipts (tests/support/vouchers.py); every attack of
tests/support/attacks.py applied to each, seeded by its index.

- raw: today's lookup. The copy's full and trimmed PDQ, and those turned by 90/180/270
  degrees, against the original's full and trimmed PDQ (`page_hashes`).
- rectified: the copy's page rectified (`rectify`), its full and trimmed PDQ in the 8 dihedral
  orientations, against the original's full and trimmed PDQ and those of its own rectified page.
  printed_pdf (not in the attack set): the image on an A4 page with white margins.
- same template: pairs of different e-invoices and of different receipts; raw, both rectified,
  and a photo / screenshot of one against the other.
- time: p50 of `rectify` on each attack's decoded page, against `page_hashes` (4 turns) of the
  same page as the baseline.

    .venv/bin/python bench/rectify.py [--documents 10] [--pairs 20]
"""

from __future__ import annotations

import argparse
import functools
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.attacks import (  # noqa: E402
    GENERATED_EINVOICE,
    REAL_EINVOICE,
    RECEIPT,
    Layout,
    attacks,
    photo,
    printed_pdf,
    screenshot,
)
from tests.support.vouchers import forged_receipts, same_template_einvoices  # noqa: E402

from probandi.adapters.forensics.decode import decode_pages, hash_view, hash_views  # noqa: E402
from probandi.adapters.forensics.reader import PDQ_TURNS, page_hashes  # noqa: E402
from probandi.adapters.forensics.rectify import rectify  # noqa: E402
from probandi.domain.forensics.model import hamming  # noqa: E402

PNG, PDF = "image/png", "application/pdf"
THRESHOLD = 31
DIHEDRAL: tuple[Image.Transpose | None, ...] = (None, *Image.Transpose)


def real_invoice() -> bytes:
    default = ROOT.parent / "shared" / "data"
    path = Path(os.environ.get("PROBANDI_SHARED_DATA", default)) / "invoices"
    return (path / "e-invoice-real.png").read_bytes()


def media_type(data: bytes) -> str:
    return PDF if data.startswith(b"%PDF") else PNG  # JPEG and PNG decode alike


def raw_hashes(data: bytes, turns: tuple[int, ...] = ()) -> list[str]:
    """Today's hashes of a file: full and trimmed, and those turned when `turns` is given."""
    out: list[str] = []
    for i, view in enumerate(hash_views(data, media_type(data))):
        prints, turned = page_hashes(i, view, turns)
        out += [p.pdq for p in prints] + [t.pdq for t in turned]
    return out


def page(data: bytes) -> Image.Image:
    return decode_pages(data, media_type(data), 1)[0]


def hashes_of(image: Image.Image, orientations: Iterable[Image.Transpose | None]) -> list[str]:
    out: list[str] = []
    for turn in orientations:
        view = hash_view(image if turn is None else image.transpose(turn))
        out += [p.pdq for p in page_hashes(0, view)[0]]
    return out


def stored(data: bytes) -> list[str]:
    """What the index would hold for an original: today's hashes and its rectified page's."""
    return raw_hashes(data) + hashes_of(rectify(page(data)), (None,))


def nearest(ours: list[str], theirs: list[str]) -> int:
    return min(hamming(a, b) for a in ours for b in theirs)


def distances(original: bytes, copy: bytes) -> tuple[int, int]:
    raw = nearest(raw_hashes(copy, tuple(PDQ_TURNS)), raw_hashes(original))
    rectified = nearest(hashes_of(rectify(page(copy)), DIHEDRAL), stored(original))
    return raw, rectified


def summary(values: list[int]) -> str:
    within = sum(v <= THRESHOLD for v in values)
    return (
        f"median {statistics.median(values):5.1f}  max {max(values):3d}  "
        f"<= {THRESHOLD}: {within:2d}/{len(values)}"
    )


def attack_table(kind: str, documents: list[bytes], layout: Layout) -> None:
    print(f"\n{kind} ({len(documents)} documents): PDQ distance to the original")
    print(f"  {'attack':12s} {'raw':40s} rectified")
    for name, attack in {**attacks(layout), "printed_pdf": printed_pdf}.items():
        pairs = [distances(doc, attack(doc, seed)) for seed, doc in enumerate(documents)]
        raw = [p[0] for p in pairs]
        rect = [p[1] for p in pairs]
        print(f"  {name:12s} {summary(raw):40s} {summary(rect)}")


def template_table(kind: str, documents: list[bytes]) -> None:
    pairs = list(itertools.pairwise(documents))
    rows: dict[str, Callable[[bytes, bytes, int], tuple[int, int]]] = {
        "bare": lambda a, b, _: distances(a, b),
        "photo of other": lambda a, b, seed: distances(a, photo(b, seed)),
        "screenshot of other": lambda a, b, seed: distances(a, screenshot(b, seed)),
    }
    print(f"\n{kind}: different documents on one template ({len(pairs)} pairs)")
    for name, measure in rows.items():
        values = [measure(a, b, seed) for seed, (a, b) in enumerate(pairs)]
        raw = [v[0] for v in values]
        rect = [v[1] for v in values]
        print(
            f"  {name:20s} raw min {min(raw):3d} median {statistics.median(raw):5.1f}"
            f"   rectified min {min(rect):3d} median {statistics.median(rect):5.1f}"
        )


def hash_turned(image: Image.Image) -> None:
    page_hashes(0, hash_view(image), tuple(PDQ_TURNS))


def p50_ms(work: Callable[[], object], repeat: int = 3) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def timing(documents: list[tuple[bytes, Layout]]) -> None:
    pages = [
        page(attack(doc, 0)) for doc, layout in documents for attack in attacks(layout).values()
    ]
    rect = [p50_ms(functools.partial(rectify, p)) for p in pages]
    base = [p50_ms(functools.partial(hash_turned, p)) for p in pages]
    r, b = statistics.median(rect), statistics.median(base)
    print(f"\ntime over {len(pages)} attacked pages (p50 of per-page medians of 3)")
    print(f"  rectify {r:6.1f} ms   page_hashes (4 turns) {b:6.1f} ms   ratio {r / b:4.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10, help="generated per kind")
    parser.add_argument("--pairs", type=int, default=20, help="same-template pairs per kind")
    args = parser.parse_args()
    real = real_invoice()
    einvoices = [d for d, _ in same_template_einvoices(args.documents, seed=16)]
    receipts = [d for d, _ in forged_receipts(args.documents, seed=16)]
    attack_table("real e-invoice", [real], REAL_EINVOICE)
    attack_table("generated e-invoices", einvoices, GENERATED_EINVOICE)
    attack_table("generated receipts", receipts, RECEIPT)
    template_table("e-invoices", [d for d, _ in same_template_einvoices(args.pairs + 1, 61)])
    template_table("receipts", [d for d, _ in forged_receipts(args.pairs + 1, seed=61)])
    timing([(real, REAL_EINVOICE), (einvoices[0], GENERATED_EINVOICE), (receipts[0], RECEIPT)])


if __name__ == "__main__":
    main()
