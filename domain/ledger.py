"""An exchange's ledger: every movement of every asset, and the rules read from it (no ORM).

A ledger entry moves ``amount - fee`` of one ``asset`` and states the ``balance``
after it (``docs/ledgers.md``). Entries without a ``txid`` are *pending* (a
deposit not credited yet): they are kept but never counted in a balance.

* :func:`replay_balances` (from :mod:`~gal_friday.domain.ledger_replay`, re-exported)
  replays each asset's entries per wallet in order and compares the running
  balance with the ledger's own ``balance`` column. The opening balance is
  inferred from the first entry (``balance - amount + fee``), so an export that
  starts mid-history is not a divergence.
* :func:`classify_trade` reads the entries sharing one ``refid`` of type
  ``trade``: two assets moving in opposite directions are a complete trade (the
  base and quote legs, plus an optional ``KFEE`` row); a single asset is a
  *one-leg* trade (an export filtered by asset), kept and listed, never made a fill.
* :func:`trade_amounts` states the fill a complete trade is: side from the signs,
  quantity the base amount, price ``|quote amount| / |base amount|``, and the
  commissions in the assets the fees were really charged in (one or several: a fee
  on each leg). ``KFEE`` fee credits are worth a fixed 0.01 USD each (:data:`KFEE_USD`).
  The same holds for the legs of a conversion (``spend``/``receive``, ``sale``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.enums import Side
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.fill import FillView
from gal_friday.domain.ledger_replay import AssetReplay as AssetReplay
from gal_friday.domain.ledger_replay import AssetTotal as AssetTotal
from gal_friday.domain.ledger_replay import Divergence as Divergence
from gal_friday.domain.ledger_replay import replay_balances as replay_balances

ZERO = Decimal(0)

#: Kraken's fee-credit asset and its fixed value in USD per unit.
KFEE = "KFEE"
KFEE_USD = Decimal("0.01")

#: Which asset of a trade is the quote when the stored fills do not say: the first of
#: these found among the trade's two assets (fiat, then stablecoins, then BTC, ETH, DOT).
QUOTE_PRIORITY = (
    "USD",
    "EUR",
    "GBP",
    "CAD",
    "JPY",
    "AUD",
    "CHF",
    "USDT",
    "USDC",
    "DAI",
    "PYUSD",
    "BTC",
    "ETH",
    "DOT",
)


@attrs.frozen
class LedgerEntry:
    """One ledger row: ``amount`` (signed) and ``fee`` (charged on top) of ``asset``."""

    exchange: str
    txid: str | None
    refid: str
    time: datetime
    type: str
    asset: str
    amount: Decimal
    fee: Decimal
    balance: Decimal | None
    subtype: str | None = None
    aclass: str | None = None
    subclass: str | None = None
    wallet: str | None = None
    amountusd: Decimal | None = None
    source_line: int | None = None
    #: The 2025-26 export's fee and balance in USD and the fee's asset (as stated; not checked).
    feeusd: Decimal | None = None
    balanceusd: Decimal | None = None
    feecurrency: str | None = None

    @property
    def pending(self) -> bool:
        """True for a row without a txid (not credited yet, not in any balance)."""
        return self.txid is None

    @property
    def change(self) -> Decimal:
        """What the row does to the balance: ``amount - fee``."""
        with v.exact():
            return self.amount - self.fee

    def same_as(self, other: LedgerEntry) -> bool:
        """True when ``other`` records the same movement (a re-import)."""
        return (
            self.exchange,
            self.txid,
            self.refid,
            self.time,
            self.type,
            self.asset,
            self.amount,
            self.fee,
            self.balance,
        ) == (
            other.exchange,
            other.txid,
            other.refid,
            other.time,
            other.type,
            other.asset,
            other.amount,
            other.fee,
            other.balance,
        )


@attrs.frozen
class LedgerTrade:
    """The entries of one trade (one ``refid``): its legs per asset and the fees charged."""

    refid: str
    exchange: str
    time: datetime
    amounts: dict[str, Decimal]
    fees: dict[str, Decimal]
    entries: tuple[LedgerEntry, ...]

    @property
    def assets(self) -> list[str]:
        """The traded assets (``KFEE`` left out), sorted."""
        return sorted(self.amounts)

    @property
    def complete(self) -> bool:
        """Two assets moving in opposite directions: both legs are in the export."""
        if len(self.amounts) != 2:
            return False
        first, second = self.amounts.values()
        return (first > 0 > second) or (second > 0 > first)

    @property
    def first_line(self) -> int | None:
        """The source line of the trade's first entry."""
        lines = [e.source_line for e in self.entries if e.source_line is not None]
        return min(lines) if lines else None


