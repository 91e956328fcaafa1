"""Generated variants of brand names: pinyin, homophones, digit-for-letter and typo forms.

Sellers write 古驰 as guchi, 古奇 or 酷奇, and Chanel as ch4nel. Rather than hand-list each
form, the variants are generated from the names, with the sound table supplied by the caller.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping

from probandi.domain.screening.normalize import is_cjk

# Characters that Chinese transliterations of foreign names are written with: homophone
# substitutes come only from here, so a variant reads like a brand, not like a common word.
TRANSLITERATION_CHARS = (
    "阿埃艾爱安昂奥澳巴芭拜班邦宝保贝本比彼毕碧宾波伯博布步采蔡查茶柴彻辰成丞驰池迟崇楚川"
    "茨慈达黛丹道德登迪狄笛蒂典丁东都杜顿多朵厄恩尔儿法凡梵范方菲斐芬丰弗伏芙福甫嘎盖甘冈"
    "高戈哥歌格根古谷瓜圭贵哈海汉豪赫亨恒红洪胡华怀霍基吉纪佳加嘉迦杰捷金锦晶景久菊卡凯坎"
    "康柯科可克肯寇库酷夸兰朗劳勒雷蕾黎丽利莉琳玲凌刘柳龙卢鲁陆路伦罗洛玛马迈麦曼梅美蒙"
    "孟米蜜缪莫墨慕穆娜纳奈南妮尼宁纽诺欧帕派潘培佩彭皮平珀普奇琪齐祺其乔琴秋瑞萨塞赛桑"
    "森莎杉尚绍舍圣诗施史世仕斯思丝松苏索塔泰汤唐堂特提蒂天廷汀图托瓦万旺威薇维伟卫温文"
    "沃乌伍西希喜夏仙香祥萧肖谢欣辛星修秀轩雅亚娅燕扬杨耶伊依怡义易意茵英尤由友于雨玉裕"
    "元约悦云赞泽扎詹章哲珍芝治朱卓兹姿"
)


def toneless(pinyin: str) -> str:
    """Strip tone marks and digits: chí -> chi; ü is written v."""
    decomposed = unicodedata.normalize("NFD", pinyin)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) or c == "\u0308")
    return unicodedata.normalize("NFC", kept).rstrip("012345").replace("ü", "v")


INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("g", "k"), ("n", "l"), ("f", "h"))
FINALS = (("ang", "an"), ("eng", "en"), ("ing", "in"))


def _near(syllable: str) -> set[str]:
    """The syllable and those a listener could confuse it with (initials, nasal finals)."""
    out = {syllable}
    for a, b in INITIALS:
        for src, dst in ((a, b), (b, a)):
            flat_before_h = src in ("z", "c", "s") and syllable.startswith(src + "h")
            if syllable.startswith(src) and not flat_before_h and not syllable.startswith("ng"):
                out.add(dst + syllable[len(src) :])
    for long_final, short_final in FINALS:
        if syllable.endswith(long_final):
            out.add(syllable[: -len(long_final)] + short_final)
        elif syllable.endswith(short_final):
            out.add(syllable[: -len(short_final)] + long_final)
    return out


class SoundTable:
    """Toneless pinyin of characters, and the transliteration characters by sound."""

    def __init__(self, readings: Mapping[str, tuple[str, ...]]) -> None:
        self._readings = readings
        by_sound: dict[str, set[str]] = {}
        for ch in TRANSLITERATION_CHARS:
            for sound in readings.get(ch, ())[:1]:  # the usual reading only
                by_sound.setdefault(sound, set()).add(ch)
        self._by_sound = {k: frozenset(v) for k, v in by_sound.items()}
        common: dict[str, set[str]] = {}
        for ch in gb2312_level1():
            for sound in readings.get(ch, ())[:1]:
                common.setdefault(sound, set()).add(ch)
        self._common = {k: frozenset(v) for k, v in common.items()}

    def common_homophones(self, ch: str) -> frozenset[str]:
        """Characters of the 3,755 most common (GB2312 level 1) read exactly like `ch`."""
        reading = self.readings(ch)[:1]
        if not reading:
            return frozenset()
        return self._common.get(reading[0], frozenset()) - {ch}

    def readings(self, ch: str) -> tuple[str, ...]:
        return self._readings.get(ch, ())

    def sounds_like(self, ch: str, *, near: bool) -> frozenset[str]:
        out: set[str] = set()
        for sound in self.readings(ch)[:1]:
            for variant in _near(sound) if near else {sound}:
                out |= self._by_sound.get(variant, frozenset())
        out.discard(ch)
        return frozenset(out)

    def pinyin_forms(self, name: str, limit: int = 4) -> list[str]:
        """Pinyin of a Chinese name, joined and spaced (guchi, gu chi), first readings first."""
        if not name or not all(is_cjk(ch) for ch in name):
            return []
        forms: list[list[str]] = [[]]
        for ch in name:
            options = self.readings(ch)[:1]
            if not options:
                return []
            forms = [[*f, o] for f in forms for o in options][:limit]
        out: list[str] = []
        for syllables in forms:
            out.extend(("".join(syllables), " ".join(syllables)))
        return list(dict.fromkeys(out))


def gb2312_level1() -> list[str]:
    """The most common characters, by the national standard's own ordering."""
    out = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return out


def homophones(name: str, sounds: SoundTable, *, limit: int = 400) -> list[str]:
    """Names with one character swapped for a transliteration character of like sound.

    Exact homophones come from common characters; near sounds (g/k, zh/z, an/ang) only
    from transliteration characters. A two-character variant is often an ordinary word
    (巴利 -> 巴黎, Paris), so the caller asks for product context before trusting one.
    """
    if len(name) < 2 or not all(is_cjk(ch) for ch in name):
        return []
    out: list[str] = []
    for i, ch in enumerate(name):
        others = sounds.sounds_like(ch, near=True) | sounds.common_homophones(ch)
        for other in sorted(others):
            out.append(name[:i] + other + name[i + 1 :])
            if len(out) >= limit:
                return out
    return out


def look_alike_forms(name: str) -> list[str]:
    """Capital I written for l and l for i ("CeIine" folds to "ceiine"); digits for letters
    are read back by the de-leet view instead."""
    out: list[str] = []
    if "l" in name:
        out.append(name.replace("l", "i"))
    if "i" in name:
        out.append(name.replace("i", "l"))
    return list(dict.fromkeys(v for v in out if v != name))


ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def typo_forms(name: str) -> Iterator[str]:
    """Every string at edit distance 1 (deletion, insertion, substitution) of a Latin word."""
    for i in range(len(name)):
        yield name[:i] + name[i + 1 :]
        for ch in ALPHABET:
            if ch != name[i]:
                yield name[:i] + ch + name[i + 1 :]
    for i in range(len(name) + 1):
        for ch in ALPHABET:
            yield name[:i] + ch + name[i:]
