"""ccxt unified trades JSON: fields, fee variants, bad entries."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from gal_friday.domain import LiquidityType, OrderType
from gal_friday.domain.errors import InvalidValueError
from gal_friday.importers import ImportFormatError, group_orders, parse_ccxt_trades
from gal_friday.importers.ccxt import read_ccxt_trades

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
        ({"timestamp": None, "datetime": "yesterday"}, "datetime", "ISO 8601"),
        ({"type": "weird"}, "type", "known order type"),
        ({"fees": [{"cost": "1", "currency": "USD"}, {"cost": "1"}]}, "fee", "its currency"),
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


# -- derivatives and fees in several currencies (issue 22, item 8) -------------------------------


def test_derivatives_are_skipped_and_counted_by_default(tmp_path):
    entries = [
        {**GOOD, "id": "p1", "symbol": "BTC/USDT:USDT"},
        GOOD,
        {**GOOD, "id": "p2", "symbol": "BTC/USDT:USDT"},
        {**GOOD, "id": "f1", "symbol": "ETH/USD:ETH-240329"},
        {**GOOD, "id": "t2"},
    ]
    stream = read_ccxt_trades(write(tmp_path, entries))
    records = list(stream.records)
    stream.close()
    assert [r.fill.fill_id for r in records] == ["t1", "t2"]
    assert [r.line for r in records] == [2, 5]  # entries keep their numbers
    assert stream.skipped.count == 3
    assert stream.skipped.by_symbol == {"BTC/USDT:USDT": 2, "ETH/USD:ETH-240329": 1}
    (note,) = stream.notes
    assert note.startswith("3 derivatives trades skipped: BTC/USDT:USDT (2), ETH/USD:ETH-240329")


def test_derivatives_are_refused_naming_the_entry_when_asked(tmp_path):
    entries = [GOOD, {**GOOD, "id": "p1", "symbol": "BTC/USDT:USDT"}]
    with pytest.raises(ImportFormatError) as info:
        parse_ccxt_trades(write(tmp_path, entries), derivatives="refuse")
    assert (info.value.entry, info.value.column) == (2, "symbol")
    assert "'BTC/USDT:USDT' is a derivatives contract" in str(info.value)
    assert read_ccxt_trades(write(tmp_path, [GOOD])).notes == []  # nothing to say


def test_an_unknown_derivatives_choice_is_refused(tmp_path):
    with pytest.raises(InvalidValueError, match="derivatives"):
        read_ccxt_trades(write(tmp_path, [GOOD]), derivatives="ignore")


@pytest.mark.parametrize(
    ("fees", "main", "extra"),
    [
        # the quote's sum is the commission, the third asset an extra one
        ([("1", "USD"), ("0.01", "BNB"), ("0.02", "BNB")], ("1", "USD"), {"BNB": "0.03"}),
        # no quote fee: the base's
        ([("0.0001", "BTC"), ("0.5", "BNB")], ("0.0001", "BTC"), {"BNB": "0.5"}),
        # neither: the first alphabetically; every other in its own asset
        ([("0.5", "KFEE"), ("0.01", "BNB"), ("2", "EUR")], ("0.01", "BNB"), {"EUR": "2", "KFEE": "0.5"}),
        # a rebate keeps its sign; fees summing to zero are no commission
        ([("-0.2", "USD"), ("0.1", "BNB"), ("-0.1", "BNB")], ("-0.2", "USD"), {}),
    ],
)  # fmt: skip
def test_fees_in_several_currencies_are_each_kept_in_their_asset(tmp_path, fees, main, extra):
    entry = {**GOOD, "fees": [{"cost": cost, "currency": code} for cost, code in fees]}
    (record,) = parse_ccxt_trades(write(tmp_path, [entry])).records
    fill = record.fill
    assert (fill.commission, fill.commission_asset) == (Decimal(main[0]), main[1])
    assert fill.extra_commissions == {asset: Decimal(x) for asset, x in extra.items()}


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


# -- timestamps (issue 13.9, 16.7) ----------------------------------------------------------------

MS_2024 = 1704067200000  # 2024-01-01T00:00:00Z


def refused(tmp_path: Path, change: dict) -> ImportFormatError:
    with pytest.raises(ImportFormatError) as info:
        parse_ccxt_trades(write(tmp_path, [GOOD, {**GOOD, "id": "t2", **change}]))
    error = info.value
    assert error.entry == 2
    assert str(error).startswith(f"{tmp_path / 'trades.json'}: entry 2: field ")
    assert "\n" not in str(error)
    return error


def test_milliseconds_are_read_as_milliseconds(tmp_path):
    fill = parse_ccxt_trades(write(tmp_path, [{**GOOD, "timestamp": MS_2024 + 7}])).records[0].fill
    assert fill.filled_at == datetime(2024, 1, 1, 0, 0, 0, 7000, tzinfo=UTC)


def test_a_seconds_timestamp_is_refused_with_the_milliseconds_it_means(tmp_path):
    error = refused(tmp_path, {"timestamp": MS_2024 // 1000})
    assert error.column == "timestamp"
    assert "1704067200 looks like epoch seconds (2024-01-01T00:00:00+00:00)" in str(error)
    assert "milliseconds: 1704067200000" in str(error)


def test_a_microseconds_timestamp_is_refused(tmp_path):
    error = refused(tmp_path, {"timestamp": MS_2024 * 1000})
    assert "looks like epoch microseconds" in str(error)


@pytest.mark.parametrize(
    ("stamp", "message"),
    [
        (0, "before 2009-01-03"),
        (1230940799999, "before 2009-01-03"),
        (-5, "before 2009-01-03"),
        (4102444800000, "more than a day in the future"),  # 2100
        ("1e999999999", "far out of range"),
        (1.5, "not a whole number of milliseconds"),
    ],
)
def test_implausible_timestamps_are_refused(tmp_path, stamp, message):
    change = {"timestamp": stamp}
    path = write(tmp_path, [GOOD, {**GOOD, "id": "t2"}])
    text = path.read_text().replace(f'"id": "t2", "order": "o1", "timestamp": {MS_2024}', "@")
    assert "@" in text
    stamp_json = stamp if isinstance(stamp, str) else json.dumps(stamp)
    path.write_text(text.replace("@", f'"id": "t2", "order": "o1", "timestamp": {stamp_json}'))
    with pytest.raises(ImportFormatError) as info:
        parse_ccxt_trades(path)
    assert info.value.entry == 2 and info.value.column == "timestamp", change
    assert message in str(info.value)


def test_the_first_plausible_millisecond_is_accepted(tmp_path):
    batch = parse_ccxt_trades(write(tmp_path, [{**GOOD, "timestamp": 1230940800000}]))
    assert batch.records[0].fill.filled_at == datetime(2009, 1, 3, tzinfo=UTC)


def test_datetime_and_timestamp_must_agree(tmp_path):
    agreeing = {**GOOD, "datetime": "2024-01-01T00:00:00.000Z"}
    assert parse_ccxt_trades(write(tmp_path, [agreeing])).records[0].fill.filled_at == datetime(
        2024, 1, 1, tzinfo=UTC
    )
    error = refused(tmp_path, {"datetime": "2024-01-01T02:00:00Z"})
    assert error.column == "datetime"
    assert "disagrees with timestamp 1704067200000 (2024-01-01T00:00:00+00:00)" in str(error)
    error = refused(tmp_path, {"timestamp": MS_2024 // 1000, "datetime": "2024-01-01T00:00:00Z"})
    assert "looks like epoch seconds" in str(error)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9999-12-31T23:00:00-05:00", "is out of range in UTC"),
        ("9999-12-31T23:00:00+00:00", "more than a day in the future"),
        ("1970-01-01T00:00:00Z", "before 2009-01-03"),
        ("2024-01-01T00:00:00", "has no timezone"),
    ],
)
def test_a_datetime_alone_is_checked_too(tmp_path, text, message):
    error = refused(tmp_path, {"timestamp": None, "datetime": text})
    assert error.column == "datetime"
    assert message in str(error)


# -- rebates, exchange ids, hostile documents -----------------------------------------------------


def test_a_negative_fee_is_a_rebate_kept_with_its_sign(tmp_path):
    rebate = {**GOOD, "fee": {"cost": "-0.25", "currency": "USD"}, "takerOrMaker": "maker"}
    fill = parse_ccxt_trades(write(tmp_path, [rebate])).records[0].fill
    assert (fill.commission, fill.commission_asset) == (Decimal("-0.25"), "USD")


def test_fee_currencies_take_our_asset_names(tmp_path):
    trade = {**GOOD, "fee": {"cost": "0.0001", "currency": "XBT"}}
    fill = parse_ccxt_trades(write(tmp_path, [trade])).records[0].fill
    assert fill.commission_asset == "BTC" == fill.base_asset


@pytest.mark.parametrize("given", ["Kraken", "KRAKEN", " kraken "])
def test_the_exchange_takes_ccxts_id(tmp_path, given):
    batch = parse_ccxt_trades(write(tmp_path, [GOOD], exchange=given))
    assert batch.records[0].fill.exchange == "kraken"
    batch = parse_ccxt_trades(write(tmp_path, [GOOD], exchange=None), exchange=given)
    assert batch.records[0].fill.exchange == "kraken"


def test_a_long_exchange_is_one_line_naming_the_file(tmp_path):
    path = write(tmp_path, [GOOD], exchange=None)
    with pytest.raises(ImportFormatError) as info:
        parse_ccxt_trades(path, exchange="x" * 100)
    assert str(info.value).startswith(f"{path}: exchange: 'xxxx")
    assert "longer than 64 characters" in str(info.value)
    assert len(info.value.message) < 150


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"id": "i" * 200}, "id", "is longer than 128 characters (200)"),
        ({"order": "o" * 129}, "order", "is longer than 128"),
        ({"id": "a\x00b"}, "id", "NUL character"),
        ({"order": "a\ud800b"}, "order", "lone UTF-16 surrogate"),
        ({"id": "@BIG@"}, "id", "longer than 128"),  # a 5,000-digit number
        ({"symbol": "B\x00TC/USD"}, "symbol", "NUL character"),
        ({"fee": {"cost": "1", "currency": "U\x00SD"}}, "fee", "NUL"),
    ],
)
def test_hostile_values_are_one_line_naming_the_field(tmp_path, change, field, message):
    path = tmp_path / "trades.json"
    text = json.dumps({"exchange": "kraken", "trades": [GOOD, {**GOOD, "id": "t2", **change}]})
    text = text.replace('"@BIG@"', "9" * 5000)
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with pytest.raises(ImportFormatError) as info:
        parse_ccxt_trades(path)
    assert info.value.entry == 2 and info.value.column == field
    assert message in str(info.value)
    assert len(str(info.value)) < 300 and "\n" not in str(info.value)


def test_deeply_nested_json_is_one_line(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ImportFormatError, match=r"deep.json: the JSON is nested too deeply"):
        parse_ccxt_trades(path, exchange="kraken")
    path.write_text(json.dumps([{**GOOD, "info": "@"}]).replace('"@"', "[" * 50_000 + "]" * 50_000))
    with pytest.raises(ImportFormatError, match="nested too deeply"):
        parse_ccxt_trades(path, exchange="kraken")


def test_a_symbol_kraken_style_is_split_like_kraken(tmp_path):
    fill = parse_ccxt_trades(write(tmp_path, [{**GOOD, "symbol": "TRX/XBT"}])).records[0].fill
    assert fill.trading_pair == "TRX/BTC"
    mapped = parse_ccxt_trades(
        write(tmp_path, [{**GOOD, "symbol": "NEWUSD"}]), pair_map={"NEWUSD": "NEW/USD"}
    )
    assert mapped.records[0].fill.trading_pair == "NEW/USD"


def test_a_base_fee_that_eats_the_whole_buy_is_refused_at_its_entry(tmp_path):
    error = refused(tmp_path, {"fee": {"cost": "0.1", "currency": "BTC"}})  # amount is 0.1
    assert error.column == "fee"
    assert "pays 0.1 BTC on a buy of 0.1 BTC" in str(error)
