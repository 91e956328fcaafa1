"""Long ids in a voucher's read text, cut into pieces that survive crops, photos and re-typing.

A copy of a voucher, however it is photographed, cut or doctored, still carries most of the
original's long id-like strings: invoice code and number, check code (校验码), the cipher area
(密码区: rows of digits and `<>*/+-`), tax ids, bank account, order number. Another document
on the same template shares the labels and none of these values. Each id-like run of the
OCR text is cut into overlapping 8-character pieces (stride 1), so a run that OCR splits in
two, or reads with one character wrong or missing, loses only the pieces that cross the slip.
"""

from __future__ import annotations

import re
import unicodedata

PIECE = 8  # characters a piece; a run shorter than this is not an id
CIPHER_SYMBOLS = "<>*/+-"
# Every cipher symbol reads as this one, and a row of them as one: OCR confuses them (`*` for
# `+`) and drops one of two side by side. Measured on copies' readings, this raised the 5th
# percentile share from 0.52 (symbols as read) to 0.65.
CIPHER = "+"
_CIPHER_ROW = re.compile(r"\++")
# Letters OCR reads in place of digits (none is in a tax id's alphabet, GB 32100), and the
# cipher symbols folded into one.
_AS_DIGIT = str.maketrans(
    {"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"} | dict.fromkeys(CIPHER_SYMBOLS, CIPHER)
)
_RUN = re.compile(r"[0-9A-Z<>*/+\-ol|]{8,}")
_SPACES = re.compile(r"[ \t\u3000]+")
_DATE_RUN = 10  # 2019-05-08, 22/07/2026: a run this short made of a date alone is a date
_DATES = (
    re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"),  # 20190508
    re.compile(r"(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])(?:19|20)\d\d"),  # 22072026
    re.compile(r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:19|20)\d\d"),  # 07222026
)

# Measured by bench/longid_share.py on OCR readings (2026-12-03; the real e-invoice and 6
# generated ones, 14 copies of each, 672 same-template pairs): copies kept 0.53-1.00 of the
# original's pieces (lowest: a re-saved PDF 0.53, a phone screenshot 0.60, a half page 0.70;
# doctored copies 0.99); another invoice of the same seller, with its tax id, telephone and
# bank account, 0.23; other invoices on the template <= 0.023; unrelated documents 0. The
# bottom half alone (0.18-0.30) holds only the seller's ids: this source cannot tell it from
# the seller's other invoices. Nor is the share a hard call alone: the seller's ids are 25 of
# the real invoice's 109 pieces, so on an invoice without a cipher area (41-56 pieces of an
# e-invoice's 86-109) the same seller's other invoices would reach about 0.45.
COPY_SHARE = 0.45  # at or above: the upload carries the original's ids (a copy)
# A hard call needs more: the issuer's own tax id is left out of both sides (`document_pieces`),
# and then a share this high is what only copies reached (a re-saved PDF at 0.53 and a phone
# screenshot at 0.60 stay warnings here; the rectified page hash finds those).
HARD_SHARE = 0.6
TEMPLATE_SHARE = 0.30  # at or below: another document (perhaps of the same issuer)
# Fewer pieces prove nothing (a boutique receipt has 7: its number and the template's phone,
# which 3 of 3 receipts share).
MIN_PIECES = 20


def id_runs(text: str) -> list[str]:
    """The id-like runs of `text`, one line at a time, normalized: full-width folded, spaces
    inside a line dropped (OCR splits long numbers), O/I/l read as 0/1, cipher symbols side by
    side as one `CIPHER`; at least `PIECE` characters of digits, capitals and cipher symbols,
    mostly digits, and not a date alone."""
    runs: list[str] = []
    for line in unicodedata.normalize("NFKC", text).splitlines():
        for match in _RUN.finditer(_SPACES.sub("", line)):
            run = _CIPHER_ROW.sub(CIPHER, match[0].translate(_AS_DIGIT))
            if len(run) >= PIECE and _mostly_digits(run) and not _is_date(run):
                runs.append(run)
    return runs


def _mostly_digits(run: str) -> bool:
    digits = sum(ch.isdigit() for ch in run)
    letters = sum(ch.isalpha() for ch in run)
    return 3 * letters <= len(run) and 2 * digits >= len(run)


def _is_date(run: str) -> bool:
    if len(run) > _DATE_RUN:
        return False
    bare = run.replace(CIPHER, "")
    return any(pattern.fullmatch(bare) for pattern in _DATES)


def id_pieces(text: str) -> frozenset[str]:
    """Every `PIECE`-character window (stride 1) of every id-like run in the read `text`."""
    return frozenset(
        run[start : start + PIECE] for run in id_runs(text) for start in range(len(run) - PIECE + 1)
    )


def document_pieces(text: str, party_ids: tuple[str, ...] = ()) -> frozenset[str]:
    """The pieces that name this document, not its issuer: `id_pieces` without the pieces of
    `party_ids` (the issuer's tax id as read), which every invoice of that issuer carries."""
    shared = id_pieces("\n".join(party_ids)) if party_ids else frozenset()
    return id_pieces(text) - shared


def id_share(original: frozenset[str], upload: frozenset[str]) -> float:
    """The share of the original's pieces found in the upload (0 when it has none)."""
    if not original:
        return 0.0
    return len(original & upload) / len(original)


# Pieces a candidate must share to be looked at: fewer cannot reach COPY_SHARE of MIN_PIECES.
MIN_SHARED = max(1, round(MIN_PIECES * COPY_SHARE))


def copy_share(shared: int, total: int) -> float | None:
    """The share of an earlier document's `total` pieces that `shared` are, when that makes
    the new one a copy of it; None when it does not, or the earlier has too few pieces."""
    if total < MIN_PIECES:
        return None
    share = shared / total
    return share if share >= COPY_SHARE else None


def usable(original: frozenset[str]) -> bool:
    """Whether a document has ids enough for a share of them to tell copies from others."""
    return len(original) >= MIN_PIECES


def joined_runs(pieces: frozenset[str]) -> list[str]:
    """The runs a set of overlapping pieces spells (each piece followed by the one that
    shares its last `PIECE - 1` characters), longest first: the ids two readings share, as a
    person reads them."""
    starts = {p[:-1]: p for p in pieces}
    followed = {p[1:] for p in pieces if p[1:] in starts}
    runs = []
    for piece in sorted(pieces):
        if piece[:-1] in followed:
            continue  # inside a run: its start is elsewhere
        run, seen = piece, {piece}
        while (nxt := starts.get(run[-(PIECE - 1) :])) is not None and nxt not in seen:
            run += nxt[-1]
            seen.add(nxt)
        runs.append(run)
    return sorted(runs, key=lambda r: (-len(r), r))
