"""Make the stored fills agree with the stored ledger (``docs/ledgers.md``).

A Kraken trade's ledger rows share its ``refid``, which is the trade's ``txid``
in ``trades.csv`` and so our ``fill_id``. For every complete ledger trade (both
legs exported):

* a stored fill with that id takes the ledger's commission (amount and asset:
  quote, base, or ``KFEE`` valued at 0.01 USD), through its order
  (:meth:`~gal_friday.domain.order.Order.correct_fill_fee`, which recomputes the
  order's aggregates); its side and quantity must be the ledger's and its notional
  must match the quote leg to the ledger's last decimal, else
  :class:`LedgerMismatchError` and nothing is kept;
* without a stored fill, a fill is made from the ledger rows (an order of its
  own, ``MARKET``, known by the refid), so the ledger alone is enough for PnL.

Trades with one leg (an export filtered by asset) are listed, never made fills.
:func:`correct_fills` corrects the stored fills in the caller's unit of work and returns
the fills to build; storing those and rebuilding the touched pairs' trades is the
import use case's step (:func:`gal_friday.services.importing.reconcile_with_ledgers`).
Nothing is committed here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import attrs

from gal_friday.domain import Fill, Order, OrderType
from gal_friday.domain.construction import checked
from gal_friday.domain.errors import DomainError, InvalidValueError
from gal_friday.domain.ledger import (
    LedgerTrade,
    LedgerTradeAmounts,
    choose_pair,
    classify_trade,
    fill_disagreements,
    trade_amounts,
)
from gal_friday.importers.records import ImportedFill
from gal_friday.services.ports import (
    LedgerRepositoryProtocol,
    RepositoriesProtocol,
    UnitOfWorkProtocol,
)

#: The ``path`` the fills built from ledger rows are reported under.
LEDGER_SOURCE = "ledger"


class LedgerMismatchError(DomainError):
    """A stored fill that the ledger contradicts (side, quantity, notional or assets)."""


@attrs.frozen
class ReconcileSummary:
    """What a reconciliation did."""

    fills_updated: int = 0
    fills_built: int = 0
    one_leg_refids: list[str] = attrs.field(factory=list)
    unvalued_kfee_refids: list[str] = attrs.field(factory=list)
    pairs: list[tuple[str, str]] = attrs.field(factory=list)
    trades_rebuilt: int = 0


@attrs.frozen
class LedgerCorrections:
    """What :func:`correct_fills` did to one exchange's stored fills, and what it leaves to
    do: ``built``, the fills its ledger holds and the store does not (to be stored)."""

    exchange: str
    fills_updated: int
    built: list[ImportedFill]
    one_leg_refids: list[str]
    unvalued_kfee_refids: list[str]
    #: The ``(exchange, trading_pair)``s of the fills whose fee changed.
    pairs: frozenset[tuple[str, str]]


def ledger_trades(repository: LedgerRepositoryProtocol, exchange: str) -> list[LedgerTrade]:
    """Every stored trade of ``exchange``'s ledger, complete or not, in time order."""
    return [classify_trade(rows) for rows in repository.trades(exchange).values()]


def correct_fills(uow: UnitOfWorkProtocol, exchange: str = "kraken") -> LedgerCorrections:
    """Give ``exchange``'s stored fills the fees of its ledger, through their orders (flushed),
    and make the fills of the ledger trades not stored yet (returned, not stored)."""
    repository = uow.ledger
    trades = ledger_trades(repository, exchange)
    complete = [trade for trade in trades if trade.complete]
    fills = repository.fills_by_ids(exchange, [trade.refid for trade in complete])
    known_pairs = sorted({pair for ex, pair in uow.fills.pairs() if ex == exchange})
    unvalued: list[str] = []
    built: list[ImportedFill] = []
    corrections: list[tuple[Fill, LedgerTradeAmounts]] = []
    for trade in complete:
        fill = fills.get(trade.refid)
        pair = fill.trading_pair if fill is not None else choose_pair(trade.assets, known_pairs)
        amounts = _amounts(trade, pair)
        if amounts.unvalued_kfee:
            unvalued.append(trade.refid)
        if fill is None:
            built.append(_built_fill(trade, amounts))
            continue
        _check_agrees(fill, amounts)
        if (fill.commission, fill.commission_asset) != (
            amounts.commission,
            amounts.commission_asset,
        ):
            corrections.append((fill, amounts))
    orders = _orders_of(uow, exchange, [fill for fill, _ in corrections])
    for fill, amounts in corrections:
        orders[fill.fill_id].correct_fill_fee(
            fill.fill_id, amounts.commission, amounts.commission_asset
        )
    uow.flush()
    return LedgerCorrections(
        exchange=exchange,
        fills_updated=len(corrections),
        built=built,
        one_leg_refids=sorted(trade.refid for trade in trades if not trade.complete),
        unvalued_kfee_refids=unvalued,
        pairs=frozenset((exchange, fill.trading_pair) for fill, _ in corrections),
    )


