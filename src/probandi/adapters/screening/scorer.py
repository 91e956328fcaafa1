"""Weighs a derived alias (or a brand name that is also an ordinary word) against the title:
the evidence of `domain.screening.evidence`, found with compiled word patterns. Only titles
with such a match come here, a small share of a catalog."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cached_property

import ahocorasick_rs as aho

from probandi.adapters.screening.specificity import chinese_words
from probandi.domain.screening.evidence import (
    WEIGHTS,
    Profile,
    TierPolicy,
    load_given_names,
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
    MatchKind,
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
# Evidence that the brand itself is meant, whatever else the title sells.
OWN = frozenset({"vocabulary", "brand_field"})
OTHER = "other:"  # prefix of the categories of goods in which a name means something else
PREVIOUS_WORD = re.compile(r"([a-z]+)[\s.]+$")
# Slang + 风 names a style (小香风, tweed); not 风衣, a trench coat. A brand's own name with
# "style" or "inspired" is brand-name misuse, and stays named.
STYLE_OF = re.compile(r"风(?!衣)")


LATIN_WORD = re.compile(r"[a-z0-9]")


class WordFinder:
    """The words of a list in lower-case text, leftmost-longest, in one Aho-Corasick pass:
    Latin words as whole words, other scripts anywhere (as `word_pattern`, faster)."""

    def __init__(self, words: Iterable[str]) -> None:
        self._words = sorted({w.lower().strip() for w in words if w.strip()})
        self._latin = [w.isascii() for w in self._words]
        self._automaton = aho.AhoCorasick(self._words, aho.MatchKind.LeftmostLongest)

    def findall(self, low: str) -> list[str]:
        out = []
        for i, start, end in self._automaton.find_matches_as_indexes(low):
            if self._latin[i] and (
                (start and LATIN_WORD.match(low, start - 1))
                or (end < len(low) and LATIN_WORD.match(low, end))
            ):
                continue  # "lip" inside "flip", "ring" inside "earring"
            out.append(self._words[i])
        return out


class Scorer:
    def __init__(self, catalog: Sequence[CatalogEntry], tiers: TierPolicy) -> None:
        self.catalog = catalog
        self.tiers = tiers
        profiles = load_profiles()
        self._profiles: list[Profile | None] = [profiles.get(e.brand) for e in catalog]
        vocabulary = load_vocabulary()
        self._category_of: dict[str, set[str]] = {}
        groups = [*vocabulary.categories.items()]
        groups += [(OTHER + name, words) for name, words in vocabulary.other_goods.items()]
        for name, words in groups:
            for word in words:
                self._category_of.setdefault(word.lower().strip(), set()).add(name)
        # One automaton, longest first: "coin purse" is a wallet, not a coin.
        self._product_words = WordFinder(self._category_of)
        others = sorted({w for w, c in self._category_of.items() if any(OTHER in n for n in c)})
        self._others = aho.AhoCorasick(others, aho.MatchKind.Standard)
        self._given = load_given_names()
        self._own_words = [
            frozenset(re.findall(r"[a-z]+", " ".join((*e.aliases, e.brand)).lower()))
            for e in catalog
        ]
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
            found |= self._category_of[word]
        return found

    def may_mean_else(self, low: str, match: TitleMatch, index: int) -> bool:
        """A cheap first look, for a brand named outright: could the title be about something
        else (a book, a decoy, a person)? Only then is the match weighed."""
        if match.kind is MatchKind.SLANG:
            return True
        if self._others.find_matches_as_indexes(low):
            return True
        return self._person(low, match, index)

    def _person(self, low: str, match: TitleMatch, index: int) -> bool:
        """A given name just before a Latin name that is not part of the brand's own names:
        Jacques Cartier, Freeman Dyson, Annie Oakley (but Christian Dior, Tom Ford)."""
        if not match.text.isascii():
            return False
        previous = PREVIOUS_WORD.search(low, 0, match.start)
        if previous is None:
            return False
        word = previous.group(1)
        return word in self._given and word not in self._own_words[index]

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

        A named match is only ever lowered to `possible`:
        - the title shows the ordinary sense of the word (coach whistle);
        - the name is an ordinary word or phrase (Canada Goose, Stone Island, 萧邦) and
          nothing in the title is about a product;
        - the title sells goods in which a name stands for something else (a Patagonia
          travel guide, a Chopin score) and none of the brand's goods;
        - a person is named (Jacques Cartier), or slang names a style (小香风, a tweed).
        The brand's model names or the listing's brand field keep it named."""
        low = item.title.lower()
        evidence, any_product = self._evidence(item, index, match, low, slang, ordinary_name)
        if match.kind not in DERIVED:
            found = set(evidence)
            lowered = self._lowered(found, ordinary_name, any_product)
            if lowered:
                return match._replace(tier=Tier.POSSIBLE, score=0.5, evidence=(lowered,))
            return match
        logit = prior + sum(WEIGHTS[e] for e in evidence)
        p = probability(logit)
        tier = tier_of(p, evidence, self.tiers)
        if tier is None:
            return None
        return match._replace(tier=tier, score=round(p, 3), evidence=tuple(evidence))

    @staticmethod
    def _lowered(found: set[str], ordinary_name: bool, any_product: bool) -> str | None:
        """Why a named match is only a review signal, or None when it stays named."""
        if "ordinary_sense" in found and not found & BRAND_SENSE:
            return "ordinary_sense"
        if ordinary_name and not (any_product or found & WORLD):
            return "no_product"
        if found & OWN:
            return None
        if "embedded" in found:
            return "embedded"
        if "person" in found:
            return "person"
        if "style_of" in found:
            return "style_of"
        if "category" in found:
            return None
        if "other_goods" in found:
            return "other_goods"
        return None  # goods the brand does not make are still a claim: fantasy counterfeits

    def _evidence(
        self,
        item: ScreenItem,
        index: int,
        match: TitleMatch,
        low: str,
        slang: bool,
        ordinary_name: bool = False,
    ) -> tuple[list[str], bool]:
        """The evidence codes, and whether the title names any product at all."""
        entry = self.catalog[index]
        found: list[str] = []
        profile = self._profiles[index]
        # Evidence is what the title says besides the match: 士表 carries 表 in itself.
        rest = low[: match.start] + " " + low[match.end :]
        present = self.categories_in(rest)
        if any(c.startswith(OTHER) for c in present):
            found.append("other_goods")
            present = {c for c in present if not c.startswith(OTHER)}
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
        found += self._other_senses(low, match, index, ordinary_name)
        return found, bool(present)

    def _other_senses(
        self, low: str, match: TitleMatch, index: int, ordinary_name: bool
    ) -> list[str]:
        """Evidence that the string means something other than the brand here."""
        entry = self.catalog[index]
        found = []
        keys = {match.text.lower(), *(a.lower() for a in entry.aliases)}
        if any(key in self._senses and self._senses[key].search(low) for key in keys):
            found.append("ordinary_sense")
        careful = ordinary_name or match.kind in DERIVED
        if careful and is_cjk(match.text[0]) and self._embedded(low, match, entry):
            found.append("embedded")
        if self._person(low, match, index):
            found.append("person")
        if match.kind is MatchKind.SLANG and STYLE_OF.match(low, match.end):
            found.append("style_of")
        return found

    def _embedded(self, low: str, match: TitleMatch, entry: CatalogEntry) -> bool:
        """The characters are part of an ordinary word running across the match's edge:
        士表 in 瑞士表, 尔夫 in 高尔夫, 久保 in 持久保湿."""
        words = self._words
        own = [a for a in entry.aliases if not a.isascii() and a != match.text]
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
