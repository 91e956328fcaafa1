"""A labelled set of marketplace titles naming brands, plainly and obfuscated.

Deterministic (seeded `random.Random`); writes `bench/data/obfuscation_set.jsonl`, one title
a line: `{"title", "brands", "class", "spans"}`. `brands` are the canonical catalog names the
title claims (empty for negatives and compatibility mentions); `spans` are the character
spans (Python offsets) of the text that names the brand. Run from the project root:

    .venv/bin/python bench/screening_set.py            # reads the default catalog
    .venv/bin/python bench/screening_set.py --per-class 60 --seed 7

The brands come from `src/probandi/domain/screening/data/brands.json` (a small built-in list
stands in while it does not exist). Pinyin and homophones need `pypinyin`; without it those
two classes are skipped with a warning.
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CATALOG_PATH = ROOT / "src" / "probandi" / "domain" / "screening" / "data" / "brands.json"
OUT_PATH = ROOT / "bench" / "data" / "obfuscation_set.jsonl"
CJK_START = 0x2E80

# --------------------------------------------------------------------------- catalog


@dataclass(frozen=True)
class Brand:
    """A catalog entry as the generator needs it."""

    name: str
    aliases: tuple[str, ...] = ()
    short: tuple[str, ...] = ()
    slang: tuple[str, ...] = ()
    common_word: bool = False

    @property
    def latin_names(self) -> list[str]:
        """The name and the long Latin aliases, ASCII letters (and spaces) only."""
        names = [self.name, *self.aliases]
        return [n for n in dict.fromkeys(names) if _plain_latin(n) and len(n) >= 4]

    @property
    def zh_names(self) -> list[str]:
        """Aliases written in Chinese characters only (2 or more)."""
        return [a for a in self.aliases if len(a) >= 2 and all(_is_han(c) for c in a)]


FALLBACK_CATALOG: tuple[Brand, ...] = (
    Brand("Gucci", ("古驰", "古奇"), ("GG",), ("G家",)),
    Brand("Louis Vuitton", ("路易威登",), ("LV",), ("驴牌", "L家")),
    Brand("Chanel", ("香奈儿",), ("CC",), ("香家", "小香")),
    Brand("Hermès", ("Hermes", "爱马仕"), (), ("H家",)),
    Brand("Dior", ("迪奥", "Christian Dior"), ("CD",), ("D家",)),
    Brand("Prada", ("普拉达",), (), ("P家",)),
    Brand("Balenciaga", ("巴黎世家",), (), ("B家",)),
    Brand("Burberry", ("博柏利", "巴宝莉"), (), ("巴家",)),
    Brand("Versace", ("范思哲",), (), ()),
    Brand("Givenchy", ("纪梵希",), (), ()),
    Brand("Cartier", ("卡地亚",), (), ("卡家",)),
    Brand("Rolex", ("劳力士",), (), ("劳家",)),
    Brand("Supreme", (), (), ()),
    Brand("Nike", ("耐克",), (), ()),
    Brand("Apple", ("苹果",), (), (), common_word=True),
    Brand("Coach", ("蔻驰",), (), (), common_word=True),
)


def _plain_latin(text: str) -> bool:
    return all(c.isascii() and (c.isalpha() or c == " ") for c in text) and any(
        c.isalpha() for c in text
    )


def _is_han(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH")


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str) and v.strip())
    return ()


def load_catalog(path: Path) -> list[Brand]:
    """Entries of brands.json; the built-in list when the file is missing or empty."""
    if not path.exists():
        print(f"warning: {path} not found; using the built-in list", file=sys.stderr)
        return list(FALLBACK_CATALOG)
    raw = json.loads(path.read_text(encoding="utf-8"))
    rows = raw.get("brands", []) if isinstance(raw, dict) else raw
    brands = [
        Brand(
            name=row["brand"],
            aliases=_strings(row.get("aliases")),
            short=_strings(row.get("short")),
            slang=_strings(row.get("slang")),
            common_word=bool(row.get("common_word", False)),
        )
        for row in rows
        if isinstance(row, dict) and isinstance(row.get("brand"), str)
    ]
    return brands or list(FALLBACK_CATALOG)


# --------------------------------------------------------------------------- alias scan


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() and ord(ch) < CJK_START


def _fold(text: str) -> tuple[str, list[int]]:
    """Case/width-folded text and, for each folded char, its index in `text`."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        part = unicodedata.normalize("NFKC", ch).casefold()
        out.append(part)
        index.extend([i] * len(part))
    return "".join(out), index


@dataclass(frozen=True)
class Hit:
    brand: str
    start: int
    end: int
    strong: bool


class AliasScan:
    """Finds catalog aliases (folded, Latin ones on word boundaries) to keep titles clean.

    Strong: a name or alias of a brand that is no common word; short forms and slang need
    context, so a hard negative may hold them."""

    def __init__(self, brands: Sequence[Brand]) -> None:
        self.terms: list[tuple[str, str, bool]] = []
        for b in brands:
            for alias in {b.name, *b.aliases}:
                self._add(alias, b.name, strong=not b.common_word)
            for alias in {*b.short, *b.slang}:
                self._add(alias, b.name, strong=False)
        self.folded_aliases = {t for t, _, _ in self.terms}

    def _add(self, alias: str, brand: str, *, strong: bool) -> None:
        folded = _fold(alias)[0].strip()
        if len(folded) >= 2:
            self.terms.append((folded, brand, strong))

    def hits(self, title: str) -> list[Hit]:
        folded, index = _fold(title)
        found: list[Hit] = []
        for term, brand, strong in self.terms:
            pos = folded.find(term)
            while pos != -1:
                end = pos + len(term)
                if _bounded(folded, pos, end):
                    found.append(Hit(brand, index[pos], index[end - 1] + 1, strong))
                pos = folded.find(term, pos + 1)
        return found


