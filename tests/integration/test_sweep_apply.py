"""`sweep apply` holds through the gate, once: a second run changes nothing more."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import text

from probandi.bootstrap import Runtime
from probandi.domain.listing_gate import GateState
from probandi.domain.sweep import SWEEP, ApplyOutcome, Finding, FindingCode
from probandi.services.sweep import ApplySweep, apply_sweep
from tests.support.catalogs import a_crackdown

GATED = (FindingCode.GATED_NO_PROOF.value,)


def a_finding(
    listing_id: str,
    seller_id: str = "shop-a",
    title: str = "Gucci 小号肩背包",
    *,
    codes: tuple[str, ...] = GATED,
    price: Decimal | None = Decimal("15800"),
) -> Finding:
    return Finding(listing_id, seller_id, codes, ("Gucci",), (), (), title, None, price, "CNY")


def _counts(runtime: Runtime) -> list[int]:
    """Rows of the audit log, the outbox, statements of reasons and listings."""
    with runtime.reader.connect() as conn:
        return [
            int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("audit_log", "outbox", "statements", "listings")
        ]


FINDINGS = (
    a_finding("held-1"),
    a_finding("old-chanel", title="a stale catalog title"),
    a_finding("new-1"),
    a_finding("new-2", seller_id="ghost-shop"),
    a_finding("new-3", price=None),
    a_finding("new-4", title="plain leather bag"),
    a_finding("bad id!"),
    a_finding("sig-1", title="高仿 手表", codes=(FindingCode.SLANG.value,)),
)
FIRST = {
    "held-1": ApplyOutcome.ALREADY_HELD,
    "old-chanel": ApplyOutcome.HELD,
    "new-1": ApplyOutcome.HELD,
    "new-2": ApplyOutcome.UNKNOWN_SELLER,
    "new-3": ApplyOutcome.INVALID,
    "new-4": ApplyOutcome.NOT_GATED,
    "bad id!": ApplyOutcome.INVALID,
    "sig-1": ApplyOutcome.SIGNAL_ONLY,
}


def test_a_dry_run_says_what_apply_will_do_and_changes_nothing(runtime: Runtime) -> None:
    a_crackdown(runtime)
    before = _counts(runtime)
    planned = apply_sweep(ApplySweep(SWEEP, FINDINGS, dry_run=True), svc=runtime.services)
    assert {p.listing_id: p.outcome for p in planned} == FIRST
    assert _counts(runtime) == before
    done = apply_sweep(ApplySweep(SWEEP, FINDINGS), svc=runtime.services)
    assert [d.outcome for d in done] == [p.outcome for p in planned]


def test_apply_holds_through_the_gate_and_a_second_run_changes_nothing(runtime: Runtime) -> None:
    a_crackdown(runtime)
    before = _counts(runtime)
    done = apply_sweep(ApplySweep(SWEEP, FINDINGS), svc=runtime.services)
    assert {d.listing_id: d.outcome for d in done} == FIRST
    audit, outbox, statements, listings = _counts(runtime)
    # Two holds: each one audit entry, one statement of reasons, one notice in the outbox.
    assert [audit, outbox, statements, listings] == [
        before[0] + 2,
        before[1] + 2,
        before[2] + 2,
        before[3] + 1,
    ]
    with runtime.services.reader() as uow:
        created = uow.listings.get("new-1")
        regated = uow.listings.get("old-chanel")
        assert created is not None
        assert regated is not None
        assert created.gate.state is GateState.AWAITING_PROOF
        assert created.content.title == "Gucci 小号肩背包"
        # The registry's own content was pushed again, not the catalog's stale title.
        assert (regated.gate.state, regated.content.title) == (
            GateState.AWAITING_PROOF,
            "香奈儿 经典 2.55",
        )
        assert [s.measure for s in uow.statements.for_listing("new-1")] == [
            "listing held: not publishable until proof is approved"
        ]
    with runtime.reader.connect() as conn:
        actors = conn.execute(
            text("SELECT DISTINCT actor FROM audit_log WHERE subject = 'listing:new-1'")
        ).scalars()
        assert list(actors) == ["platform:sweep"]
    again = apply_sweep(ApplySweep(SWEEP, FINDINGS), svc=runtime.services)
    second = FIRST | {"old-chanel": ApplyOutcome.ALREADY_HELD, "new-1": ApplyOutcome.ALREADY_HELD}
    assert {d.listing_id: d.outcome for d in again} == second
    assert _counts(runtime) == [audit, outbox, statements, listings]
