"""Who may gate a brand, and the brand request's transition table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from probandi.domain.actors import Actor, Role
from probandi.domain.brand_requests import (
    BrandRequest,
    RequestAction,
    RequestState,
    needs_admin,
    widens_gating,
)
from probandi.domain.brands import Brand
from probandi.domain.errors import InvalidInput, InvalidTransition

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ADMIN = Actor("admin-1", Role.ADMIN)
GUCCI = Brand("gucci", "Gucci", aliases=("古驰",), gated=True)


def test_gating_widens_with_a_new_gated_brand_gating_or_a_new_name() -> None:
    assert widens_gating(None, GUCCI)
    assert widens_gating(Brand("gucci", "Gucci", gated=False), GUCCI)
    assert widens_gating(GUCCI, Brand("gucci", "Gucci", aliases=("古驰", "古奇")))
    assert not widens_gating(GUCCI, Brand("gucci", "GUCCI", aliases=("古驰",)))  # folded alike
    assert not widens_gating(GUCCI, Brand("gucci", "Gucci"))
    assert not widens_gating(GUCCI, Brand("gucci", "Gucci", aliases=("古奇",), gated=False))


def test_a_holder_needs_an_admin_for_new_brands_and_unverified_gating() -> None:
    assert needs_admin(None, GUCCI, verified=frozenset({"gucci"}))
    ungated = Brand("gucci", "Gucci", gated=False)
    assert needs_admin(ungated, GUCCI, verified=frozenset())
    assert not needs_admin(ungated, GUCCI, verified=frozenset({"gucci"}))
    assert not needs_admin(GUCCI, ungated, verified=frozenset())


def test_a_pending_request_is_approved_or_refused_once() -> None:
    request = BrandRequest("r1", "kering", None, GUCCI, NOW)
    approved = request.apply(RequestAction.APPROVE, by=ADMIN, at=NOW)
    assert (approved.state, approved.decided_by) == (RequestState.APPROVED, "admin-1")
    for action in RequestAction:
        with pytest.raises(InvalidTransition):
            approved.apply(action, by=ADMIN, at=NOW, reason="again")


def test_a_refusal_says_why() -> None:
    request = BrandRequest("r1", "kering", None, GUCCI, NOW)
    with pytest.raises(InvalidInput):
        request.apply(RequestAction.REFUSE, by=ADMIN, at=NOW, reason="  ")
    refused = request.apply(RequestAction.REFUSE, by=ADMIN, at=NOW, reason="no mark")
    assert (refused.state, refused.reason) == (RequestState.REFUSED, "no mark")
