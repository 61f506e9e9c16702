"""Make the stored fills agree with the stored ledger: the ledger is the book of record
(``docs/ledgers.md``).

A Kraken trade's ledger rows share its ``refid``, which is the trade's ``txid``
in ``trades.csv`` and so our ``fill_id``. For every complete ledger trade (both legs
exported) and every complete conversion (``spend``/``receive``, ``sale``, paired
``adjustment`` rows: :func:`~gal_friday.domain.account_book.book_groups`):

* a stored fill with that id takes the ledger's amounts: the price ``|quote moved| /
  |base moved|`` and the commissions in every asset they were charged in (quote, base,
  ``KFEE`` valued at 0.01 USD on a USD pair), through its order
  (:meth:`~gal_friday.domain.order.Order.take_ledger_amounts`, which recomputes the
  order's aggregates). The trades.csv figures are kept on the fill (``reported``) and
  each differing field is listed (:class:`~gal_friday.domain.account_book.FillDifference`).
  Only a fill whose side or quantity is not the ledger's, or whose assets are not the
  trade's, is refused (:class:`LedgerMismatchError`, naming the ledger line);
* without a stored fill, a fill is made from the ledger rows (an order of its
  own, ``MARKET``, known by the refid; kind ``CONVERSION`` for a conversion), so the
  ledger alone is enough for PnL.

Margin rows (``margin``, ``rollover``, ``settled``) give their fees to the margin fill
whose id is their refid (an opening fill pays its opening fee and the position's
rollovers). Trades with one leg (an export filtered by asset) are listed, never made
fills. :func:`correct_fills` corrects the stored fills in the caller's unit of work and
returns the fills to build; storing those and rebuilding the touched pairs' trades is the
import use case's step (:func:`gal_friday.services.importing.reconcile_with_ledgers`).
Nothing is committed here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from gal_friday.domain import Fill, Order, OrderType
from gal_friday.domain.account_book import (
    BOOK_TYPES,
    BookGroups,
    FillDifference,
    book_differences,
    book_groups,
    reported_figures,
)
from gal_friday.domain.construction import checked
from gal_friday.domain.errors import DomainError, InvalidValueError
from gal_friday.domain.fill import FillKind
from gal_friday.domain.ledger import (
    LedgerTrade,
    LedgerTradeAmounts,
    choose_pair,
    classify_trade,
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
    """A stored fill that the ledger contradicts (side, quantity or assets): not the same
    execution, so neither file can be trusted for it."""


@attrs.frozen
class ReconcileSummary:
    """What a reconciliation did."""

    fills_updated: int = 0
    fills_built: int = 0
    one_leg_refids: list[str] = attrs.field(factory=list)
    unvalued_kfee_refids: list[str] = attrs.field(factory=list)
    pairs: list[tuple[str, str]] = attrs.field(factory=list)
    trades_rebuilt: int = 0
    #: Of ``fills_built``, the conversions (instant buys and sells).
    conversions_built: int = 0
    #: Of ``fills_updated``, the margin fills that took their margin rows' fees.
    margin_fills_updated: int = 0
    #: Refids of margin rows with no stored margin fill (yet): counted, not applied.
    margin_refids_without_fill: list[str] = attrs.field(factory=list)
    #: Conversion rows that do not make a complete pair.
    incomplete_conversions: list[str] = attrs.field(factory=list)
    #: Where trades.csv and the ledger differ (the ledger's figures were taken).
    differences: list[FillDifference] = attrs.field(factory=list)


@attrs.frozen
class LedgerCorrections:
    """What :func:`correct_fills` did to one exchange's stored fills, and what it leaves to
    do: ``built``, the fills its ledger holds and the store does not (to be stored)."""

    exchange: str
    fills_updated: int
    built: list[ImportedFill]
    one_leg_refids: list[str]
    unvalued_kfee_refids: list[str]
    #: The ``(exchange, trading_pair)``s of the fills whose amounts changed.
    pairs: frozenset[tuple[str, str]]
    conversions_built: int = 0
    margin_fills_updated: int = 0
    margin_refids_without_fill: list[str] = attrs.field(factory=list)
    incomplete_conversions: list[str] = attrs.field(factory=list)
    differences: list[FillDifference] = attrs.field(factory=list)


def ledger_trades(repository: LedgerRepositoryProtocol, exchange: str) -> list[LedgerTrade]:
    """Every stored trade of ``exchange``'s ledger, complete or not, in time order."""
    return [classify_trade(rows) for rows in repository.trades(exchange).values()]


def ledger_book(repository: LedgerRepositoryProtocol, exchange: str) -> BookGroups:
    """``exchange``'s ledger rows that make or correct fills (trades, conversions, margin)."""
    return book_groups(repository.trades(exchange, BOOK_TYPES))


@attrs.frozen
class _Correction:
    fill: Fill
    price: Decimal
    commissions: dict[str, Decimal]
    commission_asset: str
    reported: dict[str, Decimal]
    margin: bool = False


