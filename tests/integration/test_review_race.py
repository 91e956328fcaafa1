"""Two reviewers racing on one task: exactly one claim and one decision win."""

from __future__ import annotations

from probandi.bootstrap import Runtime
from probandi.domain.actors import Actor, Role
from probandi.domain.commands import DecideTask, SubmitVoucher
from probandi.domain.review import Decision
from probandi.domain.sellers import VoucherKind
from probandi.domain.vouchers import Declaration, DeclaredLine
from probandi.services.clock import FrozenClock
from probandi.services.review import claim_task, decide_task
from probandi.services.vouchers import submit_voucher
from tests.integration.test_deadlines import SELLER, a_held_listing
from tests.support.races import race
from tests.support.world import invoice_image


def test_racing_claims_and_decisions_have_one_winner(runtime: Runtime, clock: FrozenClock) -> None:
    svc = runtime.services
    a_held_listing(runtime, "L1")
    decl = Declaration(
        issuer="某供应链公司",
        buyer_name="甲贸易有限公司",
        issued_on=clock.now().date(),
        lines=(DeclaredLine("Prada", "bag", 1),),
    )
    submit_voucher(
        SubmitVoucher(SELLER, "L1", VoucherKind.PURCHASE_INVOICE, decl, "i.png", invoice_image(41)),
        svc=svc,
    )
    with svc.reader() as uow:
        task = uow.tasks.open_for_listing("L1")
    assert task is not None
    alice, bob = Actor("alice", Role.REVIEWER), Actor("bob", Role.REVIEWER)
    claims = race(
        lambda: claim_task(task.id, alice, svc=svc), lambda: claim_task(task.id, bob, svc=svc)
    )
    assert claims == ["conflict", "won"]
    with svc.reader() as uow:
        claimed = uow.tasks.get(task.id)
    assert claimed is not None
    holder = alice if claimed.claimed_by == "alice" else bob
    decisions = race(
        lambda: decide_task(
            DecideTask(
                holder, task.id, Decision.APPROVE, "proof_sufficient", version=claimed.version
            ),
            svc=svc,
        ),
        lambda: decide_task(
            DecideTask(
                holder, task.id, Decision.REJECT, "insufficient_proof", version=claimed.version
            ),
            svc=svc,
        ),
    )
    assert decisions == ["conflict", "won"]
