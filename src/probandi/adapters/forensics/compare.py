"""Aligned region-by-region comparison of two page images: where do they differ?

Both pages are brought to one working width. The second is searched over scale (a recycled
copy is cropped and rescaled) and shifted into place by phase correlation, coarse then fine.
The overlap is cut into cells; a cell differs when the blurred images differ there by more than
re-encoding noise. The answer is the share of inked cells that differ, and the regions.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from probandi.domain.forensics.model import ImageDiff

Gray = NDArray[np.float32]
Gray8 = NDArray[np.uint8]
Spectrum = NDArray[np.float32]  # cv2's complex layout: real and imaginary in the last axis

WORK_WIDTH = 720
COARSE_WIDTH = 160
COARSE_SCALES = np.arange(0.80, 1.2001, 0.02)
FINE_STEP = 0.005
CELL = 16  # pixels at the working width
INK = 150.0  # a cell with a pixel darker than this holds something
STROKE_DIFF = 64.0  # a pixel this far (0-255) outside the other page's neighbourhood
STROKE_PIXELS = 6  # such pixels that make a cell differ
MIN_PEAK = 0.05  # below this phase-correlation peak the pages are not aligned at all
MAX_REGIONS = 24
MAX_ASPECT = 8  # longer side over shorter side, for a page to compare (till rolls)
MAX_WORK_SIDE = 1600  # pixels, the longer side at working resolution
MIN_SIDE = 32


def _gray(image: Gray8, width: int, scale: float = 1.0, resize: int = cv2.INTER_AREA) -> Gray:
    """The gray page at `width` times `scale` pixels wide, box-averaged (or as `resize`
    says) and blurred 3 x 3."""
    w = max(8, round(width * scale))
    h = max(8, round(image.shape[0] * w / image.shape[1]))
    small = cv2.resize(image, (w, h), interpolation=resize)
    blurred = cv2.blur(small, (3, 3), borderType=cv2.BORDER_REPLICATE)
    return np.asarray(blurred, dtype=np.float32)


def _spectrum(x: Gray, shape: tuple[int, int]) -> Spectrum:
    """The complex spectrum of x less its mean, zero-padded (or cut) to `shape`."""
    h, w = shape
    padded = np.zeros(shape, np.float32)
    part = x[:h, :w]
    padded[: part.shape[0], : part.shape[1]] = part - x.mean()
    return np.asarray(cv2.dft(padded, flags=cv2.DFT_COMPLEX_OUTPUT), dtype=np.float32)


def _phase_correlate(fa: Spectrum, shape: tuple[int, int], b: Gray) -> tuple[float, int, int]:
    """Peak height and the shift (dy, dx) that puts b onto a (fa: a's spectrum)."""
    h, w = shape
    cross: Spectrum = np.asarray(cv2.mulSpectrums(fa, _spectrum(b, shape), 0, conjB=True))
    size: Gray = np.asarray(cv2.magnitude(cross[..., 0], cross[..., 1]), dtype=np.float32)
    size += np.float32(1e-9)
    cross[..., 0] /= size
    cross[..., 1] /= size
    r = cv2.idft(cross, flags=cv2.DFT_REAL_OUTPUT | cv2.DFT_SCALE)
    _, peak, _, (dx, dy) = cv2.minMaxLoc(r)
    if dy > h // 2:
        dy -= h
    if dx > w // 2:
        dx -= w
    return float(peak), dy, dx


_NEIGHBOURS = np.ones((3, 3), np.uint8)


def _spread(x: Gray) -> tuple[Gray, Gray]:
    """Each pixel's darkest and lightest neighbour (3 x 3)."""
    lo = cv2.erode(x, _NEIGHBOURS, borderType=cv2.BORDER_REPLICATE)
    hi = cv2.dilate(x, _NEIGHBOURS, borderType=cv2.BORDER_REPLICATE)
    return np.asarray(lo, dtype=np.float32), np.asarray(hi, dtype=np.float32)


def _tolerant_diff(a: Gray, b: Gray) -> Gray:
    """How far each pixel of one image lies outside the range of the other's neighbourhood,
    either way round: a pixel's worth of misalignment and resampling blur count as nothing,
    a stroke that is on one page and not the other counts in full."""
    a_lo, a_hi = _spread(a)
    b_lo, b_hi = _spread(b)
    a_out = np.maximum(np.maximum(a - b_hi, b_lo - a), 0)
    b_out = np.maximum(np.maximum(b - a_hi, a_lo - b), 0)
    out: Gray = np.maximum(a_out, b_out)
    return out


def _smooth(n: float) -> int:
    """The next size of the form 2^a * 3^b at or above n: fast for the FFT."""
    candidates: list[int] = [2**i * 3**j for i in range(14) for j in range(3)]
    return min(c for c in candidates if c >= n)


def _best(
    a: Gray8, b: Gray8, width: int, scales: NDArray[np.float64], room: float = 1.25
) -> tuple[float, float, int, int]:
    """(peak, scale, dy, dx) of the best of `scales`; `room`: the padding, a share of a's
    sides, that keeps a shifted or larger b from wrapping round."""
    ga = _gray(a, width)
    shape = (_smooth(ga.shape[0] * room), _smooth(ga.shape[1] * room))
    fa = _spectrum(ga, shape)
    # Every scale of b is drawn, bilinear, from one box-averaged copy at the largest: the
    # search needs the peak, not the finest pixels.
    top = max(8, round(width * float(scales.max())))
    if b.shape[1] > top:
        height = max(8, round(b.shape[0] * top / b.shape[1]))
        b = np.asarray(cv2.resize(b, (top, height), interpolation=cv2.INTER_AREA), np.uint8)
    best = (-1.0, 1.0, 0, 0)
    for s in scales:
        peak, dy, dx = _phase_correlate(
            fa, shape, _gray(b, width, float(s), resize=cv2.INTER_LINEAR)
        )
        if peak > best[0]:
            best = (peak, float(s), dy, dx)
    return best


def _regions(
    mask: NDArray[np.bool_], y0: int, x0: int, shape: tuple[int, int]
) -> list[tuple[float, float, float, float]]:
    """Differing cells merged row-wise into boxes, as fractions of the first page."""
    h, w = shape
    boxes: list[tuple[float, float, float, float]] = []
    for row in range(mask.shape[0]):
        col = 0
        while col < mask.shape[1]:
            if not mask[row, col]:
                col += 1
                continue
            start = col
            while col < mask.shape[1] and mask[row, col]:
                col += 1
            top, left = y0 + row * CELL, x0 + start * CELL
            boxes.append(
                (
                    round(left / w, 4),
                    round(top / h, 4),
                    round(min(w, x0 + col * CELL) / w, 4),
                    round(min(h, top + CELL) / h, 4),
                )
            )
    return boxes[:MAX_REGIONS]


def _areas(differs: NDArray[np.bool_]) -> tuple[int, float]:
    """The separate areas that differ (cells within one cell of each other joined: a field,
    or a block of fields), and the share of the compared cells their boxes cover."""
    if not differs.any():
        return 0, 0.0
    joined = cv2.dilate(differs.astype(np.uint8), _NEIGHBOURS)
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    boxes = stats[1:, cv2.CC_STAT_WIDTH] * stats[1:, cv2.CC_STAT_HEIGHT]
    return count - 1, round(float(boxes.sum() / differs.size), 4)


def _prepared(image: Image.Image) -> Gray8:
    """Gray, and no larger than twice the working width: every resize after starts here."""
    gray = np.asarray(image.convert("L"), dtype=np.uint8)
    if gray.shape[1] > 2 * WORK_WIDTH:
        height = max(8, round(gray.shape[0] * 2 * WORK_WIDTH / gray.shape[1]))
        size = (2 * WORK_WIDTH, height)
        gray = np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), np.uint8)
    return gray


