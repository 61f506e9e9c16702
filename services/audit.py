"""The audit: do the stored ledger's balances add up, and do the fills say what it says?

For every exchange with a stored ledger:

* each asset's booked entries are replayed per wallet (``spot / main``,
  ``earn / bonded``, ...) in ledger order and the running balance compared with the
  ledger's ``balance`` column (:func:`~gal_friday.domain.ledger_replay.replay_balances`);
  the opening balance is inferred from the first row, so an export starting
  mid-history balances; the wallets of each asset are also summed
  (:func:`~gal_friday.domain.ledger_replay.asset_totals`);
* every stored fill whose id is a complete ledger trade's refid is compared
  with it: side, quantity, cost and fee (:func:`~gal_friday.domain.ledger.fill_disagreements`);
* every fill that keeps trades.csv's figures beside the ledger's (``reported``) lists
  how they differ (:func:`~gal_friday.domain.account_book.book_differences`): the
  ledger won, so these are not divergences.

One-leg trades (an export filtered by asset) and pending rows are listed, never
counted as divergences. ``docs/ledgers.md`` states the rules and the exit code. Both
checks stream the history, so memory stays flat in its size (docs/performance.md,
"Memory of audit and equity").
"""

from __future__ import annotations

from datetime import datetime

import attrs

from gal_friday.domain.account_book import FillDifference, book_differences
from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.fill import FillView
from gal_friday.domain.ledger import (
    LedgerTrade,
    classify_trade,
    fill_disagreements,
    trade_amounts,
)
from gal_friday.domain.ledger_replay import AssetReplay, AssetTotal, asset_totals, replay_balances
from gal_friday.services.ports import RepositoriesProtocol, UnitOfWorkFactory


@attrs.frozen
class FillMismatch:
    """A fill that its ledger trade contradicts."""

    exchange: str
    trading_pair: str
    refid: str
    time: datetime
    problems: list[str]


@attrs.frozen
class AuditResult:
    """Everything the audit found: ``assets`` per asset and wallet, ``totals`` per asset."""

    assets: list[AssetReplay]
    fills_checked: int
    fill_mismatches: list[FillMismatch]
    one_leg_refids: dict[str, list[str]]
    pending_entries: int
    totals: list[AssetTotal] = attrs.field(factory=list)
    #: Where trades.csv and the ledger differ (the ledger's figures were taken): not divergences.
    differences: list[FillDifference] = attrs.field(factory=list)

    @property
    def divergent_assets(self) -> list[AssetReplay]:
        """The (asset, wallet)s whose replay disagrees with the ledger's balances."""
        return [asset for asset in self.assets if not asset.balanced]

    @property
    def balanced(self) -> bool:
        """True when every balance adds up and every checked fill agrees."""
        return not self.divergent_assets and not self.fill_mismatches


def audit(uow_factory: UnitOfWorkFactory) -> AuditResult:
    """Replay the stored ledger and compare the fills with it (one transaction, read only)."""
    with uow_factory() as uow:
        return _audit(uow)


def _audit(uow: RepositoriesProtocol) -> AuditResult:
    """One streamed pass over the ledger for the balances, one per exchange over its trades
    with their fills: memory is O(assets and wallets) plus what is reported."""
    repository = uow.ledger
    assets = replay_balances(repository.stream())
    totals = asset_totals(assets)
    mismatches: list[FillMismatch] = []
    one_leg: dict[str, list[str]] = {}
    checked = 0
    for exchange in repository.exchanges():
        partial: list[str] = []
        found: list[FillMismatch] = []
        for entries, fill in repository.trades_with_fills(exchange):
            trade = classify_trade(entries)
            if not trade.complete:
                partial.append(trade.refid)
                continue
            if fill is None:
                continue
            checked += 1
            problems = _problems(trade, fill)
            if problems:
                found.append(
                    FillMismatch(exchange, fill.trading_pair, trade.refid, trade.time, problems)
                )
        one_leg[exchange] = sorted(partial)
        mismatches.extend(sorted(found, key=lambda mismatch: mismatch.refid))
    return AuditResult(
        assets=assets,
        fills_checked=checked,
        fill_mismatches=mismatches,
        one_leg_refids={exchange: refids for exchange, refids in one_leg.items() if refids},
        pending_entries=len(repository.pending()),
        totals=totals,
        differences=_differences(uow),
    )


def _differences(uow: RepositoriesProtocol) -> list[FillDifference]:
    """How the fills whose ids are ledger refids differ from the trades.csv figures they
    keep (``reported``), per exchange, fill and field (streamed: only such fills are read)."""
    found: list[FillDifference] = []
    for fill in uow.ledger.reported_fills_in_ledger():
        if fill.reported:
            found += book_differences(
                fill.exchange,
                fill.fill_id,
                fill.trading_pair,
                fill.quantity_filled,
                fill.reported,
                fill.fill_price,
                fill.commissions,
            )
    return found


def _problems(trade: LedgerTrade, fill: FillView) -> list[str]:
    """How ``fill`` differs from its complete ledger ``trade``."""
    try:
        amounts = trade_amounts(trade, fill.trading_pair)
    except InvalidValueError as exc:
        return [exc.problem]
    return fill_disagreements(fill, amounts, with_fee=True)
