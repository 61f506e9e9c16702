"""Make the stored fills agree with the stored ledger (``docs/ledgers.md``).

A Kraken trade's ledger rows share its ``refid``, which is the trade's ``txid``
in ``trades.csv`` and so our ``fill_id``. For every complete ledger trade (both
legs exported):

* a stored fill with that id takes the ledger's commission (amount and asset:
  quote, base, or ``KFEE`` valued at 0.01 USD); its side and quantity must be the
  ledger's and its notional must match the quote leg to the ledger's last decimal,
  else :class:`LedgerMismatchError` and nothing is kept;
* without a stored fill, a fill is built from the ledger rows (an order of its
  own, ``MARKET``, known by the refid), so the ledger alone is enough for PnL.

Trades with one leg (an export filtered by asset) are listed, never made fills.
The touched pairs' trades are rebuilt. Everything happens in the caller's unit
of work; nothing is committed here.
"""

from __future__ import annotations

from collections import Counter

import attrs

from gal_friday.domain import Fill, OrderType, TradeGrouping
from gal_friday.domain.construction import checked
from gal_friday.domain.errors import DomainError, InvalidValueError
from gal_friday.domain.ledger import (
    LedgerTrade,
    TradeFigures,
    choose_pair,
    classify_trade,
    fill_disagreements,
    trade_figures,
)
from gal_friday.importers.records import ImportBatch, ImportedFill
from gal_friday.services.importing import store_batch
from gal_friday.services.ports import (
    LedgerRepositoryProtocol,
    RepositoriesProtocol,
    UnitOfWorkProtocol,
)
from gal_friday.services.trade_rebuild import rebuild_pairs

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


def ledger_trades(repository: LedgerRepositoryProtocol, exchange: str) -> list[LedgerTrade]:
    """Every stored trade of ``exchange``'s ledger, complete or not, in time order."""
    return [classify_trade(rows) for rows in repository.trades(exchange).values()]


def reconcile(
    uow: UnitOfWorkProtocol,
    exchange: str = "kraken",
    grouping: TradeGrouping | None = None,
) -> ReconcileSummary:
    """Reconcile ``exchange``'s fills with its ledger and rebuild what changed."""
    repository = uow.ledger
    trades = ledger_trades(repository, exchange)
    complete = [trade for trade in trades if trade.complete]
    fills = repository.fills_by_ids(exchange, [trade.refid for trade in complete])
    known_pairs = sorted({pair for ex, pair in uow.fills.pairs() if ex == exchange})
    touched: set[tuple[str, str]] = set()
    unvalued: list[str] = []
    built: list[ImportedFill] = []
    updated = 0
    for trade in complete:
        fill = fills.get(trade.refid)
        pair = fill.trading_pair if fill is not None else choose_pair(trade.assets, known_pairs)
        figures = _figures(trade, pair)
        if figures.unvalued_kfee:
            unvalued.append(trade.refid)
        if fill is None:
            built.append(_built_fill(trade, figures))
            continue
        _check_agrees(fill, figures)
        if (fill.commission, fill.commission_asset) != (
            figures.commission,
            figures.commission_asset,
        ):
            fill.commission = figures.commission
            fill.commission_asset = figures.commission_asset
            updated += 1
            touched.add((exchange, fill.trading_pair))
    uow.flush()
    rebuilt = 0
    if built:
        summary = store_batch(uow, ImportBatch(path=LEDGER_SOURCE, records=built), grouping)
        rebuilt += summary.trades_rebuilt
        touched_by_store = set(summary.pairs)
    else:
        touched_by_store = set()
    remaining = touched - touched_by_store
    if remaining:
        rebuilt += rebuild_pairs(uow, remaining, grouping).total_trades
    return ReconcileSummary(
        fills_updated=updated,
        fills_built=len(built),
        one_leg_refids=sorted(trade.refid for trade in trades if not trade.complete),
        unvalued_kfee_refids=unvalued,
        pairs=sorted(touched | touched_by_store),
        trades_rebuilt=rebuilt,
    )


def _figures(trade: LedgerTrade, pair: str) -> TradeFigures:
    try:
        return trade_figures(trade, pair)
    except InvalidValueError as exc:
        raise LedgerMismatchError(f"ledger trade {trade.refid!r}: {exc.problem}") from None


def _built_fill(trade: LedgerTrade, figures: TradeFigures) -> ImportedFill:
    try:
        fill = checked(
            Fill,
            {
                "fill_id": trade.refid,
                "trading_pair": figures.trading_pair,
                "exchange": trade.exchange,
                "side": figures.side,
                "quantity_filled": figures.quantity,
                "fill_price": figures.price,
                "commission": figures.commission,
                "commission_asset": figures.commission_asset,
                "filled_at": trade.time,
                "exchange_order_id": trade.refid,
            },
        )
    except InvalidValueError as exc:
        raise LedgerMismatchError(f"ledger trade {trade.refid!r}: {exc}") from None
    return ImportedFill(
        line=trade.first_line or 0, fill=fill, order_ref=trade.refid, order_type=OrderType.MARKET
    )


def _check_agrees(fill: Fill, figures: TradeFigures) -> None:
    problems = fill_disagreements(fill, figures, with_fee=False)
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


def reconcile_all(
    uow: UnitOfWorkProtocol, grouping: TradeGrouping | None = None
) -> dict[str, ReconcileSummary]:
    """:func:`reconcile` every exchange that has a stored ledger."""
    return {exchange: reconcile(uow, exchange, grouping) for exchange in uow.ledger.exchanges()}
