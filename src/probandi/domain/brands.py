"""The brand registry: canonical names, aliases in any script, gating, reference prices."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from probandi.domain.errors import InvalidInput
from probandi.domain.money import Money

MAX_ALIASES = 200
MAX_NAME = 120


def fold(text: str) -> str:
    """Case- and width-fold: NFKC (full width to half width) then casefold."""
    return unicodedata.normalize("NFKC", text).casefold()


def party_name(text: str | None) -> str:
    """Fold a company or person name for comparison: case, width, spaces, punctuation."""
    folded = fold(text or "")
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZS")


@dataclass(frozen=True)
class ReferencePrice:
    """What a genuine item of a product line or category typically costs."""

    scope: str  # product line or category; "*" for the whole brand
    price: Money


@dataclass(frozen=True)
class Distributor:
    """An issuer the brand names as an authorized source of genuine goods."""

    name: str
    tax_id: str | None = None


@dataclass(frozen=True)
class Brand:
    """A brand of the registry; a gated brand may only be listed with approved proof."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    gated: bool = True
    reference_prices: tuple[ReferencePrice, ...] = ()
    distributors: tuple[Distributor, ...] = ()
    rights_holder_ids: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.name.strip() or len(self.name) > MAX_NAME:
            raise InvalidInput("brand name must be 1-120 characters", field="name")
        if len(self.aliases) > MAX_ALIASES:
            raise InvalidInput(
                "at most %(MAX_ALIASES)s aliases",
                field="aliases",
                params={"MAX_ALIASES": MAX_ALIASES},
            )
        for alias in self.aliases:
            if not alias.strip() or len(alias) > MAX_NAME:
                raise InvalidInput("each alias must be 1-120 characters", field="aliases")

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def names_folded(self) -> frozenset[str]:
        return frozenset(fold(n).strip() for n in self.all_names)

    def reference_price_for(self, category: str | None) -> Money | None:
        """The reference price of the category if known, else the brand-wide one."""
        by_scope = {fold(r.scope): r.price for r in self.reference_prices}
        if category and fold(category) in by_scope:
            return by_scope[fold(category)]
        return by_scope.get("*")

    def is_authorized_issuer(self, name: str | None, tax_id: str | None) -> bool:
        """True when the issuer matches a distributor by tax id, else by name.

        A declared tax id that contradicts the distributor's own never matches by name:
        a look-alike company name must not borrow a distributor's standing.
        """
        for d in self.distributors:
            if tax_id and d.tax_id:
                if party_name(d.tax_id) == party_name(tax_id):
                    return True
                continue
            if name and party_name(d.name) and party_name(d.name) == party_name(name):
                return True
        return False


def brand_price_floor(reference: Money, fraction: Decimal) -> Decimal:
    """Below this price a listing of the brand is a counterfeit signal."""
    return (reference.amount * fraction).quantize(Decimal("0.01"))
