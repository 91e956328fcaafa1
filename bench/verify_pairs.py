"""Verification of candidate pairs by local features, with the template suppressed.

For copies of a document (photo-like, 50 % crop, 90-degree turn, grayscale JPEG q20, a
screenshot shrunk inside a dark phone frame, a doctored copy with its QR code, number and date
replaced) and for different documents on one template (refills of the real e-invoice,
generated e-invoices, a forger's receipts, and each of those screenshotted in a frame), it
prints the RANSAC inlier counts of `verify`, raw and with a template model built from other
documents, and where the `same_document` threshold falls between them.

Speed: ms per image for `page_features`, ms per pair for `verify` (suppression included), and
the baseline measured in the same run on the same pairs: today's aligned comparison
(`compare_pages`), with the ratio of each to it. Target: verify <= 60 ms per pair.

    PROBANDI_SHARED_DATA=/work/shared/data .venv/bin/python bench/verify_pairs.py [--documents 12]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.real_invoice import (  # noqa: E402
    CODE_AND_NUMBER,
    QR_BOX,
    a_refill,
    real_invoice_path,
    refilled,
)
from tests.support.vouchers import (  # noqa: E402
    forged_receipts,
    same_template_einvoices,
    unrelated_document_image,
)

from probandi.adapters.forensics.compare import compare_pages  # noqa: E402
from probandi.adapters.forensics.features import (  # noqa: E402
    SAME_DOCUMENT_INLIERS,
    PageFeatures,
    TemplateModel,
    page_features,
    verify,
)

Attack = Callable[[Image.Image], Image.Image]
Pair = tuple[str, Image.Image, Image.Image]


def _jpeg(image: Image.Image, quality: int, mode: str = "RGB") -> Image.Image:
    buffer = io.BytesIO()
    image.convert(mode).save(buffer, "JPEG", quality=quality)
    with Image.open(io.BytesIO(buffer.getvalue())) as decoded:
        return decoded.convert("RGB")


def _perspective(size: tuple[int, int], quad: list[tuple[float, float]]) -> list[float]:
    """Coefficients for Image.transform: output corners (the rectangle) from `quad`."""
    width, height = size
    rectangle = [(0, 0), (width, 0), (width, height), (0, height)]
    rows: list[list[float]] = []
    for (x, y), (u, v) in zip(rectangle, quad, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    rhs = [c for point in quad for c in point]
    return [float(c) for c in np.linalg.solve(np.array(rows), np.array(rhs))]


def photo(image: Image.Image) -> Image.Image:
    """A phone photo: a 5 % table border, the far edge narrower, blurred, noisy, JPEG."""
    width, height = image.size
    bx, by = round(width * 0.05), round(height * 0.05)
    table = Image.new("RGB", (width + 2 * bx, height + 2 * by), (120, 105, 90))
    table.paste(image, (bx, by))
    tw, th = table.size
    quad = [(0.06 * tw, 0.04 * th), (0.95 * tw, 0.0), (tw, th), (0.0, 0.97 * th)]
    warped = table.transform(
        (tw, th),
        Image.Transform.PERSPECTIVE,
        _perspective((tw, th), quad),
        Image.Resampling.BICUBIC,
    )
    blurred = warped.filter(ImageFilter.GaussianBlur(1.2))
    noise = np.random.default_rng(7).normal(0, 6, (th, tw, 1))
    noisy = np.clip(np.asarray(blurred, dtype=np.float64) + noise, 0, 255).astype(np.uint8)
    return _jpeg(Image.fromarray(noisy), 80)


def half(image: Image.Image) -> Image.Image:
    """The top half alone."""
    return image.crop((0, 0, image.width, image.height // 2))


def turned(image: Image.Image) -> Image.Image:
    return image.transpose(Image.Transpose.ROTATE_90)


def gray_q20(image: Image.Image) -> Image.Image:
    return _jpeg(image, 20, "L")


def framed(image: Image.Image) -> Image.Image:
    """A phone screenshot: the page shrunk to the screen's width inside dark app chrome."""
    screen = Image.new("RGB", (720, 1560), (18, 18, 20))
    draw = ImageDraw.Draw(screen)
    draw.rectangle((0, 0, 720, 60), fill=(40, 40, 44))
    draw.text((30, 20), "12:41   4G   87%", fill=(230, 230, 230))
    draw.rectangle((0, 1440, 720, 1560), fill=(40, 40, 44))
    for x in (90, 330, 570):
        draw.ellipse((x, 1470, x + 60, 1530), outline=(200, 200, 200), width=3)
    width = 680
    page = image.resize(
        (width, round(image.height * width / image.width)), Image.Resampling.LANCZOS
    )
    screen.paste(page, (20, (1560 - page.height) // 2))
    return _jpeg(screen, 85)


ATTACKS: dict[str, Attack] = {
    "photo": photo,
    "half": half,
    "turn90": turned,
    "gray_q20": gray_q20,
    "framed": framed,
}


def doctored(
    image: Image.Image, donor: Image.Image, boxes: list[tuple[int, int, int, int]]
) -> Image.Image:
    """The page with some boxes (QR code, number, date) taken from another document."""
    out = image.copy()
    for box in boxes:
        out.paste(donor.crop(box), box[:2])
    return out


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def red_team(family: str) -> dict[str, Callable[[bytes, int], bytes]]:
    """The attack set of tests/support/attacks.py (written beside this bench), PDFs aside."""
    from tests.support import attacks

    layout = {
        "real": attacks.REAL_EINVOICE,
        "einvoice": attacks.GENERATED_EINVOICE,
        "receipt": attacks.RECEIPT,
    }[family]
    return {k: v for k, v in attacks.attacks(layout).items() if k != "resaved_pdf"}


def _open(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB")


# Boxes of a generated e-invoice page (the form sits 100 pixels inside the page).
EINVOICE_FIELDS = [(150, 116, 262, 228), (820, 124, 1000, 204)]


def documents(n: int) -> dict[str, list[Image.Image]]:
    shared = Path(os.environ.get("PROBANDI_SHARED_DATA", ROOT.parent / "shared" / "data"))
    real_png = real_invoice_path(shared).read_bytes()
    return {
        "real": [_open(real_png)] + [_open(refilled(real_png, a_refill(s))) for s in range(n)],
        "einvoice": [_open(d) for d, _ in same_template_einvoices(n + 1, seed=16)],
        "receipt": [_open(d) for d, _ in forged_receipts(n + 1, seed=16)],
    }


def template_documents(n: int) -> list[Image.Image]:
    """Other sellers' documents: the template model is built from these only."""
    shared = Path(os.environ.get("PROBANDI_SHARED_DATA", ROOT.parent / "shared" / "data"))
    real_png = real_invoice_path(shared).read_bytes()
    out = [_open(refilled(real_png, a_refill(1000 + s))) for s in range(n)]
    out += [_open(d) for d, _ in same_template_einvoices(n, seed=1016)]
    out += [_open(d) for d, _ in forged_receipts(n, seed=1016)]
    out += [_open(unrelated_document_image(s)) for s in range(n)]
    return out


def pairs(docs: dict[str, list[Image.Image]]) -> dict[str, list[Pair]]:
    """Labelled pairs (original, upload): copies, and different documents on one template."""
    out: dict[str, list[Pair]] = {}
    for family, pages in docs.items():
        for name, attack in ATTACKS.items():
            out.setdefault(f"copy:{name}", []).extend((family, p, attack(p)) for p in pages[:4])
        donor_boxes = [QR_BOX, CODE_AND_NUMBER] if family == "real" else EINVOICE_FIELDS
        if family != "receipt":
            out.setdefault("copy:doctored", []).extend(
                (family, p, doctored(p, pages[-1 - i], donor_boxes))
                for i, p in enumerate(pages[:4])
            )
        kind = "forger-template" if family == "receipt" else "same-template"
        others = [(family, pages[i], pages[j]) for i in range(len(pages)) for j in range(i)]
        out.setdefault(kind, []).extend(others)
        out.setdefault(f"{kind} framed", []).extend(
            (family, pages[i], framed(pages[i + 1])) for i in range(len(pages) - 1)
        )
    for family, pages in docs.items():
        for name, forge in red_team(family).items():
            out.setdefault(f"copy:red-team {name}", []).extend(
                (family, p, _open(forge(_png(p), seed))) for seed, p in enumerate(pages[:3])
            )
    letters = [_open(unrelated_document_image(s)) for s in range(4)]
    out["unrelated"] = [("letter", letter, docs[f][0]) for letter in letters for f in docs]
    return out


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=12, help="per family")
    parser.add_argument("--template-documents", type=int, default=10, help="per family")
    parser.add_argument("--timed-pairs", type=int, default=40)
    args = parser.parse_args()
    cv2.setNumThreads(1)  # per pair, one core: the other serves the rest of the upload

    docs = documents(args.documents)
    labelled = pairs(docs)
    build_start = time.perf_counter()
    model_pages = [page_features(p) for p in template_documents(args.template_documents)]
    template = TemplateModel.build(model_pages)
    build_ms = (time.perf_counter() - build_start) * 1000
    print(
        f"template model: {len(template)} descriptors from {len(model_pages)} documents "
        f"of other sellers, built in {build_ms:.0f} ms (features included)"
    )

    features: dict[int, PageFeatures] = {}
    feature_ms: list[float] = []

    def of(image: Image.Image) -> PageFeatures:
        if id(image) not in features:
            start = time.perf_counter()
            features[id(image)] = page_features(image)
            feature_ms.append((time.perf_counter() - start) * 1000)
        return features[id(image)]

    print(f"\n{'pairs':26} {'n':>4} {'raw min':>8} {'raw max':>8} {'supp min':>9} {'supp max':>9}")
    lowest_copy, highest_other = 10**9, 0
    for label, items in labelled.items():
        raw = [verify(of(a), of(b)).inliers for _, a, b in items]
        suppressed = [verify(of(a), of(b), template).inliers for _, a, b in items]
        called = sum(count >= SAME_DOCUMENT_INLIERS for count in suppressed)
        print(
            f"{label:26} {len(items):>4} {min(raw):>8} {max(raw):>8} "
            f"{min(suppressed):>9} {max(suppressed):>9}   same document: {called}/{len(items)}"
        )
        if label.startswith("copy:"):
            lowest_copy = min(lowest_copy, *suppressed)
        else:
            highest_other = max(highest_other, *suppressed)
        for family in sorted({f for f, _, _ in items}):
            counts = [s for (f, _, _), s in zip(items, suppressed, strict=True) if f == family]
            called = sum(count >= SAME_DOCUMENT_INLIERS for count in counts)
            print(
                f"    {family:22} {len(counts):>4} {'':17} {min(counts):>9} {max(counts):>9}"
                f"   same document: {called}/{len(counts)}"
            )

    print(
        f"\nsuppressed: copies >= {lowest_copy}, other documents <= {highest_other}; "
        f"threshold SAME_DOCUMENT_INLIERS = {SAME_DOCUMENT_INLIERS} "
        f"(lowest copy / threshold x{lowest_copy / SAME_DOCUMENT_INLIERS:.2f}, "
        f"threshold / highest other x{SAME_DOCUMENT_INLIERS / max(1, highest_other):.2f})"
    )

    timed_pairs = [pair for items in labelled.values() for pair in items][::4]
    timed_pairs = timed_pairs[: args.timed_pairs]
    extract_ms: list[float] = []
    cold_ms: list[float] = []
    warm_ms: list[float] = []
    compare_ms: list[float] = []
    for _, a, b in timed_pairs:
        start = time.perf_counter()
        fa = page_features(a)
        extract_ms.append((time.perf_counter() - start) * 1000)
        fb = page_features(b)
        cold_ms.append(timed(partial(verify, fa, fb, template)))
        warm_ms.append(timed(partial(verify, fa, fb, template)))
        compare_ms.append(timed(partial(compare_pages, a, b)))
    base = statistics.median(compare_ms)
    print(f"\ntimings over {len(timed_pairs)} pairs, one thread (medians; p90 in brackets)")
    for name, values in (
        ("page_features per image", extract_ms),
        ("verify per pair, both suppressed in it", cold_ms),
        ("verify per pair, suppression cached", warm_ms),
        ("baseline: compare_pages per pair", compare_ms),
    ):
        median = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"  {name:40} {median:7.1f} ms ({p90:6.1f})  x{median / base:.2f} the baseline")
    met = statistics.median(cold_ms) <= 60
    print(f"  verify target <= 60 ms per pair (suppression in it): {'met' if met else 'missed'}")
    sizes = [len(f.to_bytes()) for f in features.values()]
    print(f"  stored features: median {statistics.median(sizes) / 1024:.1f} KiB per page")
    print(f"  load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
