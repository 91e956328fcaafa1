"""Fields drawn from a reading, by document kind, with keyword-anchored rules that tolerate
OCR slips: a misread label character, a label glued onto its value, full-width colons, and a
value in the next box to the right or on the next line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from probandi.domain.reading import parsers as p
from probandi.domain.reading.kind import guess_kind
from probandi.domain.reading.layout import (
    FALLBACK,
    Cell,
    any_date,
    best,
    by_shape,
    cells_of,
    find_labelled,
    first,
    right_of,
)
from probandi.domain.reading.model import Extracted, Field, Reading
from probandi.domain.reading.normalize import parse_amounts, usccs_in
from probandi.domain.reading.other_kinds import (
    authorization_fields,
    capture_fields,
    generic_fields,
    receipt_fields,
)
from probandi.domain.sellers import VoucherKind

UNCHECKED_ID = 0.5  # a tax id whose check digits fail: probably misread

_CODE = re.compile(r"发票代[码吗玛]?|发票代")
_NUMBER = re.compile(r"发票号[码吗玛]?|票号[码吗]?|^号码|^N[oO0]\.?")
_DATE = re.compile(r"开票日[期朗丽明斯]?|开票白期|日\s*期")
_CHECK = re.compile(r"校验[码吗]?")
_NAME = re.compile(r"^名\s*称|^称\s*[:：]")  # not 服务名称 of the items' header
_TAX_ID = re.compile(r"纳税人识别[号弓]?|识别号|统一社会信用代码|信用代码|税\s*号")
_SUM_ROW = re.compile(r"^合\s*计|^合$")
_TOTAL = re.compile(r"价税合计|\(?小写\)?")
_SELLER = re.compile(r"销售方|销\s*售|销方")
_ITEM_HEADER = re.compile(r"货物或应税|项目名称|商品名称|品\s*名")


def extract(reading: Reading) -> Extracted:
    """The document's kind as its words tell it, and its fields by that kind."""
    cells = cells_of(reading)
    kind, confidence = guess_kind(reading.text)
    rules = {
        VoucherKind.PURCHASE_INVOICE: invoice_fields,
        VoucherKind.MALL_RECEIPT: receipt_fields,
        VoucherKind.BRAND_AUTHORIZATION: authorization_fields,
        VoucherKind.PRICE_CAPTURE: capture_fields,
    }
    rule = rules.get(kind) if kind is not None else None
    found = rule(cells) if rule is not None else generic_fields(cells)
    fields = {k: v for k, v in found.items() if v is not None}
    return Extracted(kind, confidence, fields, reading.text)


Found = dict[str, Field | None]


def invoice_fields(cells: Sequence[Cell]) -> Found:
    names = find_labelled(cells, _NAME, p.name)
    parties = _party_anchors(cells)
    buyers = [h.field for h in names if _party(h.label, parties) == BUYER]
    sellers = [h.field for h in names if _party(h.label, parties) == SELLER]
    amount, tax = _sum_row(cells)
    total = best(find_labelled(cells, _TOTAL, p.amount, look_below=False))
    if amount is None and total is not None:
        amount, tax = _parts_of(cells, total)
    if total is None and amount is not None and tax is not None:
        value = f"{float(amount.value) + float(tax.value):.2f}"
        total = Field(value, min(amount.confidence, tax.confidence) * FALLBACK, None, amount.page)
    return {
        "code": first(find_labelled(cells, _CODE, p.digits(10, 12))) or by_shape(cells, (10, 12)),
        "number": first(find_labelled(cells, _NUMBER, p.digits(8, 20))),
        "date": first(find_labelled(cells, _DATE, p.iso_date)) or any_date(cells),
        "check_code": first(find_labelled(cells, _CHECK, p.digits(20))),
        "buyer_name": buyers[0] if buyers else None,
        "seller_name": sellers[0] if sellers else None,
        "seller_tax_id": _seller_tax_id(cells, parties),
        "amount": amount,
        "tax": tax,
        "total": total,
        "items": _items(cells),
    }


BUYER, SELLER = "buyer", "seller"
_BUYER = re.compile(r"购买方|购\s*买|买\s*方|^购$|购方")
PARTY_REACH = 4  # label heights: how far a party's block runs from its 购买方 / 销售方 mark


@dataclass(frozen=True)
class Parties:
    """Where the buyer's and the seller's blocks are: their 购买方 / 销售方 marks, and the
    items table between them (the buyer above its header, the seller below the totals)."""

    marks: dict[str, list[Cell]]
    items_top: Cell | None
    totals_bottom: Cell | None


