"""Money, currencies and conversion through an admin-maintained FX table."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from probandi.domain.errors import InvalidInput

# ISO 4217 codes in active use; a marketplace rarely sees others.
CURRENCIES = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWL",
    ]
)


def check_currency(code: str) -> str:
    """Return the code if it is a known ISO 4217 currency, else raise."""
    if code not in CURRENCIES:
        raise InvalidInput(
            "unknown currency %(code_value)r", field="currency", params={"code_value": code}
        )
    return code


@dataclass(frozen=True)
class Money:
    """An amount in one currency; amounts are never negative here."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        check_currency(self.currency)
        if self.amount < 0:
            raise InvalidInput("amount must not be negative", field="amount")


@dataclass(frozen=True)
class FxTable:
    """Rates as units of the pivot currency per one unit of each currency."""

    pivot: str
    rates: dict[str, Decimal]

    def convert(self, money: Money, to: str) -> Money | None:
        """Convert, or None when either rate is missing (a finding, not a crash)."""
        if money.currency == to:
            return money
        src = Decimal(1) if money.currency == self.pivot else self.rates.get(money.currency)
        dst = Decimal(1) if to == self.pivot else self.rates.get(to)
        if src is None or dst is None or dst == 0:
            return None
        return Money((money.amount * src / dst).quantize(Decimal("0.01")), to)