def _bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    left = _is_word_char(text[start]) and _is_word_char(before)
    right = _is_word_char(text[end - 1]) and _is_word_char(after)
    return not (left or right)


# --------------------------------------------------------------------------- vocabulary

KINDS: dict[str, tuple[str, ...]] = {
    "watch": ("rolex", "omega", "patek philippe", "audemars piguet", "longines", "tissot",
              "tag heuer", "iwc schaffhausen", "tudor", "breitling", "casio", "citizen", "panerai",
              "hublot", "jaeger-lecoultre", "vacheron constantin", "richard mille", "blancpain",
              "swatch", "zenith", "breguet", "certina", "mido", "oris", "rado", "piaget",
              "franck muller", "girard-perregaux", "glashütte original", "hamilton",
              "parmigiani fleurier", "roger dubuis", "ulysse nardin", "a. lange & söhne",
              "baume & mercier", "bell & ross", "daniel wellington"),
    "sport": ("nike", "adidas", "puma", "new balance", "under armour", "converse", "vans",
              "reebok", "asics", "li-ning", "anta", "skechers", "fila", "air jordan", "lululemon",
              "the north face", "arc'teryx", "descente", "onitsuka tiger", "salomon", "yeezy",
              "patagonia", "canada goose", "moncler"),
    "jewelry": ("tiffany & co.", "bulgari", "van cleef & arpels", "swarovski", "pandora",
                "chow tai fook", "chaumet", "boucheron", "damiani", "de beers", "georg jensen",
                "graff", "harry winston", "mikimoto", "pomellato", "chow sang sang",
                "lao feng xiang", "chrome hearts", "chopard"),
    "beauty": ("estée lauder", "lancôme", "sk-ii", "shiseido", "l'oréal", "clinique",
               "mac cosmetics", "jo malone london", "la mer", "kiehl's", "sulwhasoo", "guerlain",
               "clarins", "acqua di parma", "bobbi brown", "byredo", "chantecaille",
               "clé de peau beauté", "cosme decorte", "creed", "diptyque", "elizabeth arden",
               "helena rubinstein", "la prairie", "maison francis kurkdjian", "penhaligon's",
               "serge lutens", "sisley", "davidoff"),
    "electronics": ("apple", "samsung", "huawei", "xiaomi", "sony"),
    "audio": ("beats", "bose"),
    "appliance": ("dyson",),
    "eyewear": ("ray-ban", "oakley"),
    "luggage": ("rimowa", "samsonite", "tumi"),
    "lighter": ("zippo", "s.t. dupont"),
    "pen": ("montblanc",),
    "toys": ("lego",),
}  # fmt: skip
KIND_OF = {name: kind for kind, names in KINDS.items() for name in names}

PRODUCTS_ZH: dict[str, tuple[str, ...]] = {
    "fashion": ("包", "手袋", "钱包", "腰带", "围巾", "单肩包", "斜挎包", "双肩包", "托特包",
                "卡包", "丝巾", "T恤", "卫衣", "手提包", "链条包", "墨镜", "帽子"),
    "watch": ("手表", "机械表", "腕表", "男表", "女表", "石英表"),
    "sport": ("运动鞋", "跑步鞋", "篮球鞋", "卫衣", "T恤", "运动裤", "板鞋", "外套"),
    "jewelry": ("项链", "手链", "戒指", "耳环", "手镯", "吊坠"),
    "beauty": ("香水", "口红", "面霜", "精华液", "粉底液", "眼霜"),
    "electronics": ("手机", "耳机", "平板电脑", "笔记本电脑", "智能手表", "充电器"),
    "toys": ("积木", "拼装玩具", "积木套装"),
    "eyewear": ("墨镜", "太阳镜", "眼镜框", "偏光镜"),
    "audio": ("耳机", "头戴式耳机", "蓝牙耳机", "蓝牙音箱"),
    "appliance": ("吹风机", "吸尘器", "卷发棒", "空气净化器"),
    "luggage": ("行李箱", "拉杆箱", "登机箱", "旅行箱"),
    "lighter": ("打火机", "煤油打火机", "防风打火机"),
    "pen": ("钢笔", "签字笔", "宝珠笔", "墨水笔"),
}  # fmt: skip
PRODUCTS_EN: dict[str, tuple[str, ...]] = {
    "fashion": ("bag", "wallet", "belt", "scarf", "tote bag", "crossbody bag", "handbag",
                "card holder", "hoodie", "T-shirt", "sunglasses", "backpack"),
    "watch": ("watch", "automatic watch", "wristwatch", "chronograph"),
    "sport": ("sneakers", "running shoes", "hoodie", "track pants", "basketball shoes"),
    "jewelry": ("necklace", "bracelet", "ring", "earrings", "pendant"),
    "beauty": ("perfume", "lipstick", "face cream", "serum", "eau de parfum 100ml"),
    "electronics": ("phone", "earbuds", "tablet", "laptop", "smart watch", "charger"),
    "toys": ("building blocks", "brick set", "toy set"),
    "eyewear": ("sunglasses", "aviator sunglasses", "glasses frame"),
    "audio": ("headphones", "wireless earbuds", "bluetooth speaker"),
    "appliance": ("hair dryer", "cordless vacuum", "air purifier"),
    "luggage": ("suitcase", "carry-on luggage", "trolley case"),
    "lighter": ("lighter", "windproof lighter"),
    "pen": ("fountain pen", "rollerball pen", "ballpoint pen"),
}  # fmt: skip
COLOURS_ZH = ("黑色", "白色", "红色", "卡其色", "米色", "棕色", "粉色", "藏青", "酒红", "灰色")
COLOURS_EN = ("black", "white", "red", "beige", "brown", "pink", "navy", "grey", "gold")
SIZES: dict[str, tuple[str, ...]] = {
    "fashion": ("S", "M", "L", "XL", "XXL", "均码", "M码", "L码"),
    "sport": ("36", "38", "40", "42", "44", "40码", "42码", "L", "XL"),
    "watch": ("36mm", "40mm", "41mm", "42mm"),
    "jewelry": ("均码", "16cm", "45cm", "18K"),
    "beauty": ("30ml", "50ml", "100ml", "75ml"),
    "electronics": ("128GB", "256GB", "512GB"),
    "audio": ("无线", "蓝牙5.3", "降噪"),
    "appliance": ("家用", "220V", "大功率"),
    "toys": ("6岁+", "1000片", "8岁+"),
    "eyewear": ("均码", "偏光", "UV400"),
    "luggage": ("20寸", "24寸", "28寸"),
    "lighter": ("礼盒装", "单只", "套装"),
    "pen": ("0.5mm", "F尖", "M尖"),
}
MARKETING = ("正品", "专柜", "2024新款", "现货", "包邮", "专柜正品", "经典款", "热卖", "新品",
             "限量", "秒发", "2025春夏")  # fmt: skip
