"""The catalog sweep's rules: which screened listings are findings, and with which codes.

A sweep screens an existing catalog with the gate's own rules (the registry's gated brands,
extended by the default catalog's names for them, and the counterfeit lexicon). A listing
is a finding when it has at least one code:

- `gated_brand.no_approved_proof`: it names a gated brand (a compatibility mention such as
  "strap for LV bags" does not count) and the registry holds no approved proof for it.
  This is exactly what the gate would hold, and the only code `sweep apply` acts on.
- `counterfeit.slang`: counterfeit trade slang (高仿, A货, 1:1, 复刻, replica, ...) of at
  least the sweep's minimum severity, in the title or the brand field.
- `counterfeit.price_below_reference`: the price is below 30 % of the reference price the
  registry gives for a brand the listing names, in the same currency.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import NamedTuple

from probandi.domain.actors import Actor, Role
from probandi.domain.brands import Brand
from probandi.domain.money import CURRENCIES
from probandi.domain.screening.catalog import load_default_catalog, merge_registry
from probandi.domain.screening.evidence import TierPolicy
from probandi.domain.screening.model import CatalogEntry, MatchKind, ScreenResult, Severity

# Bumped whenever what makes a finding changes: a sweep is resumed only under equal rules.
RULES_VERSION = 2  # 2: derived aliases with tiers (issue 20)
MAX_TITLE = 2_000  # as /v1/screen and `probandi screen`
SWEEP = Actor(id="sweep", role=Role.PLATFORM)  # who `sweep apply` acts as, in the audit log
# Keyed by StrEnum members, so their plain text values find them too.
SEVERITY_RANK: dict[str, int] = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2}
SLANG_SIGNAL = "slang.counterfeit"
COMPATIBILITY = MatchKind.COMPATIBILITY.value
NO_GATED_BRAND = "(no gated brand)"  # the summary's brand for counterfeit signals alone
PRICE_SIGNAL = "price.far_below_reference"
_SURROGATE = re.compile("[\ud800-\udfff]")


class FindingCode(enum.StrEnum):
    """Stable codes of a finding; documented in the README."""

    GATED_NO_PROOF = "gated_brand.no_approved_proof"
    SLANG = "counterfeit.slang"
    PRICE = "counterfeit.price_below_reference"


class BadRow(ValueError):
    """An input row that cannot be screened; the message says why (without its place)."""


class SweepRow(NamedTuple):
    """One valid catalog row."""

    listing_id: str
    seller_id: str
    title: str
    brand: str | None = None
    price: Decimal | None = None
    currency: str | None = None


class FieldMatch(NamedTuple):
    """A brand named in the listing's `field` ("title" or "brand"); offsets into that field."""

    field: str
    brand: str
    text: str
    start: int
    end: int
    kind: str
    tier: str = "named"  # "possible": a derived alias without enough evidence, not a claim


class FieldSignal(NamedTuple):
    field: str
    code: str
    severity: str
    text: str


class Finding(NamedTuple):
    """A listing with at least one finding code; `brands` are the gated brands it claims."""

    listing_id: str
    seller_id: str
    codes: tuple[str, ...]
    brands: tuple[str, ...]
    matches: tuple[FieldMatch, ...]
    signals: tuple[FieldSignal, ...]
    title: str
    brand_field: str | None
    price: Decimal | None
    currency: str | None
    approved: bool = False


# -- the rules -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SweepRules:
    """Plain data shipped to every worker, which builds its screening engine from it once."""

    catalog: tuple[CatalogEntry, ...]
    min_severity: Severity = Severity.HIGH
    tiers: TierPolicy = field(default_factory=TierPolicy)

    @cached_property
    def fingerprint(self) -> str:
        entries = [
            [
                e.brand,
                e.aliases,
                e.short,
                e.slang,
                e.common_word,
                str(e.reference_price),
                e.reference_currency,
            ]
            for e in self.catalog
        ]
        tiers = [self.tiers.likely, self.tiers.possible]
        text = json.dumps(
            [RULES_VERSION, self.min_severity.value, tiers, entries], ensure_ascii=False
        )
        return hashlib.sha256(text.encode()).hexdigest()


