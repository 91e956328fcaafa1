"""What screening takes and gives: titles in, brand matches and counterfeit signals out."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple


class MatchKind(enum.StrEnum):
    NAME = "name"  # the canonical name, folded
    ALIAS = "alias"  # a registered alias (another script, a short form with context)
    OBFUSCATED = "obfuscated"  # homoglyphs, digits for letters, separators, typos
    PINYIN = "pinyin"  # the pinyin of a Chinese name
    HOMOPHONE = "homophone"  # a Chinese name written with other characters of like sound
    SLANG = "slang"  # a trade nickname (G家, 香家, 驴牌)
    COMPATIBILITY = "compatibility"  # "strap for LV bags": a mention, not a brand claim
    # Derived from the brand's names, weighed by the title's evidence (a tier, not a rule):
    TRUNCATED = "truncated"  # part of a Chinese name: 阿玛 for 阿玛尼, 罗意 for 罗意威
    PARTIAL = "partial"  # one word or a clipped form of a Latin name: McQueen, Monc
    NICKNAME = "nickname"  # a trade nickname from a logo, founder or product: 战马, 万国


DERIVED = frozenset({MatchKind.TRUNCATED, MatchKind.PARTIAL, MatchKind.NICKNAME})


class Tier(enum.StrEnum):
    """How sure screening is that the title claims the brand."""

    NAMED = "named"  # the brand's name, an alias or an obfuscation of one: held
    LIKELY = "likely"  # a derived alias the title's evidence makes probable: held, explained
    POSSIBLE = "possible"  # a derived alias without enough evidence: a review signal only


HELD = frozenset({Tier.NAMED, Tier.LIKELY})


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class CatalogEntry:
    """A brand as screening knows it; `short` aliases and common words need brand context."""

    brand: str
    aliases: tuple[str, ...] = ()
    short: tuple[str, ...] = ()
    slang: tuple[str, ...] = ()
    common_word: bool = False
    reference_price: Decimal | None = None
    reference_currency: str | None = None


@dataclass(frozen=True)
class ScreenItem:
    """One title to screen; price and currency feed the price signal."""

    id: str
    title: str
    price: Decimal | None = None
    currency: str | None = None
    brand_field: bool = False  # the text is a declared brand: short aliases need no context


class TitleMatch(NamedTuple):
    """A brand named in the title; `title[start:end] == text` (Python character offsets).
    `score` is the probability that the title claims the brand, `evidence` the codes that
    weighed on it (derived aliases; a named brand is 1.0 with no evidence)."""

    brand: str
    text: str
    start: int
    end: int
    kind: MatchKind
    tier: Tier = Tier.NAMED
    score: float = 1.0
    evidence: tuple[str, ...] = ()


class Signal(NamedTuple):
    """A counterfeit signal: slang such as 高仿 / replica, or a price far below reference."""

    code: str
    severity: Severity
    text: str


class ScreenResult(NamedTuple):
    """Tuples, not dataclasses: a sweep makes millions of these."""

    id: str
    matches: tuple[TitleMatch, ...] = ()
    signals: tuple[Signal, ...] = ()

    @property
    def brands(self) -> frozenset[str]:
        """Brands the title claims, so the listing is held: named or likely (compatibility
        mentions and possible matches excluded)."""
        return frozenset(
            m.brand
            for m in self.matches
            if m.kind is not MatchKind.COMPATIBILITY and m.tier in HELD
        )

    @property
    def possible(self) -> frozenset[str]:
        """Brands a derived alias may stand for without enough evidence: for review only."""
        return frozenset(m.brand for m in self.matches if m.tier is Tier.POSSIBLE) - self.brands
