"""Positions and balances (docs/reads.md, "Positions and balances").

Balances are sums grouped in SQL (:mod:`.exact_sums`): the fills by pair, side and fee
asset (one scan of a covering index on PostgreSQL), and the booked ledger rows that
are not fills; the domain (:mod:`gal_friday.domain.positions`) folds them per asset.
Positions read the open trades only (``exit_timestamp IS NULL``, indexed).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import Numeric, and_, cast, exists, func, select, text

from gal_friday.domain.enums import Side, TradeSide
from gal_friday.domain.positions import (
    FILL_TYPES,
    FeeFlow,
    Holding,
    LedgerFlow,
    OpenLot,
    PairFlow,
    Position,
    holdings,
    positions,
)
from gal_friday.persistence.repositories.base import Repository
from gal_friday.persistence.repositories.exact_sums import grouped_sums
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.tables.definitions import HAS_EXTRA_COMMISSIONS


class PositionRepository(Repository):
    """The read model of holdings per asset and net positions per pair."""

    def open_lots(self, trading_pair: str | None = None) -> list[OpenLot]:
        """The figures of every open trade (optionally of one pair)."""
        c = t.trades.c
        stmt = select(
            c.exchange,
            c.trading_pair,
            c.side,
            c.open_quantity,
            c.average_entry_price,
            c.realized_pnl,
            c.entry_timestamp,
        ).where(c.exit_timestamp.is_(None))
        if trading_pair is not None:
            stmt = stmt.where(c.trading_pair == trading_pair)
        return [
            OpenLot(row[0], row[1], TradeSide(row[2]), *row[3:])
            for row in self.session.execute(stmt.order_by(c.trade_pk))
        ]

    def positions(
        self, marks: Mapping[str, Decimal] | None = None, trading_pair: str | None = None
    ) -> list[Position]:
        """Net positions per exchange and pair, with unrealized PnL at ``marks`` (by pair)."""
        return positions(self.open_lots(trading_pair), marks)

    def pair_flows(self, exchange: str | None = None) -> tuple[list[PairFlow], list[FeeFlow]]:
        """What the fills moved per pair and side, and the fees they paid per asset (their
        commission, and the commissions some pay in another asset too)."""
        c = t.fills.c
        where = [] if exchange is None else [c.exchange == exchange]
        sums = grouped_sums(
            self.session,
            [c.exchange, c.trading_pair, c.side, c.commission_asset],
            [[c.quantity_filled], [c.quantity_filled, c.fill_price], [c.commission]],
            where,
        )
        flows: dict[tuple[str, str, Side], list[Decimal]] = {}
        fees: dict[tuple[str, str], Decimal] = {}
        for (venue, pair, side, asset), ((quantity, notional, commission), _) in sums.items():
            key = (venue, pair, Side(side))
            total = flows.setdefault(key, [Decimal(0), Decimal(0)])
            total[0] += quantity
            total[1] += notional
            fees[venue, asset] = fees.get((venue, asset), Decimal(0)) + commission
        for venue, extra in self._extra_commissions(exchange):
            for asset, amount in extra.items():
                fees[venue, asset] = fees.get((venue, asset), Decimal(0)) + amount
        return (
            [PairFlow(*key, *total) for key, total in sorted(flows.items())],
            [FeeFlow(venue, asset, fee) for (venue, asset), fee in sorted(fees.items())],
        )

    def _extra_commissions(self, exchange: str | None) -> list[tuple[str, dict[str, Decimal]]]:
        """The fills' commissions in a second asset (few fills have one: a partial index)."""
        c = t.fills.c
        dialect = self.session.get_bind().dialect.name
        stmt = select(c.exchange, c.extra_commissions).where(text(HAS_EXTRA_COMMISSIONS[dialect]))
        if exchange is not None:
            stmt = stmt.where(c.exchange == exchange)
        return [(venue, extra) for venue, extra in self.session.execute(stmt) if extra]

    def ledger_flows(self, exchange: str | None = None) -> list[LedgerFlow]:
        """The booked ledger rows that are not fills, summed per asset, type and sign."""
        le, f = t.ledger_entries.c, t.fills.c
        is_fill = exists().where(and_(f.exchange == le.exchange, f.fill_id == le.refid))
        credit = cast(le.amount, Numeric) > 0
        where = [le.txid.is_not(None), func.lower(le.type).not_in(FILL_TYPES), ~is_fill]
        if exchange is not None:
            where.append(le.exchange == exchange)
        sums = grouped_sums(
            self.session,
            [le.exchange, le.asset, le.type, le.subtype, credit],
            [[le.amount], [le.fee]],
            where,
        )
        return [
            LedgerFlow(venue, asset, type_, subtype, bool(is_credit), amount, fee)
            for (venue, asset, type_, subtype, is_credit), ((amount, fee), _) in sorted(
                sums.items(), key=lambda item: tuple(str(k) for k in item[0])
            )
        ]

    def balances(self, exchange: str | None = None) -> list[Holding]:
        """Holdings per exchange and asset: fills, their fees, and ledger flows (not fills)."""
        pair_flows, fee_flows = self.pair_flows(exchange)
        return holdings(pair_flows, fee_flows, self.ledger_flows(exchange))
