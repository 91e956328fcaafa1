"""The notice item's transition table, and which listings a notice may take."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from probandi.domain.errors import InvalidInput, InvalidTransition
from probandi.domain.notices import (
    HOLD_REMOVED,
    HOLD_SUSPENDED,
    ITEM_TRANSITIONS,
    ItemAction,
    ItemState,
    NoticeItem,
    Refusal,
    check_listing_ids,
    named_brand,
    refusal_for,
)
from tests.unit.builders import a_brand, a_listing, listing_content

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)


def an_item(**overrides: object) -> NoticeItem:
    base = NoticeItem(
        id="i1",
        notice_id="n1",
        holder_id="h1",
        listing_id="L1",
        seller_id="s1",
        brand_id="gucci",
        created_at=NOW,
        seller_due_at=NOW + timedelta(days=3),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def test_a_suspended_item_holds_its_listing_and_an_upheld_one_removes_it() -> None:
    item = an_item()
    assert item.hold == HOLD_SUSPENDED
    upheld = item.apply(ItemAction.EXPIRE, at=NOW)
    assert upheld.state is ItemState.UPHELD
    assert upheld.hold == HOLD_REMOVED
    assert upheld.closed_at == NOW
    reversed_ = upheld.apply(ItemAction.REVERSE, at=NOW + timedelta(days=1), by="rev-2")
    assert reversed_.hold is None
    assert reversed_.decided_by == "rev-2"
    assert reversed_.closed_at == NOW  # closed once, when first decided


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (ItemState.SUSPENDED, ItemAction.ACCEPT_COUNTER),
        (ItemState.FORWARDED, ItemAction.COUNTER),
        (ItemState.RESTORED, ItemAction.WITHDRAW),
        (ItemState.WITHDRAWN, ItemAction.REVERSE),
        (ItemState.UPHELD, ItemAction.WITHDRAW),
    ],
)
def test_moves_outside_the_table_are_refused(state: ItemState, action: ItemAction) -> None:
    assert (state, action) not in ITEM_TRANSITIONS
    with pytest.raises(InvalidTransition):
        an_item(state=state).apply(action, at=NOW)


def test_every_final_state_lets_the_listing_go_except_upheld() -> None:
    for state in ItemState:
        hold = an_item(state=state).hold
        if state is ItemState.UPHELD:
            assert hold == HOLD_REMOVED
        elif state in (ItemState.RESTORED, ItemState.WITHDRAWN, ItemState.REVERSED):
            assert hold is None
        else:
            assert hold == HOLD_SUSPENDED


def test_deadlines_are_strict() -> None:
    item = an_item()
    assert not item.is_seller_overdue(now=item.seller_due_at)
    assert item.is_seller_overdue(now=item.seller_due_at + timedelta(seconds=1))
    forwarded = an_item(state=ItemState.FORWARDED, holder_due_at=NOW)
    assert forwarded.is_holder_overdue(now=NOW + timedelta(seconds=1))
    assert not an_item(state=ItemState.ACTION_REPORTED, holder_due_at=NOW).is_holder_overdue(
        now=NOW + timedelta(days=99)
    )


def test_a_notice_names_one_to_three_hundred_listings() -> None:
    check_listing_ids(tuple(f"L{i}" for i in range(300)))
    with pytest.raises(InvalidInput):
        check_listing_ids(tuple(f"L{i}" for i in range(301)))
    with pytest.raises(InvalidInput):
        check_listing_ids(())


def test_a_listing_names_a_brand_by_screening_or_by_its_words() -> None:
    gucci = a_brand()
    lv = a_brand(id="lv", name="Louis Vuitton", aliases=("LV", "路易威登"))
    plain = a_listing(content=listing_content(title="路易威登 老花 手袋", brand=None))
    assert named_brand(plain, [gucci, lv]) == lv
    silver = a_listing(content=listing_content(title="silver necklace", brand=None))
    assert named_brand(silver, [lv]) is None  # "LV" only as a word, not inside "silver"
    shouting = a_listing(content=listing_content(title="ＬＶ wallet", brand=None))
    assert named_brand(shouting, [lv]) == lv  # width- and case-folded


def test_refusals_in_order_of_precedence() -> None:
    listing = a_listing()
    brand = a_brand()
    assert refusal_for(None, seen=True, held=False, brand=None) is Refusal.DUPLICATE
    assert refusal_for(None, seen=False, held=False, brand=None) is Refusal.NOT_FOUND
    assert refusal_for(listing, seen=False, held=True, brand=brand) is Refusal.ALREADY_NOTICED
    removed = listing.held_by("n0", HOLD_REMOVED)
    assert refusal_for(removed, seen=False, held=False, brand=brand) is Refusal.ALREADY_REMOVED
    assert refusal_for(listing, seen=False, held=False, brand=None) is Refusal.NOT_YOUR_BRAND
    assert refusal_for(listing, seen=False, held=False, brand=brand) is None
