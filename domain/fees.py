"""A fee paid in a third asset needs a rate to value it.

docs/trading-rules.md, "Pairs and commission assets";
docs/import-flow.md, "Fees in a third asset: the rates file"; docs/live-fills.md.

A fill's commission in neither asset of its pair (BNB on BTC/USDT) is counted in the
quote asset through a rate of that asset in the quote (USDT per BNB). A fill that
such a fee has no rate for is refused before it is stored: stored, it would make every
later rebuild of its pair fail. A zero fee needs no rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from gal_friday.domain.errors import InvalidValueError, MissingConversionRateError
from gal_friday.domain.fill import FillView
from gal_friday.domain.rates import RateTable


class ThirdAssetFee(NamedTuple):
    """A fee in a third ``asset`` that a rate in ``quote`` (the pair's) must value."""

    asset: str
    quote: str

    @property
    def key(self) -> str:
        """``ASSET/QUOTE``, the rate's key."""
        return f"{self.asset}/{self.quote}"


def third_asset_fees(fill: FillView) -> list[ThirdAssetFee]:
    """Every third asset ``fill`` pays a non-zero fee in (its commission and its extra
    commissions), with its pair's quote; empty when every fee is in the base or quote
    asset, or zero."""
    base, _, quote = fill.trading_pair.partition("/")
    paid = [(fill.commission_asset, fill.commission), *fill.extra_commissions.items()]
    return [
        ThirdAssetFee(asset, quote) for asset, fee in paid if fee and asset not in (base, quote)
    ]


def third_asset_fee(fill: FillView) -> ThirdAssetFee | None:
    """The first of :func:`third_asset_fees`; ``None`` when there is none."""
    fees = third_asset_fees(fill)
    return fees[0] if fees else None


def unvalued_fee(fill: FillView, rates: RateTable | None, at: datetime) -> ThirdAssetFee | None:
    """A third-asset fee of ``fill`` that ``rates`` has no rate for in force ``at`` (an
    import's rates file); ``None`` when every fee needs no rate or has one."""
    for fee in third_asset_fees(fill):
        if rates is None or rates.at(fee.asset, fee.quote, at) is None:
            return fee
    return None


def check_fee_valued(fill: FillView, conversion_rates: Mapping[str, Decimal] | None) -> None:
    """Refuse a fill whose commission is in a third asset that no rate values.

    The rate is ``conversion_rates["ASSET/QUOTE"]`` (quote per unit of the asset), as the
    trade builder reads it (the live path): :class:`MissingConversionRateError` without
    one, :class:`InvalidValueError` for one that is not a Decimal above 0.
    """
    for fee in third_asset_fees(fill):
        _check_rate(fill, fee, conversion_rates)


def _check_rate(
    fill: FillView, fee: ThirdAssetFee, conversion_rates: Mapping[str, Decimal] | None
) -> None:
    key = fee.key
    rate = (conversion_rates or {}).get(key)
    if rate is None:
        raise MissingConversionRateError(
            f"fill {fill.fill_id!r} paid its commission in {fee.asset}, which nothing values in "
            f"{fee.quote}: pass conversion_rates[{key!r}] (quote per {fee.asset}); nothing was "
            "stored"
        )
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
        raise InvalidValueError(
            f"conversion_rates[{key!r}]", f"must be a Decimal above 0, got {rate!r}"
        )
