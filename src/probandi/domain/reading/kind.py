"""Telling what a document is from its words: invoice, mall receipt, authorization letter or
price capture."""

from __future__ import annotations

import re

from probandi.domain.reading.normalize import folded
from probandi.domain.sellers import VoucherKind

# (pattern, weight): titles and labels only one kind of document prints weigh most.
_KEYWORDS: dict[VoucherKind, tuple[tuple[str, int], ...]] = {
    VoucherKind.PURCHASE_INVOICE: (
        (r"发票代码|发票号码|价税合计|增值税", 3),
        (r"普通发票|专用发票|电子发票|纳税人识别号|开票日", 2),
        (r"发票|销售方|购买方|税额", 1),
    ),
    VoucherKind.MALL_RECEIPT: (
        # Boutiques abroad print their receipts in their own language: purchasing agents
        # show Paris, Milan, Hong Kong and Tokyo receipts (English, French, Italian, Japanese).
        (
            r"小票|收银|购物中心|收款台|收据|sales ?receipt|receipt ?n[o0o]|"
            r"ticket de caisse|scontrino|ricevuta|領収書|レシート",
            3,
        ),
        (
            r"商场|百货|实收|找零|应收|流水号|收银员|cashier|boutique|"
            r"not returnable|exchanges? within|thank you for shopping|caisse|cassa",
            2,
        ),
        (r"单号|欢迎光临|谢谢惠顾|专柜|receipt|subtotal|paid|qty|change due", 1),
    ),
    VoucherKind.BRAND_AUTHORIZATION: (
        (r"授权书|被授权|授权期限|授权品牌", 3),
        (r"授权方|授权范围|有效期|authori[sz]ation", 2),
        (r"授权|经销", 1),
    ),
    VoucherKind.PRICE_CAPTURE: (
        (r"https?://|www\.|官网|add to (?:cart|bag)|加入购物车", 3),
        (r"price|价格|售价|截图|captured|official site", 2),
        (r"\.com|\.fr|\.it|\.co\.uk|usd|eur|gbp|jpy", 1),
    ),
}
CONFIDENT_SCORE = 6  # two distinctive words, or a title and some labels


def kind_scores(text: str) -> dict[VoucherKind, int]:
    clean = folded(text).casefold()
    return {
        kind: sum(weight * min(2, len(re.findall(pattern, clean))) for pattern, weight in words)
        for kind, words in _KEYWORDS.items()
    }


def guess_kind(text: str) -> tuple[VoucherKind | None, float]:
    """The kind the words point to, and how sure: 0 when nothing points anywhere."""
    scores = sorted(kind_scores(text).items(), key=lambda kv: kv[1], reverse=True)
    (top, score), (_, runner_up) = scores[0], scores[1]
    if score == 0:
        return None, 0.0
    margin = (score - runner_up) / score
    strength = min(1.0, score / CONFIDENT_SCORE)
    return top, round(margin * strength, 3)
