"""File structure beyond magic bytes: a PNG is its chunks up to IEND, a JPEG its segments up
to EOI, and nothing else may hide in or after them.

A polyglot is a file that two programs read as two formats: a PDF that is also a ZIP, a JPEG
with an archive or a web page after its end. A reviewer opening it sees an invoice; another
program finds something else. Such uploads are refused with `upload.polyglot`.
"""

from __future__ import annotations

import re
import struct
import zlib

from probandi.domain.errors import InvalidInput, UnsupportedMedia

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
POLYGLOT = "upload.polyglot"

# Bytes allowed after an image's end: padding some encoders write, nothing more.
SLACK = 16
_PADDING = b"\x00\r\n\t "
# A ZIP reader looks for its end record in the last 64 KiB (its comment) plus 22 bytes.
_ZIP_TAIL = 65_535 + 22
_ZIP_END = b"PK\x05\x06"
_ZIP_CENTRAL = b"PK\x01\x02"
# A PDF reader looks for its header in the first 1024 bytes.
_PDF_HEAD_WINDOW = 1024
_FOREIGN = (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c")
_MARKUP = re.compile(rb"<\s*(?:script|html|!doctype\s+html|iframe|body|\?php)\b", re.I)
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def _refuse(what: str) -> InvalidInput:
    return InvalidInput(
        "the file is also %(what)s: polyglot files are not accepted",
        code=POLYGLOT,
        field="file",
        params={"what": what},
    )


def check_structure(data: bytes, media_type: str) -> None:
    """Raises InvalidInput (`upload.polyglot`) unless `data` is one file of `media_type`."""
    if _zip_end(data):
        raise _refuse("a ZIP archive")
    if any(signature in data for signature in _FOREIGN):
        raise _refuse("an archive")
    if _MARKUP.search(data):
        raise _refuse("a web page or script")
    if media_type == PNG:
        _trailing(data, _png_end(data))
    elif media_type == JPEG:
        _trailing(data, _jpeg_end(data))
    if media_type != PDF and b"%PDF-" in data[:_PDF_HEAD_WINDOW]:
        raise _refuse("a PDF")


def _zip_end(data: bytes) -> bool:
    """Whether a ZIP reader would find an archive: an end record whose central directory
    starts where it says, or right before the record (an archive appended to other bytes,
    which readers find by its size)."""
    start = max(0, len(data) - _ZIP_TAIL)
    position = data.rfind(_ZIP_END, start)
    while position != -1:
        record = data[position : position + 22]
        if len(record) == 22:
            size, offset = struct.unpack("<II", record[12:20])
            for central in (offset, position - size):
                if 0 <= central <= position - size and (
                    size == 0 or data[central : central + 4] == _ZIP_CENTRAL
                ):
                    return True
        position = data.rfind(_ZIP_END, start, position)
    return False


def _trailing(data: bytes, end: int) -> None:
    rest = data[end:]
    if len(rest) > SLACK or rest.strip(_PADDING):
        raise _refuse(f"something else: {len(rest)} bytes follow the image's end")


def _png_end(data: bytes) -> int:
    """The offset after IEND, walking every chunk and checking its CRC."""
    position = 8
    while position + 12 <= len(data):
        length: int = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(data):
            break
        body = data[position + 4 : end - 4]
        if zlib.crc32(body) != struct.unpack(">I", data[end - 4 : end])[0]:
            raise UnsupportedMedia(
                "truncated or corrupt image: a PNG %(kind)r chunk fails its CRC",
                field="file",
                params={"kind": kind},
            )
        if kind == b"IEND":
            return end
        position = end
    raise UnsupportedMedia("truncated or corrupt image: the PNG has no IEND chunk", field="file")


def _jpeg_end(data: bytes) -> int:
    """The offset after EOI, walking segments and entropy-coded data."""
    position = 2
    while position + 2 <= len(data):
        if data[position] != 0xFF:
            position = _entropy_end(data, position)
            continue
        marker = data[position + 1]
        if marker == 0x00:
            position = _entropy_end(data, position)
        elif marker == 0xD9:
            return position + 2
        elif marker == 0xFF:
            position += 1  # fill byte
        elif marker in _JPEG_STANDALONE:
            position += 2
        else:
            (length,) = struct.unpack(">H", data[position + 2 : position + 4] or b"\0\0")
            position += 2 + length
    raise UnsupportedMedia("truncated or corrupt image: the JPEG has no end marker", field="file")


def _entropy_end(data: bytes, position: int) -> int:
    """The next marker after entropy-coded data (0xFF00 is a stuffed byte, RSTn goes on)."""
    while True:
        position = data.find(b"\xff", position)
        if position == -1 or position + 1 >= len(data):
            return len(data)
        follower = data[position + 1]
        if follower == 0x00 or 0xD0 <= follower <= 0xD7:
            position += 2
            continue
        return position


_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def _chunk(kind: bytes, body: bytes) -> bytes:
    return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")


def png_without_pixels(data: bytes) -> bytes:
    """The same PNG, every chunk kept, but one pixel in size: its metadata (tEXt, eXIf, also
    after the image data) is read without decoding the image. `data` passed inspection."""
    chunks: list[bytes] = [data[:8]]
    position, pixels_written = 8, False
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            depth, color = body[8], body[9]
            row = b"\x00" * (1 + -(-depth * _PNG_CHANNELS.get(color, 4) // 8))
            body = struct.pack(">II", 1, 1) + body[8:12] + b"\x00"
        if kind == b"IDAT":
            if not pixels_written:
                chunks.append(_chunk(b"IDAT", zlib.compress(row)))
                pixels_written = True
            continue
        chunks.append(_chunk(kind, body))
    return b"".join(chunks)
