"""File metadata findings: editing software, dates against the document, saves after writing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from probandi.domain.forensics.metadata import (
    DocumentMetadata,
    editing_software,
    metadata_findings,
)
from probandi.domain.vouchers import Finding, Severity

ISSUED = date(2019, 5, 8)
CHINA = timezone(timedelta(hours=8))


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


@pytest.mark.parametrize(
    ("software", "editor"),
    [
        ("Adobe Photoshop 25.0 (Windows)", "Photoshop"),
        ("Adobe Photoshop CC 2019 (Macintosh)", "Photoshop"),
        ("Photoshop Express", "Photoshop"),
        ("PS Express", "PS Express"),
        ("Meitu", "Meitu"),
        ("MeituXiuXiu", "Meitu"),
        ("美图秀秀", "美图"),
        ("GIMP 2.10.34", "GIMP"),
        ("Pixelmator Pro 3.3", "Pixelmator"),
        ("Snapseed 2.0", "Snapseed"),
        ("PicsArt", "PicsArt"),
        ("Canva", "Canva"),
        ("Microsoft® Word 2016", "Word"),
        ("Microsoft Word - invoice.docx", "Word"),
        ("WPS 文字", "WPS"),
        ("Paint.NET v3.5.11", "Paint.NET"),
        ("Microsoft Paint", "Paint"),
        ("Adobe Illustrator 27.0", "Illustrator"),
        ("Affinity Photo 2.1", "Affinity"),
        ("Foxit PhantomPDF 10.1", "PhantomPDF"),
        ("Foxit PDF Editor 12.0", "Foxit PDF Editor"),
        ("Wondershare PDFelement", "PDFelement"),
        ("ADOBE PHOTOSHOP 7.0", "PHOTOSHOP"),
    ],
)
def test_editors_are_named(software: str, editor: str) -> None:
    assert editing_software(software) == editor


@pytest.mark.parametrize(
    "software",
    [
        None,
        "",
        "Adobe Acrobat Distiller 11.0 (Windows)",
        "Adobe PDF Library 15.0",
        "iText 2.1.7 by 1T3XT",  # common in tax-bureau e-invoice PDFs
        "Suwell OFD Reader",
        "Foxit PhantomPDF Printer Version 9.0",  # prints any program's output to PDF
        "Ver.1.00",
        "HDR+ 1.0.345618096z",
        "16.1.1",
        "Android RP1A.200720.012",
        "Password Keyword Wordless",
        "Skia/PDF m120",
        "Microsoft: Print To PDF",
    ],
)
def test_converters_firmware_and_generators_are_not_editors(software: str | None) -> None:
    assert editing_software(software) is None
    assert metadata_findings(DocumentMetadata(software=software), None) == []


def test_an_editor_gives_a_warning_with_the_software_as_evidence() -> None:
    [finding] = metadata_findings(DocumentMetadata(software="Adobe Photoshop 25.0"), ISSUED)
    assert finding.code == "voucher.metadata.editing_software"
    assert finding.severity is Severity.WARNING
    assert finding.evidence == {"software": "Adobe Photoshop 25.0", "editor": "Photoshop"}


def pdf(**fields: object) -> DocumentMetadata:
    return DocumentMetadata(is_pdf=True, **fields)  # type: ignore[arg-type]


def test_a_pdf_created_more_than_a_day_after_the_document_is_a_warning() -> None:
    created = datetime(2019, 5, 10, 0, 30, tzinfo=CHINA)
    [finding] = metadata_findings(pdf(created_at=created), ISSUED)
    assert finding.code == "voucher.metadata.created_after_document"
    assert finding.severity is Severity.WARNING
    assert finding.evidence == {
        "created_at": "2019-05-10T00:30:00+08:00",
        "issued_on": "2019-05-08",
    }


@pytest.mark.parametrize(
    "created",
    [
        datetime(2019, 5, 8, 10, 10, 10, tzinfo=CHINA),
        datetime(2019, 5, 9, 23, 59, tzinfo=CHINA),
        datetime(2019, 5, 7, tzinfo=UTC),
    ],
)
def test_a_pdf_created_on_or_a_day_after_the_document_is_fine(created: datetime) -> None:
    assert metadata_findings(pdf(created_at=created), ISSUED) == []


def test_an_image_captured_before_the_document_is_a_warning() -> None:
    captured = datetime(2019, 4, 30, 15, 0, tzinfo=UTC)
    [finding] = metadata_findings(DocumentMetadata(created_at=captured), ISSUED)
    assert finding.code == "voucher.metadata.captured_before_document"
    assert finding.severity is Severity.WARNING
    assert finding.evidence == {
        "captured_at": "2019-04-30T15:00:00+00:00",
        "issued_on": "2019-05-08",
    }


def test_an_image_without_a_capture_date_falls_back_to_its_modification_date() -> None:
    meta = DocumentMetadata(modified_at=datetime(2018, 1, 1, tzinfo=UTC))
    assert codes(metadata_findings(meta, ISSUED)) == ["voucher.metadata.captured_before_document"]


@pytest.mark.parametrize(
    "captured",
    [
        datetime(2019, 5, 7, 20, 0, tzinfo=UTC),  # a day of time-zone slack
        datetime(2019, 5, 8, 9, 0, tzinfo=CHINA),
        datetime(2020, 1, 1, tzinfo=UTC),  # photographed long after: fine for an image
    ],
)
def test_an_image_captured_on_or_after_the_document_is_fine(captured: datetime) -> None:
    assert metadata_findings(DocumentMetadata(created_at=captured), ISSUED) == []


def test_dates_are_not_judged_without_a_declared_issue_date() -> None:
    meta = DocumentMetadata(created_at=datetime(2000, 1, 1, tzinfo=UTC))
    assert metadata_findings(meta, None) == []
    assert metadata_findings(pdf(created_at=datetime(2030, 1, 1, tzinfo=UTC)), None) == []


def test_a_pdf_saved_again_after_writing_is_a_warning() -> None:
    [finding] = metadata_findings(pdf(incremental_updates=2), ISSUED)
    assert finding.code == "voucher.metadata.incremental_updates"
    assert finding.severity is Severity.WARNING
    assert finding.evidence == {"incremental_updates": 2}


def test_a_pdf_written_once_and_images_have_no_update_finding() -> None:
    assert metadata_findings(pdf(incremental_updates=0), ISSUED) == []
    assert metadata_findings(DocumentMetadata(incremental_updates=3), ISSUED) == []


def test_every_finding_at_once_in_a_fixed_order() -> None:
    meta = pdf(
        software="Microsoft® Word 2016",
        created_at=datetime(2024, 1, 1, tzinfo=UTC),
        incremental_updates=1,
    )
    found = metadata_findings(meta, ISSUED)
    assert codes(found) == [
        "voucher.metadata.editing_software",
        "voucher.metadata.created_after_document",
        "voucher.metadata.incremental_updates",
    ]
    for finding in found:
        assert all(isinstance(v, str | int | bool) for v in finding.evidence.values())
