"""How the terminal shows amounts: the precision each asset needs.

The rule (docs/reporting.md, "Precision on the terminal"):

* Fiat and stablecoins (:data:`FIAT_AND_STABLECOINS`): 2 decimal places.
* Any other asset (BTC, ETH, DOT, ...): at most 8 significant digits, trailing
  zeros dropped; the integer part is never rounded.
* A non-zero amount is never shown as zero: when 2 places would round it away
  it gets 2 significant digits (``-0.0012``). Zero has no sign.
* Prices: 8 significant digits, and at least 2 places for fiat quotes.
* Percentages: 2 places (2 significant digits when that would show zero).

JSON and CSV carry the exact values; only the terminal rounds, half-even.
"""

from __future__ import annotations

from decimal import Decimal

from gal_friday.domain.values import EXACT_CONTEXT, tidy

#: Quote assets shown with 2 decimal places (currencies and coins pegged to them).
FIAT_AND_STABLECOINS = frozenset(
    {
        "USD", "EUR", "GBP", "CAD", "JPY", "AUD", "CHF", "NZD", "SGD", "HKD", "AED", "PLN",
        "USDT", "USDC", "DAI", "PYUSD", "BUSD", "TUSD", "USDP", "FDUSD", "USDE", "EURT", "EURC",
    }
)  # fmt: skip

SIGNIFICANT_DIGITS = 8
FIAT_PLACES = 2
MAX_PLACES = 18


def _at_places(value: Decimal, places: int) -> Decimal:
    return EXACT_CONTEXT.quantize(value, Decimal(1).scaleb(-min(places, MAX_PLACES)))


def _significant(value: Decimal, digits: int, min_places: int = 0) -> Decimal:
    """``value`` rounded to ``digits`` significant digits, keeping every integer digit."""
    integer_digits = value.adjusted() + 1
    return _at_places(value, max(min_places, digits - integer_digits, 0))


def _text(value: Decimal) -> str:
    text = format(value, "f")
    return text[1:] if text.startswith("-") and not value else text  # no "-0.00"


def _fixed(value: Decimal, places: int) -> str:
    rounded = _at_places(value, places)
    if not rounded and value:  # never round a non-zero amount to zero
        rounded = tidy(_significant(value, 2, places))
    return _text(rounded)


def is_fiat(asset: str) -> bool:
    """True for a currency or stablecoin shown with 2 places."""
    return asset.upper() in FIAT_AND_STABLECOINS


def amount(value: Decimal | None, asset: str) -> str:
    """An amount of ``asset`` for the terminal (``-`` for None)."""
    if value is None:
        return "-"
    if not value:
        return "0.00" if is_fiat(asset) else "0"
    if is_fiat(asset):
        return _fixed(value, FIAT_PLACES)
    return _text(tidy(_significant(value, SIGNIFICANT_DIGITS)))


def price(value: Decimal | None, quote: str) -> str:
    """A price in ``quote`` for the terminal: 8 significant digits, 2 places at least for fiat."""
    if value is None:
        return "-"
    rounded = tidy(_significant(value, SIGNIFICANT_DIGITS)) if value else Decimal(0)
    if is_fiat(quote) and -rounded.as_tuple().exponent < FIAT_PLACES:  # type: ignore[operator]
        rounded = _at_places(rounded, FIAT_PLACES)
    return _text(rounded)


def percent(value: Decimal | None) -> str:
    """A percentage for the terminal: 2 places (``-`` for None)."""
    return "-" if value is None else _fixed(value, 2)
