"""UploadInspector: type by magic bytes, full decode, size, pixel and page limits."""

from __future__ import annotations

import hashlib
import io
import os
import random
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from probandi.adapters.forensics.inspect import UploadInspector
from probandi.domain.errors import InvalidInput, PayloadTooLarge, UnsupportedMedia
from probandi.services import ports

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ONE_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"


@pytest.fixture
def inspector() -> ports.UploadInspector:
    return UploadInspector()


@pytest.fixture
def shared_data() -> Path:
    default = Path(__file__).resolve().parents[3] / "shared" / "data"
    folder = Path(os.environ.get("PROBANDI_SHARED_DATA", default))
    if not folder.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared test data is missing at {folder}")
        pytest.skip(f"shared test data is missing at {folder}")
    return folder


def an_image(image_format: str, size: tuple[int, int] = (64, 48)) -> bytes:
    noise = random.Random(7).randbytes(size[0] * size[1] * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", size, noise).save(out, image_format)
    return out.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body)
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def a_png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose IHDR promises width x height RGB pixels, with almost no pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def a_pdf(*pages: bytes, extra: tuple[bytes, ...] = (), eof: bool = True) -> bytes:
    """A hand-written PDF with a catalog, a page tree, the given pages and extra objects."""
    first_page = 3
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)),
        *pages,
        *extra,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n" % xref
    if eof:
        out += b"%%EOF\n"
    return bytes(out)


def an_object_stream(*bodies: bytes, filters: bytes = b"/FlateDecode") -> bytes:
    """An object stream (objects 10, 11, ...) encoded with the given filters."""
    header_offsets, content, position = [], b"", 0
    for number, body in enumerate(bodies, start=10):
        header_offsets.append(b"%d %d" % (number, position))
        content += body + b"\n"
        position += len(body) + 1
    header = b" ".join(header_offsets) + b"\n"
    raw = header + content
    encoded = zlib.compress(raw) if b"Flate" in filters else raw.hex().encode() + b">"
    fields = (len(bodies), len(header), filters, len(encoded))
    head = b"<< /Type /ObjStm /N %d /First %d /Filter %s /Length %d >>" % fields
    return head + b"\nstream\n" + encoded + b"\nendstream"


def test_inspector_conforms_to_the_port() -> None:
    inspector: ports.UploadInspector = UploadInspector()
    assert inspector.inspect(an_image("PNG"), None).media_type == "image/png"


@pytest.mark.parametrize(
    ("image_format", "media_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")]
)
def test_valid_image_is_described(
    inspector: ports.UploadInspector, image_format: str, media_type: str
) -> None:
    data = an_image(image_format, (64, 48))

    stored = inspector.inspect(data, media_type)

    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data)
    assert stored.media_type == media_type
    assert (stored.pages, stored.width, stored.height) == (1, 64, 48)


@pytest.mark.parametrize(
    "claimed", [None, "application/octet-stream", "image/jpeg; charset=binary", "IMAGE/JPG"]
)
def test_a_neutral_or_matching_claim_is_accepted(
    inspector: ports.UploadInspector, claimed: str | None
) -> None:
    assert inspector.inspect(an_image("JPEG"), claimed).media_type == "image/jpeg"


def test_jpeg_sent_as_png_is_refused(inspector: ports.UploadInspector) -> None:
    with pytest.raises(UnsupportedMedia, match="is image/jpeg but was sent as image/png"):
        inspector.inspect(an_image("JPEG"), "image/png")


def test_text_sent_as_pdf_is_refused(inspector: ports.UploadInspector) -> None:
    with pytest.raises(UnsupportedMedia, match="not a PDF, JPEG or PNG"):
        inspector.inspect(b"Invoice 42: 3 handbags, 1200 EUR\n", "application/pdf")


def test_other_image_formats_are_refused(inspector: ports.UploadInspector) -> None:
    with pytest.raises(UnsupportedMedia, match="not a PDF, JPEG or PNG"):
        inspector.inspect(an_image("GIF"), "image/gif")