AUDIENCE = ("男女同款", "女款", "男士", "情侣款", "女士", "男款", "")
MARKETING_EN = ("New", "Authentic", "2024", "Hot", "Classic", "Unisex", "Limited", "Original")

TEMPLATES_ZH = (
    "{m}{b}{p}{c}{g}",
    "{y}{b}{c}{p} {m}",
    "{b}{p} {g} {c} {s}",
    "【{m}】{b} {y}{p}{c}",
    "{b}{y}{p}{g}{c}",
    "{m} {b} {c}{p} {s}",
    "{g}{b}{p}{c}新款{m}",
)
TEMPLATES_EN = (
    "{b} {pe} {ce} {s}",
    "{me} {b} {ce} {pe}",
    "{me} {b} {pe} for Women {ce}",
    "{ce} {pe} by {b} - {s}",
    "{b} {pe} {me} {ce}",
)
TEMPLATES_MIXED = (
    "{b} {pe} {p}{c} {m}",
    "{m} {b} {pe} {c}{g}",
    "{b}{p} {ce} {me}",
)


@dataclass(frozen=True)
class Mark:
    """The brand text inside a title; `inner` narrows the span (★Gucci★ names Gucci)."""

    text: str
    inner: tuple[int, int] | None = None


def kind_of(brand: str) -> str:
    return KIND_OF.get(brand.casefold(), "fashion")


def fill(rng: random.Random, template: str, kind: str) -> str:
    """Fills every placeholder but {b}; product words follow the brand's kind."""
    words = {
        "p": rng.choice(PRODUCTS_ZH[kind]),
        "pe": rng.choice(PRODUCTS_EN[kind]),
        "c": rng.choice(COLOURS_ZH),
        "ce": rng.choice(COLOURS_EN),
        "s": rng.choice(SIZES[kind]),
        "m": rng.choice(MARKETING),
        "me": rng.choice(MARKETING_EN),
        "g": rng.choice(AUDIENCE),
        "y": rng.choice(("2024新款", "2025新款", "23秋冬", "新款", "")),
        "b": "\x00",
    }
    return " ".join(template.format(**words).split())


def _touches(left: str, right: str) -> bool:
    """Would these two characters run together into one Latin word (letters or digits)?"""
    return bool(left and right) and all(_is_word_char(_fold(c)[0][:1] or c) for c in (left, right))


def assemble(frame: str, mark: Mark, *, glue: bool = False) -> tuple[str, list[list[int]]]:
    """Puts the brand text in the frame's slot; returns the title and the brand span.

    Unless `glue`, a space keeps Latin brand text off neighbouring letters and digits
    ("Gucci 2024新款"); `glue` keeps "Gucci2024新款", as sellers often write it."""
    cut = frame.index("\x00")
    before, after = frame[:cut], frame[cut + 1 :]
    if not glue and _touches(before[-1:], mark.text[:1]):
        before += " "
    if not glue and _touches(mark.text[-1:], after[:1]):
        after = " " + after
    title = before + mark.text + after
    start, end = mark.inner or (0, len(mark.text))
    span = [len(before) + start, len(before) + end]
    assert title[span[0] : span[1]] == mark.text[start:end]
    return title, [span]


# --------------------------------------------------------------------------- obfuscations

