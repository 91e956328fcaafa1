"""The transparency report's JSON shape (GET /v1/reports/transparency)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class DurationsOut(BaseModel):
    count: int = Field(description="how many durations were measured")
    median_hours: float | None = Field(description="nearest-rank median; null without values")
    p90_hours: float | None = Field(description="nearest-rank 90th percentile")


class ActionOut(BaseModel):
    measure: str = Field(examples=["hold", "notice_upheld", "deadline_removal"])
    ground: str = Field(examples=["illegal_content", "terms_of_service"])
    source: str = Field(examples=["notice", "trusted_flagger", "own_initiative"])
    automated_detection: bool
    automated_decision: bool
    count: int


class AutomatedMeansOut(BaseModel):
    name: str
    purpose: str
    decisions: int
    human_ruled: int = Field(description="what it flagged that a person later ruled on")
    human_agreed: int
    precision: float | None = Field(description="human_agreed / human_ruled; null if none")


class TransparencyReportOut(BaseModel):
    start: datetime
    end: datetime = Field(description="exclusive")
    generated_at: datetime
    provider: str
    notices_received: int
    notified_listings: int
    notices_by_source: dict[str, int]
    notified_listings_by_brand: dict[str, int]
    notice_outcomes: dict[str, int] = Field(description="listings of the period's notices")
    notice_to_first_action: DurationsOut
    notice_to_outcome: DurationsOut
    actions: list[ActionOut]
    actions_by_measure: dict[str, int]
    actions_total: int
    vouchers_received: int
    proof_decisions: dict[str, int]
    rejected_by_finding: dict[str, int]
    removed_at_deadline: int
    upload_to_decision: DurationsOut
    appeals_received: int
    appeals_decided: int
    appeals_reversed: int
    appeal_to_decision: DurationsOut
    appeals_by_subject: dict[str, int]
    notifiers_suspended: int
    sellers_suspended: int
    trusted_notices: int
    trusted_listings: int
    trusted_upheld: int
    trusted_not_upheld: int
    trusted_accuracy: float | None
    automated_means: list[AutomatedMeansOut]
