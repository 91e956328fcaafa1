"""Statements of reasons (EU DSA Art. 17): every restriction says why and how to appeal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from probandi.domain.vouchers import Finding, Severity


@dataclass(frozen=True)
class StatementOfReasons:
    """Measure, scope, facts, ground, whether automated, and how to seek redress."""

    id: str
    listing_id: str
    seller_id: str
    measure: str
    scope: str
    facts: tuple[str, ...]
    ground: str
    automated: bool
    redress: str
    created_at: datetime
    decided_by: str | None = None
    voucher_id: str | None = None


def redress_text(now: datetime, appeal_window_days: int) -> str:
    until = (now + timedelta(days=appeal_window_days)).date().isoformat()
    return (
        "You may upload other proof for this listing before its deadline, or file an internal "
        f"complaint, decided by a person, until {until}."
    )


def facts_from_findings(findings: tuple[Finding, ...]) -> tuple[str, ...]:
    return tuple(f"[{f.code}] {f.message}" for f in findings if f.severity is not Severity.INFO)
