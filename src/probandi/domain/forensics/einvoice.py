"""Chinese VAT e-invoice QR codes: parse the payload, compare it with the declaration.

The payload is comma-separated: version, invoice type, invoice code, invoice number, amount
before tax, date (YYYYMMDD), check code, a short checksum, and usually a trailing comma:
`01,10,012001800311,33207675,46.62,20190508,76939056883466677916,E1BD,`. Fully digital
invoices (全电发票) leave the code and check code empty and carry a 20-digit number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from probandi.domain.forensics.identifiers import (
    document_number_digits,
    invoice_code_shape_ok,
)
from probandi.domain.vouchers import Declaration, Finding, Severity, finding

# [0-9], not \d: other scripts' digits are no part of a tax bureau's payload.
_TWO_DIGITS = re.compile(r"[0-9]{2}")
_DIGITS = re.compile(r"[0-9]{1,30}")
_AMOUNT = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,4})?")
_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_TAIL = re.compile(r"[0-9A-Za-z]{0,16}")
# Paper special invoices print no check code; their amount is what verification asks for.
_NO_CHECK_CODE_TYPES = frozenset({"01", "02", "03"})
CENT = Decimal("0.01")
# The QR holds the amount before tax; declared lines may include VAT (13% at most since 2019).
MAX_VAT_FACTOR = Decimal("1.17")


@dataclass(frozen=True)
class EInvoiceQr:
    """The fields of a VAT invoice QR code; `code` is empty on a fully digital invoice."""

    invoice_type: str
    code: str
    number: str
    amount: Decimal | None
    issued_on: date
    check_code: str

    @property
    def fully_digital(self) -> bool:
        return not self.code and len(self.number) == 20


def parse_einvoice_qr(text: str) -> EInvoiceQr | None:
    """The QR payload's fields, or None when the text is not a VAT invoice QR payload."""
    fields = [f.strip() for f in text.strip().split(",")]
    if len(fields) not in (8, 9) or any(fields[8:]):
        return None
    version, kind, code, number, amount, issued, check_code, tail = fields[:8]
    if not (_TWO_DIGITS.fullmatch(version) and _TWO_DIGITS.fullmatch(kind)):
        return None
    if code and not _DIGITS.fullmatch(code):
        return None
    if not _DIGITS.fullmatch(number) or (check_code and not _DIGITS.fullmatch(check_code)):
        return None
    if (amount and not _AMOUNT.fullmatch(amount)) or not _TAIL.fullmatch(tail):
        return None
    issued_on = _parse_date(issued)
    if issued_on is None:
        return None
    return EInvoiceQr(
        kind, code, number, Decimal(amount) if amount else None, issued_on, check_code
    )


def _parse_date(text: str) -> date | None:
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def is_verifiable(qr: EInvoiceQr) -> bool:
    """Well formed enough to look up at the tax bureau's invoice verification service."""
    if qr.amount is None:
        return False
    if qr.fully_digital:
        return not qr.check_code or _is_check_code(qr.check_code)
    if not (invoice_code_shape_ok(qr.code) and len(qr.number) == 8):
        return False
    if not qr.check_code:
        return qr.invoice_type in _NO_CHECK_CODE_TYPES
    return _is_check_code(qr.check_code)


def _is_check_code(text: str) -> bool:
    return len(text) == 20 and text.isascii() and text.isdigit()


def qr_findings(qr: EInvoiceQr, declaration: Declaration) -> list[Finding]:
    """A hard finding when the declaration contradicts the QR code, else a note for reviewers."""
    compared = [
        c
        for c in (
            _compare_number(qr, declaration),
            _compare_date(qr, declaration),
            _compare_amount(qr, declaration),
        )
        if c is not None
    ]
    mismatched = [(field, values) for field, values in compared if values]
    if mismatched:
        fields = ", ".join(field for field, _ in mismatched)
        evidence: dict[str, str | int | float | bool | None] = {"fields": fields}
        for _, values in mismatched:
            evidence |= values
        return [
            finding(
                "voucher.qr_mismatch",
                Severity.HARD,
                "the document's QR code contradicts the declaration: %(fields)s",
                evidence,
                fields=fields,
            )
        ]
    if not compared:
        return []
    return [
        Finding(
            "voucher.qr_verified",
            Severity.INFO,
            "the declaration matches the document's QR code; the tax bureau can confirm it",
            {
                "fields": ", ".join(field for field, _ in compared),
                "qr_invoice_code": qr.code,
                "qr_invoice_number": qr.number,
                "verifiable": is_verifiable(qr),
            },
        )
    ]


# A compared field and, when they differ, both values (empty when they agree).
_Comparison = tuple[str, dict[str, str]]


def _compare_number(qr: EInvoiceQr, declaration: Declaration) -> _Comparison | None:
    declared = declaration.document_number
    if declared is None:
        return None
    digits = document_number_digits(declared)
    if digits and digits in (qr.number, qr.code + qr.number):
        return "document_number", {}
    values = {
        "declared_document_number": declared,
        "qr_invoice_code": qr.code,
        "qr_invoice_number": qr.number,
    }
    return "document_number", values


def _compare_date(qr: EInvoiceQr, declaration: Declaration) -> _Comparison | None:
    declared = declaration.issued_on
    if declared is None:
        return None
    if declared == qr.issued_on:
        return "issued_on", {}
    values = {"declared_issued_on": declared.isoformat(), "qr_issued_on": qr.issued_on.isoformat()}
    return "issued_on", values


def _compare_amount(qr: EInvoiceQr, declaration: Declaration) -> _Comparison | None:
    total = _declared_total(declaration)
    # A Chinese VAT invoice is in yuan: a total declared in another currency is not comparable.
    if total is None or qr.amount is None or declaration.currency not in (None, "CNY"):
        return None
    # Lines may be a part of the invoice (only the branded goods): only a total above what
    # the invoice can hold with VAT contradicts it.
    high = qr.amount * MAX_VAT_FACTOR + CENT
    if total <= high:
        return "amount", {}
    values = {
        "declared_total": str(total),
        "qr_amount_before_tax": str(qr.amount),
        "accepted_total": f"at most {high.quantize(CENT, ROUND_FLOOR)}",
    }
    return "amount", values


def _declared_total(declaration: Declaration) -> Decimal | None:
    amounts = [line.amount for line in declaration.lines]
    if not amounts or any(a is None for a in amounts):
        return None
    return sum((a for a in amounts if a is not None), Decimal(0))
