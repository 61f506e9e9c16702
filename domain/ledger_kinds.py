"""What each ledger row means for the account book (no ORM; docs/ledgers.md, "Row kinds").

Every Kraken ledger row has a ``type`` (and since 2021 a ``subtype``). The account
book gives each one exactly one :class:`LedgerKind`:

* ``TRADE``: one leg of an order book trade (``trade``), becomes part of a fill.
* ``CONVERSION``: one leg of an instant buy or sell (``spend``/``receive``, ``sale``,
  ``conversion``, and an ``adjustment`` that moves two assets under one refid): the
  legs sharing a refid become a fill marked as a conversion.
* ``INCOME``: staking and earn rewards, airdrops, bonuses, dividends: income, valued
  at the day's close; no cost is paid for it.
* ``INTERNAL``: moves holdings between wallets of the same account (earn allocations
  and deallocations, spot/staking transfers): no PnL, no flow.
* ``EXTERNAL``: deposits, withdrawals, custody transfers, transfers to and from Kraken
  Futures (whose wallet is not in the spot ledger) and lone adjustments: money
  entering or leaving the account (a flow in returns, never profit).
* ``MARGIN``: opening fees, rollovers and settlements of margin positions.
* ``UNKNOWN``: a type this tool does not know: stored, counted by type in the import
  summary, moved in balances, never silently dropped.

:func:`kind_of` decides from ``type``, ``subtype`` and the sign of ``amount``;
:func:`base_asset` names the asset a staked or earn variant stands for
(``DOT.S`` -> ``DOT``, ``ETH2.S`` -> ``ETH``, ``BTC.M`` -> ``BTC``, ``DOT28.S`` ->
``DOT``); :func:`count_kinds` counts rows by kind and type (the import summary).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from typing import Protocol


class LedgerKind(StrEnum):
    """What a ledger row is for the account book (see the module docstring)."""

    TRADE = "TRADE"
    CONVERSION = "CONVERSION"
    INCOME = "INCOME"
    INTERNAL = "INTERNAL"
    EXTERNAL = "EXTERNAL"
    MARGIN = "MARGIN"
    UNKNOWN = "UNKNOWN"


#: Row types whose kind does not depend on their subtype.
_BY_TYPE: dict[str, LedgerKind] = {
    "trade": LedgerKind.TRADE,
    "spend": LedgerKind.CONVERSION,
    "receive": LedgerKind.CONVERSION,
    "sale": LedgerKind.CONVERSION,
    "conversion": LedgerKind.CONVERSION,
    "staking": LedgerKind.INCOME,
    "reward": LedgerKind.INCOME,
    "dividend": LedgerKind.INCOME,
    "airdrop": LedgerKind.INCOME,
    "bonus": LedgerKind.INCOME,
    "invitebonus": LedgerKind.INCOME,
    "referralbonus": LedgerKind.INCOME,
    "credit": LedgerKind.INCOME,
    "deposit": LedgerKind.EXTERNAL,
    "withdrawal": LedgerKind.EXTERNAL,
    "custodytransfer": LedgerKind.EXTERNAL,
    "hybridearnwithdrawal": LedgerKind.INTERNAL,
    "margin": LedgerKind.MARGIN,
    "margintrade": LedgerKind.MARGIN,
    "rollover": LedgerKind.MARGIN,
    "settled": LedgerKind.MARGIN,
}

#: ``earn`` subtypes that pay: everything else under ``earn`` moves between wallets.
_EARN_INCOME = frozenset({"reward", "bonus", "airdrop"})
#: ``transfer`` subtypes that cross to Kraken Futures, an account this ledger does not hold.
_FUTURES_TRANSFERS = frozenset({"spottofutures", "spotfromfutures"})

#: Suffixes Kraken gives staked, opt-in reward, parachain, flexible and bonded variants.
STAKED_SUFFIXES = frozenset({"S", "M", "P", "F", "B"})
#: Whole codes that stand for another asset.
_ALIASES = {"ETH2": "ETH"}


def _clean(text: str | None) -> str:
    """Lower case without spaces, dashes or underscores (``invite bonus`` -> ``invitebonus``)."""
    return "".join(char for char in (text or "").lower() if char not in " _-\t")


def kind_of(type_: str, subtype: str | None = None, amount: Decimal | None = None) -> LedgerKind:
    """The kind of a row of ledger ``type_`` (and ``subtype``); ``amount`` signs a transfer.

    A ``transfer`` with a subtype (``spottostaking``, ``stakingfromspot``, ...) moves
    between wallets, except ``spottofutures`` and ``spotfromfutures``, which leave or
    enter the spot account (external); one without a subtype that credits the account
    is an airdrop or a fork (income), one that debits it is internal.
    An ``adjustment`` is external here; the fill builder makes a pair of adjustments
    under one refid a conversion.
    """
    row_type, row_subtype = _clean(type_), _clean(subtype)
    if row_type == "earn":
        return LedgerKind.INCOME if row_subtype in _EARN_INCOME else LedgerKind.INTERNAL
    if row_type == "transfer":
        if row_subtype in _FUTURES_TRANSFERS:
            return LedgerKind.EXTERNAL
        if row_subtype or amount is None or amount <= 0:
            return LedgerKind.INTERNAL
        return LedgerKind.INCOME
    if row_type == "adjustment":
        return LedgerKind.EXTERNAL
    return _BY_TYPE.get(row_type, LedgerKind.UNKNOWN)


def base_asset(asset: str) -> str:
    """The asset a staked or earn variant is worth: ``DOT.S`` -> ``DOT``, ``ETH2`` -> ``ETH``.

    With a known suffix, digits ending the code are a lock period and dropped
    (``DOT28.S``, ``KSM07.S`` -> ``DOT``, ``KSM``). Codes without a known suffix are
    returned unchanged; the variant keeps its own identity in balances, only its
    valuation uses the base asset.
    """
    code, dot, suffix = asset.partition(".")
    if dot and suffix in STAKED_SUFFIXES:
        if code in _ALIASES:
            return _ALIASES[code]
        return code.rstrip("0123456789") or code
    return _ALIASES.get(asset, asset)


class KindedRow(Protocol):
    """What :func:`count_kinds` reads of a row (a ``LedgerEntry`` is one)."""

    @property
    def type(self) -> str:
        """The ledger ``type``."""

    @property
    def subtype(self) -> str | None:
        """The ledger ``subtype`` (none before 2021)."""

    @property
    def amount(self) -> Decimal:
        """The signed amount."""


def count_kinds(rows: Iterable[KindedRow]) -> dict[tuple[LedgerKind, str], int]:
    """How many ``rows`` there are per ``(kind, type)``, sorted by kind then type.

    The type is as stored (lower case): an unknown type keeps its own name under
    ``LedgerKind.UNKNOWN``, so the import summary can say ``UNKNOWN nfttrade: 3``.
    Pending rows count like the others (they are stored).
    """
    counts: Counter[tuple[LedgerKind, str]] = Counter(
        (kind_of(row.type, row.subtype, row.amount), row.type) for row in rows
    )
    order = list(LedgerKind)
    return dict(sorted(counts.items(), key=lambda item: (order.index(item[0][0]), item[0][1])))
