"""The ledger as the book of record for fills (no ORM; docs/ledgers.md, "Differences").

A Kraken account has two files about the same executions: ``trades.csv`` (rounded
``cost``, one fee in the quote) and ``ledgers.csv`` (what really moved, fees on the leg
they were charged on). The ledger wins: a fill takes its amounts, and the trades.csv
figures are kept for reference (:func:`reported_figures`) and listed
(:func:`book_differences`). This module reads one exchange's ledger rows grouped by
refid (:func:`book_groups`) into what makes or corrects fills:

* ``trade`` rows: order book trades (complete or one-leg, :class:`LedgerTrade`);
* conversions: ``spend``/``receive``, ``sale``, ``conversion`` rows, and two
  ``adjustment`` rows moving two assets in opposite directions under one refid;
  complete ones become fills of kind ``CONVERSION``;
* margin rows (``margin``, ``rollover``, ``settled``): their fees, per refid, are the
  commissions of the margin fill whose id is that refid (the opening fee and the
  rollovers of a position booked under its opening trade, the closing fee under the
  closing trade). Margin rows whose refid has no margin fill (``ledgers.csv`` imported
  alone) are realized as they are: their net ``amount - fee`` per asset
  (:func:`ledger_margin`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from gal_friday.domain import values as v
from gal_friday.domain.fill import FillKind
from gal_friday.domain.ledger import (
    KFEE,
    LedgerEntry,
    LedgerTrade,
    classify_trade,
    plain,
    shown_fees,
)
from gal_friday.domain.ledger_kinds import LedgerKind, kind_of

ZERO = Decimal(0)

#: The ledger row types that make or correct fills (read grouped by refid).
BOOK_TYPES = (
    "trade",
    "spend",
    "receive",
    "sale",
    "conversion",
    "adjustment",
    "margin",
    "rollover",
    "settled",
)


@attrs.frozen
class BookGroups:
    """One exchange's ledger rows that are about fills, by what they make."""

    #: ``trade`` rows per refid, complete or one-leg.
    trades: list[LedgerTrade]
    #: Conversions moving two assets in opposite directions (to be fills of kind CONVERSION).
    conversions: list[LedgerTrade]
    #: Conversion rows that do not make a complete pair (kept, listed, never a fill).
    incomplete_conversions: list[str]
    #: Fees of margin rows per refid and asset (the margin fill of that id pays them).
    margin_fees: dict[str, dict[str, Decimal]]

    @property
    def fill_groups(self) -> list[tuple[LedgerTrade, FillKind]]:
        """The complete trades and conversions, each with the kind of fill it is."""
        made = [(trade, FillKind.TRADE) for trade in self.trades if trade.complete]
        made += [(trade, FillKind.CONVERSION) for trade in self.conversions]
        return sorted(made, key=lambda item: (item[0].time, item[0].refid))

    @property
    def refids(self) -> set[str]:
        """Every refid that decides a fill's amounts (complete trades, conversions, margin)."""
        return {trade.refid for trade, _ in self.fill_groups} | set(self.margin_fees)


def book_groups(groups: Mapping[str, Sequence[LedgerEntry]]) -> BookGroups:
    """Sort booked rows of :data:`BOOK_TYPES`, grouped by refid, into :class:`BookGroups`."""
    trades: list[LedgerTrade] = []
    conversions: list[LedgerTrade] = []
    incomplete: list[str] = []
    margin: dict[str, dict[str, Decimal]] = {}
    for refid, rows in groups.items():
        booked = [row for row in rows if not row.pending]
        traded = [row for row in booked if row.type.lower() == "trade"]
        converted = [row for row in booked if _converts(row)]
        fees = _margin_fees(booked)
        if traded:
            trades.append(classify_trade(traded))
        if converted:
            conversion = classify_trade(converted)
            if conversion.complete:
                conversions.append(conversion)
            elif any(kind_of(row.type, row.subtype) is LedgerKind.CONVERSION for row in converted):
                incomplete.append(refid)  # a lone adjustment is an external flow, not this
        if fees is not None:
            margin[refid] = fees  # no fee charged is a fee of 0: the ledger decides
    trades.sort(key=lambda trade: (trade.time, trade.refid))
    return BookGroups(trades, conversions, sorted(incomplete), margin)


def _converts(row: LedgerEntry) -> bool:
    return kind_of(row.type, row.subtype, row.amount) is LedgerKind.CONVERSION or (
        row.type.lower() == "adjustment" and row.asset != KFEE
    )


def _margin_fees(rows: Sequence[LedgerEntry]) -> dict[str, Decimal] | None:
    """The fees of the margin rows among ``rows`` per asset; None when there is none."""
    margin = [row for row in rows if kind_of(row.type, row.subtype) is LedgerKind.MARGIN]
    if not margin:
        return None
    fees: dict[str, Decimal] = defaultdict(Decimal)
    with v.exact():
        for row in margin:
            fees[row.asset] += row.fee
    return {asset: v.tidy(fee) for asset, fee in fees.items() if fee}