def classify_trade(entries: Sequence[LedgerEntry]) -> LedgerTrade:
    """Sum one refid's booked ``trade`` entries per asset (``KFEE`` only pays fees)."""
    if not entries:
        raise InvalidValueError("entries", "a trade needs at least one ledger entry")
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    fees: dict[str, Decimal] = defaultdict(Decimal)
    with v.exact():
        for entry in entries:
            if entry.asset != KFEE or entry.amount:
                amounts[entry.asset] += entry.amount
            if entry.fee:
                fees[entry.asset] += entry.fee
    first = min(entries, key=lambda e: e.time)
    return LedgerTrade(
        refid=first.refid,
        exchange=first.exchange,
        time=first.time,
        amounts=dict(amounts),
        fees=dict(fees),
        entries=tuple(entries),
    )


def choose_pair(assets: Sequence[str], known_pairs: Iterable[str] = ()) -> str:
    """``BASE/QUOTE`` for a trade between two assets: a pair already known for them
    (from stored fills), else the quote is the first of :data:`QUOTE_PRIORITY` found.
    """
    wanted = set(assets)
    for pair in known_pairs:
        if set(v.split_pair(pair)) == wanted:
            return pair
    for quote in QUOTE_PRIORITY:
        if quote in wanted:
            (base,) = wanted - {quote}
            return f"{base}/{quote}"
    first, second = sorted(wanted)
    return f"{first}/{second}"


@attrs.frozen
class LedgerTradeAmounts:
    """What a complete ledger trade says a fill is: its side, amounts, price and fee."""

    trading_pair: str
    side: Side
    quantity: Decimal
    quote_amount: Decimal
    price: Decimal
    commission: Decimal
    commission_asset: str
    #: ``KFEE`` credits paid on a pair not quoted in USD: not valued (commission 0).
    unvalued_kfee: Decimal = ZERO
    #: Fees charged in other assets than ``commission_asset`` (a fee on each leg).
    extra_commissions: dict[str, Decimal] = attrs.field(factory=dict)

    @property
    def commissions(self) -> dict[str, Decimal]:
        """Every fee by asset, ``commission_asset``'s first (``{quote: 0}`` when none)."""
        return {self.commission_asset: self.commission, **self.extra_commissions}


def trade_amounts(trade: LedgerTrade, pair: str) -> LedgerTradeAmounts:
    """The side, quantities, price and commission of a complete trade on ``pair``."""
    base, quote = v.split_pair(pair)
    if set(trade.amounts) != {base, quote} or not trade.complete:
        raise InvalidValueError(
            "refid", f"trade {trade.refid!r} does not move {base} against {quote}"
        )
    with v.exact():
        base_amount = trade.amounts[base]
        quantity = abs(base_amount)
        quote_amount = abs(trade.amounts[quote])
        price = v.computed_amount(quote_amount / quantity, "fill_price", positive=True)
    commission, asset, unvalued, extra = _commission(trade, base, quote)
    return LedgerTradeAmounts(
        trading_pair=pair,
        side=Side.BUY if base_amount > 0 else Side.SELL,
        quantity=quantity,
        quote_amount=quote_amount,
        price=price,
        commission=commission,
        commission_asset=asset,
        unvalued_kfee=unvalued,
        extra_commissions=extra,
    )