# Simplified -> traditional, for the characters that brand transliterations use.
_S2T_PAIRS = (
    "驰馳奥奧爱愛马馬儿兒罗羅兰蘭杰傑凯凱尔爾诗詩华華伦倫纪紀宝寶丽麗积積亚亞达達维維萨薩"
    "劳勞欧歐锐銳顿頓贝貝莱萊费費迈邁乔喬苹蘋为為鳄鱷鱼魚汉漢娇嬌缪繆万萬龙龍玛瑪资資乐樂"
    "飞飛联聯软軟鲁魯车車丰豐众眾东東荣榮蓝藍红紅绿綠黄黃时時钻鑽银銀铂鉑锦錦凤鳳鹅鵝鸟鳥"
    "睐睞国國纳納赛賽圣聖泽澤兹茲韩韓岛島梦夢缇緹玺璽琼瓊侬儂浓濃灵靈颂頌骏駿骑騎鹰鷹狮獅"
    "丝絲织織绒絨约約级級经經绅紳贵貴贺賀庄莊伟偉优優俪儷卢盧卫衛历歷叶葉启啟团團坚堅声聲"
    "妆妝宁寧宾賓帅帥师師带帶广廣张張强強录錄彦彥恒恆悦悅态態戏戲护護杨楊极極标標树樹样樣"
    "桥橋欢歡汇匯洁潔济濟涛濤润潤渊淵湾灣满滿滨濱潇瀟灿燦点點热熱焕煥爷爺独獨猫貓环環现現"
    "珑瓏电電画畫畅暢盖蓋码碼礼禮称稱稳穩竞競笔筆简簡纯純纱紗练練组組结結绘繪统統绣繡继繼"
    "绮綺绸綢缎緞编編缤繽职職胜勝艺藝节節苏蘇莲蓮萝蘿营營蔷薔装裝观觀视視览覽觉覺记記诺諾"
    "语語谊誼谢謝谱譜贞貞财財贤賢货貨购購贸貿赏賞赖賴赞贊赵趙跃躍轩軒轮輪轻輕辉輝边邊过過"
    "运運还還进進远遠连連适適选選逻邏邓鄧郑鄭钟鐘钢鋼钦欽钱錢铁鐵铃鈴铜銅铭銘链鏈锋鋒锡錫"
    "镜鏡长長门門闪閃间間阁閣阳陽陆陸陈陳韦韋页頁项項顺順领領颜顏风風飘飄饰飾馆館驴驢骄驕"
    "鲜鮮鸡雞鸣鳴鸿鴻鹏鵬鹤鶴麦麥齐齊龟龜创創让讓绰綽库庫温溫萧蕭岚嵐骧驤谜謎肤膚玑璣汤湯"
    "图圖芦蘆骆駱韵韻头頭内內表錶钥鑰"
)
S2T: dict[str, str] = {
    _S2T_PAIRS[i]: _S2T_PAIRS[i + 1]
    for i in range(0, len(_S2T_PAIRS), 2)
    if _S2T_PAIRS[i] != _S2T_PAIRS[i + 1]
}

# (capital A, small a) of the complete styles, and the letterlike holes of the others.
MATH_STYLES: tuple[tuple[int, int], ...] = (
    (0x1D400, 0x1D41A),  # bold
    (0x1D434, 0x1D44E),  # italic (h is U+210E)
    (0x1D468, 0x1D482),  # bold italic
    (0x1D49C, 0x1D4B6),  # script (holes below)
    (0x1D4D0, 0x1D4EA),  # bold script
    (0x1D504, 0x1D51E),  # fraktur (holes below)
    (0x1D538, 0x1D552),  # double-struck (holes below)
    (0x1D56C, 0x1D586),  # bold fraktur
    (0x1D5A0, 0x1D5BA),  # sans-serif
    (0x1D5D4, 0x1D5EE),  # sans-serif bold
    (0x1D608, 0x1D622),  # sans-serif italic
    (0x1D63C, 0x1D656),  # sans-serif bold italic
    (0x1D670, 0x1D68A),  # monospace
)
_HOLES = (
    (0x1D455, "ℎ"),
    (0x1D49D, "ℬ"), (0x1D4A0, "ℰ"), (0x1D4A1, "ℱ"), (0x1D4A3, "ℋ"), (0x1D4A4, "ℐ"),
    (0x1D4A7, "ℒ"), (0x1D4A8, "ℳ"), (0x1D4AD, "ℛ"), (0x1D4BA, "ℯ"), (0x1D4BC, "ℊ"),
    (0x1D4C4, "ℴ"), (0x1D506, "ℭ"), (0x1D50B, "ℌ"), (0x1D50C, "ℑ"), (0x1D515, "ℜ"),
    (0x1D51D, "ℨ"), (0x1D53A, "ℂ"), (0x1D53F, "ℍ"), (0x1D545, "ℕ"), (0x1D547, "ℙ"),
    (0x1D548, "ℚ"), (0x1D549, "ℝ"), (0x1D551, "ℤ"),
)  # fmt: skip
MATH_HOLES: dict[int, str] = dict(_HOLES)
HOMOGLYPHS: dict[str, str] = {
    "a": "а", "e": "е", "o": "оο", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і",
    "j": "ј", "s": "ѕ", "d": "ԁ", "g": "ɡ", "v": "ν",
    "A": "АΑ", "B": "ВΒ", "E": "ЕΕ", "H": "НΗ", "I": "ІΙ", "K": "КΚ", "M": "МΜ", "N": "Ν",
    "O": "ОΟ", "P": "РΡ", "T": "ТΤ", "X": "ХΧ", "Y": "Υ", "Z": "Ζ", "C": "С", "S": "Ѕ",
}  # fmt: skip
LEET: dict[str, str] = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7", "l": "1"}
LATIN_SEPARATORS = (" ", ".", "-", "_", "*", "·")
HAN_SEPARATORS = (" ", ".", "·", "-", "/", "*", "_", "|")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\u00ad")
EMOJI = ("🔥", "❤", "❤️", "★", "☆", "✨", "💎", "♥", "✿", "👜", "⭐", "💕")


