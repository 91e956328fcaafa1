"""What forensics knows about a voucher file, and how two near-duplicate vouchers relate.

A PDQ hit (within `near_duplicate_distance` bits) is only a candidate. `relate` decides what it
is by comparing content: the QR payloads where both have one, the aligned images (do they
differ anywhere?), and the declared fields. Same content = recycled; same layout, other
content = same template. A template is legitimate when both documents are verifiable national
e-invoices, or when both claim the same issuer (a retailer's own receipt layout).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from probandi.domain.brands import party_name
from probandi.domain.forensics.einvoice import EInvoiceQr, is_verifiable
from probandi.domain.forensics.metadata import DocumentMetadata
from probandi.domain.locales import N_
from probandi.domain.vouchers import Declaration

# Share of inked cells that may differ between two aligned images that show the same document
# (re-encoding, scaling and cropping leave noise, not whole changed cells).
IDENTICAL_SHARE = 0.01
# Above that but at most this: the same image with a few fields changed. Distinct documents
# on one template differed in 1.8 % or more on generated sets, so this is a reviewer's cue
# (a doctored copy of another seller's document?), never a rejection.
ALTERED_SHARE = 0.04
# Or differing in at most this many separate areas, covering at most this share of the page:
# fields typed over, however much ink they hold (a sparse receipt's re-typed number and date
# are 6 % of its inked cells; distinct documents on one template differ in 4 or more areas).
FEW_AREAS = 3
CONFINED_AREA = 0.05


FULL, TRIMMED = "full", "trimmed"
RECTIFIED = "rect"  # the page found in a photo or screenshot, warped upright (issue 16)
VARIANTS = (FULL, TRIMMED, RECTIFIED)


@dataclass(frozen=True)
class PageFingerprint:
    """The PDQ hash (64 hex characters) and quality (0-100) of one decoded page: of the
    full frame, of its content with the uniform margin trimmed, or of the page found in a
    photo or screenshot and warped to a rectangle."""

    page: int
    pdq: str
    quality: int
    variant: str = FULL

    def __post_init__(self) -> None:
        if len(self.pdq) != 64 or self.pdq.strip("0123456789abcdef"):
            raise ValueError("pdq must be 64 lower-case hex characters")
        if not 0 <= self.quality <= 100:
            raise ValueError("quality must be within 0..100")
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown fingerprint variant {self.variant!r}")

    def matchable(self, min_quality: int) -> bool:
        return self.quality >= min_quality


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hex hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


@dataclass(frozen=True)
class ImageDiff:
    """Where two aligned page images differ: the share of inked cells, and the regions
    (x0, y0, x1, y1 as fractions of the first image) for the reviewer."""

    aligned: bool
    differing_share: float
    regions: tuple[tuple[float, float, float, float], ...] = ()
    areas: int = 0  # separate areas that differ: a field, or a block of fields
    area_share: float = 0.0  # of the compared page, inside those areas' boxes

    @property
    def identical(self) -> bool:
        return self.aligned and self.differing_share <= IDENTICAL_SHARE

    @property
    def barely_different(self) -> bool:
        """The same image with a few fields changed, by the share of cells or by where they
        lie."""
        if not self.aligned or self.differing_share <= IDENTICAL_SHARE:
            return False
        confined = 0 < self.areas <= FEW_AREAS and self.area_share <= CONFINED_AREA
        return self.differing_share <= ALTERED_SHARE or confined


class Relation(enum.StrEnum):
    RECYCLED = "recycled"  # the same document: same content, or the same image
    SAME_TEMPLATE = "same_template"  # the same layout filled with other content


@dataclass(frozen=True)
class VoucherSide:
    """One side of a comparison: who submitted it and what it says."""

    voucher_id: str
    seller_id: str
    listing_id: str
    declaration: Declaration
    qr: EInvoiceQr | None


@dataclass(frozen=True)
class Verdict:
    relation: Relation
    legitimate: bool  # a shared template that is no signal
    reason: str


def document_key(declaration: Declaration, qr: EInvoiceQr | None = None) -> tuple[str, str] | None:
    """What names one document: a VAT e-invoice's code and number from its QR code (unique
    nationwide, however the seller writes them), else the declared issuer and number."""
    if qr is not None:
        return ("qr", f"{qr.code}{qr.number}")
    if not declaration.issuer or not declaration.document_number:
        return None
    number = number_key(declaration.document_number)
    return (party_name(declaration.issuer), number) if number else None


def number_key(number: str | None) -> str | None:
    """A document number as compared: letters and digits only, upper case; None if empty."""
    kept = "".join(ch for ch in number or "" if ch.isalnum()).upper()
    return kept or None


def relate(ours: VoucherSide, theirs: VoucherSide, diff: ImageDiff | None) -> Verdict:
    """The second stage: what a PDQ candidate is, from content, never from distance alone."""
    if ours.qr is not None and theirs.qr is not None:
        if (ours.qr.code, ours.qr.number) == (theirs.qr.code, theirs.qr.number):
            return Verdict(Relation.RECYCLED, False, N_("both QR codes name the same invoice"))
        legitimate = is_verifiable(ours.qr) and is_verifiable(theirs.qr)
        return Verdict(
            Relation.SAME_TEMPLATE, legitimate, N_("the QR codes name different invoices")
        )
    if diff is not None and diff.identical:
        return Verdict(
            Relation.RECYCLED,
            False,
            N_("the aligned images differ nowhere"),
        )
    ours_key = document_key(ours.declaration, ours.qr)
    theirs_key = document_key(theirs.declaration, theirs.qr)
    if ours_key is not None and ours_key == theirs_key:
        return Verdict(Relation.RECYCLED, False, N_("both declare the same issuer and number"))
    where = (
        f"the aligned images differ in {diff.differing_share:.1%} of cells"
        if diff is not None and diff.aligned
        else "the declared content differs"
    )
    same_issuer = (
        ours.declaration.issuer is not None
        and theirs.declaration.issuer is not None
        and party_name(ours.declaration.issuer) == party_name(theirs.declaration.issuer)
    )
    # One QR code unread (a phone photo) next to a verifiable national e-invoice: the
    # national layout, not a forger's.
    national = any(side.qr is not None and is_verifiable(side.qr) for side in (ours, theirs))
    reason = f"same layout, other content: {where}"
    if same_issuer:
        reason += "; both claim the same issuer (its own receipt layout)"
    elif national:
        reason += "; the national e-invoice layout"
    return Verdict(Relation.SAME_TEMPLATE, same_issuer or national, reason)


@dataclass(frozen=True)
class NearMatch:
    """A decided candidate: the other voucher, how close, and what it is."""

    other: VoucherSide
    page: int
    other_page: int
    distance: int
    verdict: Verdict
    diff: ImageDiff | None


@dataclass(frozen=True)
class TurnedHash:
    """A query-only PDQ of a page turned by 90, 180 or 270 degrees (forms 1-3): finds a copy
    that was rotated before reuse (a portrait phone photo of a landscape invoice)."""

    page: int
    pdq: str
    quality: int
    turn: int  # PDQ's dihedral order: 1, 2, 3 = turned by 90, 180, 270 degrees


@dataclass(frozen=True)
class DocumentFacts:
    """What the forensic readers found in one file, before any comparison."""

    fingerprints: tuple[PageFingerprint, ...]
    qr_payload: str | None = None
    metadata: DocumentMetadata | None = None
    turned: tuple[TurnedHash, ...] = ()