def correct_fills(uow: UnitOfWorkProtocol, exchange: str = "kraken") -> LedgerCorrections:
    """Give ``exchange``'s stored fills the amounts of its ledger, through their orders
    (flushed), and make the fills of the ledger trades and conversions not stored yet
    (returned, not stored)."""
    repository = uow.ledger
    book = ledger_book(repository, exchange)
    groups = book.fill_groups
    fills = repository.fills_by_ids(exchange, sorted(book.refids))
    known_pairs = sorted({pair for ex, pair in uow.fills.pairs() if ex == exchange})
    unvalued: list[str] = []
    built: list[ImportedFill] = []
    corrections: list[_Correction] = []
    differences: list[FillDifference] = []
    for trade, kind in groups:
        fill = fills.get(trade.refid)
        pair = fill.trading_pair if fill is not None else choose_pair(trade.assets, known_pairs)
        amounts = _amounts(trade, pair)
        if amounts.unvalued_kfee:
            unvalued.append(trade.refid)
        if fill is None:
            built.append(_built_fill(trade, amounts, kind))
            continue
        _check_agrees(fill, trade, amounts)
        correction = _correction(fill, amounts.price, amounts.commissions, amounts.commission_asset)
        if correction is not None:
            corrections.append(correction)
    without_fill: list[str] = []
    for refid, fees in sorted(book.margin_fees.items()):
        fill = fills.get(refid)
        if fill is None or fill.kind is not FillKind.MARGIN:
            without_fill.append(refid)
            continue
        quote = fill.quote_asset
        asset = quote if quote in fees or not fees else min(fees)
        correction = _correction(fill, fill.fill_price, fees, asset, margin=True)
        if correction is not None:
            corrections.append(correction)
    orders = _orders_of(uow, exchange, [c.fill for c in corrections])
    for c in corrections:
        differences += _differences(c)
        orders[c.fill.fill_id].take_ledger_amounts(
            c.fill.fill_id,
            fill_price=c.price,
            commissions=c.commissions,
            commission_asset=c.commission_asset,
            reported=c.reported,
        )
    uow.flush()
    return LedgerCorrections(
        exchange=exchange,
        fills_updated=len(corrections),
        built=built,
        one_leg_refids=sorted(trade.refid for trade in book.trades if not trade.complete),
        unvalued_kfee_refids=unvalued,
        pairs=frozenset((exchange, c.fill.trading_pair) for c in corrections),
        conversions_built=sum(1 for record in built if record.fill.kind is FillKind.CONVERSION),
        margin_fills_updated=sum(1 for c in corrections if c.margin),
        margin_refids_without_fill=without_fill,
        incomplete_conversions=book.incomplete_conversions,
        differences=differences,
    )


def _correction(
    fill: Fill,
    price: Decimal,
    commissions: Mapping[str, Decimal],
    asset: str,
    *,
    margin: bool = False,
) -> _Correction | None:
    """What ``fill`` must take to carry the ledger's figures; None when it has them."""
    charged = {a: fee for a, fee in commissions.items() if fee}
    if fill.fill_price == price and {a: f for a, f in fill.commissions.items() if f} == charged:
        return None
    # the trades.csv figures: kept from the first correction, else the fill's own (a fill
    # corrected before they were kept, its fee in another asset, has none to keep)
    reported = dict(fill.reported)
    if not reported and fill.commission_asset == fill.quote_asset:
        reported = reported_figures(fill.fill_price, fill.commission)
    return _Correction(fill, price, dict(commissions), asset, reported, margin)


def _differences(correction: _Correction) -> list[FillDifference]:
    fill = correction.fill
    if not correction.reported:
        return []
    return book_differences(
        fill.exchange,
        fill.fill_id,
        fill.trading_pair,
        fill.quantity_filled,
        correction.reported,
        correction.price,
        correction.commissions,
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


def _where(trade: LedgerTrade) -> str:
    line = trade.first_line
    return f"ledgers.csv line {line}: " if line is not None else ""


def _amounts(trade: LedgerTrade, pair: str) -> LedgerTradeAmounts:
    try:
        return trade_amounts(trade, pair)
    except InvalidValueError as exc:
        raise LedgerMismatchError(
            f"{_where(trade)}ledger trade {trade.refid!r}: {exc.problem}"
        ) from None


def _built_fill(trade: LedgerTrade, amounts: LedgerTradeAmounts, kind: FillKind) -> ImportedFill:
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
                "extra_commissions": amounts.extra_commissions,
                "kind": kind,
                "filled_at": trade.time,
                "exchange_order_id": trade.refid,
            },
        )
    except InvalidValueError as exc:
        raise LedgerMismatchError(f"{_where(trade)}ledger trade {trade.refid!r}: {exc}") from None
    return ImportedFill(
        line=trade.first_line or 0, fill=fill, order_ref=trade.refid, order_type=OrderType.MARKET
    )


def _check_agrees(fill: Fill, trade: LedgerTrade, amounts: LedgerTradeAmounts) -> None:
    """Side and quantity must be the ledger's: price, cost and fees the ledger decides."""
    problems = []
    base = fill.base_asset
    if fill.side != amounts.side:
        problems.append(f"side: fill {fill.side}, ledger {amounts.side}")
    if fill.quantity_filled != amounts.quantity:
        problems.append(
            f"quantity: fill {fill.quantity_filled} {base}, ledger {amounts.quantity} {base}"
        )
    if problems:
        raise LedgerMismatchError(
            f"{_where(trade)}fill {fill.fill_id!r} ({fill.exchange} {fill.trading_pair}) is not "
            "the execution its ledger rows record: " + "; ".join(problems)
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
        reconciled[exchange] = ledger_book(repository, exchange).refids
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
