"""The partition function screens as the gate does, with one engine per process."""

from __future__ import annotations

from probandi.adapters.screening.screener import EngineScreener
from probandi.domain.sweep import FindingCode, SweepRow, sweep_row, sweep_rules
from probandi.entrypoints.sweep.partition import install_rules, installed, screen_rows
from tests.support.catalogs import catalog_rows, registry_brands


def _rows(count: int) -> list[SweepRow]:
    return [
        sweep_row(r["id"], r["seller_id"], r["title"], r["brand"], r["price"], r["currency"])
        for r in catalog_rows(count, seed=11)
    ]


def test_the_gated_brands_found_are_those_the_gate_would_hold() -> None:
    rules = sweep_rules(registry_brands())
    install_rules(rules)
    _, engine, _ = installed(rules.fingerprint)
    rows = _rows(1_500)
    found = {f.listing_id: f for f in screen_rows(engine, rules, rows)}
    gate = EngineScreener(registry_brands())
    held = 0
    for row in rows:
        names = {m.brand_name for m in gate.screen({"brand": row.brand, "title": row.title})}
        finding = found.get(row.listing_id)
        gated = finding is not None and FindingCode.GATED_NO_PROOF in finding.codes
        assert gated == bool(names), row
        assert finding is None or set(finding.brands) == names, row
        held += gated
    assert held > 150  # the generated catalog names gated brands in about a fifth of titles


def test_installing_the_same_rules_again_keeps_the_engine() -> None:
    rules = sweep_rules(registry_brands())
    install_rules(rules)
    first = installed(rules.fingerprint)
    install_rules(sweep_rules(registry_brands()))
    assert installed(rules.fingerprint) is first
