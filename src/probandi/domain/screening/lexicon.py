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
包 手袋 钱包 皮夹 卡包 卡套 零钱包 腰带 皮带 围巾 丝巾 披肩 鞋 靴 拖鞋 凉鞋 板鞋 球鞋 运动鞋
T恤 卫衣 外套 夹克 大衣 风衣 羽绒服 衬衫 裙 毛衣 手表 腕表 项链 手链 手镯 戒指 耳环 耳钉 胸针
墨镜 眼镜 香水 口红 帽 背包 双肩包 斜挎包 手提包 单肩包 托特 老花 链条 正品 专柜 官方 官网
旗舰 奢侈品 大牌 名牌 中古 二手
bag bags handbag purse wallet tote clutch belt scarf shoe shoes sneaker sneakers boots
loafers jacket hoodie coat shirt tee dress watch necklace bracelet ring earrings sunglasses
perfume lipstick cap hat backpack monogram luxury authentic genuine
"""
CONTEXT_WORDS = tuple(CONTEXT_TEXT.split())


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
