"""Counterfeit trade slang, compatibility phrases and product context words."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from probandi.domain.screening.model import Severity

DATA = Path(__file__).parent / "data"

# Product words: a short or common-word alias (LV, CC, Coach) counts as a brand only beside
# one of these, or beside counterfeit slang.
CONTEXT_TEXT = """
手袋 包包 女包 男包 手提包 单肩包 斜挎包 双肩包 背包 钱包 卡包 卡夹 腰包 链条包 托特包 水桶包 手拿包
皮夹 腰带 皮带 围巾 丝巾 披肩 鞋 靴 T恤 卫衣 外套 夹克 大衣 风衣 羽绒服 衬衫 裙 毛衣
手表 腕表 女表 男表 机械表 石英表 项链 手链 手镯 戒指 耳环 耳钉 胸针 吊坠 墨镜 眼镜 太阳镜
香水 口红 唇膏 粉底 精华 面霜 眼霜 打火机 耳机 手机 平板 老花 链条 专柜 官网 旗舰 奢侈品 大牌 中古
帽子 帽 卡套 表带 钥匙扣
bag bags handbag purse wallet tote clutch backpack belt scarf shoe shoes sneaker sneakers
boots loafers jacket hoodie coat shirt tee dress watch wristwatch necklace bracelet ring
earrings pendant sunglasses glasses perfume cologne lipstick cream foundation serum cap hat
lighter headphones earphones earbuds phone tablet monogram luxury authentic chronograph
automatic holder cardholder keychain parfum toilette
"""
CONTEXT_WORDS = tuple(CONTEXT_TEXT.split())
# Product nouns that count only right beside the name (迪家包, 古驰表): alone they are too
# common (包邮 is "free shipping").
ADJACENT_WORDS = ("包", "表", "鞋", "裙", "衫")


@dataclass(frozen=True)
class SlangTerm:
    term: str
    severity: Severity


@dataclass(frozen=True)
class CompatibilityPhrase:
    phrase: str
    before: bool  # True: the phrase comes before the brand ("适用于 LV", "strap for LV")


@dataclass(frozen=True)
class Lexicon:
    slang: tuple[SlangTerm, ...]
    compatibility: tuple[CompatibilityPhrase, ...]
    context: tuple[str, ...] = tuple(CONTEXT_WORDS)


def load_default_lexicon() -> Lexicon:
    raw = json.loads((DATA / "lexicon.json").read_text(encoding="utf-8"))
    slang = tuple(SlangTerm(i["term"], Severity(i["severity"])) for i in raw["slang"])
    compat = tuple(
        CompatibilityPhrase(i["phrase"], i.get("position", "before") == "before")
        for i in raw["compatibility"]
    )
    return Lexicon(slang, compat)
