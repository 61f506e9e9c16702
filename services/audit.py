"""The audit: do the stored ledger's balances add up, and do the fills say what it says?

For every exchange with a stored ledger:

* each asset's booked entries are replayed in ledger order and the running
  balance compared with the ledger's ``balance`` column
  (:func:`~gal_friday.domain.ledger.replay_balances`); the opening balance is
  inferred from the first row, so an export starting mid-history balances;
* every stored fill whose id is a complete ledger trade's refid is compared
  with it: side, quantity, cost and fee (:func:`~gal_friday.domain.ledger.fill_disagreements`).

One-leg trades (an export filtered by asset) and pending rows are listed, never
counted as divergences. ``docs/ledgers.md`` states the rules and the exit code.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.ledger import AssetReplay, fill_disagreements, replay_balances, trade_amounts
from gal_friday.services.ports import RepositoriesProtocol, UnitOfWorkFactory
from gal_friday.services.reconcile import ledger_trades


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
    """Everything the audit found."""

    assets: list[AssetReplay]
    fills_checked: int
    fill_mismatches: list[FillMismatch]
    one_leg_refids: dict[str, list[str]]
    pending_entries: int

    @property
    def divergent_assets(self) -> list[AssetReplay]:
        """The assets whose replay disagrees with the ledger's balances."""
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
    repository = uow.ledger
    assets = replay_balances(repository.stream())
    mismatches: list[FillMismatch] = []
    one_leg: dict[str, list[str]] = {}
    checked = 0
    for exchange in repository.exchanges():
        trades = ledger_trades(repository, exchange)
        one_leg[exchange] = sorted(trade.refid for trade in trades if not trade.complete)
        complete = {trade.refid: trade for trade in trades if trade.complete}
        fills = repository.fills_by_ids(exchange, list(complete))
        for refid, fill in sorted(fills.items()):
            trade = complete[refid]
            checked += 1
            try:
                amounts = trade_amounts(trade, fill.trading_pair)
            except InvalidValueError as exc:
                problems = [exc.problem]
            else:
                problems = fill_disagreements(fill, amounts, with_fee=True)
            if problems:
                mismatches.append(
                    FillMismatch(exchange, fill.trading_pair, refid, trade.time, problems)
                )
    return AuditResult(
        assets=assets,
        fills_checked=checked,
        fill_mismatches=mismatches,
        one_leg_refids={exchange: refids for exchange, refids in one_leg.items() if refids},
        pending_entries=len(repository.pending()),
    )