def case_variant(rng: random.Random, name: str, *, mixed: bool = False) -> str:
    choice = rng.randrange(5 if mixed else 4)
    if choice == 1:
        return name.upper()
    if choice == 2:
        return name.lower()
    if choice == 3:
        return name.title()
    if choice == 4:
        return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in name)
    return name


def to_traditional(text: str) -> str:
    return "".join(S2T.get(c, c) for c in text)


def to_fullwidth(rng: random.Random, text: str) -> str:
    space = rng.choice((" ", "\u3000"))
    return "".join(
        space if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text
    )


def to_math(style: tuple[int, int], text: str) -> str:
    out = []
    for c in text:
        if "A" <= c <= "Z" or "a" <= c <= "z":
            base = style[0] + ord(c) - ord("A") if c <= "Z" else style[1] + ord(c) - ord("a")
            out.append(MATH_HOLES.get(base, chr(base)))
        else:
            out.append(c)
    return "".join(out)


def replace_some(rng: random.Random, text: str, table: dict[str, str], most: int) -> str | None:
    """Replaces one to `most` letters that `table` knows; None when none can be."""
    slots = [i for i, c in enumerate(text) if c in table]
    if not slots:
        return None
    chars = list(text)
    for i in rng.sample(slots, min(len(slots), rng.randint(1, most))):
        chars[i] = rng.choice(table[chars[i]])
    return "".join(chars)


def separate(rng: random.Random, text: str, latin: bool) -> str:
    sep = rng.choice(LATIN_SEPARATORS if latin else HAN_SEPARATORS)
    words = text.split()
    return ("  " if sep == " " else " ").join(sep.join(word) for word in words)


def insert_invisible(rng: random.Random, text: str) -> str:
    gaps = [i for i in range(1, len(text)) if text[i] != " " and text[i - 1] != " "]
    chosen = set(rng.sample(gaps, min(len(gaps), rng.randint(1, 3))))
    return "".join((rng.choice(ZERO_WIDTH) if i in chosen else "") + c for i, c in enumerate(text))


def pad_emoji(rng: random.Random, text: str) -> Mark:
    emoji = rng.choice(EMOJI)
    if rng.random() < 0.5:
        return Mark(emoji.join(text.replace(" ", "")))
    left = emoji * rng.randint(1, 2)
    right = rng.choice((left, emoji, rng.choice(EMOJI)))
    return Mark(left + text + right, (len(left), len(left) + len(text)))


def typo(rng: random.Random, name: str) -> str | None:
    """One deletion, insertion or substitution inside a word of 6+ letters (not its first)."""
    words = name.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not long_words:
        return None
    k = rng.choice(long_words)
    word = words[k]
    pos = rng.randrange(1, len(word))
    letter = rng.choice("aeiouyhnrstlck")
    letter = letter.upper() if word[pos].isupper() else letter
    edit = rng.randrange(3)
    if edit == 0:
        word = word[:pos] + word[pos + 1 :]
    elif edit == 1:
        word = word[:pos] + letter + word[pos:]
    elif letter.casefold() != word[pos].casefold():
        word = word[:pos] + letter + word[pos + 1 :]
    else:
        return None
    words[k] = word
    return " ".join(words)


# --------------------------------------------------------------------------- pinyin


class Pinyin:
    """Toneless pinyin through pypinyin, and same-sound characters from GB2312 level 1."""

    def __init__(self, module: Any) -> None:
        self._lazy: Callable[[str], list[str]] = module.lazy_pinyin
        self._pinyin: Callable[..., list[list[str]]] = module.pinyin
        self._style = module.Style.NORMAL
        self.by_sound: dict[str, list[str]] = {}
        for ch in gb2312_level1():
            readings = self.readings(ch)
            if len(readings) == 1 and readings[0].isascii() and readings[0].isalpha():
                self.by_sound.setdefault(readings[0], []).append(ch)

    def readings(self, ch: str) -> list[str]:
        """Every toneless reading of one character."""
        found = self._pinyin(ch, style=self._style, heteronym=True)[0]
        return list(dict.fromkeys(r.lower() for r in found))

    def syllables(self, text: str) -> list[str]:
        return [s.lower() for s in self._lazy(text)]

    def homophone(self, rng: random.Random, text: str) -> str | None:
        """`text` with one character (of one reading only) swapped for another character of
        that very toneless reading, also of one reading only."""
        sounds = self.syllables(text)
        if len(sounds) != len(text):
            return None
        for i in rng.sample(range(len(text)), len(text)):
            if self.readings(text[i]) != [sounds[i]]:
                continue
            options = [c for c in self.by_sound.get(sounds[i], []) if c != text[i]]
            rng.shuffle(options)
            for ch in options[:20]:
                candidate = text[:i] + ch + text[i + 1 :]
                if self.syllables(candidate) == sounds:
                    return candidate
        return None


def gb2312_level1() -> Iterator[str]:
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                yield bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue


def load_pinyin() -> Pinyin | None:
    try:
        module = importlib.import_module("pypinyin")
    except ImportError:
        print("warning: pypinyin not installed; skipping pinyin and homophone", file=sys.stderr)
        return None
    return Pinyin(module)


# --------------------------------------------------------------------------- contexts

