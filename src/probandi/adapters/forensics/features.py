"""Local features of a page, and whether two pages show the same document (template aside).

A copy that a camera made, cropped, turned or framed keeps the document's own strokes where
they were relative to each other: ORB keypoints matched between the pages agree on one
homography (RANSAC). Two different documents on one template agree on one too, through the
template's grid and labels alone, so raw inlier counts do not separate them. `TemplateModel`
holds the descriptors that recur across many documents of other sellers; `suppress` drops the
keypoints that match it, and what still agrees after that is the document's own content.
"""

from __future__ import annotations

import struct
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import faiss
import numpy as np
from numpy.typing import NDArray
from PIL import Image

WORK_SIDE = 1600  # pixels, at most, on the longer side when features are taken
WORK_SHORT = 800  # pixels, at most, on the shorter side
MAX_KEYPOINTS = 2000
DESCRIPTOR_BYTES = 32  # ORB: 256 bits
POINT_SCALE = 8  # stored coordinates are in 1/8 pixel (uint16: up to 8191 px)
MATCH_RATIO = 0.8  # Lowe's ratio between the nearest and second-nearest descriptor
MATCH_DISTANCE = 64  # bits: a nearest descriptor farther than this is no match
REPROJECTION_PX = 5.0  # RANSAC tolerance at the working size
TEMPLATE_RADIUS = 30  # bits: a keypoint this close to a template descriptor is template
TEMPLATE_MIN_DOCUMENTS = 3  # a descriptor recurring in this many other documents is template
MAX_PAIRS = 200  # inlier pairs kept for reviewers
SAME_DOCUMENT_INLIERS = 250  # template suppressed; measured in bench/verify_pairs.py

_MAGIC = b"PGF1"
_HEADER = struct.Struct("<4sHHI")

Points = NDArray[np.float32]
Descriptors = NDArray[np.uint8]
Quad = tuple[tuple[float, float], ...]


@dataclass(frozen=True, eq=False)
class PageFeatures:
    """ORB keypoints of one page at the working size: positions (x, y) and descriptors."""

    width: int
    height: int
    points: Points  # (n, 2) float32, working-size pixels
    descriptors: Descriptors  # (n, 32) uint8

    def __len__(self) -> int:
        return int(self.points.shape[0])

    def to_bytes(self) -> bytes:
        """Header, then uint16 coordinates in 1/8 pixel, then the descriptors."""
        coordinates = np.round(self.points * POINT_SCALE).astype("<u2")
        return (
            _HEADER.pack(_MAGIC, self.width, self.height, len(self))
            + coordinates.tobytes()
            + np.ascontiguousarray(self.descriptors, dtype=np.uint8).tobytes()
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> PageFeatures:
        magic, width, height, n = _HEADER.unpack_from(data)
        if magic != _MAGIC:
            raise ValueError("not page features")
        start = _HEADER.size
        end = start + 4 * n
        if len(data) != end + DESCRIPTOR_BYTES * n:
            raise ValueError("page features of the wrong length")
        coordinates = np.frombuffer(data[start:end], dtype="<u2").reshape(n, 2)
        points = (coordinates.astype(np.float32) / POINT_SCALE).astype(np.float32)
        descriptors = np.frombuffer(data[end:], dtype=np.uint8).reshape(n, DESCRIPTOR_BYTES)
        return cls(width, height, points, descriptors.copy())

    def subset(self, keep: NDArray[np.bool_]) -> PageFeatures:
        return PageFeatures(self.width, self.height, self.points[keep], self.descriptors[keep])


def _luma(image: Image.Image) -> NDArray[np.uint8]:
    """The page as 8-bit luma, reduced until its shorter side is at most WORK_SHORT pixels
    and its longer at most WORK_SIDE; never enlarged."""
    gray = np.asarray(image.convert("L"), dtype=np.uint8)
    height, width = gray.shape
    factor = min(1.0, WORK_SHORT / min(width, height), WORK_SIDE / max(width, height))
    if factor == 1.0:
        return gray
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(gray, size, interpolation=interpolation), dtype=np.uint8)