def _comparable(image: Image.Image) -> bool:
    width, height = image.size
    return min(width, height) >= MIN_SIDE and max(width, height) <= MAX_ASPECT * min(width, height)


def compare_pages(a: Image.Image, b: Image.Image) -> ImageDiff:
    """Align b onto a and report where they differ. Slivers and strips (no document is
    ten times longer than wide) are not compared: no evidence either way."""
    if not (_comparable(a) and _comparable(b)):
        return ImageDiff(aligned=False, differing_share=1.0)
    prep_a, prep_b = _prepared(a), _prepared(b)
    # A tall page (a till roll) is worked on narrower, so that no side passes MAX_WORK_SIDE.
    fit = min(1.0, MAX_WORK_SIDE * a.width / (WORK_WIDTH * a.height))
    work, coarse = round(WORK_WIDTH * fit), max(16, round(COARSE_WIDTH * fit))
    peak, scale, _, _ = _best(prep_a, prep_b, coarse, COARSE_SCALES)
    if peak < MIN_PEAK:
        return ImageDiff(aligned=False, differing_share=1.0)
    middle = np.arange(scale - 0.02, scale + 0.0201, 0.01)
    _, scale, _, _ = _best(prep_a, prep_b, (coarse + work) // 2, middle)
    fine = np.arange(scale - FINE_STEP, scale + FINE_STEP * 1.01, FINE_STEP)
    # The scale is known within a step by now: no room is needed for it, and the full
    # resolution is searched on a's own size (each correlation 1.6 times cheaper).
    peak, scale, dy, dx = _best(prep_a, prep_b, work, fine, room=1.0)
    if peak < MIN_PEAK:
        return ImageDiff(aligned=False, differing_share=1.0)
    ga, gb = _gray(prep_a, work), _gray(prep_b, work, scale)
    # b shifted by (dy, dx) lies on a: the overlap in a's coordinates.
    y0, x0 = max(0, dy), max(0, dx)
    y1, x1 = min(ga.shape[0], gb.shape[0] + dy), min(ga.shape[1], gb.shape[1] + dx)
    rows, cols = (y1 - y0) // CELL, (x1 - x0) // CELL
    if rows < 4 or cols < 4 or rows * cols * CELL * CELL < 0.5 * ga.size:
        return ImageDiff(aligned=False, differing_share=1.0)
    pa = ga[y0 : y0 + rows * CELL, x0 : x0 + cols * CELL]
    pb = gb[y0 - dy : y0 - dy + rows * CELL, x0 - dx : x0 - dx + cols * CELL]
    cells = _tolerant_diff(pa, pb).reshape(rows, CELL, cols, CELL)
    inked = (pa.reshape(rows, CELL, cols, CELL).min(axis=(1, 3)) < INK) | (
        pb.reshape(rows, CELL, cols, CELL).min(axis=(1, 3)) < INK
    )
    strong = (cells > STROKE_DIFF).sum(axis=(1, 3))
    differs = (strong >= STROKE_PIXELS) & inked
    share = float(differs.sum() / max(1, inked.sum()))
    areas, area_share = _areas(differs)
    regions = tuple(_regions(differs, y0, x0, ga.shape))
    return ImageDiff(True, round(share, 4), regions, areas=areas, area_share=area_share)
