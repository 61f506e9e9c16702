"""ccxt unified trades JSON: fields, fee variants, bad entries."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from gal_friday.domain import LiquidityType, OrderType
from gal_friday.importers import ImportFormatError, group_orders, parse_ccxt_trades

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "importers"


def test_every_field_and_fee_variant():
    batch = parse_ccxt_trades(FIXTURES / "ccxt-trades.json")
    first, second, third = (r.fill for r in batch.records)
    assert first.exchange == "binance"
    assert first.filled_at == datetime(2024, 1, 1, 0, 0, 0, 123000, tzinfo=UTC)
    assert (first.fill_price, first.quantity_filled) == (Decimal("0.6123"), Decimal("1000"))
    assert (first.commission, first.commission_asset) == (Decimal("0.6123"), "USDT")
    assert first.liquidity_type is LiquidityType.MAKER
    assert second.fill_id == "2"
    assert (second.commission, second.commission_asset) == (Decimal("0.5"), "XRP")  # fee in base
    assert (third.commission, third.commission_asset) == (Decimal(0), "USDT")  # no fee
    assert batch.records[2].order_type is OrderType.MARKET
    groups = group_orders(batch.path, batch.records)
    assert [(g.order_ref, len(g.fills)) for g in groups] == [("o1", 2), ("c3", 1)]


def write(tmp_path: Path, trades: list, exchange: str | None = "kraken") -> Path:
    path = tmp_path / "trades.json"
    document = {"exchange": exchange, "trades": trades} if exchange else trades
    path.write_text(json.dumps(document))
    return path


GOOD = {
    "id": "t1",
    "order": "o1",
    "timestamp": 1704067200000,
    "symbol": "BTC/USD",
    "side": "buy",
    "type": "limit",
    "price": "42000",
    "amount": "0.1",
    "fee": {"cost": "1", "currency": "USD"},
}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"amount": "-1"}, "amount", "must not be negative"),
        ({"price": "abc"}, "price", "is not a number"),
        ({"side": "short"}, "side", "not buy or sell"),
        ({"symbol": "BTC/USD:USD"}, "symbol", "derivatives"),
        ({"timestamp": None, "datetime": "yesterday"}, "datetime", "ISO 8601"),
        (
            {"fees": [{"cost": "1", "currency": "USD"}, {"cost": "1", "currency": "BNB"}]},
            "fee",
            "several currencies",
        ),
        ({"type": "weird"}, "type", "known order type"),
    ],
)
def test_bad_entries_name_the_entry_and_field(tmp_path, change, field, message):
    entries = [GOOD, {**GOOD, "id": "t2", **change}]
    with pytest.raises(ImportFormatError) as info:
        parse_ccxt_trades(write(tmp_path, entries))
    assert info.value.entry == 2
    assert info.value.column == field
    assert message in str(info.value)
    assert "entry 2: field" in str(info.value)


def test_nan_and_bad_json_are_refused(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('[{"id": "x", "price": NaN}]')
    with pytest.raises(ImportFormatError, match="finite"):
        parse_ccxt_trades(path, exchange="kraken")
    path.write_text('[{"id": "x",')
    with pytest.raises(ImportFormatError, match="not valid JSON"):
        parse_ccxt_trades(path, exchange="kraken")


def test_the_exchange_must_be_known(tmp_path):
    with pytest.raises(ImportFormatError, match="--exchange"):
        parse_ccxt_trades(write(tmp_path, [GOOD], exchange=None))
    batch = parse_ccxt_trades(write(tmp_path, [GOOD], exchange=None), exchange="kraken")
    assert batch.records[0].fill.exchange == "kraken"