@attrs.frozen
class FillDifference:
    """One field in which trades.csv and the ledger differ about one fill (the ledger won)."""

    exchange: str
    fill_id: str
    trading_pair: str
    field: str
    trades_csv: str
    ledger: str


def reported_figures(fill_price: Decimal, commission: Decimal) -> dict[str, Decimal]:
    """What a fill keeps of trades.csv when the ledger replaced it (``commission`` is in the
    quote asset, as trades.csv states every fee)."""
    return {"fill_price": fill_price, "commission": commission}


def book_differences(
    exchange: str,
    fill_id: str,
    trading_pair: str,
    quantity: Decimal,
    reported: Mapping[str, Decimal],
    fill_price: Decimal,
    commissions: Mapping[str, Decimal],
) -> list[FillDifference]:
    """How trades.csv's ``reported`` figures (:func:`reported_figures`) differ from the
    ledger's ``fill_price`` and ``commissions`` for a fill of ``quantity``: one record per
    field (``price``, ``cost``, ``fee``), empty when they agree."""
    quote = v.split_pair(trading_pair)[1]
    found: list[FillDifference] = []

    def differ(field: str, trades_csv: str, ledger: str) -> None:
        found.append(FillDifference(exchange, fill_id, trading_pair, field, trades_csv, ledger))

    price = reported["fill_price"]
    if price != fill_price:
        differ("price", f"{plain(price)} {quote}", f"{plain(fill_price)} {quote}")
        with v.exact():
            cost, charged = quantity * price, quantity * fill_price
        if cost != charged:
            differ("cost", f"{plain(cost)} {quote}", f"{plain(charged)} {quote}")
    fee = {quote: reported["commission"]} if reported["commission"] else {}
    paid = {asset: amount for asset, amount in commissions.items() if amount}
    if fee != paid:
        differ("fee", shown_fees(fee), shown_fees(paid))
    return found


#: What rows of each kind become in the account book (the import summary's words).
KIND_MEANING = {
    LedgerKind.TRADE: "order book trades: fills",
    LedgerKind.CONVERSION: "instant buys and sells: fills marked CONVERSION",
    LedgerKind.INCOME: "income (rewards, airdrops, bonuses): no fill, no cost",
    LedgerKind.INTERNAL: "moves between wallets: no PnL, no flow",
    LedgerKind.EXTERNAL: "deposits and withdrawals: external flows, not PnL",
    LedgerKind.MARGIN: "margin fees and settlements: in their margin fills' commissions",
    LedgerKind.UNKNOWN: "a type this tool does not know: stored, counted, in balances",
}


@attrs.frozen
class RowTypeCount:
    """How many rows of one ledger ``type`` (of one kind) an import stored."""

    type: str
    kind: LedgerKind
    rows: int

    @property
    def meaning(self) -> str:
        """What such rows become (:data:`KIND_MEANING`)."""
        return KIND_MEANING[self.kind]


def count_by_type(counts: Mapping[tuple[str, LedgerKind], int]) -> list[RowTypeCount]:
    """``counts`` per ``(type, kind)`` as records, by kind then type."""
    order = list(LedgerKind)
    return sorted(
        (RowTypeCount(type_, kind, rows) for (type_, kind), rows in counts.items()),
        key=lambda count: (order.index(count.kind), count.type),
    )


def row_key(entry: LedgerEntry) -> tuple[str, LedgerKind]:
    """The ``(type, kind)`` a row is counted under; two ``adjustment`` rows making a
    conversion are counted by the fill builder, not here (an adjustment is EXTERNAL)."""
    return entry.type.strip().lower(), kind_of(entry.type, entry.subtype, entry.amount)


#: The ledger row types of margin positions (kind MARGIN), as they are stored.
MARGIN_TYPES = ("margin", "margintrade", "rollover", "settled")


def margin_nets(
    rows: Iterable[LedgerEntry], since: datetime | None = None, until: datetime | None = None
) -> Iterator[tuple[str, datetime, Decimal]]:
    """``(asset, time, amount - fee)`` of each booked MARGIN row of ``rows`` whose time is in
    ``[since, until)``: what a margin row realized when no margin fill carries it."""
    for row in rows:
        if row.pending or kind_of(row.type, row.subtype) is not LedgerKind.MARGIN:
            continue
        if (since is not None and row.time < since) or (until is not None and row.time >= until):
            continue
        with v.exact():
            net = row.amount - row.fee
        yield row.asset, row.time, net


def ledger_margin(
    rows: Iterable[LedgerEntry], since: datetime | None = None, until: datetime | None = None
) -> dict[str, Decimal]:
    """The realized PnL of margin ``rows`` that no margin fill carries, per asset (the
    currency it is realized in): the exact sum of :func:`margin_nets`, zeros left out."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    with v.exact():
        for asset, _time, net in margin_nets(rows, since, until):
            totals[asset] += net
    return {asset: v.tidy(net) for asset, net in sorted(totals.items()) if net}
