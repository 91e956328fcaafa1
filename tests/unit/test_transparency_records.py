"""Every statement probandi issues maps to one Transparency Database record the documented
rules accept, or to none when it restricts nothing; and no record carries personal data."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from probandi.domain import statements
from probandi.domain.review import TaskKind
from probandi.domain.statements import StatementOfReasons
from probandi.domain.transparency import (
    MEASURES,
    Measure,
    RecordContext,
    measure_of,
    to_record,
)
from tests.support.tdb import errors

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
SELLER = "杭州欣语二手奢侈品有限公司"
NOTIFIER = "Guccio Gucci S.p.A."


def a_statement(measure: str, *, automated: bool = True) -> StatementOfReasons:
    return StatementOfReasons(
        id="3f1c2a9e8b7d4e219c550a1b2c3d4e5f",
        listing_id="tb-2002",
        seller_id="xinyu-vintage",
        measure=measure,
        scope=f"listing tb-2002 (迪奥 Saddle 马鞍包) of {SELLER}",
        facts=(f"{NOTIFIER} says the bag is counterfeit", "invoice No. 04412345 from 上海华懋"),
        ground="probandi notice policy",
        automated=automated,
        redress="appeal until 2027-06-04",
        created_at=NOW,
        decided_by="reviewer:alice",
    )


# (measure, automated) -> (visibility or account, ground, source, automated decision)
EXPECTED = {
    Measure.HOLD: ("DECISION_VISIBILITY_CONTENT_DISABLED", "INCOMPATIBLE", "SOURCE_VOLUNTARY"),
    Measure.VOUCHER_REJECTED: (
        "DECISION_VISIBILITY_CONTENT_DISABLED",
        "INCOMPATIBLE",
        "SOURCE_VOLUNTARY",
    ),
    Measure.PROOF_REJECTED: (
        "DECISION_VISIBILITY_CONTENT_DISABLED",
        "INCOMPATIBLE",
        "SOURCE_VOLUNTARY",
    ),
    Measure.APPROVAL_REVOKED: (
        "DECISION_VISIBILITY_CONTENT_DISABLED",
        "INCOMPATIBLE",
        "SOURCE_VOLUNTARY",
    ),
    Measure.DEADLINE_REMOVAL: (
        "DECISION_VISIBILITY_CONTENT_REMOVED",
        "INCOMPATIBLE",
        "SOURCE_VOLUNTARY",
    ),
    Measure.NOTICE_SUSPENSION: (
        "DECISION_VISIBILITY_CONTENT_DISABLED",
        "ILLEGAL",
        "SOURCE_ARTICLE_16",
    ),
    Measure.NOTICE_UPHELD: ("DECISION_VISIBILITY_CONTENT_REMOVED", "ILLEGAL", "SOURCE_ARTICLE_16"),
    Measure.SHOP_CLOSED: (
        "DECISION_VISIBILITY_CONTENT_DISABLED",
        "INCOMPATIBLE",
        "SOURCE_VOLUNTARY",
    ),
    Measure.NOTICE_LIFTED: (
        "DECISION_VISIBILITY_CONTENT_DISABLED",
        "ILLEGAL",
        "SOURCE_ARTICLE_16",
    ),
    Measure.APPEAL_REVERSAL: (
        "DECISION_VISIBILITY_CONTENT_DISABLED",
        "INCOMPATIBLE",
        "SOURCE_VOLUNTARY",
    ),
}
LIFTED = {Measure.NOTICE_LIFTED, Measure.APPEAL_REVERSAL}


@pytest.mark.parametrize("text", sorted(MEASURES))
@pytest.mark.parametrize("automated", [True, False])
def test_each_measure_maps_to_a_valid_record_or_to_none(text: str, automated: bool) -> None:
    measure = MEASURES[text]
    ctx = RecordContext(content_date=date(2026, 11, 20), finding_codes=("voucher.reused_exact",))
    record = to_record(a_statement(text, automated=automated), ctx)
    if measure is Measure.NO_RESTRICTION:
        assert record is None
        return
    assert record is not None
    assert errors(record) == {}, record
    visibility, ground, source = EXPECTED[measure]
    assert record["decision_visibility"] == [visibility]
    assert record["decision_ground"] == f"DECISION_GROUND_{ground}_CONTENT"
    assert record["source_type"] == source
    assert record["automated_decision"] == (
        "AUTOMATED_DECISION_FULLY" if automated else "AUTOMATED_DECISION_NOT_AUTOMATED"
    )
    assert record["puid"] == "3f1c2a9e8b7d4e219c550a1b2c3d4e5f"
    assert record["category"] == "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS"
    assert (record["content_date"], record["application_date"]) == ("2026-11-20", "2026-12-03")
    # a lifted restriction says when it ended; a restriction in force gives no end
    assert record.get("end_date_visibility_restriction") == (
        "2026-12-03" if measure in LIFTED else None
    )


def test_every_measure_probandi_can_issue_has_a_mapping() -> None:
    """A new measure text in the statements module must be given its record (or none)."""
    issued = {
        value
        for name, value in vars(statements).items()
        if name.isupper() and isinstance(value, str) and not name.endswith("_GROUND")
    }
    assert issued, "no measure constants found"
    assert issued == set(MEASURES), issued ^ set(MEASURES)
    for kind in TaskKind:
        for approve in (True, False):
            measure, _ = statements.decision_statement(kind, approve, "reason")
            assert measure in MEASURES, (kind, approve)


def test_an_end_date_needs_its_decision_and_cannot_come_before_the_application() -> None:
    text = next(t for t, m in MEASURES.items() if m is Measure.NOTICE_LIFTED)
    good = to_record(a_statement(text), RecordContext(date(2026, 1, 1)))
    assert good is not None
    assert errors(good) == {}
    early = {**good, "end_date_visibility_restriction": "2026-12-02"}
    assert "end_date_visibility_restriction" in errors(early)
    alone = {**good, "end_date_account_restriction": "2026-12-04"}
    assert "end_date_account_restriction" in errors(alone)


def test_a_closed_shop_is_an_account_and_service_suspension() -> None:
    record = to_record(
        a_statement(next(t for t, m in MEASURES.items() if m is Measure.SHOP_CLOSED)),
        RecordContext(date(2026, 1, 1)),
    )
    assert record is not None
    assert record["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"
    assert record["decision_provision"] == "DECISION_PROVISION_TOTAL_SUSPENSION"


def test_a_trusted_flaggers_notice_is_its_own_source() -> None:
    text = next(t for t, m in MEASURES.items() if m is Measure.NOTICE_UPHELD)
    record = to_record(a_statement(text), RecordContext(date(2026, 1, 1), trusted_flagger=True))
    assert record is not None
    assert record["source_type"] == "SOURCE_TRUSTED_FLAGGER"
    assert "source_identity" not in record  # the notifier is not named


def test_no_record_carries_a_name_a_notifier_or_a_documents_content() -> None:
    for text in MEASURES:
        record = to_record(
            a_statement(text),
            RecordContext(date(2026, 1, 1), finding_codes=("voucher.reused_exact", "Robert Smith")),
        )
        dumped = json.dumps(record, ensure_ascii=False)
        for private in (
            SELLER,
            NOTIFIER,
            "xinyu-vintage",
            "tb-2002",
            "04412345",
            "华懋",
            "alice",
            "Robert",
        ):
            assert private not in dumped, (text, private)


def test_an_unknown_measure_is_an_error_not_a_silent_record() -> None:
    with pytest.raises(ValueError, match="no Transparency Database mapping"):
        measure_of(a_statement("something new"))


def test_the_stand_in_refuses_what_the_database_refuses() -> None:
    text = next(t for t, m in MEASURES.items() if m is Measure.HOLD)
    good = to_record(a_statement(text), RecordContext(date(2026, 1, 1)))
    assert good is not None
    for change, field in (
        ({"decision_visibility": None}, "decision_visibility"),
        (
            {"category": "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS"},
            "category",
        ),  # pre-2025 name
        ({"application_date": "2026-12-03T09:00:00Z"}, "application_date"),
        ({"puid": "has spaces"}, "puid"),
        ({"territorial_scope": ["EL"]}, "territorial_scope"),
        ({"incompatible_content_ground": ""}, "incompatible_content_ground"),
        ({"decision_facts": "x" * 5001}, "decision_facts"),
    ):
        assert field in errors({**good, **change}), change
