"""Read a file's own metadata: EXIF and XMP of images, the info dictionary of PDFs.

Metadata is whatever the last program wrote, often malformed: unreadable values become None,
and nothing here raises on an odd file.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import UTC, datetime, timedelta, timezone

import pypdfium2 as pdfium
from PIL import Image

from probandi.adapters.forensics.decode import PDFIUM_LOCK
from probandi.adapters.forensics.structure import PNG, png_without_pixels
from probandi.domain.forensics.metadata import DocumentMetadata

PDF = "application/pdf"
MAX_SOFTWARE = 300

_SOFTWARE = 0x0131
_DATETIME = 0x0132
_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 0x9003
_OFFSET_TIME = 0x9010
_OFFSET_TIME_ORIGINAL = 0x9011

_EXIF_DATE = re.compile(r"(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})")
# D:YYYYMMDDHHmmSSOHH'mm' with everything after the year optional (ISO 32000-1, 7.9.4).
_PDF_DATE = re.compile(
    r"(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
    r"(?:([Zz+-])(?:(\d{2})'?(?:(\d{2})'?)?)?)?"
)
_CREATOR_TOOL = re.compile(r"CreatorTool(?:>|=\")([^<\"]{1,300})")
_LINEARIZED_WINDOW = 1024

_log = logging.getLogger(__name__)


def read_metadata(data: bytes, media_type: str) -> DocumentMetadata:
    """Software and dates of a PDF, JPEG or PNG; empty metadata when none can be read."""
    if media_type == PDF:
        return _pdf_metadata(data)
    if media_type == PNG:  # a PNG's metadata may follow its pixels: read it without them
        data = png_without_pixels(data)
    try:
        with Image.open(io.BytesIO(data)) as image:
            return _image_metadata(image)
    except Exception:  # any malformed file or tag: metadata is a hint, never a failure
        _log.warning("unreadable image metadata", exc_info=True)
        return DocumentMetadata()


def _image_metadata(image: Image.Image) -> DocumentMetadata:
    exif = image.getexif()
    details = exif.get_ifd(_EXIF_IFD)
    xmp = image.info.get("xmp")
    if isinstance(xmp, bytes):
        xmp = xmp.decode("utf-8", "replace")
    tool = _CREATOR_TOOL.search(xmp) if isinstance(xmp, str) else None
    software = _joined(
        _text(exif.get(_SOFTWARE)),
        _text(image.info.get("Software")),  # PNG tEXt / iTXt
        tool.group(1) if tool else None,
    )
    return DocumentMetadata(
        software=software,
        created_at=_exif_datetime(
            details.get(_DATETIME_ORIGINAL), details.get(_OFFSET_TIME_ORIGINAL)
        ),
        modified_at=_exif_datetime(exif.get(_DATETIME), details.get(_OFFSET_TIME)),
    )


def _pdf_metadata(data: bytes) -> DocumentMetadata:
    updates = incremental_updates(data)
    try:
        with PDFIUM_LOCK:
            document = pdfium.PdfDocument(data)
            try:
                info = document.get_metadata_dict()
            finally:
                document.close()
    except Exception:  # encrypted or broken: the raw byte count still holds
        _log.warning("unreadable PDF metadata", exc_info=True)
        return DocumentMetadata(incremental_updates=updates, is_pdf=True)
    return DocumentMetadata(
        software=_joined(_text(info.get("Producer")), _text(info.get("Creator"))),
        created_at=pdf_datetime(info.get("CreationDate")),
        modified_at=pdf_datetime(info.get("ModDate")),
        incremental_updates=updates,
        is_pdf=True,
    )


def incremental_updates(data: bytes) -> int:
    """Times a PDF was saved again: one %%EOF per save, two for a linearized original.
    A digital signature is appended as an update of its own (every genuine e-invoice PDF is
    signed), so each signature's /ByteRange takes one save back."""
    saves = data.count(b"%%EOF") - 1 - data.count(b"/ByteRange")
    if b"/Linearized" in data[:_LINEARIZED_WINDOW]:
        saves -= 1
    return max(saves, 0)


def pdf_datetime(value: object) -> datetime | None:
    """A PDF date string ("D:20190508101010+08'00'"); no offset is taken as UTC."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _PDF_DATE.fullmatch(text)
    if match is None:
        return _iso_datetime(text)
    year, month, day, hour, minute, second, sign, off_h, off_m = match.groups()
    zone = UTC
    if sign in ("+", "-"):
        zone = _zone(sign, off_h or "00", off_m or "00") or UTC
    try:
        return datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=zone,
        )
    except ValueError:
        return None


def _iso_datetime(text: str) -> datetime | None:
    # Some writers put XMP-style dates in the info dictionary: 2019-05-08T10:10:10+08:00.
    try:
        parsed = datetime.fromisoformat(text.removeprefix("D:"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _exif_datetime(value: object, offset: object) -> datetime | None:
    text = _text(value)
    match = _EXIF_DATE.match(text or "")
    if match is None:
        return None
    offset_match = _OFFSET.fullmatch(_text(offset) or "")
    zone = _zone(*offset_match.groups()) if offset_match else None
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone or UTC)
    except ValueError:  # 0000:00:00 00:00:00 from cameras whose clock was never set
        return None


def _zone(sign: str, hours: str, minutes: str) -> timezone | None:
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta >= timedelta(hours=24):
        return None
    return timezone(-delta if sign == "-" else delta)


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    cleaned = value.strip("\x00 \t\r\n")
    return cleaned[:MAX_SOFTWARE] or None


def _joined(*parts: str | None) -> str | None:
    unique = dict.fromkeys(p for p in parts if p)
    return "; ".join(unique)[:MAX_SOFTWARE] or None
