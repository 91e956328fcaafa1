"""Page finding and rectification: the document inside a photo or a screenshot, upright.

A phone photo puts the page on a desk, tilted; a screenshot shrinks it inside dark app chrome.
Either moves PDQ far from the original's hash (34-82 and 96-122 bits on bench/rectify.py's
set), though the page itself is unchanged; rectified, they sit at 6-28. The page is the
largest light region that is nearly solid and clearly lighter than the band around it: its
outline, reduced to four corners, is warped back to a rectangle. Corners are found on a copy
at most `FIND_SIDE` pixels long and the warp is at most `WARP_SIDE` pixels long, so the memory
a call holds is bounded whatever the input. When nothing convincing is found (a clean page, a
photo of nothing), the image is returned as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

Point = tuple[float, float]
Mask = NDArray[np.uint8]

FIND_SIDE = 1024  # pixels, the longer side of the copy the corners are found on
WARP_SIDE = 2048  # pixels, the longer side of a rectified page at most
MIN_SIDE = 32  # smaller images are not searched
MIN_AREA = 0.08  # a page covers at least this share of the image
MAX_AREA = 0.96  # a page this large is the whole image: nothing to crop
MIN_SOLID = 0.80  # share of the quadrilateral the light region fills
MIN_CONTRAST = 40.0  # grey levels between the page and the band around it
BAND = 0.01  # the band's width, share of the image's shorter side
CANDIDATES = 4  # the largest light regions tried
EPSILONS = (0.01, 0.02, 0.035, 0.05)  # polygon tolerance, share of the outline's length


@dataclass(frozen=True)
class Quad:
    """A page's corners in the image's pixels: top-left, top-right, bottom-right, bottom-left."""

    corners: tuple[Point, Point, Point, Point]

    @property
    def size(self) -> tuple[int, int]:
        """The page's width and height: its longer opposite edges."""
        tl, tr, br, bl = self.corners
        width = max(math.dist(tl, tr), math.dist(bl, br))
        height = max(math.dist(tl, bl), math.dist(tr, br))
        return max(1, round(width)), max(1, round(height))

    def scaled(self, factor: float) -> Quad:
        tl, tr, br, bl = ((x * factor, y * factor) for x, y in self.corners)
        return Quad((tl, tr, br, bl))


def _luma(image: Image.Image) -> tuple[NDArray[np.uint8], float]:
    """The image's luma at most FIND_SIDE long, and the factor back to the image's pixels."""
    factor = max(1.0, max(image.size) / FIND_SIDE)
    size = (max(1, round(image.width / factor)), max(1, round(image.height / factor)))
    small = (
        image.convert("L")
        if size == image.size
        else image.convert("L").resize(size, Image.Resampling.BOX)
    )
    return np.asarray(small, dtype=np.uint8), image.width / size[0]


def _light_mask(luma: NDArray[np.uint8]) -> Mask:
    """Light pixels (Otsu's threshold), with thin bridges to light chrome details cut."""
    blurred = cv2.GaussianBlur(luma, (5, 5), 0)
    _, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    kernel = np.ones((5, 5), np.uint8)
    return np.asarray(cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel), dtype=np.uint8)


def _ordered(points: NDArray[np.float32]) -> Quad:
    """Four points clockwise (in image coordinates) from the one nearest the top-left."""
    centre = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    clockwise = points[np.argsort(angles)]
    first = int(np.argmin(clockwise.sum(axis=1)))
    tl, tr, br, bl = ((float(x), float(y)) for x, y in np.roll(clockwise, -first, axis=0))
    return Quad((tl, tr, br, bl))


def _four_corners(outline: NDArray[np.int32]) -> Quad:
    """The outline as four corners; its smallest rotated bounding box when it has no four."""
    hull = cv2.convexHull(outline)
    perimeter = cv2.arcLength(hull, True)
    for epsilon in EPSILONS:
        polygon = cv2.approxPolyDP(hull, epsilon * perimeter, True)
        if len(polygon) == 4 and cv2.isContourConvex(polygon):
            return _ordered(polygon.reshape(4, 2).astype(np.float32))
    box = cv2.boxPoints(cv2.minAreaRect(hull))
    return _ordered(np.asarray(box, dtype=np.float32))


def _area(quad: Quad) -> float:
    return float(cv2.contourArea(np.array(quad.corners, dtype=np.float32)))


def _polygon_mask(shape: tuple[int, ...], quad: Quad) -> Mask:
    mask = np.zeros(shape[:2], np.uint8)
    corners = np.round(np.array(quad.corners)).astype(np.int32)
    cv2.fillConvexPoly(mask, corners, 255)
    return mask


def _convincing(quad: Quad, luma: NDArray[np.uint8], light: Mask) -> bool:
    """A page: not a speck, nearly solid, lighter than the band just around it (a frame, a
    desk, app chrome: whatever lies further out, such as a PDF's white margin, does not count)."""
    polygon = _polygon_mask(luma.shape, quad)
    inside = polygon > 0
    if inside.sum() < MIN_AREA * luma.size or float((light[inside] > 0).mean()) < MIN_SOLID:
        return False
    width = max(2, round(BAND * min(luma.shape)))
    grown = cv2.dilate(polygon, np.ones((2 * width + 1, 2 * width + 1), np.uint8)) > 0
    band = grown & ~inside
    if not band.any():
        return False
    return float(luma[inside].mean()) - float(luma[band].mean()) >= MIN_CONTRAST


def find_page(image: Image.Image) -> Quad | None:
    """The page's corners in `image`, or None when there is no page distinct from the image."""
    if min(image.size) < MIN_SIDE:
        return None
    luma, factor = _luma(image)
    light = _light_mask(luma)
    outlines, hierarchy = cv2.findContours(light, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if not outlines:  # OpenCV gives no hierarchy at all then
        return None
    # Outer boundaries only (a page inside a light frame is an outer boundary of its own).
    outer = [c for c, h in zip(outlines, hierarchy[0], strict=True) if h[3] < 0]
    for outline in sorted(outer, key=cv2.contourArea, reverse=True)[:CANDIDATES]:
        if cv2.contourArea(outline) < MIN_AREA * luma.size:
            break
        quad = _four_corners(np.asarray(outline, dtype=np.int32))
        if _area(quad) > MAX_AREA * luma.size:
            return None  # the largest light region is the whole image: the image is the page
        if _convincing(quad, luma, light):
            return quad.scaled(factor)
    return None


def _warp_size(quad: Quad) -> tuple[int, int]:
    width, height = quad.size
    shrink = min(1.0, WARP_SIDE / max(width, height))
    return max(1, round(width * shrink)), max(1, round(height * shrink))


def warp(image: Image.Image, quad: Quad) -> Image.Image:
    """The quadrilateral of `image` as an upright rectangle at most WARP_SIDE long."""
    width, height = _warp_size(quad)
    target = np.array([(0, 0), (width, 0), (width, height), (0, height)], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(np.array(quad.corners, dtype=np.float32), target)
    source = image if image.mode in ("L", "RGB") else image.convert("RGB")
    pixels = np.asarray(source)
    page = cv2.warpPerspective(
        pixels, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return Image.fromarray(np.asarray(page, dtype=np.uint8))


def rectify(image: Image.Image) -> Image.Image:
    """The page inside `image` cropped and warped upright; `image` itself when none is found."""
    quad = find_page(image)
    return image if quad is None else warp(image, quad)
