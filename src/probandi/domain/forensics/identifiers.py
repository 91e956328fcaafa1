"""Chinese tax identifiers and invoice numbers: check digits, shapes, issuer findings."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from probandi.domain.brands import party_name
from probandi.domain.vouchers import Declaration, Finding, Severity

# GB 32100-2015: the unified social credit code (统一社会信用代码), 18 characters.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_CHARSET)}
# GB 11714-1997: the organization code (组织机构代码), characters 9-17 of a USCC.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_USCC_SHAPE = re.compile(f"[{USCC_CHARSET}]{{18}}")
_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")
_NON_DIGIT = re.compile(r"[^0-9]")


def looks_like_uscc(s: str) -> bool:
    """18 characters of the USCC alphabet (no I, O, S, V, Z), check digits not looked at."""
    return _USCC_SHAPE.fullmatch(s) is not None


def uscc_is_valid(code: str) -> bool:
    """Both check digits hold: the USCC's own (mod 31) and its organization code's (mod 11)."""
    if not looks_like_uscc(code):
        return False
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    if USCC_CHARSET[(31 - total % 31) % 31] != code[17]:
        return False
    return _org_code_is_valid(code[8:17])


def _org_code_is_valid(org: str) -> bool:
    # GB 11714 values letters A=10 .. Z=35, unlike the USCC alphabet's positions.
    total = sum(int(ch, 36) * w for ch, w in zip(org[:8], _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    expected = {10: "X", 11: "0"}.get(check, str(check))
    return org[8] == expected


def invoice_code_shape_ok(code: str) -> bool:
    """An invoice code (发票代码): 10 digits (special invoices) or 12 (ordinary, electronic)."""
    return code.isascii() and code.isdigit() and len(code) in (10, 12)


def invoice_number_shape_ok(number: str) -> bool:
    """An invoice number (发票号码): 8 digits, or 20 for a fully digital invoice (全电发票)."""
    return number.isascii() and number.isdigit() and len(number) in (8, 20)


def compact_tax_id(text: str) -> str:
    """A declared tax id as written on the document: width-folded, upper case, no separators."""
    return _NON_ALNUM.sub("", unicodedata.normalize("NFKC", text)).upper()


def document_number_digits(text: str) -> str:
    """The digits of a declared invoice number: "No.33207675", "012001800311-33207675", ..."""
    return _NON_DIGIT.sub("", unicodedata.normalize("NFKC", text))


def invoice_reference_shape_ok(text: str) -> bool:
    """An invoice number, alone or after its invoice code ("012001800311-33207675").

    Separators and a leading "No" are allowed; any other letter is not part of the number.
    """
    folded = unicodedata.normalize("NFKC", text).upper()
    kept = "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZS")
    digits = kept.removeprefix("NO")
    if invoice_number_shape_ok(digits):
        return True
    return invoice_code_shape_ok(digits[:-8]) and invoice_number_shape_ok(digits[-8:])


def issuer_findings(
    declaration: Declaration,
    distributors: Sequence[tuple[str, str | None]],
    *,
    chinese_invoice: bool,
) -> list[Finding]:
    """Tax id check digits, invoice number shape, and a distributor's name with another tax id.

    `distributors` are the (name, tax id) pairs the brands register; `chinese_invoice` is the
    caller's judgement (a VAT invoice QR code, a Chinese tax id) that number shapes apply.
    """
    found: list[Finding] = []
    tax_id = compact_tax_id(declaration.issuer_tax_id or "")
    if len(tax_id) == 18 and not uscc_is_valid(tax_id):
        found.append(
            Finding(
                "issuer.tax_id_invalid",
                Severity.WARNING,
                "the issuer's tax id is not a valid unified social credit code (check digits)",
                {"issuer_tax_id": declaration.issuer_tax_id or ""},
            )
        )
    number = declaration.document_number
    if chinese_invoice and number is not None and not invoice_reference_shape_ok(number):
        found.append(
            Finding(
                "issuer.document_number_shape",
                Severity.WARNING,
                "a Chinese VAT invoice number has 8 digits (20 for a fully digital invoice)",
                {"document_number": number},
            )
        )
    found.extend(_tax_id_mismatch(declaration, distributors))
    return found


def _tax_id_mismatch(
    declaration: Declaration, distributors: Sequence[tuple[str, str | None]]
) -> list[Finding]:
    issuer, tax_id = party_name(declaration.issuer), party_name(declaration.issuer_tax_id)
    if not issuer or not tax_id:
        return []
    registered = [t for name, t in distributors if t and party_name(name) == issuer]
    # The same distributor may be registered by several brands: any of its tax ids will do.
    if not registered or tax_id in {party_name(t) for t in registered}:
        return []
    return [
        Finding(
            "issuer.tax_id_mismatch",
            Severity.HARD,
            "the issuer bears a registered distributor's name but not its tax id",
            {
                "issuer": declaration.issuer or "",
                "declared_tax_id": declaration.issuer_tax_id or "",
                "registered_tax_id": ", ".join(dict.fromkeys(registered)),
            },
        )
    ]