_ORB = cv2.ORB.create(nfeatures=MAX_KEYPOINTS)


def page_features(image: Image.Image) -> PageFeatures:
    """ORB keypoints and descriptors of the page, at most MAX_KEYPOINTS of them."""
    luma = _luma(image)
    keypoints, descriptors = _ORB.detectAndCompute(luma, None)
    height, width = luma.shape
    if descriptors is None or not keypoints:
        return _empty(width, height)
    points = np.array([k.pt for k in keypoints], dtype=np.float32).reshape(-1, 2)
    return PageFeatures(width, height, points, np.asarray(descriptors, dtype=np.uint8))


def _empty(width: int, height: int) -> PageFeatures:
    return PageFeatures(
        width,
        height,
        np.zeros((0, 2), dtype=np.float32),
        np.zeros((0, DESCRIPTOR_BYTES), dtype=np.uint8),
    )


def _binary_index(descriptors: Descriptors) -> faiss.IndexBinaryFlat:
    index = faiss.IndexBinaryFlat(8 * DESCRIPTOR_BYTES)
    if len(descriptors):
        index.add(np.ascontiguousarray(descriptors, dtype=np.uint8))
    return index


def _nearest(index: faiss.IndexBinaryFlat, queries: Descriptors, k: int) -> NDArray[np.int32]:
    """Hamming distances (n, k) from each query to its k nearest stored descriptors."""
    distances, _ = index.search(np.ascontiguousarray(queries, dtype=np.uint8), k)
    return np.asarray(distances, dtype=np.int32)


def _distinct(descriptors: Descriptors, radius: int) -> Descriptors:
    """One descriptor of each group lying within `radius` bits of each other (greedy)."""
    index = _binary_index(descriptors)
    lims, _, ids = index.range_search(descriptors, radius + 1)
    covered = np.zeros(len(descriptors), dtype=bool)
    kept = []
    for i in range(len(descriptors)):
        if not covered[i]:
            kept.append(i)
            covered[ids[int(lims[i]) : int(lims[i + 1])]] = True
    return descriptors[kept]