SHORT_EXTRAS: dict[str, tuple[str, ...]] = {
    "LV": ("老花", "棋盘格", "经典老花"),
    "CC": ("菱格", "链条", "羊皮"),
    "GG": ("双G", "老花", "马衔扣"),
    "YSL": ("小金条", "方管"),
    "CD": ("戴妃", "马鞍"),
}
SHORT_FRAMES_ZH = (
    "{m} \x00 {x}{p} {c}",
    "\x00{p} {x} {g}{c}",
    "{y}\x00 {x} {p}",
    "\x00 {p}{c} {m}",
)
SHORT_FRAMES_EN = ("\x00 {pe} {ce} {me}", "{me} \x00 {pe} {ce}")
COMPAT_FRAMES: dict[str, tuple[str, ...]] = {
    "fashion": ("适用于\x00包的肩带 {c}", "\x00包专用内胆包 收纳整理", "strap for \x00 bags {ce}",
                "replacement chain strap for \x00 handbag", "包包链条配件 适用\x00"),
    "watch": ("适用于\x00手表的表带 {c}", "表带 兼容\x00 20mm 快拆",
              "strap compatible with \x00 watches", "replacement band for \x00 watch {ce}"),
    "sport": ("适用于\x00鞋的鞋带 {c}", "鞋垫 适配\x00跑鞋 减震", "laces for \x00 sneakers {ce}",
              "shoe trees compatible with \x00 sneakers"),
    "jewelry": ("适用于\x00手链的延长链", "jewelry box for \x00 bracelet", "兼容\x00项链的收纳盒"),
    "beauty": ("适用于\x00香水的替换喷头", "refill atomizer compatible with \x00 perfume",
               "\x00口红专用收纳盒"),
    "electronics": ("适用于\x00手机的钢化膜", "兼容\x00的充电器 快充", "case for \x00 phone {ce}",
                    "charger compatible with \x00 laptop", "兼容\x00AirPods的耳机套"),
    "toys": ("兼容\x00积木的底板", "baseplate compatible with \x00 bricks", "积木 兼容\x00 小颗粒"),
    "audio": ("适用于\x00耳机的耳罩", "ear pads for \x00 headphones", "兼容\x00的耳机收纳包"),
    "appliance": ("适用于\x00吸尘器的滤网", "filter compatible with \x00 vacuum",
                  "\x00吹风机专用支架"),
    "eyewear": ("适用于\x00眼镜的镜盒", "replacement lenses for \x00 sunglasses",
                "\x00墨镜专用镜片"),
    "luggage": ("适用于\x00行李箱的保护套", "luggage cover for \x00 suitcase",
                "\x00拉杆箱专用轮子"),
    "lighter": ("适用于\x00打火机的内胆", "flints for \x00 lighter", "\x00打火机专用火石"),
    "pen": ("适用于\x00钢笔的墨囊", "refill compatible with \x00 pens", "\x00签字笔专用笔芯"),
    "any": ("适用于\x00的防尘袋", "dust bag for \x00 {pe}", "兼容\x00 {p}的收纳袋"),
}  # fmt: skip

# Titles naming no brand, some with brand-like substrings ('silver' holds 'lv').
HARD_NEGATIVES = (
    "925 sterling silver necklace for women",
    "Silver plated cufflinks gift box",
    "phone accessory kit 10pcs",
    "hair accessories organizer bag",
    "fresh eggs 30pcs free range",
    "luggage scale digital 50kg",
    "doctor who mug ceramic 350ml",
    "soccer ball size 5 training",
    "vintage diorama miniature kit 1:35",
    "Dioramas of WWII tanks display case",
    "Dionysus greek god statue resin",
    "Land Cruiser Prado floor mats 2018",
    "portable CD player with headphones",
    "CD架 光盘收纳盒 木质",
    "坚果礼盒 500g*2 每日坚果",
    "1:1 scale model car alloy diecast",
    "仿真汽车模型 1:1 比例 合金",
    "125cc motorcycle engine gasket set",
    "CC霜 遮瑕 提亮肤色 隔离",
    "BB霜 CC霜 套装 保湿",
    "无线AP 吸顶式 千兆 路由器",
    "老花镜 男 高清 防蓝光 老人",
    "巴黎风格 法式 复古 连衣裙",
    "香水百合 鲜花 速递 同城",
    "链条包 女 斜挎 小方包 新款",
    "菱格包 女 单肩 链条 小众设计",
    "老爹鞋 女 厚底 增高 运动鞋",
    "帆布托特包 大容量 通勤 女",
    "小方巾 真丝 印花 丝巾 女",
    "纯棉T恤 男 短袖 白色 打底衫",
    "男士真皮腰带 自动扣 商务",
    "不锈钢保温杯 500ml 男女",
    "儿童积木 益智 拼装 玩具",
    "家用 空气炸锅 大容量 多功能",
    "苹果绿 针织开衫 女 春秋",
    "Polo衫 男 短袖 纯棉 翻领",
    "men's polo shirt cotton slim fit",
    "sports coach whistle with lanyard",
    "coach bus model 1:50 diecast",
    "ergonomic boss chair leather high back",
    "guess the number game for kids",
    "dried mango slices 500g",
    "goose down pillow queen size",
    "apple juice 1L x 6 bottles",
    "apple pie baking mold nonstick",
    "烟台红富士苹果 5斤装 新鲜水果",
    "苹果醋 饮料 6瓶 整箱",
    "东北黄小米 5斤 新米 杂粮",
    "leather card holder slim minimalist",
    "womens crossbody bag small black",
    "running shoes men breathable size 42",
    "quartz watch women rose gold mesh strap",
    "gold plated hoop earrings hypoallergenic",
    "unisex hoodie oversized grey M",
    "LED desk lamp 12W dimmable",
    "ceramic vase nordic style",
    "recovery tool kit for doctors",
    "door gap sealer strip 5m",
    "sea shell decor craft 100g",
    "white dove figurine wedding decor",
    "jaguar plush toy 30cm",
    "mulberry silk pillowcase 22 momme",
    "omega-3 fish oil 1000mg 120 capsules",
    "diesel engine oil filter for trucks",
    "fabric swatch book 100 colors",
    "citizen science microscope kit",
    "camper vans awning 3m",
    "puma plush toy 30cm",
    "Hamilton musical poster A3",
    "Tiffany lamp stained glass bedside",
    "潘多拉魔盒 解谜玩具 益智",
    "东北铁锅炖大鹅 调料包",
    "新鲜小香葱 500g 蔬菜",
    "狗狗磨牙棒 狗牙清洁 宠物零食",
    "西太后 历史传记 书籍",
)
PLAIN_FRAMES = (
    "{m}{p}{c}{g} {s}",
    "{y}{c}{p} {m} {g}",
    "{me} {ce} {pe} {s}",
    "【{m}】{g}{p} {c}",
)


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class Row:
    title: str
    brands: tuple[str, ...]
    cls: str
    spans: tuple[tuple[int, int], ...]
    mentioned: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "title": self.title,
            "brands": list(self.brands),
            "class": self.cls,
            "spans": [list(s) for s in self.spans],
        }
        if self.mentioned:
            row["mentioned"] = list(self.mentioned)
        return row