def _orders_of(uow: UnitOfWorkProtocol, exchange: str, fills: Iterable[Fill]) -> dict[str, Order]:
    """The order of each of ``fills``, by fill id (by exchange order id: one query per
    thousand orders; by key for a fill that has none)."""
    fills = list(fills)
    refs = {fill.exchange_order_id for fill in fills if fill.exchange_order_id is not None}
    by_ref = uow.orders.by_exchange_ids(exchange, sorted(refs)) if refs else {}
    found: dict[str, Order] = {}
    for fill in fills:
        order = by_ref.get(fill.exchange_order_id) if fill.exchange_order_id else None
        if order is None and fill.order_pk is not None:
            order = uow.orders.get(fill.order_pk)
        if order is None:
            raise LedgerMismatchError(f"fill {fill.fill_id!r} ({exchange}) has no stored order")
        found[fill.fill_id] = order
    return found


def _amounts(trade: LedgerTrade, pair: str) -> LedgerTradeAmounts:
    try:
        return trade_amounts(trade, pair)
    except InvalidValueError as exc:
        raise LedgerMismatchError(f"ledger trade {trade.refid!r}: {exc.problem}") from None


def _built_fill(trade: LedgerTrade, amounts: LedgerTradeAmounts) -> ImportedFill:
    try:
        fill = checked(
            Fill,
            {
                "fill_id": trade.refid,
                "trading_pair": amounts.trading_pair,
                "exchange": trade.exchange,
                "side": amounts.side,
                "quantity_filled": amounts.quantity,
                "fill_price": amounts.price,
                "commission": amounts.commission,
                "commission_asset": amounts.commission_asset,
                "filled_at": trade.time,
                "exchange_order_id": trade.refid,
            },
        )
    except InvalidValueError as exc:
        raise LedgerMismatchError(f"ledger trade {trade.refid!r}: {exc}") from None
    return ImportedFill(
        line=trade.first_line or 0, fill=fill, order_ref=trade.refid, order_type=OrderType.MARKET
    )


def _check_agrees(fill: Fill, amounts: LedgerTradeAmounts) -> None:
    problems = fill_disagreements(fill, amounts, with_fee=False)
    if problems:
        raise LedgerMismatchError(
            f"fill {fill.fill_id!r} ({fill.exchange} {fill.trading_pair}) disagrees with its "
            "ledger rows: " + "; ".join(problems)
        )


#: Exchanges whose fills' fees a ledger corrects even before one is stored (Kraken's
#: trades.csv fees are rounded; its ledgers.csv has the charged ones).
LEDGER_EXCHANGES = frozenset({"kraken"})


def pairs_with_unreconciled_fees(uow: RepositoriesProtocol) -> list[tuple[str, str]]:
    """``(exchange, trading_pair)``s with a fill whose fee comes from the trades file alone:
    the report marks them.

    Only fills of a ledger exchange (``kraken``, or any exchange with stored ledger rows)
    count, when no complete ledger trade shares their id; fills of other exchanges (a ccxt
    import from their own API) have no ledger to be reconciled with and are never listed.
    """
    repository = uow.ledger
    reconciled: dict[str, set[str]] = {exchange: set() for exchange in LEDGER_EXCHANGES}
    for exchange in repository.exchanges():
        reconciled[exchange] = {
            trade.refid for trade in ledger_trades(repository, exchange) if trade.complete
        }
    # count the reconciled fills per pair rather than reading every fill id (one per row)
    carried = repository.fill_keys_in_ledger() if any(reconciled.values()) else []
    matched: Counter[tuple[str, str]] = Counter(
        (exchange, pair)
        for exchange, pair, fill_id in carried
        if fill_id in reconciled.get(exchange, ())
    )
    flagged = {
        key
        for key, count in repository.fill_counts().items()
        if key[0] in reconciled and matched[key] < count
    }
    return sorted(flagged)