class TemplateModel:
    """Descriptors that recur across documents of many sellers: a template's grid and labels."""

    def __init__(self, descriptors: Descriptors, *, radius: int = TEMPLATE_RADIUS) -> None:
        self.descriptors = np.ascontiguousarray(descriptors, dtype=np.uint8)
        self.radius = radius
        self._index = _binary_index(self.descriptors)
        # A stored voucher is verified against many uploads: suppress each page once.
        self._suppressed: weakref.WeakKeyDictionary[PageFeatures, PageFeatures] = (
            weakref.WeakKeyDictionary()
        )

    def __len__(self) -> int:
        return int(self.descriptors.shape[0])

    @classmethod
    def build(
        cls,
        pages: Sequence[PageFeatures],
        *,
        min_documents: int = TEMPLATE_MIN_DOCUMENTS,
        radius: int = TEMPLATE_RADIUS,
    ) -> TemplateModel:
        """The descriptors of `pages` found within `radius` bits in `min_documents` others."""
        faiss.omp_set_num_threads(1)  # this thread only; see near_index
        nonempty = [p.descriptors for p in pages if len(p)]
        if not nonempty:
            return cls(np.zeros((0, DESCRIPTOR_BYTES), dtype=np.uint8), radius=radius)
        everything = np.concatenate(nonempty)
        page_of = np.repeat(np.arange(len(nonempty)), [len(d) for d in nonempty])
        index = _binary_index(everything)
        lims, _, ids = index.range_search(everything, radius + 1)
        query = np.repeat(np.arange(len(everything)), np.diff(lims.astype(np.int64)))
        other = page_of[np.asarray(ids, dtype=np.int64)]
        pairs = np.unique(np.stack([query, other])[:, other != page_of[query]], axis=1)
        documents = np.bincount(pairs[0], minlength=len(everything))
        return cls(_distinct(everything[documents >= min_documents], radius // 2), radius=radius)

    def suppress(self, features: PageFeatures) -> PageFeatures:
        """The page's keypoints less those whose descriptor matches the template."""
        if not len(self) or not len(features):
            return features
        cached = self._suppressed.get(features)
        if cached is None:
            faiss.omp_set_num_threads(1)
            template = _nearest(self._index, features.descriptors, 1)[:, 0] <= self.radius
            cached = self._suppressed[features] = features.subset(~template)
        return cached


@dataclass(frozen=True)
class Verification:
    """Where two pages agree. Coordinates are fractions of each page's width and height."""

    inliers: int
    matches: int  # tentative matches before RANSAC
    homography: NDArray[np.float64] | None  # 3 x 3, a's fractions to b's
    region_a: Quad  # the inliers' bounding box on page a, four corners
    region_b: Quad  # that box carried onto page b by the homography
    pairs: tuple[tuple[float, float, float, float], ...]  # (xa, ya, xb, yb), at most MAX_PAIRS


NO_MATCH = Verification(0, 0, None, (), (), ())


def _tentative(a: PageFeatures, b: PageFeatures) -> tuple[Points, Points]:
    """Matched positions: each of a's descriptors to its nearest in b, when clearly nearest
    (Lowe's ratio test: repeated glyphs of one line are left out, not guessed)."""
    faiss.omp_set_num_threads(1)
    distances, ids = _binary_index(b.descriptors).search(a.descriptors, 2)
    best, second = distances[:, 0], distances[:, 1]
    ok = (best <= MATCH_DISTANCE) & (best < MATCH_RATIO * second)
    return a.points[ok], b.points[ids[ok, 0]]


def _fractions(points: Points, page: PageFeatures) -> NDArray[np.float64]:
    return points.astype(np.float64) / np.array([page.width, page.height], dtype=np.float64)


def verify(a: PageFeatures, b: PageFeatures, template: TemplateModel | None = None) -> Verification:
    """How many of the pages' keypoints (the template's left out) agree on one homography."""
    if template is not None:
        a, b = template.suppress(a), template.suppress(b)
    if len(a) < 4 or len(b) < 2:
        return NO_MATCH
    src, dst = _tentative(a, b)
    if len(src) < 4:
        return Verification(0, len(src), None, (), (), ())
    homography, mask = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, REPROJECTION_PX)
    if not isinstance(homography, np.ndarray) or homography.shape != (3, 3):
        return Verification(0, len(src), None, (), (), ())
    inlier = mask.ravel().astype(bool)
    fa, fb = _fractions(src[inlier], a), _fractions(dst[inlier], b)
    to_b = np.diag([b.width, b.height, 1.0])
    from_a = np.diag([1.0 / a.width, 1.0 / a.height, 1.0])
    normalized = np.linalg.inv(to_b) @ homography @ np.linalg.inv(from_a)
    normalized /= normalized[2, 2]
    return Verification(
        inliers=int(inlier.sum()),
        matches=len(src),
        homography=normalized,
        region_a=_box(fa),
        region_b=_carried(_box(fa), normalized),
        pairs=tuple(
            (round(xa, 4), round(ya, 4), round(xb, 4), round(yb, 4))
            for (xa, ya), (xb, yb) in zip(fa[:MAX_PAIRS], fb[:MAX_PAIRS], strict=True)
        ),
    )


def _box(points: NDArray[np.float64]) -> Quad:
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def _carried(quad: Quad, homography: NDArray[np.float64]) -> Quad:
    corners = np.array(quad, dtype=np.float64).reshape(-1, 1, 2)
    moved = cv2.perspectiveTransform(corners, homography).reshape(-1, 2)
    return tuple((float(x), float(y)) for x, y in moved)


def same_document(verification: Verification) -> bool:
    """Enough of the pages' own content agrees for them to be one document."""
    return verification.inliers >= SAME_DOCUMENT_INLIERS
