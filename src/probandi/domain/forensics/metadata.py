"""File metadata as evidence: the software that last wrote the file, and its dates.

Metadata is easy to strip and to forge, so it only ever raises warnings: a reviewer looks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from probandi.domain.vouchers import Finding, Severity, finding

# A day of slack: the issuer's date and the file's clock may sit in different time zones.
DATE_SLACK = timedelta(days=1)

# Editors that can change what a document shows. Not editors: PDF writers that only convert
# (Acrobat Distiller, Adobe PDF Library, iText, Foxit's PDF printer), camera firmware,
# tax-bureau generators.
_EDITORS = re.compile(
    r"photoshop|\bps express\b|meitu|美图|xiuxiu|\bgimp\b|pixelmator|snapseed|picsart"
    r"|\bcanva\b|photopea|\bfotor\b|photoscape|paint\.net|\bpaint\b|paintshop|illustrator"
    r"|inkscape|\baffinity\b|\bword\b|\bwps\b|phantompdf(?! printer)|foxit pdf editor|pdfelement"
    r"|pdf-xchange editor|nitro pro|\bsejda\b|pdf expert",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DocumentMetadata:
    """What a file says about itself: software (EXIF Software, PDF Producer and Creator)
    and dates; for a PDF, how many times it was saved again after it was written."""

    software: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    incremental_updates: int = 0
    is_pdf: bool = False


def editing_software(software: str | None) -> str | None:
    """The editor the software string names, as written there, or None."""
    match = _EDITORS.search(software or "")
    return match.group(0) if match else None


def metadata_findings(meta: DocumentMetadata, issued_on: date | None) -> list[Finding]:
    """Warnings from the file's own metadata, compared with the declared issue date."""
    found: list[Finding] = []
    editor = editing_software(meta.software)
    if editor is not None:
        found.append(
            finding(
                "voucher.metadata.editing_software",
                Severity.WARNING,
                "the file was written by an editing program (%(editor)s)",
                {"software": meta.software or "", "editor": editor},
                editor=editor,
            )
        )
    if issued_on is not None:
        found.extend(_date_findings(meta, issued_on))
    if meta.is_pdf and meta.incremental_updates >= 1:
        found.append(
            Finding(
                "voucher.metadata.incremental_updates",
                Severity.WARNING,
                "the PDF was saved again after it was written (a signature also does this)",
                {"incremental_updates": meta.incremental_updates},
            )
        )
    return found


def _date_findings(meta: DocumentMetadata, issued_on: date) -> list[Finding]:
    # Each date is compared in its own time zone: the wall-clock day the file was written.
    if meta.is_pdf:
        created = meta.created_at
        if created is not None and created.date() > issued_on + DATE_SLACK:
            return [
                Finding(
                    "voucher.metadata.created_after_document",
                    Severity.WARNING,
                    "the PDF was created more than a day after the document's date",
                    {"created_at": created.isoformat(), "issued_on": issued_on.isoformat()},
                )
            ]
        return []
    captured = meta.created_at or meta.modified_at
    if captured is not None and captured.date() < issued_on - DATE_SLACK:
        return [
            Finding(
                "voucher.metadata.captured_before_document",
                Severity.WARNING,
                "the image was taken before the document's date",
                {"captured_at": captured.isoformat(), "issued_on": issued_on.isoformat()},
            )
        ]
    return []