def test_empty_file_is_invalid(inspector: ports.UploadInspector) -> None:
    with pytest.raises(InvalidInput, match="empty"):
        inspector.inspect(b"", None)


def test_file_over_the_byte_limit_is_too_large() -> None:
    data = an_image("PNG")

    assert UploadInspector(max_bytes=len(data)).inspect(data, None).size == len(data)
    with pytest.raises(PayloadTooLarge, match="bytes"):
        UploadInspector(max_bytes=len(data) - 1).inspect(data, None)


def test_truncated_png_is_refused(inspector: ports.UploadInspector) -> None:
    data = an_image("PNG")

    with pytest.raises(UnsupportedMedia, match="truncated or corrupt"):
        inspector.inspect(data[: len(data) // 2], "image/png")


def test_truncated_jpeg_is_refused(inspector: ports.UploadInspector) -> None:
    data = an_image("JPEG")

    with pytest.raises(UnsupportedMedia, match="truncated or corrupt"):
        inspector.inspect(data[: len(data) // 2], "image/jpeg")


def test_png_with_a_broken_header_is_refused(inspector: ports.UploadInspector) -> None:
    with pytest.raises(UnsupportedMedia, match="corrupt image"):
        inspector.inspect(PNG_SIGNATURE + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 4, None)


@pytest.mark.parametrize("side", [20_000, 10_000, 7_000])
def test_pixel_bomb_is_refused_from_its_header(inspector: ports.UploadInspector, side: int) -> None:
    # 20000² is beyond Pillow's error limit, 10000² beyond its warning, 7000² beyond ours.
    with pytest.raises(PayloadTooLarge, match="pixels"):
        inspector.inspect(a_png_header_claiming(side, side), "image/png")


def test_pillow_bomb_limit_holds_even_when_ours_is_higher() -> None:
    with pytest.raises(PayloadTooLarge, match="pixels"):
        UploadInspector(max_pixels=10**9).inspect(a_png_header_claiming(20_000, 20_000), None)


def test_image_over_a_custom_pixel_limit_is_too_large() -> None:
    data = an_image("JPEG", (11, 10))

    assert UploadInspector(max_pixels=110).inspect(data, None).width == 11
    with pytest.raises(PayloadTooLarge, match="11x10 pixels"):
        UploadInspector(max_pixels=109).inspect(data, None)


def test_animated_png_is_refused(inspector: ports.UploadInspector) -> None:
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:])

    with pytest.raises(UnsupportedMedia, match="animated"):
        inspector.inspect(out.getvalue(), "image/png")


def test_lenient_pillow_setting_is_a_configuration_error(
    inspector: ports.UploadInspector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        inspector.inspect(an_image("PNG"), None)


def test_one_page_pdf_is_described(inspector: ports.UploadInspector) -> None:
    data = a_pdf(ONE_PAGE)

    stored = inspector.inspect(data, "application/pdf")

    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert (stored.media_type, stored.size, stored.pages) == ("application/pdf", len(data), 1)
    assert (stored.width, stored.height) == (None, None)


def test_pdf_pages_are_counted_without_the_page_tree(inspector: ports.UploadInspector) -> None:
    tight = b"<</Type/Page/Parent 2 0 R>>"
    escaped = b"<< /Type /P#61ge /Parent 2 0 R >>"

    assert inspector.inspect(a_pdf(ONE_PAGE, tight, escaped), None).pages == 3


def test_pdf_pages_inside_object_streams_are_counted(inspector: ports.UploadInspector) -> None:
    stream = an_object_stream(ONE_PAGE, ONE_PAGE)

    assert inspector.inspect(a_pdf(ONE_PAGE, extra=(stream,)), None).pages == 3


def test_pdf_over_the_page_limit_is_too_large() -> None:
    data = a_pdf(ONE_PAGE, ONE_PAGE, ONE_PAGE)

    assert UploadInspector(max_pdf_pages=3).inspect(data, None).pages == 3
    with pytest.raises(PayloadTooLarge, match="3 pages"):
        UploadInspector(max_pdf_pages=2).inspect(data, None)


def test_pdf_without_pages_is_refused(inspector: ports.UploadInspector) -> None:
    with pytest.raises(UnsupportedMedia, match="no pages"):
        inspector.inspect(a_pdf(), "application/pdf")


def test_pdf_missing_its_eof_marker_is_refused(inspector: ports.UploadInspector) -> None:
    with pytest.raises(UnsupportedMedia, match="truncated PDF"):
        inspector.inspect(a_pdf(ONE_PAGE, eof=False), "application/pdf")


def test_cut_short_pdf_is_refused(inspector: ports.UploadInspector) -> None:
    data = a_pdf(ONE_PAGE)

    with pytest.raises(UnsupportedMedia, match="truncated PDF"):
        inspector.inspect(data[: len(data) // 2], "application/pdf")


@pytest.mark.parametrize(
    "action",
    [
        b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>",
        b"<< /S /J#61vaScript /JS (app.alert(1)) >>",
        b"<< /JS 12 0 R >>",
        b"<< /Type /Action /S /Launch /F (cmd.exe) >>",
        b"<< /Type /EmbeddedFile /Length 0 >>",
    ],
)
def test_pdf_with_active_content_is_refused(
    inspector: ports.UploadInspector, action: bytes
) -> None:
    with pytest.raises(UnsupportedMedia, match="active content"):
        inspector.inspect(a_pdf(ONE_PAGE, extra=(action,)), "application/pdf")


def test_active_content_hidden_in_an_object_stream_is_refused(
    inspector: ports.UploadInspector,
) -> None:
    stream = an_object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>")

    with pytest.raises(UnsupportedMedia, match="active content"):
        inspector.inspect(a_pdf(ONE_PAGE, extra=(stream,)), None)


def test_names_that_merely_start_like_active_ones_are_fine(
    inspector: ports.UploadInspector,
) -> None:
    harmless = b"<< /JSON 1 /Launcher 2 /EmbeddedFont 3 >>"

    assert inspector.inspect(a_pdf(ONE_PAGE, extra=(harmless,)), None).pages == 1


def test_object_stream_in_an_unchecked_encoding_is_refused(
    inspector: ports.UploadInspector,
) -> None:
    stream = an_object_stream(ONE_PAGE, filters=b"/ASCIIHexDecode")

    with pytest.raises(UnsupportedMedia, match="cannot be checked"):
        inspector.inspect(a_pdf(ONE_PAGE, extra=(stream,)), None)


def test_object_stream_that_does_not_inflate_is_refused(
    inspector: ports.UploadInspector,
) -> None:
    garbage = b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\nxyz\nendstream"

    with pytest.raises(UnsupportedMedia, match="cannot be decoded"):
        inspector.inspect(a_pdf(ONE_PAGE, extra=(garbage,)), None)


def test_object_stream_bomb_is_too_large() -> None:
    stream = an_object_stream(ONE_PAGE + b" " * 200_000)
    data = a_pdf(ONE_PAGE, extra=(stream,))

    with pytest.raises(PayloadTooLarge, match="expand"):
        UploadInspector(max_bytes=len(data)).inspect(data, None)


def test_real_images_are_accepted(inspector: ports.UploadInspector, shared_data: Path) -> None:
    images = sorted((shared_data / "pdq-conformance" / "images").glob("*/*"))
    images.append(shared_data / "invoices" / "e-invoice-real.png")
    assert len(images) > 30

    refused = []
    for path in images:
        try:
            stored = inspector.inspect(path.read_bytes(), None)
        except (UnsupportedMedia, PayloadTooLarge) as exc:
            refused.append(f"{path.name}: {exc}")
        else:
            assert stored.width is not None
            assert stored.height is not None

    assert refused == []