def sweep_rules(
    brands: Iterable[Brand],
    min_severity: Severity = Severity.HIGH,
    tiers: TierPolicy = TierPolicy(),
) -> SweepRules:
    """The gate's catalog (EngineScreener's) over the registry's gated brands, with each
    brand's brand-wide reference price, which feeds the price signal."""
    gated = [b for b in brands if b.gated]
    catalog = merge_registry(load_default_catalog(), gated)
    return SweepRules(tuple(with_reference_prices(catalog, gated)), min_severity, tiers)


def with_reference_prices(
    catalog: Sequence[CatalogEntry], brands: Iterable[Brand]
) -> list[CatalogEntry]:
    prices = {b.name: b.reference_price_for(None) for b in brands}
    return [
        entry
        if (price := prices.get(entry.brand)) is None
        else replace(entry, reference_price=price.amount, reference_currency=price.currency)
        for entry in catalog
    ]


# -- input rows ------------------------------------------------------------------------------
# A sweep validates millions of rows: each check takes the common case (text) first.
def _ident(value: object, name: str) -> str:
    if type(value) is str:
        if value and not value.isspace():
            return value
    elif type(value) is int:
        return str(value)
    elif value is not None:
        raise BadRow(f"{name} must be text")
    raise BadRow(f"missing {name}")


