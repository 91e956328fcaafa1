"""The output table: Arrow counting and settling agree with the domain's rules."""

from __future__ import annotations

from decimal import Decimal

from probandi.domain.screening.model import MatchKind, ScreenResult, Severity, Signal, TitleMatch
from probandi.domain.sweep import Finding, SweepRow, Tally, finding_of, settle
from probandi.entrypoints.sweep.output import (
    finding_from_record,
    findings_table,
    settle_table,
    tally_table,
)

GUCCI = TitleMatch("Gucci", "Gucci", 0, 5, MatchKind.NAME)
CHANEL = TitleMatch("Chanel", "香奈儿", 6, 9, MatchKind.ALIAS)
FAKE = Signal("slang.counterfeit", Severity.HIGH, "高仿")


def _findings() -> list[Finding]:
    def one(i: int, matches: tuple[TitleMatch, ...], signals: tuple[Signal, ...]) -> Finding:
        row = SweepRow(
            f"L{i}", f"shop-{i % 2}", "Gucci 香奈儿 高仿", "Gucci", Decimal("99.5"), "CNY"
        )
        found = finding_of(row, ScreenResult(row.listing_id, matches, signals), None)
        assert found is not None
        return found

    return [
        one(1, (GUCCI,), ()),
        one(2, (GUCCI, CHANEL), (FAKE,)),
        one(3, (), (FAKE,)),
        one(4, (CHANEL,), ()),
    ]


def test_a_finding_goes_through_the_table_unchanged() -> None:
    findings = _findings()
    table = findings_table(findings)
    assert [finding_from_record(r) for r in table.to_pylist()] == findings


def test_the_arrow_tally_counts_as_the_findings_do() -> None:
    findings = _findings()
    expected = Tally()
    expected.add(findings)
    counted = Tally()
    tally_table(counted, findings_table(findings))
    tally_table(counted, findings_table([]))
    assert counted == expected
    assert counted.brands["(no gated brand)"] == 1


def test_settling_the_table_applies_the_domain_rule_to_approved_listings() -> None:
    findings = _findings()
    approved = {"L1", "L2"}
    table = settle_table(findings_table(findings), approved)
    expected = [settle(f, approved=f.listing_id in approved) for f in findings]
    assert [finding_from_record(r) for r in table.to_pylist()] == [
        f for f in expected if f is not None
    ]
    assert [r["listing_id"] for r in table.to_pylist()] == ["L2", "L3", "L4"]
