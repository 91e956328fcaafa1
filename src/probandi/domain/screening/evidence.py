"""How sure is a derived alias (阿玛, 战马, McQueen) to stand for its brand in this title?

A naive-Bayes log-odds score, turned into a probability:

    logit = prior(how ordinary the string is) + kind + sum(weights of the evidence found)

- The prior is ln(R / (f x W)): f is how often the string occurs per word of ordinary text
  (`specificity`), W = 10 words in a title, and R = 1e-4 the rate at which a title uses a
  given derived alias of a brand. A string never seen in ordinary text starts at +3 (the
  cap); "island" or "boss" start near -2.
- The evidence is what the title says around it: a product the brand makes, the brand's
  model names, an authenticity claim, counterfeit slang, a luxury price, the listing's brand
  field; against it, no product of the brand's at all, a trivial price, or a word showing
  the ordinary sense ("whistle" beside "coach").

The weights are set by hand as log-likelihood ratios and checked against
`bench/screening_eval.py`; the tiers' thresholds are policy. A derived alias is `likely`
(held) only with at least one positive piece of context evidence, so no derived alias holds
a listing on its own, however rare the string. Pure."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from probandi.domain.screening.model import MatchKind, Tier

DATA = Path(__file__).parent / "data"
RATE = 1e-4  # R: a title's use of one given derived alias of a brand
TITLE_WORDS = 10  # W
PRIOR_CAP = 3.0
PRIOR_FLOOR = -3.5  # below this a derived alias cannot reach a tier: not compiled at all
KIND_BONUS = {MatchKind.NICKNAME: 1.0, MatchKind.TRUNCATED: 0.0, MatchKind.PARTIAL: 0.0}
WEIGHTS: dict[str, float] = {
    "category": 1.5,  # a product of a category the brand makes (羽绒服 and 蒙口)
    "product": 0.75,  # a product word, the brand's categories unknown (a registry brand)
    "vocabulary": 3.0,  # one of the brand's model or line names (Marmont, 鹦鹉螺)
    "claim": 1.0,  # an authenticity claim (正品, 专柜, 原单, 代购)
    "slang": 1.5,  # counterfeit slang (高仿, 1:1)
    "brand_field": 4.0,  # the listing's brand field names the brand
    "price_luxury": 1.0,  # at least 30 % of the brand's reference price
    "no_product": -1.0,  # no product word of the brand's categories
    "price_trivial": -2.0,  # under 3 % of the brand's reference price
    "ordinary_sense": -5.0,  # a word showing the ordinary sense (coach whistle)
    "embedded": -4.0,  # part of an ordinary word across its edge (士表 in 瑞士表)
    "other_goods": -2.0,  # goods where a name stands for something else (a book, a decoy)
    "person": -3.0,  # a given name just before it (Jacques Cartier, Freeman Dyson)
    "style_of": -3.0,  # slang naming a style (小香风, a tweed)
}
POSITIVE = frozenset(k for k, w in WEIGHTS.items() if w > 0)
WORDS = {
    "category": "a product the brand makes",
    "product": "a product word",
    "vocabulary": "the brand's model or line names",
    "claim": "an authenticity claim (正品, 专柜, 原单)",
    "slang": "counterfeit slang",
    "brand_field": "the listing's brand field",
    "price_luxury": "a price near the brand's",
    "no_product": "no product the brand makes",
    "price_trivial": "a price far below any of the brand's",
    "ordinary_sense": "a word showing the ordinary sense",
    "embedded": "part of an ordinary word",
    "other_goods": "goods in which the name means something else (a book, a poster, a decoy)",
    "person": "a person's name",
    "style_of": "a style named after the brand, not the brand's goods",
}


def explain(evidence: Iterable[str]) -> str:
    """The evidence in words, for a statement of reasons."""
    return "; ".join(WORDS.get(e, e) for e in evidence)


LUXURY_SHARE = Decimal("0.30")
TRIVIAL_SHARE = Decimal("0.03")


@dataclass(frozen=True)
class TierPolicy:
    """Probabilities at which a derived alias is held (likely) or only flagged (possible)."""

    likely: float = 0.85
    possible: float = 0.5

    def __post_init__(self) -> None:
        if not 0 < self.possible <= self.likely < 1:
            raise ValueError("the thresholds must satisfy 0 < possible <= likely < 1")


def prior(frequency: float, kind: MatchKind) -> float:
    """The log-odds before the title's evidence, from the string's frequency per word."""
    odds = RATE / max(frequency * TITLE_WORDS, 1e-12)
    return min(PRIOR_CAP, math.log(odds)) + KIND_BONUS.get(kind, 0.0)


def probability(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-logit))


def tier_of(p: float, evidence: Iterable[str], policy: TierPolicy) -> Tier | None:
    """Likely needs the probability and positive context; possible the probability only."""
    if p >= policy.likely and any(e in POSITIVE for e in evidence):
        return Tier.LIKELY
    if p >= policy.possible:
        return Tier.POSSIBLE
    return None


@dataclass(frozen=True)
class Profile:
    """What a brand makes and calls its products, and its trade nicknames."""

    categories: frozenset[str] = frozenset()
    vocabulary: tuple[str, ...] = ()
    nicknames: tuple[tuple[str, str], ...] = ()  # (term, meaning)


@dataclass(frozen=True)
class Vocabulary:
    """The words evidence is made of: product words per category, authenticity claims, and
    the words that show an ordinary sense of a brand's name."""

    categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    claims: tuple[str, ...] = ()
    ordinary: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    other_goods: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@lru_cache(maxsize=1)