def _price(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    kind = type(value)
    if kind is not Decimal and kind is not str and kind is not int and kind is not float:
        raise BadRow(f"price {value!r} is not a number")
    try:
        # Decimal reads text with spaces around it; a float goes through its shortest text.
        amount = Decimal(str(value) if kind is float else value)  # type: ignore[arg-type]
    except InvalidOperation as exc:
        raise BadRow(f"price {value!r} is not a number") from exc
    if not amount.is_finite():
        raise BadRow(f"price {value!r} is not a number")
    if amount < 0:
        raise BadRow(f"price {value!r} is negative")
    return amount


def _currency(value: object) -> str | None:
    if value is None or value == "":
        return None
    if value in CURRENCIES:
        return str(value)
    code = value.strip().upper() if isinstance(value, str) else None
    if code not in CURRENCIES:
        raise BadRow(f"currency {value!r} is not an ISO 4217 code")
    return code


def sweep_row(
    listing_id: object,
    seller_id: object,
    title: object,
    brand: object = None,
    price: object = None,
    currency: object = None,
) -> SweepRow:
    """Validate one row as read (text, numbers or None; text is valid Unicode)."""
    lid = _ident(listing_id, "id")
    sid = _ident(seller_id, "seller_id")
    if type(title) is not str or not title or title.isspace():
        raise BadRow("missing title")
    if len(title) > MAX_TITLE:
        raise BadRow(f"title longer than {MAX_TITLE} characters")
    if brand == "":
        brand = None
    elif brand is not None and type(brand) is not str:
        raise BadRow("brand must be text")
    return SweepRow(lid, sid, title, brand, _price(price), _currency(currency))


def lone_surrogate(text: str) -> bool:
    """JSON can escape half a UTF-16 pair (\\ud800): text that cannot be written out."""
    return not text.isascii() and _SURROGATE.search(text) is not None


POSSIBLE = "possible"


# -- findings --------------------------------------------------------------------------------
def finding_of(
    row: SweepRow,
    title: ScreenResult,
    brand: ScreenResult | None,
    *,
    min_severity: Severity = Severity.HIGH,
) -> Finding | None:
    """The finding for a screened row, or None; `brand` screens the declared brand field.

    The gated-brand code is provisional: `settle` drops it once approval is known.
    """
    if not (title.matches or title.signals) and (
        brand is None or not (brand.matches or brand.signals)
    ):
        return None  # the common case, first
    results = [("title", title)] if brand is None else [("title", title), ("brand", brand)]
    matches = tuple(
        FieldMatch(name, m.brand, m.text, m.start, m.end, m.kind.value, m.tier.value)
        for name, r in results
        for m in r.matches
    )
    seen: set[tuple[str, str]] = set()
    signals = []
    for name, r in results:
        for s in r.signals:
            if (s.code, s.text) not in seen:  # a price signal is the same from either field
                seen.add((s.code, s.text))
                signals.append(FieldSignal(name, s.code, s.severity.value, s.text))
    claimed = {m.brand for m in matches if m.kind != COMPATIBILITY and m.tier != POSSIBLE}
    floor = SEVERITY_RANK[min_severity]
    codes = []
    if claimed:
        codes.append(FindingCode.GATED_NO_PROOF.value)
    if any(s.code == SLANG_SIGNAL and SEVERITY_RANK[s.severity] >= floor for s in signals):
        codes.append(FindingCode.SLANG.value)
    if any(s.code == PRICE_SIGNAL for s in signals):
        codes.append(FindingCode.PRICE.value)
    if not codes:
        return None
    return Finding(
        row.listing_id,
        row.seller_id,
        tuple(codes),
        tuple(sorted(claimed)),
        matches,
        tuple(signals),
        row.title,
        row.brand,
        row.price,
        row.currency,
    )


def settled_codes(codes: Sequence[str], *, approved: bool) -> tuple[str, ...]:
    """A finding's codes once the registry has answered: approved proof clears the gated
    code; no codes left means no finding."""
    if not approved:
        return tuple(codes)
    return tuple(c for c in codes if c != FindingCode.GATED_NO_PROOF)


def settle(finding: Finding, *, approved: bool) -> Finding | None:
    codes = settled_codes(finding.codes, approved=approved)
    return finding._replace(codes=codes, approved=approved) if codes else None


# -- the summary -----------------------------------------------------------------------------
@dataclass
class Tally:
    """What a sweep found: rows, findings per code, per brand and per seller."""

    rows: int = 0
    skipped: int = 0
    findings: int = 0
    codes: Counter[str] = field(default_factory=Counter)
    brands: Counter[str] = field(default_factory=Counter)
    sellers: Counter[str] = field(default_factory=Counter)

    def add_rows(self, rows: int, skipped: int) -> None:
        self.rows += rows
        self.skipped += skipped

    def add(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            self.count(f.codes, f.brands, f.seller_id)

    def count(self, codes: Iterable[str], brands: Sequence[str], seller_id: str) -> None:
        self.findings += 1
        self.codes.update(codes)
        self.brands.update(brands or (NO_GATED_BRAND,))
        self.sellers[seller_id] += 1

    def merge(
        self,
        findings: int,
        codes: Mapping[str, int],
        brands: Mapping[str, int],
        sellers: Mapping[str, int],
    ) -> None:
        """Counts made elsewhere (a partition's, at once); `brands` counts NO_GATED_BRAND too."""
        self.findings += findings
        self.codes.update(codes)
        self.brands.update(brands)
        self.sellers.update(sellers)


# -- applying findings -----------------------------------------------------------------------
class ApplyOutcome(enum.StrEnum):
    """What `sweep apply` did (or would do) with one finding."""

    HELD = "held"  # the gate held it now: a statement of reasons and a notice went out
    ALREADY_HELD = "already_held"  # awaiting proof, in review or rejected
    APPROVED = "approved"  # proof was approved since the sweep
    REMOVED = "removed"
    NOT_GATED = "not_gated"  # the gate, on the registry of today, finds no gated brand
    UNKNOWN_SELLER = "unknown_seller"  # push the seller's verified identity first
    REFUSED = "refused"  # the seller may not list gated brands under its penalty ledger
    INVALID = "invalid"  # cannot be pushed as a listing (id, price, currency, title)
    SIGNAL_ONLY = "signal_only"  # counterfeit signals only: for a person, nothing automatic
