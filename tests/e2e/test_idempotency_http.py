"""A retried request with the same Idempotency-Key applies once and answers the same."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from probandi.adapters.db.rows import AuditRow, VoucherRow
from probandi.services.clock import FrozenClock
from tests.support.world import World, an_invoice_declaration, invoice_image


def _count(world: World, row: type[AuditRow] | type[VoucherRow]) -> int:
    with Session(world.runtime.reader) as s:
        return int(s.execute(select(func.count()).select_from(row)).scalar_one())


def test_a_retried_upload_is_applied_once(world: World, clock: FrozenClock) -> None:
    world.a_gated_brand()
    world.a_seller("shop-a")
    world.a_listing("L1", "shop-a")
    decl = an_invoice_declaration("shop-a 贸易有限公司", issued_on=clock.now().date())
    key = {"Idempotency-Key": "upload-L1-1"}
    first = world.upload("shop-a", "L1", invoice_image(21), declaration=decl, headers=key)
    audit_after_first = _count(world, AuditRow)
    retry = world.upload("shop-a", "L1", invoice_image(21), declaration=decl, headers=key)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    assert _count(world, VoucherRow) == 1
    assert _count(world, AuditRow) == audit_after_first


def test_the_same_key_for_another_request_is_refused(world: World) -> None:
    key = {"Idempotency-Key": "k-1"}
    body = {"kind": "reseller", "legal_name": "甲公司", "address": "北京"}
    assert world.platform("PUT", "/v1/sellers/s1", json=body, headers=key).status_code == 201
    other = world.platform("PUT", "/v1/sellers/s2", json=body, headers=key)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert world.platform("GET", "/v1/sellers/s2").status_code == 404


def test_keys_are_scoped_to_the_caller(world: World) -> None:
    key = {"Idempotency-Key": "shared"}
    world.a_seller("shop-a")
    r1 = world.admin(
        "POST", "/v1/rights-holders", json={"id": "rh-1", "name": "Kering"}, headers=key
    )
    assert r1.status_code == 201
    r2 = world.platform(
        "PUT",
        "/v1/sellers/shop-b",
        json={"kind": "reseller", "legal_name": "乙", "address": "x"},
        headers=key,
    )
    assert r2.status_code == 201
    assert "idempotent-replayed" not in r2.headers


def test_a_failed_request_may_be_retried_with_the_same_key(world: World) -> None:
    key = {"Idempotency-Key": "retry-after-422"}
    body = {"seller_id": "nobody", "title": "tee", "price": "1.00", "currency": "CNY"}
    first = world.platform("PUT", "/v1/listings/L1", json=body, headers=key)
    assert first.status_code == 422
    again = world.platform("PUT", "/v1/listings/L1", json=body, headers=key)
    assert again.status_code == 422
    assert again.headers["idempotent-replayed"] == "true"
