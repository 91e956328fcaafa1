"""Fields of mall receipts, brand authorization letters, price captures and documents of no
known kind."""

from __future__ import annotations

import re
from collections.abc import Sequence

from probandi.domain.reading import parsers as p
from probandi.domain.reading.layout import (
    FALLBACK,
    Cell,
    any_date,
    best,
    find_labelled,
    first,
)
from probandi.domain.reading.model import Field
from probandi.domain.reading.normalize import currency_of, parse_dates

Found = dict[str, Field | None]

# Receipts from boutiques abroad (Hong Kong, Macau, Europe) are labelled in English.
_RECEIPT_NUMBER = re.compile(
    r"小票号|单\s*号|流水号|票\s*号|交易号|订单号|^N[oO0]\.?"
    r"|(?i:\b(?:receipt|invoice|transaction|order|bill|ticket)\s*(?:n[o0]\b\.?|number|#|id\b))"
)
_RECEIPT_DATE = re.compile(r"日\s*期|交易时间|时\s*间|(?i:^date\b)")
_RECEIPT_TOTAL = re.compile(
    r"合计金额|金额合计|应\s*收|应\s*付|实\s*付|总\s*计|合\s*计|总额|(?i:^(?:grand\s*)?total\b)"
)
_ISSUER = re.compile(r"商户名称|商\s*户|门\s*店|商场名称")
_ISSUER_WORDS = re.compile(r"商场|百货|购物中心|广场|公司|专卖店|旗舰店")
_ITEM_HEADER = re.compile(r"品\s*名|商品名称|商\s*品|货\s*号")

_GRANTOR = re.compile(r"(?<!被)授权[方人]|(?<!被)授权单位|甲\s*方")
_GRANTEE = re.compile(r"被授权[方人]|被授权单位|乙\s*方")
_BRANDS = re.compile(r"授权品牌|品\s*牌\s*[:：]")
_SCOPE = re.compile(r"授权范围|范\s*围\s*[:：]")
_VALIDITY = re.compile(r"授权期限|有效期[限至]?|期\s*限")
_SIGNED = re.compile(r"签署日期|签发日期|出具日期|^日\s*期")
_TAX_ID = re.compile(r"纳税人识别[号弓]?|识别号|统一社会信用代码|信用代码|税\s*号")

_URL = re.compile(
    r"https?://\S+|www\.\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|cn|fr|it|de|jp|co\.uk)\b\S*",
    re.IGNORECASE,
)
_PRODUCT = re.compile(r"商品名称|商\s*品|product|item|品\s*名", re.IGNORECASE)
_PRICE = re.compile(r"价\s*格|售\s*价|现\s*价|price", re.IGNORECASE)
_CAPTURED = re.compile(
    r"截图时间|截屏时间|captured(?: at| on)?|capture date|日\s*期", re.IGNORECASE
)


def receipt_number(text: str) -> str | None:
    match = re.search(r"[A-Z0-9][A-Z0-9-]{3,}", text.upper())
    if match is None or sum(ch.isdigit() for ch in match[0]) < 3:
        return None
    return match[0].strip("-")


def receipt_fields(cells: Sequence[Cell]) -> Found:
    issuer = first(find_labelled(cells, _ISSUER, p.name))
    if issuer is None:
        top = [c for c in cells if _ISSUER_WORDS.search(c.text)]
        if top:
            issuer = Field(
                _ISSUER_WORDS_TAIL.sub("", top[0].text) or top[0].text,
                top[0].confidence * 0.9,
                top[0].box,
                top[0].page,
            )
    return {
        "issuer": issuer,
        "number": first(find_labelled(cells, _RECEIPT_NUMBER, receipt_number)),
        "date": first(find_labelled(cells, _RECEIPT_DATE, p.iso_date)) or any_date(cells),
        "total": first(find_labelled(cells, _RECEIPT_TOTAL, p.amount, look_below=False)),
        "items": _rows_under(cells, _ITEM_HEADER, _RECEIPT_TOTAL),
    }


# "XX商场 购物小票": the title after the issuer's name.
_ISSUER_WORDS_TAIL = re.compile(r"\s*(?:购物|收银|销售)?小票.*$")


def _rows_under(
    cells: Sequence[Cell], header: re.Pattern[str], end: re.Pattern[str]
) -> Field | None:
    heads = [c for c in cells if header.search(c.text)]
    if not heads:
        return None
    top = heads[0]
    ends = [c.box[1] for c in cells if end.search(c.text) and c.box[1] > top.box[3]]
    bottom = min(ends, default=None)
    rows = [
        c
        for c in cells
        if c.page == top.page
        and c.box[1] > top.box[3] - 2
        and (bottom is None or c.box[3] <= bottom + 2)
        and re.search(r"[^\W\d_]{2}", c.text)
    ]
    if not rows:
        return None
    return Field("; ".join(c.text for c in rows), min(c.confidence for c in rows), rows[0].box)


def _validity(cells: Sequence[Cell]) -> tuple[Field | None, Field | None]:
    for cell in cells:
        match = _VALIDITY.search(cell.text)
        if match is None:
            continue
        dates = parse_dates(cell.text[match.end() :])
        if not dates:
            continue
        start = Field(dates[0].isoformat(), cell.confidence, cell.box, cell.page)
        end = Field(dates[-1].isoformat(), cell.confidence, cell.box, cell.page)
        return (start if len(dates) > 1 else None), end
    return None, None


def authorization_fields(cells: Sequence[Cell]) -> Found:
    valid_from, valid_until = _validity(cells)
    return {
        "grantor": first(find_labelled(cells, _GRANTOR, p.name)),
        "grantee": first(find_labelled(cells, _GRANTEE, p.name)),
        "grantor_tax_id": first(find_labelled(cells, _TAX_ID, p.uscc)),
        "brands": first(find_labelled(cells, _BRANDS, p.text_value)),
        "scope": first(find_labelled(cells, _SCOPE, p.text_value)),
        "valid_from": valid_from,
        "valid_until": valid_until,
        "date": first(find_labelled(cells, _SIGNED, p.iso_date)),
    }


def capture_fields(cells: Sequence[Cell]) -> Found:
    site = None
    for cell in cells:
        match = _URL.search(cell.text)
        if match is not None:
            site = Field(match[0], cell.confidence, cell.box, cell.page)
            break
    prices = find_labelled(cells, _PRICE, p.amount, look_below=False)
    price = first(prices)
    currency = None
    if prices:
        code = currency_of(prices[0].label.text) or currency_of(
            "".join(c.text for c in cells if c.box == (price.box if price else None))
        )
        if code is not None:
            currency = Field(code, prices[0].field.confidence, prices[0].field.box)
    return {
        "site": site,
        "product": first(find_labelled(cells, _PRODUCT, p.text_value)),
        "price": price,
        "currency": currency,
        "date": first(find_labelled(cells, _CAPTURED, p.iso_date)) or any_date(cells),
    }


def generic_fields(cells: Sequence[Cell]) -> Found:
    """Documents of no known kind: the usual labels only."""
    number = re.compile(r"号\s*码|单\s*号|编\s*号|^N[oO0]\.?")
    total = re.compile(r"合\s*计|总\s*计|总\s*额|total", re.IGNORECASE)
    return {
        "number": first(find_labelled(cells, number, receipt_number)),
        "date": any_date(cells),
        "total": best(find_labelled(cells, total, p.amount, look_below=False)),
        "issuer_tax_id": first(find_labelled(cells, _TAX_ID, p.uscc)),
    }


__all__ = ["FALLBACK", "authorization_fields", "capture_fields", "generic_fields", "receipt_fields"]