def _party_anchors(cells: Sequence[Cell]) -> Parties:
    header = [c for c in cells if _ITEM_HEADER.search(c.text)]
    totals = [c for c in cells if _TOTAL.search(c.text) or _SUM_ROW.search(c.text)]
    return Parties(
        {
            BUYER: [c for c in cells if _BUYER.search(c.text)],
            SELLER: [c for c in cells if _SELLER.search(c.text) and "清单" not in c.text],
        },
        header[0] if header else None,
        max(totals, key=lambda c: c.box[3]) if totals else None,
    )


def _party(label: Cell, parties: Parties) -> str | None:
    """Whose block a label stands in: the nearest 购买方 / 销售方 mark within reach, else its
    place around the items table, else no one (an unread mark must not hand the seller's
    name to the buyer)."""
    reach = PARTY_REACH * label.height
    distances = [
        (abs(anchor.middle_y - label.middle_y), party)
        for party, marks in parties.marks.items()
        for anchor in marks
        if anchor.page == label.page
    ]
    near = min(distances, default=None)
    if near is not None and near[0] <= reach:
        return near[1]
    top, bottom = parties.items_top, parties.totals_bottom
    if top is not None and top.page == label.page and label.middle_y < top.box[1]:
        return BUYER
    if bottom is not None and bottom.page == label.page and label.middle_y > bottom.box[3]:
        return SELLER
    return None


def _sum_row(cells: Sequence[Cell]) -> tuple[Field | None, Field | None]:
    """合计 ¥46.62 ¥6.08: the amount before tax, then the tax, right of the 合计 label."""
    for anchor in (c for c in cells if _SUM_ROW.search(c.text) and "价税" not in c.text):
        values: list[Field] = []
        own = parse_amounts(_SUM_ROW.sub("", anchor.text))
        values += [Field(f"{a:.2f}", anchor.confidence, anchor.box, anchor.page) for a in own]
        for cell in right_of(cells, anchor):
            values += [
                Field(f"{a:.2f}", cell.confidence, cell.box, cell.page)
                for a in parse_amounts(cell.text)
                if "%" not in cell.text
            ]
        if values:
            return values[0], values[1] if len(values) > 1 else None
    return None, None


def _parts_of(cells: Sequence[Cell], total: Field) -> tuple[Field | None, Field | None]:
    """Without a 合计 row: the two amounts printed elsewhere that add up to the total."""
    printed = [
        Field(f"{a:.2f}", c.confidence, c.box, c.page)
        for c in cells
        if c.box != total.box and "%" not in c.text
        for a in parse_amounts(c.text)
    ]
    whole = Decimal(total.value)
    pairs = [
        (a, t)
        for a in printed
        for t in printed
        if a is not t
        and Decimal(a.value) >= Decimal(t.value) > 0
        and Decimal(a.value) + Decimal(t.value) == whole
    ]
    if not pairs:
        return None, None
    a, t = max(pairs, key=lambda pair: Decimal(pair[0].value))
    return a, t


def _seller_tax_id(cells: Sequence[Cell], parties: Parties) -> Field | None:
    hits = find_labelled(cells, _TAX_ID, p.uscc)
    ranked = [h for h in hits if _party(h.label, parties) == SELLER]
    if ranked:
        found = ranked[0].field
        if not any(ok for _, ok in usccs_in(found.value)):
            return Field(found.value, found.confidence * UNCHECKED_ID, found.box, found.page)
        return found
    # The seller's stamp, or a code printed without its label: not the buyer's, by its shape.
    buyers = {h.field.value for h in hits if _party(h.label, parties) == BUYER}
    codes = [(c, code, ok) for c in cells for code, ok in usccs_in(c.text) if code not in buyers]
    if not codes:
        return None
    cell, code, ok = max(codes, key=lambda x: (x[2], x[0].box[1]))  # valid, lowest on the page
    factor = FALLBACK * (1 if ok else UNCHECKED_ID)
    return Field(code, cell.confidence * factor, cell.box, cell.page)


def _items(cells: Sequence[Cell]) -> Field | None:
    headers = [c for c in cells if _ITEM_HEADER.search(c.text)]
    sums = [c for c in cells if _SUM_ROW.search(c.text) or _TOTAL.search(c.text)]
    if not headers:
        return None
    top = headers[0]
    bottom = min((c.box[1] for c in sums if c.box[1] > top.box[3]), default=None)
    rows = [
        c
        for c in cells
        if c.page == top.page
        and c.box[1] > top.box[3] - 2
        and (bottom is None or c.box[3] < bottom + 2)
        and c.box[0] < top.box[2] + top.height
        and re.search(r"[^\W\d_]{2}", c.text)
    ]
    if not rows:
        return None
    text = "; ".join(c.text for c in rows)
    return Field(text, min(c.confidence for c in rows), rows[0].box, top.page)
