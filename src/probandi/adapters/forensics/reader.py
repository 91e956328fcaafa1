"""The forensic reader: fingerprints, QR payload and metadata of a file, and page comparison.

Fingerprints come from `decode.hash_views`, QR codes and comparisons from `decode.decode_pages`:
indexing and querying go through the same functions, so they see the same pixels.
"""

from __future__ import annotations

import numpy as np
import pdqhash
from numpy.typing import NDArray
from PIL import Image

from probandi.adapters.forensics.compare import compare_pages
from probandi.adapters.forensics.decode import (
    DEFAULT_MAX_PAGES,
    DecodeBudget,
    decode_pages,
    hash_view,
    hash_views,
)
from probandi.adapters.forensics.metadata import read_metadata
from probandi.adapters.forensics.qr import read_qr_payloads
from probandi.adapters.forensics.rectify import rectify
from probandi.domain.credentials import MAX_TOKEN_CHARS, looks_like_token
from probandi.domain.forensics.einvoice import parse_einvoice_qr
from probandi.domain.forensics.model import (
    FULL,
    RECTIFIED,
    TRIMMED,
    DocumentFacts,
    ImageDiff,
    PageFingerprint,
    TurnedHash,
)

PNG = "image/png"
# Uploads are also looked up turned by 90, 180 and 270 degrees (a mirrored document is
# unreadable): PDQ's dihedral forms 1-3, as Pillow transposes (measured on the conformance
# photo).
PDQ_TURNS = {
    1: Image.Transpose.ROTATE_90,
    2: Image.Transpose.ROTATE_180,
    3: Image.Transpose.ROTATE_270,
}
TRIM_CONTRAST = 40  # grey levels from the border's colour that count as content
TRIM_DENSITY = 0.02  # share of a row or column that must be content
TRIM_MIN_AREA = 0.25  # a smaller content box is a detail, not the document


def _pixels(image: Image.Image) -> NDArray[np.uint8]:
    pixels: NDArray[np.uint8] = np.asarray(image)
    if pixels.ndim == 2:  # luma as three equal channels (a view, no copy): the same luma
        pixels = np.broadcast_to(pixels[..., None], (*pixels.shape, 3))
    return pixels


def _hex(bits: NDArray[np.int64]) -> str:
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


def pdq_of(image: Image.Image) -> tuple[str, int]:
    """Meta's PDQ hash (64 hex characters) and quality of decoded pixels."""
    bits, quality = pdqhash.compute(_pixels(image))
    return _hex(bits), int(quality)


def trimmed(image: Image.Image) -> Image.Image | None:
    """The page without the uniform margin around it (the table under a photographed
    invoice, a scan's border), or None when there is no such margin. Cropping that margin
    is the commonest edit of a recycled copy, and PDQ of the full frame moves with it."""
    gray = np.asarray(image.convert("L"), dtype=np.int16)
    border = np.concatenate([gray[0, :], gray[-1, :], gray[:, 0], gray[:, -1]])
    mask = np.abs(gray - int(np.median(border))) > TRIM_CONTRAST
    rows = np.flatnonzero(mask.mean(axis=1) > TRIM_DENSITY)
    cols = np.flatnonzero(mask.mean(axis=0) > TRIM_DENSITY)
    if len(rows) < 2 or len(cols) < 2:
        return None
    box = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
    area = (box[2] - box[0]) * (box[3] - box[1])
    if area < TRIM_MIN_AREA * image.width * image.height or box == (0, 0, *image.size):
        return None
    return image.crop(box)


def rectified(image: Image.Image) -> Image.Image | None:
    """The page a photo or a screenshot shows, cut from its desk or app chrome and warped
    to a rectangle; None when the image is the page itself (nothing to cut)."""
    page = rectify(image)
    return None if page is image else page


def page_hashes(
    index: int,
    view: Image.Image,
    turns: tuple[int, ...] = (),
    page: Image.Image | None = None,
) -> tuple[list[PageFingerprint], list[TurnedHash]]:
    """The page's fingerprints: the full page's PDQ (Meta's, conformance-tested), where the
    page has a margin the PDQ of its content, and where it shows a page on a desk or in a
    phone's frame the PDQ of that page rectified; all are indexed, and a query matches on
    any. With `turns`, also query-only hashes of both turned by those dihedral forms:
    the page is turned and hashed again, because PDQ's own dihedral hashes of a page that
    is not square sit 16-18 bits from the hash of the turned page, too much of 31 bits."""
    prints: list[PageFingerprint] = []
    turned: list[TurnedHash] = []
    # The page is found at reading resolution when there is one (`page`): corners found on
    # the 512-pixel view land a few pixels off, and PDQ moves with them.
    found = rectified(page if page is not None else view)
    variants: list[tuple[str, Image.Image | None]] = [(FULL, view), (TRIMMED, trimmed(view))]
    if found is not None:
        variants.append((RECTIFIED, hash_view(found)))
    for variant, image in variants:
        if image is None:
            continue
        pdq, quality = pdq_of(image)
        prints.append(PageFingerprint(index, pdq, quality, variant=variant))
        for turn in turns:
            turned_pdq, _ = pdq_of(image.transpose(PDQ_TURNS[turn]))
            turned.append(TurnedHash(index, turned_pdq, quality, turn))
    return prints, turned


