"""Normalizing what OCR reads: dates, amounts, ids and names, tolerant of its usual slips."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from probandi.domain.brands import party_name
from probandi.domain.forensics.identifiers import USCC_CHARSET, uscc_is_valid


def folded(text: str) -> str:
    """Width-folded (NFKC): full-width digits, colons and currency signs become ASCII."""
    return unicodedata.normalize("NFKC", text)


_DATE_PATTERNS = (
    # 2019年05月08日, 2019年5月8日 (the 日 may be misread or missing)
    re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{2}|\d(?!\d))"),
    # 2019-05-08, 2019/5/8, 2019.05.08
    # OCR often drops the space before a time: "2024-12-1012:17" is still 2024-12-10.
    re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{2}|\d(?!\d))"),
    # 20190508
    re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)"),
)


def parse_dates(text: str) -> list[date]:
    """Every calendar date written in `text`, in order of appearance."""
    found: list[tuple[int, date]] = []
    clean = folded(text)
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(clean):
            try:
                day = date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
            if all(start != match.start() for start, _ in found):
                found.append((match.start(), day))
    return [day for _, day in sorted(found)]


def parse_date(text: str) -> date | None:
    dates = parse_dates(text)
    return dates[0] if dates else None


_NUMBER_TOKEN = re.compile(r"(?<![\d.,])\d[\d.,]*\d(?![\d])|(?<![\d.,])\d(?![\d.,])")
_CURRENCY_MARK = re.compile(r"[¥￥$€£]|元|RMB|CNY|USD|EUR|GBP|JPY|HKD", re.IGNORECASE)
CENT = Decimal("0.01")


def amount_of(token: str) -> Decimal | None:
    """One written amount: the last separator followed by one or two digits is the decimal
    point; every other separator groups thousands (OCR reads a comma as a point:
    "6.142.74" is 6142.74)."""
    head, sep, tail = token.rpartition(".") if "." in token else token.rpartition(",")
    if sep and 1 <= len(tail) <= 2:
        whole, cents = head, tail
    else:
        whole, cents = token, "0"
    groups = re.split(r"[.,]", whole)
    if len(groups) > 1 and not all(len(g) == 3 for g in groups[1:]):
        return None
    try:
        return Decimal(f"{''.join(groups)}.{cents}").quantize(CENT)
    except InvalidOperation:
        return None


def parse_amounts(text: str) -> list[Decimal]:
    """Money amounts in `text`: ¥46.62, 46.62元, 1,234.50; percentages are not amounts."""
    clean = folded(text)
    found: list[Decimal] = []
    for match in _NUMBER_TOKEN.finditer(clean):
        if clean[match.end() : match.end() + 1] == "%":
            continue
        value = amount_of(match[0])
        if value is not None:
            found.append(value)
    return found


def has_currency_mark(text: str) -> bool:
    return _CURRENCY_MARK.search(folded(text)) is not None


def currency_of(text: str) -> str | None:
    """The ISO code a price is written in, when the text says so."""
    clean = folded(text).upper()
    for code in ("USD", "EUR", "GBP", "JPY", "HKD", "CNY"):
        if code in clean:
            return code
    marks = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY", "元": "CNY", "RMB": "CNY"}
    for mark, code in marks.items():
        if mark in clean:
            return code
    return None


# Letters OCR reads in place of digits, and letters the USCC alphabet never uses.
_AS_DIGIT = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1", "B": "8"})
_USCC_FIX = str.maketrans({"O": "0", "I": "1", "Z": "2", "S": "5", "V": "U"})
_USCC_RUN = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")  # not inside a longer id


def digits_of(text: str) -> str:
    """The digits of an id read with letter-for-digit slips (O for 0, I for 1)."""
    return re.sub(r"\D", "", folded(text).translate(_AS_DIGIT))


def digit_runs(text: str, lengths: tuple[int, ...]) -> list[str]:
    """Runs of digits of the given lengths; spaces inside a run are OCR's, not the issuer's."""
    clean = folded(text).translate(_AS_DIGIT)
    runs = re.findall(r"\d[\d ]*\d|\d", clean)
    return [r.replace(" ", "") for r in runs if len(r.replace(" ", "")) in lengths]


_ID_TOKEN = re.compile(r"(?<![0-9A-Z])[0-9A-Z][0-9A-Z-]{5,31}(?![0-9A-Z])")
MIN_ID_DIGITS = 4
MAX_ID_TOKENS = 24


def id_tokens(text: str) -> list[str]:
    """Id-like runs on a page (a receipt or order number, a code): at least 6 letters and
    digits, 4 of them digits, and no date; hyphens dropped, in order, each once."""
    found: list[str] = []
    for match in _ID_TOKEN.finditer(text.upper()):
        token = match[0].replace("-", "")
        if len(token) < 6 or sum(ch.isdigit() for ch in token) < MIN_ID_DIGITS:
            continue
        if parse_dates(match[0]) or token in found:
            continue
        found.append(token)
        if len(found) == MAX_ID_TOKENS:
            break
    return found


def usccs_in(text: str) -> list[tuple[str, bool]]:
    """Unified social credit codes in `text`, each with whether its check digits hold.

    A run that fails as read is tried again with the usual letter slips fixed."""
    clean = re.sub(r"[\s\-]", "", folded(text)).upper()
    found: list[tuple[str, bool]] = []
    for match in _USCC_RUN.finditer(clean):
        code = match[0]
        if uscc_is_valid(code):
            found.append((code, True))
            continue
        fixed = code.translate(_USCC_FIX)
        if uscc_is_valid(fixed):
            found.append((fixed, True))
        elif all(ch in USCC_CHARSET for ch in fixed) and sum(ch.isdigit() for ch in fixed) >= 10:
            found.append((fixed, False))
    return found


_COMPANY_SUFFIXES = (
    ("有限责任公司", "有限公司"),
    ("股份有限公司", "有限公司"),
    ("co.,ltd.", "coltd"),
    ("company limited", "coltd"),
    ("limited", "ltd"),
)


def name_key(text: str | None) -> str:
    """A company or person name folded for comparison: width, case, spaces, punctuation, and
    有限公司 / 有限责任公司 / 股份有限公司 taken as one."""
    lowered = folded(text or "").casefold()
    for long, short in _COMPANY_SUFFIXES:
        lowered = lowered.replace(long, short)
    return party_name(lowered)


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def name_similarity(a: str | None, b: str | None) -> float:
    """1.0 for the same name however written; lower as more characters differ."""
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return 0.0
    return 1.0 - _distance(ka, kb) / max(len(ka), len(kb))


def same_name(a: str | None, b: str | None, *, slack: float = 0.85) -> bool:
    """Names equal after folding, allowing a character misread in a long name."""
    return name_similarity(a, b) >= slack
