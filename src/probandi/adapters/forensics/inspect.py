"""Upload inspection: type by magic bytes and full structure (no polyglots), a full decode
within the decode budget, size, pixel and page limits."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import struct
import threading
import warnings
import zlib
from collections.abc import Iterator

from PIL import Image, ImageFile

from probandi.adapters.forensics.decode import (
    DEFAULT_BUDGET,
    PDFIUM_LOCK,
    DecodeBudget,
    image_pixels,
    open_pdf,
    pixel_cost,
)
from probandi.adapters.forensics.structure import check_structure
from probandi.domain.errors import InvalidInput, PayloadTooLarge, UnsupportedMedia
from probandi.domain.vouchers import StoredFile

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

_MAGIC = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
_MAGIC_TYPES = frozenset(media_type for _, media_type in _MAGIC)
_ALIASES = {"image/jpg": JPEG, "image/pjpeg": JPEG, "image/x-png": PNG, "application/x-pdf": PDF}
_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG"}

# Readers look for %%EOF in the last 1024 bytes; without it the upload was cut short.
_EOF_WINDOW = 1024
# Object streams are inflated to look inside them; more than this per upload byte is a bomb.
_INFLATE_FACTOR = 8
_ACTIVE_NAMES = frozenset({b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles"})
_FLATE = frozenset({b"FlateDecode", b"Fl"})
_FILTERS = _FLATE | frozenset(
    b"ASCIIHexDecode AHx ASCII85Decode A85 LZWDecode LZW RunLengthDecode RL CCITTFaxDecode CCF"
    b" JBIG2Decode DCTDecode DCT JPXDecode Crypt".split()
)
_NAME = re.compile(rb"/([^\s\x00()<>\[\]{}/%]*)")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_PDF_SPACE = b" \t\r\n\f\x00"

# warnings.catch_warnings swaps process-wide state: one inspection at a time may hold it.
_PILLOW_WARNINGS = threading.Lock()
_log = logging.getLogger(__name__)


class UploadInspector:
    """Accepts PDF, JPEG and PNG by magic bytes and structure, after a full decode within
    size limits."""

    def __init__(
        self,
        max_bytes: int = 10 * 1024 * 1024,
        max_pixels: int = 40_000_000,
        max_pdf_pages: int = 50,
        budget: DecodeBudget | None = None,
    ) -> None:
        if min(max_bytes, max_pixels, max_pdf_pages) < 1:
            raise ValueError("upload limits must be positive")
        self._budget = budget or DEFAULT_BUDGET
        self._max_bytes = max_bytes
        self._max_pixels = max_pixels
        self._max_pdf_pages = max_pdf_pages

    def inspect(self, data: bytes, claimed_media_type: str | None) -> StoredFile:
        if not data:
            raise InvalidInput("the file is empty", field="file")
        if len(data) > self._max_bytes:
            raise PayloadTooLarge(
                "file is %(count_data)s bytes, the limit is %(max_bytes)s",
                field="file",
                params={"count_data": len(data), "max_bytes": self._max_bytes},
            )
        media_type = _sniff(data)
        _check_claim(media_type, claimed_media_type)
        sha256 = hashlib.sha256(data).hexdigest()
        if media_type == PDF:
            check_structure(data, media_type)
            return StoredFile(sha256, len(data), PDF, pages=self._pdf_pages(data))
        width, height = self._image_size(data, media_type)
        return StoredFile(sha256, len(data), media_type, pages=1, width=width, height=height)

    def _image_size(self, data: bytes, media_type: str) -> tuple[int, int]:
        if ImageFile.LOAD_TRUNCATED_IMAGES:
            raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is set: truncated uploads pass")
        if media_type == PNG:
            _refuse_animated_png(data)
        with _open_header(data, _PILLOW_FORMATS[media_type]) as image:
            width, height = image.size
            # Checked from the header, before a single pixel is decoded.
            if width * height > self._max_pixels:
                raise PayloadTooLarge(
                    "image is %(width)sx%(height)s pixels, the limit is %(max_pixels)s",
                    field="file",
                    params={"width": width, "height": height, "max_pixels": self._max_pixels},
                )
            check_structure(data, media_type)
            # Decoded to prove the pixels are all there, within the budget, and let go at once.
            with self._budget.hold(pixel_cost(width, height)):
                _decode(image)
                image.close()
        return width, height

    def _pdf_pages(self, data: bytes) -> int:
        if data.rfind(b"%%EOF", max(0, len(data) - _EOF_WINDOW)) == -1:
            raise UnsupportedMedia("truncated PDF: no %%EOF at its end", field="file")
        texts = [data, *_object_streams(data, budget=self._max_bytes * _INFLATE_FACTOR)]
        pages = 0
        for text in texts:
            found, text_pages = _scan_names(text)
            if found:
                raise UnsupportedMedia(
                    "PDF contains active content (JavaScript, launch actions or embedded files)",
                    field="file",
                )
            pages += text_pages
        if pages < 1:
            raise UnsupportedMedia("corrupt PDF: it has no pages", field="file")
        if pages > self._max_pdf_pages:
            raise PayloadTooLarge(
                "PDF has %(pages)s pages, the limit is %(max_pdf_pages)s",
                field="file",
                params={"pages": pages, "max_pdf_pages": self._max_pdf_pages},
            )
        self._check_pdf_images(data)
        return pages

    def _check_pdf_images(self, data: bytes) -> None:
        """A page's images are decoded at full size to render it: their pixels are held to
        the image limit, read from their headers before any is decoded."""
        with PDFIUM_LOCK:
            document = open_pdf(data)
            try:
                for index in range(min(len(document), self._max_pdf_pages)):
                    page = document[index]
                    try:
                        pixels = image_pixels(page)
                    finally:
                        page.close()
                    if pixels > self._max_pixels:
                        raise PayloadTooLarge(
                            (
                                "PDF page %(page)s draws images of %(pixels)s pixels, the limit is "
                                "%(max_pixels)s"
                            ),
                            field="file",
                            params={
                                "page": index + 1,
                                "pixels": pixels,
                                "max_pixels": self._max_pixels,
                            },
                        )
            finally:
                document.close()


def _sniff(data: bytes) -> str:
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    raise UnsupportedMedia("file is not a PDF, JPEG or PNG", field="file")


def _check_claim(media_type: str, claimed: str | None) -> None:
    if claimed is None:
        return
    claimed_type = claimed.split(";", 1)[0].strip().lower()
    claimed_type = _ALIASES.get(claimed_type, claimed_type)
    if claimed_type in _MAGIC_TYPES and claimed_type != media_type:
        raise UnsupportedMedia(
            "file is %(media_type)s but was sent as %(claimed_type)s",
            field="file",
            params={"media_type": media_type, "claimed_type": claimed_type},
        )


def _refuse_animated_png(data: bytes) -> None:
    # One still image only: viewers that ignore animation show another picture than the rest.
    position = 8
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        if kind == b"acTL":
            raise UnsupportedMedia("animated PNG is not accepted", field="file")
        if kind == b"IEND":
            return
        position += length + 12


def _open_header(data: bytes, pillow_format: str) -> Image.Image:
    with _PILLOW_WARNINGS, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            image = Image.open(io.BytesIO(data), formats=[pillow_format])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels() from exc
        # Pillow's parsers raise many kinds of error on hostile bytes: all mean "not an image".
        except Exception as exc:
            raise UnsupportedMedia("corrupt image", field="file") from exc
    for warning in caught:
        if issubclass(warning.category, Image.DecompressionBombWarning):
            image.close()
            raise _too_many_pixels()
        _log.info("image upload read with a warning: %s", warning.message)
    return image


def _too_many_pixels() -> PayloadTooLarge:
    return PayloadTooLarge("image has too many pixels (decompression bomb)", field="file")


def _decode(image: Image.Image) -> None:
    try:
        image.load()
    except Exception as exc:  # see _open_header: any decoder error means a damaged file
        raise UnsupportedMedia("truncated or corrupt image", field="file") from exc


def _names(text: bytes) -> Iterator[tuple[bytes, int, int]]:
    """PDF names with #xx escapes resolved, and where each starts and ends."""
    for match in _NAME.finditer(text):
        name = match.group(1)
        if b"#" in name:
            name = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        yield name, match.start(), match.end()


