"""Compile a catalog into the patterns the automaton looks for, each with what it means."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from probandi.adapters.screening.specificity import frequencies
from probandi.domain.screening.derive import Derived, derive
from probandi.domain.screening.evidence import PRIOR_FLOOR, load_profiles, prior
from probandi.domain.screening.lexicon import Lexicon
from probandi.domain.screening.model import CatalogEntry, MatchKind, Severity
from probandi.domain.screening.normalize import Folder, is_cjk, is_latin_word_char, is_separator
from probandi.domain.screening.variants import SoundTable, homophones, look_alike_forms, typo_forms

# Lower wins when two patterns of different meaning are the same string.
PRIORITY = {
    MatchKind.NAME: 0,
    MatchKind.ALIAS: 1,
    MatchKind.SLANG: 2,
    MatchKind.PINYIN: 3,
    MatchKind.HOMOPHONE: 4,
    MatchKind.OBFUSCATED: 5,
    MatchKind.COMPATIBILITY: 6,
    MatchKind.NICKNAME: 7,  # derived: any pattern the brand's names make wins over them
    MatchKind.TRUNCATED: 8,
    MatchKind.PARTIAL: 9,
}
CJK_SEPARATORS = (" ", ".", "·", "•", "・", "-", "_", "*", "/", "|", "~", "+", "、", "，")
TYPO_MIN = 6  # only names this long are matched at edit distance 1
PINYIN_MIN = 4
# Ordinary words one edit away from a brand name: never a typo of it.
TYPO_STOPWORDS = frozenset(
    [
        "channel",
        "channels",
        "chanels",
        "feline",
        "valentine",
        "valentines",
        "carrier",
        "carriers",
        "longings",
        "herpes",
        "ceiling",
        "cartiers",
        "balance",
        "lancer",
        "lancers",
        "romani",
        "supremo",
        "hermit",
    ]
)


@dataclass(frozen=True)
class Pattern:
    """What a pattern string means: a brand (index into the catalog) or a slang signal."""

    brand: int  # -1 for a slang signal
    kind: MatchKind
    needs_context: bool = False
    severity: Severity | None = None  # slang signals only
    joined_words: bool = False  # a multi-word name with its spaces removed (katespade)
    latin_start: bool = False  # a Latin word character begins it: needs a word boundary
    latin_end: bool = False
    prior: float = 0.0  # derived aliases: the log-odds before the title's evidence

    @property
    def is_signal(self) -> bool:
        return self.brand < 0


def _tokens(folded: str) -> list[str]:
    out: list[str] = []
    word: list[str] = []
    for ch in folded:
        if is_separator(ch):
            if word:
                out.append("".join(word))
                word = []
        else:
            word.append(ch)
    if word:
        out.append("".join(word))
    return out


def separator_forms(folded: str, *, separated: bool = True) -> list[str]:
    """`louis vuitton` also as louisvuitton; 古驰 also as 古 驰.

    Latin forms are matched in a view where every separator is a space, so one spaced form
    stands for louis-vuitton, louis.vuitton and louis_vuitton too.
    """
    tokens = _tokens(folded)
    if not tokens:
        return []
    joined = "".join(tokens)
    if joined.isascii() and joined.isalnum():
        # The Latin view turns each separator into a space: "dolce & gabbana" has three,
        # and G.U.C.C.I, G-U-C-C-I and G U C C I all read "g u c c i".
        spaced = [sep.join(tokens) for sep in (" ", "  ", "   ")]
        letters = []
        if len(joined) >= 3 and joined.isalpha():
            letters.append(" ".join(joined))  # g u c c i
            if len(tokens) > 1:  # v a n  c l e e f: words apart by two spaces
                letters.append("  ".join(" ".join(t) for t in tokens))
        return list(dict.fromkeys((*spaced, joined, *letters)))
    forms = [folded.strip(), joined]
    if all(is_cjk(ch) for ch in joined) and 2 <= len(joined) <= 10:
        forms.extend(joined[:i] + " " + joined[i:] for i in range(1, len(joined)))
        if separated:
            forms.extend(sep.join(joined) for sep in CJK_SEPARATORS)  # 纪 梵 希, 古.驰, 卡·西·欧
    return list(dict.fromkeys(forms))


class PatternTable:
    """All pattern strings of a catalog; `add` keeps the highest-priority meaning."""

    def __init__(self) -> None:
        self.patterns: dict[str, Pattern] = {}

    def add(self, text: str, pattern: Pattern) -> None:
        if not text:
            return
        latin_start, latin_end = is_latin_word_char(text[0]), is_latin_word_char(text[-1])
        pattern = replace(pattern, latin_start=latin_start, latin_end=latin_end)
        current = self.patterns.get(text)
        if current is None or self._beats(pattern, current):
            self.patterns[text] = pattern

    @staticmethod
    def _beats(new: Pattern, old: Pattern) -> bool:
        if new.is_signal != old.is_signal:
            return not new.is_signal  # a brand name outranks a slang term of the same text
        return PRIORITY[new.kind] < PRIORITY[old.kind]


@dataclass(frozen=True)
class CompileOptions:
    typos: bool = True
    homophones: bool = True
    pinyin: bool = True
    leet: bool = True
    derived: bool = True  # truncations, partial names and nicknames, weighed by evidence


def compile_patterns(
    catalog: Sequence[CatalogEntry],
    lexicon: Lexicon,
    folder: Folder,
    sounds: SoundTable,
    options: CompileOptions = CompileOptions(),
) -> PatternTable:
    table = PatternTable()
    for index, entry in enumerate(catalog):
        _add_entry(table, index, entry, folder, sounds, options)
    for term in lexicon.slang:
        # Slang is matched as written: "1:1" must not become "11" (an iPhone 11).
        table.add(
            folder.fold(term.term).strip(), Pattern(-1, MatchKind.SLANG, severity=term.severity)
        )
    if options.derived:
        _add_derived(table, catalog, folder)
    return table


def _add_derived(table: PatternTable, catalog: Sequence[CatalogEntry], folder: Folder) -> None:
    """Each brand's truncations, partial names and nicknames that no pattern already holds
    and that are not too ordinary to ever reach a tier. A string two brands derive goes to
    the one whose name it begins (阿玛: 阿玛尼, not 安普里奥阿玛尼), else to the first."""
    profiles = load_profiles()
    wanted: dict[str, tuple[int, Derived, tuple[str, ...]]] = {}
    for index, entry in enumerate(catalog):
        profile = profiles.get(entry.brand)
        nicknames = profile.nicknames if profile else ()
        names = tuple(folder.fold(a) for a in entry.aliases)
        for d in derive(entry.aliases, nicknames):
            text = folder.fold(d.text).strip()
            if not text or text in table.patterns:
                continue
            known = wanted.get(text)
            if known is None or (_starts(text, names) and not _starts(text, known[2])):
                wanted[text] = (index, d, names)
    items = [(text, names) for text, (_, _, names) in wanted.items()]
    for (text, _), frequency in zip(items, frequencies(items), strict=True):
        index, d, _names = wanted[text]
        log_odds = prior(frequency, d.kind)
        if log_odds >= PRIOR_FLOOR:
            table.add(text, Pattern(index, d.kind, needs_context=True, prior=log_odds))


def _starts(text: str, names: tuple[str, ...]) -> bool:
    return any(name.startswith(text) for name in names)


def _add_entry(
    table: PatternTable,
    index: int,
    entry: CatalogEntry,
    folder: Folder,
    sounds: SoundTable,
    options: CompileOptions,
) -> None:
    name = folder.fold(entry.brand)
    for alias in entry.aliases:
        folded = folder.fold(alias)
        kind = MatchKind.NAME if folded == name else MatchKind.ALIAS
        context = entry.common_word
        tokens = _tokens(folded)
        plain = {folded.strip(), " ".join(tokens), "".join(tokens)}
        for form in separator_forms(folded):
            joined = len(tokens) > 1 and " " not in form
            # G U C C I, 古.驰: the name taken apart is an obfuscated form of it.
            form_kind = kind if form in plain or "  " in form else MatchKind.OBFUSCATED
            table.add(form, Pattern(index, form_kind, context, joined_words=joined))
        _add_generated(table, index, entry, folded, sounds, options)
    for short in entry.short:
        if (
            len(_tokens(folder.fold(short))[0] if _tokens(folder.fold(short)) else "") == 1
            and len(_tokens(folder.fold(short))) == 1
        ):
            continue  # a single letter (H) is no evidence of anything
        for form in separator_forms(folder.fold(short)):
            table.add(form, Pattern(index, MatchKind.ALIAS, needs_context=True))
    for slang in entry.slang:
        # Nicknames are ordinary words too (西太后 is the Empress Dowager): product context.
        for form in separator_forms(folder.fold(slang)):
            table.add(form, Pattern(index, MatchKind.SLANG, needs_context=True))


def _add_generated(
    table: PatternTable,
    index: int,
    entry: CatalogEntry,
    folded: str,
    sounds: SoundTable,
    options: CompileOptions,
) -> None:
    squeezed = "".join(_tokens(folded))
    if squeezed and all(is_cjk(ch) for ch in squeezed):
        if options.pinyin:
            for form in sounds.pinyin_forms(squeezed):
                if len(form.replace(" ", "")) >= PINYIN_MIN:
                    table.add(form, Pattern(index, MatchKind.PINYIN, entry.common_word))
        if options.homophones:
            # A two-character homophone is often an ordinary word (巴黎): product context.
            context = entry.common_word or len(squeezed) <= 2
            for variant in homophones(squeezed, sounds):
                for form in separator_forms(variant, separated=False):
                    table.add(form, Pattern(index, MatchKind.HOMOPHONE, context))
        return
    if not squeezed.isascii():
        return
    tokens = _tokens(folded)
    if options.leet and len(squeezed) >= 4:
        for form in look_alike_forms(" ".join(tokens)):
            table.add(form, Pattern(index, MatchKind.OBFUSCATED, entry.common_word))
    if options.typos and all(t.isalpha() for t in tokens):
        for form in _typo_names(tokens):
            table.add(form, Pattern(index, MatchKind.OBFUSCATED, entry.common_word))


def _typo_names(tokens: list[str]) -> Iterable[str]:
    """One typo in one long word of the name: balenciage, jean paul gaultir."""
    for i, token in enumerate(tokens):
        if len(token) < TYPO_MIN:
            continue
        for typo in set(typo_forms(token)):
            # Sellers keep the first letter; dropping it makes words (swatch -> watch).
            if typo[0] != token[0] or (typo[1:2] != token[1:2] and typo[0:1] == token[1:2]):
                continue
            if typo not in TYPO_STOPWORDS and len(typo) >= TYPO_MIN - 1:
                yield " ".join((*tokens[:i], typo, *tokens[i + 1 :]))
