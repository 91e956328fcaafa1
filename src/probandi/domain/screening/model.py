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
    """A brand named in the title; `title[start:end] == text` (Python character offsets)."""

    brand: str
    text: str
    start: int
    end: int
    kind: MatchKind


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
        """Brands claimed by the title (compatibility mentions excluded)."""
        return frozenset(m.brand for m in self.matches if m.kind is not MatchKind.COMPATIBILITY)