def _commission(
    trade: LedgerTrade, base: str, quote: str
) -> tuple[Decimal, str, Decimal, dict[str, Decimal]]:
    """The fees as a commission (the quote's, else the base's, else another asset's), the
    ``KFEE`` credits left unvalued, and the fees in the other assets."""
    fees = {asset: fee for asset, fee in trade.fees.items() if fee}
    unvalued = ZERO
    credits = fees.pop(KFEE, ZERO)
    if credits and quote == "USD":
        # Credits (at 0.01 USD) that covered part or all of a fee charged in USD.
        with v.exact():
            fees[quote] = v.tidy(fees.get(quote, ZERO) + credits * KFEE_USD)
    else:
        unvalued = credits
    if not fees:
        return ZERO, quote, unvalued, {}
    asset = next((a for a in (quote, base) if a in fees), None) or min(fees)
    commission = fees.pop(asset)
    return commission, asset, unvalued, fees


#: Decimal places Kraken's ledger shows per asset (others: :data:`DEFAULT_PLACES`): a
#: ledger amount may differ from ``quantity * price`` by one unit of its last place.
LEDGER_PLACES = {
    "USD": 4,
    "EUR": 4,
    "GBP": 4,
    "CAD": 4,
    "AUD": 4,
    "CHF": 4,
    "JPY": 2,
    "BTC": 10,
    "ETH": 10,
    "KFEE": 2,
}
DEFAULT_PLACES = 8


def notional_agrees(
    quantity: Decimal, price: Decimal, quote_amount: Decimal, quote_asset: str
) -> bool:
    """``quantity * price`` equals the ledger's quote amount to the ledger's last decimal."""
    step = Decimal(1).scaleb(-LEDGER_PLACES.get(quote_asset, DEFAULT_PLACES))
    with v.exact():
        return abs(quantity * price - quote_amount) <= step


def fill_disagreements(fill: FillView, amounts: LedgerTradeAmounts, *, with_fee: bool) -> list[str]:
    """How a fill differs from its ledger trade (empty: they agree).

    Side and quantity must be equal, the notional must match the quote leg to the
    ledger's last decimal (:func:`notional_agrees`); with ``with_fee`` the
    commission and its asset must be the ledger's too.
    """
    base, quote = v.split_pair(fill.trading_pair)
    problems = []
    if fill.side != amounts.side:
        problems.append(f"side: fill {fill.side}, ledger {amounts.side}")
    if fill.quantity_filled != amounts.quantity:
        problems.append(
            f"quantity: fill {fill.quantity_filled} {base}, ledger {amounts.quantity} {base}"
        )
    elif not notional_agrees(fill.quantity_filled, fill.fill_price, amounts.quote_amount, quote):
        with v.exact():
            cost = v.tidy(fill.quantity_filled * fill.fill_price)
        problems.append(f"cost: fill {cost} {quote}, ledger {amounts.quote_amount} {quote}")
    paid = {asset: fee for asset, fee in _fill_commissions(fill).items() if fee}
    charged = {asset: fee for asset, fee in amounts.commissions.items() if fee}
    if with_fee and paid != charged:
        problems.append(f"fee: fill {shown_fees(paid)}, ledger {shown_fees(charged)}")
    return problems


def _fill_commissions(fill: FillView) -> dict[str, Decimal]:
    paid = {fill.commission_asset: fill.commission}
    for asset, fee in fill.extra_commissions.items():
        paid[asset] = paid.get(asset, ZERO) + fee
    return paid


def plain(amount: Decimal) -> str:
    """``amount`` as plain decimal text, no trailing zeros (``0.00000054``, not ``5.4E-7``)."""
    return format(v.tidy(amount), "f")


def shown_fees(fees: dict[str, Decimal]) -> str:
    """``1.447 GBP + 2 USDT`` (``0`` for no fee)."""
    return " + ".join(f"{plain(fee)} {asset}" for asset, fee in fees.items()) or "0"
