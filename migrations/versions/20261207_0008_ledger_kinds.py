"""Ledger rows of the 2025-26 export (fee and balance in USD, the fee's asset); staked
variants named like their base asset (``XBT.M`` -> ``BTC.M``).

The 16-column export adds ``feeusd``, ``balanceusd`` and ``feecurrency``; they are
stored as stated (docs/ledgers.md). Stored asset codes with a suffix get our name for
the code before the dot, as the importer now gives them (``XBT.M`` -> ``BTC.M``,
``XXDG.S`` -> ``DOGE.S``), so a re-import finds them. The downgrade drops the columns
and gives ``BTC.*`` and ``DOGE.*`` back Kraken's codes (``XBT.M``, ``XDG.S``), the ones
its exports use with a suffix.

Revision ID: 0008_ledger_kinds
Revises: 0007_account_book
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_ledger_kinds"
down_revision: str | None = "0007_account_book"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Kraken's codes and our names, as importers/data/kraken_assets.json had them at this revision.
_ALIASES = {
    "XBT": "BTC",
    "XDAO": "DAO",
    "XDG": "DOGE",
    "XETC": "ETC",
    "XETH": "ETH",
    "XICN": "ICN",
    "XLTC": "LTC",
    "XMLN": "MLN",
    "XNMC": "NMC",
    "XREP": "REP",
    "XXBT": "BTC",
    "XXDG": "DOGE",
    "XXLM": "XLM",
    "XXMR": "XMR",
    "XXRP": "XRP",
    "XXVN": "XVN",
    "XZEC": "ZEC",
    "ZAUD": "AUD",
    "ZCAD": "CAD",
    "ZCHF": "CHF",
    "ZEUR": "EUR",
    "ZGBP": "GBP",
    "ZJPY": "JPY",
    "ZUSD": "USD",
}
#: What the downgrade gives back: the codes Kraken's exports use before a suffix.
_KRAKEN_CODES = {"BTC": "XBT", "DOGE": "XDG"}

_entries = sa.table("ledger_entries", sa.column("asset", sa.String(16)))


def _money(name: str) -> sa.Column:
    return sa.Column(
        name,
        sa.Numeric(precision=38, scale=18).with_variant(sa.String(length=48), "sqlite"),
        nullable=True,
    )


def _rename_suffixed(names: Mapping[str, str]) -> None:
    """Rename every stored ``CODE.SUFFIX`` whose ``CODE`` is in ``names``."""
    bind = op.get_bind()
    dotted = bind.execute(
        sa.select(_entries.c.asset).distinct().where(_entries.c.asset.like("%.%"))
    ).scalars()
    renames = {}
    for asset in dotted:
        code, _, suffix = asset.partition(".")
        if code in names:
            renames[asset] = f"{names[code]}.{suffix}"
    for old, new in sorted(renames.items()):
        bind.execute(_entries.update().where(_entries.c.asset == old).values(asset=new))


def upgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.add_column(_money("feeusd"))
        batch_op.add_column(_money("balanceusd"))
        batch_op.add_column(sa.Column("feecurrency", sa.String(length=16), nullable=True))
    _rename_suffixed(_ALIASES)


def downgrade() -> None:
    _rename_suffixed(_KRAKEN_CODES)
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_column("feecurrency")
        batch_op.drop_column("balanceusd")
        batch_op.drop_column("feeusd")