def _scan_names(text: bytes) -> tuple[bool, int]:
    """(whether active content is named, count of /Type /Page objects)."""
    pages = 0
    previous, previous_end = b"", 0
    for name, start, end in _names(text):
        if name in _ACTIVE_NAMES:
            return True, pages
        if (
            name == b"Page"
            and previous == b"Type"
            and not text[previous_end:start].strip(_PDF_SPACE)
        ):
            pages += 1
        previous, previous_end = name, end
    return False, pages


def _object_streams(data: bytes, *, budget: int) -> list[bytes]:
    """The decoded contents of object streams, where modern PDFs keep pages and actions."""
    texts: list[bytes] = []
    boundary = 0
    for match in _STREAM.finditer(data):
        start, body_start = match.span()
        if start < boundary:
            continue  # the keyword inside an earlier stream's bytes
        end = data.find(b"endstream", body_start)
        if end == -1:
            raise UnsupportedMedia("truncated PDF: a stream has no end", field="file")
        head_start = max(boundary, data.rfind(b"endobj", boundary, start))
        head = {name for name, _, _ in _names(data[head_start:start])}
        boundary = end
        if b"ObjStm" in head:
            text = _inflate_object_stream(data[body_start:end], head, budget)
            budget -= len(text)
            texts.append(text)
    return texts


def _inflate_object_stream(body: bytes, head: set[bytes], budget: int) -> bytes:
    filters = head & _FILTERS
    if not filters:
        return b""  # not encoded: already scanned with the rest of the file
    if not filters <= _FLATE:
        raise UnsupportedMedia(
            "PDF object stream uses an encoding that cannot be checked", field="file"
        )
    try:
        text = zlib.decompressobj().decompress(body, budget + 1)
    except zlib.error as exc:
        raise UnsupportedMedia(
            "PDF object stream cannot be decoded (encrypted or corrupt)", field="file"
        ) from exc
    if len(text) > budget:
        raise PayloadTooLarge("PDF object streams expand beyond the limit", field="file")
    return text