def _qr_payload(pages: list[Image.Image]) -> str | None:
    """The first e-invoice QR payload on any page, else the first signed credential (kept
    whole: its signature covers every character), else the first QR text at all."""
    texts = [text for page in pages for text in read_qr_payloads(page)]
    for text in texts:
        if parse_einvoice_qr(text) is not None:
            return text
    for text in texts:
        if looks_like_token(text) and len(text) <= MAX_TOKEN_CHARS:
            return text
    return texts[0][:500] if texts else None


RECTIFIED_ASPECT_SLACK = 0.1  # a rectified page's aspect ratio is this close to the true one


def _similar_aspect(a: tuple[int, int], b: tuple[int, int]) -> bool:
    ratio = (a[0] / max(1, a[1])) / (b[0] / max(1, b[1]))
    return abs(ratio - 1) <= RECTIFIED_ASPECT_SLACK


class ForensicReader:
    """Decodes within one `DecodeBudget`, so concurrent uploads share a memory bound."""

    def __init__(
        self, max_pages: int = DEFAULT_MAX_PAGES, budget: DecodeBudget | None = None
    ) -> None:
        self._max_pages = max_pages
        self._budget = budget
        self._last_page: tuple[bytes, str, int, tuple[Image.Image, bool]] | None = None

    def fingerprints(self, data: bytes, media_type: str) -> tuple[PageFingerprint, ...]:
        pages = decode_pages(data, media_type, self._max_pages, self._budget)
        views = self._hash_views(data, media_type, pages)
        return tuple(
            fp for i, view in enumerate(views) for fp in page_hashes(i, view, page=pages[i])[0]
        )

    def _hash_views(
        self, data: bytes, media_type: str, pages: list[Image.Image]
    ) -> list[Image.Image]:
        # A PNG's hash view is its reading page box-filtered (the same pixels `hash_views`
        # decodes): one decode instead of two. JPEGs and PDFs have their own cheaper path.
        if media_type == PNG:
            return [hash_view(page) for page in pages]
        return hash_views(data, media_type, self._max_pages, self._budget)

    def read(self, data: bytes, media_type: str) -> DocumentFacts:
        pages = decode_pages(data, media_type, self._max_pages, self._budget)
        prints: list[PageFingerprint] = []
        turned: list[TurnedHash] = []
        for i, view in enumerate(self._hash_views(data, media_type, pages)):
            page_prints, page_turns = page_hashes(i, view, tuple(PDQ_TURNS), pages[i])
            prints += page_prints
            turned += page_turns
        return DocumentFacts(
            fingerprints=tuple(prints),
            qr_payload=_qr_payload(pages),
            metadata=read_metadata(data, media_type),
            turned=tuple(turned),
        )

    def _our_page(self, data: bytes, media_type: str, page: int) -> tuple[Image.Image, bool] | None:
        """The upload's page, rectified, and whether a page was cut out of it: decoded once
        for all the candidates it is compared with (the last one asked for is kept)."""
        last = self._last_page
        if last is not None and last[0] is data and last[1:3] == (media_type, page):
            return last[3]
        pages = decode_pages(data, media_type, page + 1, self._budget)
        if len(pages) <= page:
            return None
        page_image = rectify(pages[page])
        found = (page_image, page_image is not pages[page])
        self._last_page = (data, media_type, page, found)
        return found

    def compare(
        self,
        ours: bytes,
        ours_type: str,
        page: int,
        theirs: bytes,
        theirs_type: str,
        other_page: int,
        turn: int = 0,
    ) -> ImageDiff:
        """Our page (turned into the other's orientation) against theirs, each cut from its
        desk or phone frame first: a dark frame would count as ink in both and dilute the
        share of cells that differ."""
        ours_page = self._our_page(ours, ours_type, page)
        b = decode_pages(theirs, theirs_type, other_page + 1, self._budget)
        if ours_page is None or len(b) <= other_page:
            return ImageDiff(aligned=False, differing_share=1.0)
        (mine, cut), theirs_page = ours_page, rectify(b[other_page])
        mine = mine.transpose(PDQ_TURNS[turn]) if turn else mine
        found = cut or theirs_page is not b[other_page]
        if found and _similar_aspect(mine.size, theirs_page.size):
            # A page warped from a photo keeps its corners' small errors as a slightly other
            # aspect ratio; the comparison searches one scale for both sides.
            mine = mine.resize(theirs_page.size, Image.Resampling.BILINEAR)
        return compare_pages(mine, theirs_page)