def load_profiles() -> dict[str, Profile]:
    """The brand profiles shipped with probandi (`data/brand_profiles.json`), by brand name."""
    path = DATA / "brand_profiles.json"
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for brand, item in raw.get("brands", {}).items():
        nick = tuple(
            (str(n["term"]), str(n.get("meaning", "")))
            for n in item.get("nicknames", ())
            if isinstance(n, dict) and n.get("term")
        )
        out[brand] = Profile(
            frozenset(item.get("categories", ())), tuple(item.get("vocabulary", ())), nick
        )
    return out


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """Product words, claims and ordinary senses (`data/category_words.json`)."""
    path = DATA / "category_words.json"
    if not path.exists():
        return Vocabulary()
    raw = json.loads(path.read_text(encoding="utf-8"))
    claims = raw.get("authenticity_claims", {})
    ordinary = {k.lower(): tuple(v) for k, v in raw.get("ordinary_senses", {}).items()}
    return Vocabulary(
        _by_language(raw.get("categories", {})),
        (*claims.get("zh", ()), *claims.get("en", ())),
        ordinary,
        _by_language(raw.get("other_goods", {})),
    )


def _by_language(raw: Mapping[str, Mapping[str, Iterable[str]]]) -> dict[str, tuple[str, ...]]:
    return {
        name: tuple(dict.fromkeys([*words.get("zh", ()), *words.get("en", ())]))
        for name, words in raw.items()
    }


@lru_cache(maxsize=1)
def load_given_names() -> frozenset[str]:
    """Given names that are not also ordinary title words (`data/given_names.txt`)."""
    path = DATA / "given_names.txt"
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(n.strip() for n in lines if n.strip() and not n.startswith("#"))


def word_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """Latin words as whole words, other scripts anywhere; longest first. Lower-case text."""
    folded = {w.lower().strip() for w in words if w.strip()}
    latin = sorted((w for w in folded if w.isascii()), key=len, reverse=True)
    other = sorted((w for w in folded if not w.isascii()), key=len, reverse=True)
    parts = []
    if latin:
        parts.append(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, latin)) + r")(?![a-z0-9])")
    if other:
        parts.append("|".join(map(re.escape, other)))
    return re.compile("|".join(parts) or r"(?!)")


def price_evidence(
    price: Decimal | None, currency: str | None, reference: Decimal | None, ref_currency: str | None
) -> str | None:
    if price is None or reference is None or currency != ref_currency or reference <= 0:
        return None
    if price >= reference * LUXURY_SHARE:
        return "price_luxury"
    if price < reference * TRIVIAL_SHARE:
        return "price_trivial"
    return None
