"""Weighs a derived alias (or a brand name that is also an ordinary word) against the title:
the evidence of `domain.screening.evidence`, found with compiled word patterns. Only titles
with such a match come here, a small share of a catalog."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property

from probandi.adapters.screening.specificity import chinese_words
from probandi.domain.screening.evidence import (
    WEIGHTS,
    Profile,
    TierPolicy,
    load_profiles,
    load_vocabulary,
    price_evidence,
    probability,
    tier_of,
    word_pattern,
)
from probandi.domain.screening.model import (
    DERIVED,
    CatalogEntry,
    ScreenItem,
    Tier,
    TitleMatch,
)
from probandi.domain.screening.normalize import is_cjk

EMBED_REACH = 3  # characters beyond the match looked at for a word running across it
# Evidence that a named brand which is also an ordinary word is meant as the brand after all.
BRAND_SENSE = frozenset({"vocabulary", "brand_field", "slang"})
# Evidence that a title using an ordinary word or phrase as a name is about the brand's goods.
WORLD = BRAND_SENSE | {"category", "product", "claim", "price_luxury"}


class Scorer:
    def __init__(self, catalog: Sequence[CatalogEntry], tiers: TierPolicy) -> None:
        self.catalog = catalog
        self.tiers = tiers
        profiles = load_profiles()
        self._profiles: list[Profile | None] = [profiles.get(e.brand) for e in catalog]
        vocabulary = load_vocabulary()
        self._category_of: dict[str, set[str]] = {}
        for name, words in vocabulary.categories.items():
            for word in words:
                self._category_of.setdefault(word.lower().strip(), set()).add(name)
        self._product_words = word_pattern(self._category_of)
        self._claims = word_pattern(vocabulary.claims)
        self._senses = {key: word_pattern(words) for key, words in vocabulary.ordinary.items()}
        self._words = chinese_words()  # now, before the engine releases the full lists
        self.ordinary_brands = frozenset(
            e.brand for e in catalog if any(a.lower() in self._senses for a in e.aliases)
        )

    @cached_property
    def _vocabulary(self) -> list[re.Pattern[str] | None]:
        return [word_pattern(p.vocabulary) if p and p.vocabulary else None for p in self._profiles]

    def categories_in(self, low: str) -> set[str]:
        found: set[str] = set()
        for word in self._product_words.findall(low):
            found |= self._category_of.get(word, set())
        return found

    def weigh(
        self,
        item: ScreenItem,
        index: int,
        match: TitleMatch,
        prior: float,
        slang: bool,
        *,
        ordinary_name: bool = False,
    ) -> TitleMatch | None:
        """The match with its tier, score and evidence; None when it is too weak to report.

        A named match is only ever lowered to `possible`: when the title shows the ordinary
        sense of the word (coach whistle), or when the name is an ordinary word or phrase
        (Canada Goose, Stone Island, 萧邦) and nothing in the title is about a product."""
        low = item.title.lower()
        evidence, any_product = self._evidence(item, index, match, low, slang)
        if match.kind not in DERIVED:
            brand_side = set(evidence) & BRAND_SENSE
            if "ordinary_sense" in evidence and not brand_side:
                return match._replace(tier=Tier.POSSIBLE, score=0.5, evidence=("ordinary_sense",))
            if ordinary_name and not (any_product or set(evidence) & WORLD):
                return match._replace(tier=Tier.POSSIBLE, score=0.5, evidence=("no_product",))
            return match
        logit = prior + sum(WEIGHTS[e] for e in evidence)
        p = probability(logit)
        tier = tier_of(p, evidence, self.tiers)
        if tier is None:
            return None
        return match._replace(tier=tier, score=round(p, 3), evidence=tuple(evidence))

    def _evidence(
        self,
        item: ScreenItem,
        index: int,
        match: TitleMatch,
        low: str,
        slang: bool,
    ) -> tuple[list[str], bool]:
        """The evidence codes, and whether the title names any product at all."""
        entry = self.catalog[index]
        found: list[str] = []
        profile = self._profiles[index]
        # Evidence is what the title says besides the match: 士表 carries 表 in itself.
        rest = low[: match.start] + " " + low[match.end :]
        present = self.categories_in(rest)
        if profile and profile.categories:
            if present & profile.categories:
                found.append("category")
            else:
                found.append("no_product")
        elif present:
            found.append("product")
        vocabulary = self._vocabulary[index]
        if vocabulary is not None and vocabulary.search(rest):
            found.append("vocabulary")
        if self._claims.search(rest):
            found.append("claim")
        if slang:
            found.append("slang")
        if item.brand_field:
            found.append("brand_field")
        price = price_evidence(
            item.price, item.currency, entry.reference_price, entry.reference_currency
        )
        if price:
            found.append(price)
        keys = {match.text.lower(), *(a.lower() for a in entry.aliases)}
        if any(key in self._senses and self._senses[key].search(low) for key in keys):
            found.append("ordinary_sense")
        if match.kind in DERIVED and is_cjk(match.text[0]) and self._embedded(low, match, entry):
            found.append("embedded")
        return found, bool(present)

    def _embedded(self, low: str, match: TitleMatch, entry: CatalogEntry) -> bool:
        """The characters are part of an ordinary word running across the match's edge:
        士表 in 瑞士表, 尔夫 in 高尔夫, 久保 in 持久保湿."""
        words = self._words
        own = [a for a in entry.aliases if not a.isascii()]
        start, end = match.start, match.end
        for left in range(max(0, start - EMBED_REACH), end):
            for right in range(max(start + 1, left + 2), min(len(low), end + EMBED_REACH) + 1):
                if left >= start and right <= end:
                    continue  # inside the match: not a longer word
                word = low[left:right]
                if (
                    word in words  # an ordinary word: `chinese_words` keeps only those
                    and is_cjk(word[0])
                    and is_cjk(word[-1])
                    and not any(word in name or name in word for name in own)
                ):
                    return True
        return False
