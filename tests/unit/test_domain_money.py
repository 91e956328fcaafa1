"""Money and FX conversion through a pivot currency."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probandi.domain.errors import InvalidInput
from probandi.domain.money import CURRENCIES, FxTable, Money, check_currency
from tests.unit.builders import an_fx_table, money

FX = an_fx_table()  # EUR pivot: CNY 0.125, USD 0.90, JPY 0.0060 EUR per unit


def test_converting_to_the_pivot_multiplies_by_the_rate() -> None:
    assert FX.convert(money(800, "CNY"), "EUR") == money("100.00", "EUR")


def test_converting_from_the_pivot_divides_by_the_rate() -> None:
    assert FX.convert(money(100, "EUR"), "CNY") == money("800.00", "CNY")


def test_converting_between_two_other_currencies_goes_through_the_pivot() -> None:
    # 900 USD = 810 EUR = 6480 CNY
    assert FX.convert(money(900, "USD"), "CNY") == money("6480.00", "CNY")
    # 150000 JPY = 900 EUR = 1000 USD
    assert FX.convert(money(150_000, "JPY"), "USD") == money("1000.00", "USD")


def test_converted_amounts_are_rounded_to_cents() -> None:
    converted = FX.convert(money(1, "USD"), "JPY")
    assert converted == money("150.00", "JPY")
    third = FxTable("EUR", {"USD": Decimal(3)}).convert(money(1, "EUR"), "USD")
    assert third == money("0.33", "USD")


def test_converting_to_the_same_currency_needs_no_rate() -> None:
    empty = FxTable("EUR", {})
    assert empty.convert(money("12.345", "GBP"), "GBP") == money("12.345", "GBP")


@pytest.mark.parametrize(("source", "target"), [("GBP", "CNY"), ("CNY", "GBP"), ("GBP", "EUR")])
def test_a_missing_rate_gives_no_conversion(source: str, target: str) -> None:
    assert FX.convert(money(10, source), target) is None


def test_a_zero_target_rate_gives_no_conversion_rather_than_dividing_by_zero() -> None:
    broken = FxTable("EUR", {"USD": Decimal(0)})
    assert broken.convert(money(10, "EUR"), "USD") is None


def test_money_refuses_a_negative_amount() -> None:
    with pytest.raises(InvalidInput) as raised:
        money("-0.01")
    assert raised.value.details == {"field": "amount"}


def test_money_accepts_zero() -> None:
    assert money(0).amount == 0


@pytest.mark.parametrize("code", ["XXX", "usd", "US", "", "RMB", "EURO"])
def test_money_refuses_an_unknown_currency(code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        money(1, code)
    assert raised.value.details == {"field": "currency"}


def test_known_currencies_are_upper_case_iso_codes() -> None:
    assert {"CNY", "EUR", "USD", "JPY", "HKD", "GBP"} <= CURRENCIES
    assert all(len(code) == 3 and code.isupper() for code in CURRENCIES)
    assert check_currency("CNY") == "CNY"


# --- properties --------------------------------------------------------------------------

AMOUNTS = st.decimals(min_value=0, max_value=10**9, places=2)
RATES = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(1000), places=4)
CODES = st.sampled_from(["CNY", "USD", "JPY", "GBP", "HKD"])


@given(AMOUNTS, st.dictionaries(CODES, RATES), CODES, CODES)
def test_a_conversion_is_either_missing_or_in_the_target_currency_and_not_negative(
    amount: Decimal, rates: dict[str, Decimal], source: str, target: str
) -> None:
    table = FxTable("EUR", rates)
    converted = table.convert(Money(amount, source), target)
    has_rates = source == target or (source in rates and target in rates)
    assert (converted is not None) is has_rates
    if converted is not None:
        assert converted.currency == target
        assert converted.amount >= 0


@given(AMOUNTS, RATES)
def test_converting_to_the_pivot_and_back_returns_the_amount_within_rounding(
    amount: Decimal, rate: Decimal
) -> None:
    table = FxTable("EUR", {"CNY": rate})
    there = table.convert(Money(amount, "EUR"), "CNY")
    assert there is not None
    back = table.convert(there, "EUR")
    assert back is not None
    assert abs(back.amount - amount) <= Decimal("0.005") * rate + Decimal("0.01")