class Generator:
    """Builds the rows of every class from the catalog, one seeded stream for all."""

    def __init__(self, brands: Sequence[Brand], seed: int, pinyin: Pinyin | None) -> None:
        self.brands = list(brands)
        self.rng = random.Random(seed)
        self.pinyin = pinyin
        self.scan = AliasScan(brands)
        self.seen: set[str] = set()

    # ---- brand text per class

    def producers(self) -> dict[str, Callable[[Brand], Mark | None]]:
        classes: dict[str, Callable[[Brand], Mark | None]] = {
            "name": lambda b: Mark(case_variant(self.rng, b.name, mixed=True)),
            "alias_zh": lambda b: self._zh(b, lambda t: t),
            "traditional": lambda b: self._zh(b, to_traditional, changed=True),
            "fullwidth": lambda b: self._latin(b, lambda t: to_fullwidth(self.rng, t)),
            "math_letters": lambda b: self._latin(b, self._math),
            "homoglyph": lambda b: self._latin(b, lambda t: self._swap(t, HOMOGLYPHS)),
            "leet": lambda b: self._latin(b, lambda t: self._swap(t.lower(), LEET)),
            "separators": self._separated,
            "zero_width": lambda b: self._any(b, lambda t: insert_invisible(self.rng, t)),
            "emoji_padding": self._emoji,
        }
        if self.pinyin is not None:
            classes["pinyin"] = lambda b: self._zh(b, self._pinyin, changed=True)
            classes["homophone"] = lambda b: self._zh(b, self._homophone, changed=True)
        classes["slang_name"] = lambda b: Mark(self.rng.choice(b.slang)) if b.slang else None
        classes["typo"] = lambda b: self._latin(b, lambda t: typo(self.rng, t), new=True)
        return classes

    def _latin(
        self, b: Brand, change: Callable[[str], str | None], *, new: bool = False
    ) -> Mark | None:
        if not b.latin_names:
            return None
        text = change(case_variant(self.rng, self.rng.choice(b.latin_names)))
        if text is None or (new and _fold(text)[0] in self.scan.folded_aliases):
            return None
        return Mark(text)

    def _zh(
        self, b: Brand, change: Callable[[str], str | None], *, changed: bool = False
    ) -> Mark | None:
        if not b.zh_names:
            return None
        original = self.rng.choice(b.zh_names)
        text = change(original)
        if text is None or (changed and text == original):
            return None
        return Mark(text)

    def _any(self, b: Brand, change: Callable[[str], str]) -> Mark | None:
        names = b.latin_names + b.zh_names
        return Mark(change(case_variant(self.rng, self.rng.choice(names)))) if names else None

    def _math(self, text: str) -> str:
        return to_math(self.rng.choice(MATH_STYLES), text)

    def _swap(self, text: str, table: dict[str, str]) -> str | None:
        return replace_some(self.rng, text, table, 2)

    def _separated(self, b: Brand) -> Mark | None:
        names = [n for n in b.latin_names if len(n.replace(" ", "")) <= 12] + b.zh_names
        if not names:
            return None
        name = case_variant(self.rng, self.rng.choice(names))
        return Mark(separate(self.rng, name, latin=name.isascii()))

    def _emoji(self, b: Brand) -> Mark | None:
        names = [n for n in b.latin_names if len(n) <= 12] + b.zh_names
        return (
            pad_emoji(self.rng, case_variant(self.rng, self.rng.choice(names))) if names else None
        )

    def _pinyin(self, text: str) -> str | None:
        assert self.pinyin is not None
        syllables = self.pinyin.syllables(text)
        if not all(s.isascii() and s.isalpha() for s in syllables):
            return None
        joined = self.rng.choice(("", " ")).join(syllables)
        return None if _fold(joined)[0] in self.scan.folded_aliases else joined

    def _homophone(self, text: str) -> str | None:
        assert self.pinyin is not None
        variant = self.pinyin.homophone(self.rng, text)
        if variant is None or _fold(variant)[0] in self.scan.folded_aliases:
            return None
        return variant

    # ---- titles

    def frame(self, mark: Mark, kind: str) -> str:
        has_han = any(_is_han(c) for c in mark.text)
        templates = TEMPLATES_ZH if has_han else TEMPLATES_ZH + TEMPLATES_EN + TEMPLATES_MIXED
        return fill(self.rng, self.rng.choice(templates), kind)

    def accept(self, title: str, spans: Sequence[Sequence[int]], *, negative: bool) -> bool:
        """New title, and no catalog alias outside the spans (negatives: no strong alias)."""
        if title in self.seen or len(title) > 120:
            return False
        for hit in self.scan.hits(title):
            inside = any(hit.start < e and hit.end > s for s, e in spans)
            if (negative and hit.strong) or (not negative and not inside):
                return False
        self.seen.add(title)
        return True

    def positive(self, cls: str, brand: Brand, mark: Mark | None, frame: str) -> Row | None:
        if mark is None or not mark.text.strip():
            return None
        title, spans = assemble(frame, mark, glue=cls == "name")
        if not self.accept(title, spans, negative=False):
            return None
        return Row(title, (brand.name,), cls, tuple((s, e) for s, e in spans))

    def rows_of(
        self, cls: str, count: int, make: Callable[[Brand], Row | None], brands: Sequence[Brand]
    ) -> list[Row]:
        """Cycles through the brands in shuffled order until `count` rows are made."""
        order = list(brands)
        self.rng.shuffle(order)
        rows: list[Row] = []
        for attempt in range(count * 40):
            if len(rows) >= count or not order:
                break
            row = make(order[attempt % len(order)])
            if row is not None:
                rows.append(row)
        if len(rows) < count:
            print(f"warning: {cls}: {len(rows)} of {count} titles", file=sys.stderr)
        return rows

    def obfuscated(self, count: int) -> Iterator[Row]:
        for cls, produce in self.producers().items():

            def make(b: Brand, cls: str = cls, produce: Any = produce) -> Row | None:
                mark = produce(b)
                return (
                    None
                    if mark is None
                    else self.positive(cls, b, mark, self.frame(mark, kind_of(b.name)))
                )

            yield from self.rows_of(cls, count, make, self.brands)

    def short_with_context(self, count: int) -> list[Row]:
        def make(b: Brand) -> Row | None:
            short = self.rng.choice([s for s in b.short if len(s) >= 2])
            extras = SHORT_EXTRAS.get(short.upper(), ("",))
            template = self.rng.choice(SHORT_FRAMES_ZH + SHORT_FRAMES_EN)
            frame = fill(
                self.rng, template.replace("{x}", self.rng.choice(extras)), kind_of(b.name)
            )
            return self.positive("short_with_context", b, Mark(short), frame)

        # One letter ('H') is too little to call a claim, even next to a product word.
        brands = [b for b in self.brands if any(len(s) >= 2 for s in b.short)]
        return self.rows_of("short_with_context", count, make, brands)

    def compatibility(self, count: int) -> list[Row]:
        def make(b: Brand) -> Row | None:
            names = (
                [case_variant(self.rng, n) for n in b.latin_names]
                + b.zh_names
                + [s for s in b.short if len(s) >= 2]
            )
            if not names:
                return None
            kind = kind_of(b.name)
            templates = COMPAT_FRAMES[kind] + COMPAT_FRAMES["any"][: 1 if kind != "fashion" else 0]
            title, spans = assemble(
                fill(self.rng, self.rng.choice(templates), kind), Mark(self.rng.choice(names))
            )
            if not self.accept(title, spans, negative=False):
                return None
            return Row(title, (), "compatibility", tuple((s, e) for s, e in spans), (b.name,))

        return self.rows_of("compatibility", count, make, self.brands)

    def hard_negatives(self, count: int) -> list[Row]:
        rows = [
            Row(title, (), "hard_negative", ())
            for title in HARD_NEGATIVES
            if self.accept(title, (), negative=True)
        ]
        kinds = sorted(PRODUCTS_ZH)
        for _ in range(count * 20):
            if len(rows) >= count:
                break
            title = fill(self.rng, self.rng.choice(PLAIN_FRAMES), self.rng.choice(kinds))
            if self.accept(title, (), negative=True) and not self.scan.hits(title):
                rows.append(Row(title, (), "hard_negative", ()))
        return rows


def generate(brands: Sequence[Brand], seed: int, per_class: int) -> list[Row]:
    gen = Generator(brands, seed, load_pinyin())
    rows = list(gen.obfuscated(per_class))
    rows += gen.short_with_context(per_class)
    rows += gen.compatibility(per_class + per_class // 2)
    rows += gen.hard_negatives(per_class * 2)
    for row in rows:
        for start, end in row.spans:
            assert 0 <= start < end <= len(row.title), row
    return rows


def write(rows: Iterable[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for row in rows:
            out.write(json.dumps(row.to_json(), ensure_ascii=False) + "\n")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--catalog", type=Path, default=CATALOG_PATH)
    parser.add_argument("--out", type=Path, default=OUT_PATH)
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--per-class", type=int, default=50)
    args = parser.parse_args(argv)
    brands = load_catalog(args.catalog)
    rows = generate(brands, args.seed, args.per_class)
    write(rows, args.out)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.cls] = counts.get(row.cls, 0) + 1
    print(f"{len(rows)} titles from {len(brands)} brands -> {args.out}")
    for cls, n in counts.items():
        print(f"  {cls:<20} {n:>4}")


if __name__ == "__main__":
    main()
