"""Kraken trades export: every header layout, quoting style, pair form and malformed row."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from gal_friday.domain import OrderType, Side
from gal_friday.importers import (
    ImportFormatError,
    collect,
    group_orders,
    normalize_pair,
    parse_kraken_trades,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "importers"
SAMPLE = Path(__file__).resolve().parents[3] / "importers" / "samples" / "kraken-trades-sample.csv"
CLASSIC = (FIXTURES / "kraken-classic.csv").read_text()


def write(tmp_path: Path, text: str, name: str = "trades.csv", raw: bytes | None = None) -> Path:
    path = tmp_path / name
    path.write_bytes(raw if raw is not None else text.encode())
    return path


def test_classic_13_column_layout_with_quoted_and_unquoted_fields():
    batch = parse_kraken_trades(FIXTURES / "kraken-classic.csv")
    first, second, third = (r.fill for r in batch.records)
    assert (first.fill_id, first.exchange_order_id, first.trading_pair) == (
        "TC1-AAAAA-BBBBB",
        "OC1-AAAAA-BBBBB",
        "BTC/USD",
    )
    assert (first.quantity_filled, first.fill_price, first.commission) == (
        Decimal("0.1"),
        Decimal("42000.1"),
        Decimal("6.72002"),
    )
    assert first.commission_asset == "USD"
    assert second.filled_at == datetime(2024, 1, 2, 10, 0, 1, 500000, tzinfo=UTC)
    assert third.trading_pair == "BTC/USDC"
    assert third.side is Side.SELL
    assert [r.line for r in batch.records] == [2, 3, 4]


def test_22_and_24_column_layouts():
    b22 = parse_kraken_trades(FIXTURES / "kraken-22.csv")
    assert [r.fill.trading_pair for r in b22.records] == ["DOGE/USD", "DOGE/BTC"]
    assert b22.records[1].fill.filled_at.microsecond == 123400
    b24 = parse_kraken_trades(FIXTURES / "kraken-24.csv")
    assert [r.fill.trading_pair for r in b24.records] == ["ETH/BTC", "DOT/BTC", "USDT/GBP"]
    assert [r.order_type for r in b24.records] == [
        OrderType.LIMIT,
        OrderType.TAKE_PROFIT,
        OrderType.STOP_LOSS_LIMIT,
    ]
    assert b24.records[0].fill.commission_asset == "BTC"


@pytest.mark.parametrize(
    ("code", "pair"),
    [
        ("XXBTZUSD", "BTC/USD"),
        ("XETHXXBT", "ETH/BTC"),
        ("XXDGXXBT", "DOGE/BTC"),
        ("DOTXBT", "DOT/BTC"),
        ("XBTUSDC", "BTC/USDC"),
        ("XBTUSD", "BTC/USD"),
        ("XDGUSD", "DOGE/USD"),
        ("USDT/GBP", "USDT/GBP"),
        ("XRPUSD", "XRP/USD"),
        ("xbt/usd", "BTC/USD"),
    ],
)
def test_pair_forms(code, pair):
    assert normalize_pair(code) == pair


def test_fills_sharing_an_ordertxid_make_one_order():
    batch = parse_kraken_trades(FIXTURES / "kraken-classic.csv")
    groups = group_orders(batch.path, batch.records)
    assert [(g.order_ref, len(g.fills), g.quantity) for g in groups] == [
        ("OC1-AAAAA-BBBBB", 2, Decimal("0.15")),
        ("OC2-AAAAA-BBBBB", 1, Decimal("0.15")),
    ]
    assert groups[0].limit_price == Decimal("42000.1")  # worst price of a BUY


def test_bom_and_crlf_are_accepted(tmp_path):
    data = "\ufeff".encode() + CLASSIC.replace("\n", "\r\n").encode()
    batch = parse_kraken_trades(write(tmp_path, "", raw=data))
    assert len(batch.records) == 3


def test_quoted_newlines_keep_line_numbers_right(tmp_path):
    lines = CLASSIC.splitlines()
    lines[1] = lines[1].replace('"LA1-X,LA2-Y"', '"LA1-X\nLA2-Y"')
    lines.append(lines[3].replace("TC3", "TC4").replace('"43000"', '"abc"'))
    with pytest.raises(ImportFormatError) as info:
        parse_kraken_trades(write(tmp_path, "\n".join(lines) + "\n"))
    assert info.value.line == 6
    assert info.value.column == "price"


MALFORMED = {
    "too many fields": ("TC2-AAAAA-BBBBB,", None, "expected 13 fields"),
    "bad number": ('"42000.1"', "price", "'4x2' is not a decimal number"),
    "bad time": ('"2024-01-02 10:00:00"', "time", "is not a valid time"),
    "bad time format": ('"2024-01-02 10:00:00"', "time", "is not YYYY-MM-DD"),
    "unknown side": ('"buy"', "type", "is not buy or sell"),
    "unknown pair": ('"XXBTZUSD"', "pair", "not a pair code"),
    "exponent": ('"0.1"', "vol", "not a decimal number"),
    "negative": ('"0.1"', "vol", "must not be negative"),
    "nan": ('"42000.1"', "price", "not a decimal number"),
}
REPLACEMENTS = {
    "too many fields": "TC2-AAAAA-BBBBB,extra,",
    "bad number": '"4x2"',
    "bad time": '"2024-13-02 10:00:00"',
    "bad time format": '"02/01/2024 10:00"',
    "unknown side": '"hold"',
    "unknown pair": '"QQQ"',
    "exponent": '"1e-1"',
    "negative": '"-0.1"',
    "nan": '"NaN"',
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_row_names_its_line_and_column(tmp_path, case):
    old, column, message = MALFORMED[case]
    lines = CLASSIC.splitlines()
    target = 2 if case == "too many fields" else 1
    lines[target] = lines[target].replace(old, REPLACEMENTS[case], 1)
    with pytest.raises(ImportFormatError) as info:
        parse_kraken_trades(write(tmp_path, "\n".join(lines) + "\n"))
    error = info.value
    assert error.line == target + 1
    assert error.column == column
    assert message in str(error)
    assert str(error).startswith(f"{tmp_path / 'trades.csv'}:{target + 1}:")
    assert "\n" not in str(error)


def test_too_few_fields(tmp_path):
    lines = CLASSIC.splitlines()
    lines.append("TX,OX,XXBTZUSD")
    with pytest.raises(
        ImportFormatError, match=r":5: expected 13 fields as in the header, found 3"
    ):
        parse_kraken_trades(write(tmp_path, "\n".join(lines)))


def test_an_unknown_layout_names_the_missing_columns(tmp_path):
    with pytest.raises(ImportFormatError, match=r":1: .*lacks ordertxid, vol"):
        parse_kraken_trades(write(tmp_path, "txid,pair,time,type,ordertype,price,fee\n"))


def test_an_empty_file_and_bad_bytes(tmp_path):
    with pytest.raises(ImportFormatError, match="empty"):
        parse_kraken_trades(write(tmp_path, ""))
    data = CLASSIC.encode().replace(b"limit", b"l\xffmit", 1)
    with pytest.raises(ImportFormatError, match=r":2: byte 0xff is not valid UTF-8"):
        parse_kraken_trades(write(tmp_path, "", raw=data))


def test_repeated_rows_are_kept_once_and_conflicting_ones_refused(tmp_path):
    lines = CLASSIC.splitlines()
    batch = parse_kraken_trades(write(tmp_path, "\n".join([*lines, lines[1]])))
    assert (len(batch.records), batch.duplicates_in_file) == (3, 1)
    conflicting = lines[1].replace('"0.1"', '"0.2"')
    with pytest.raises(
        ImportFormatError, match=r":5: column 'txid' \(1\): .*line 2 with other data"
    ):
        parse_kraken_trades(write(tmp_path, "\n".join([*lines, conflicting])))


def test_the_bundled_sample_parses():
    batch = parse_kraken_trades(SAMPLE)
    assert len(batch.records) == 15
    assert {pair for _, pair in batch.pairs} == {"XRP/USD", "DOGE/USD", "BTC/USD"}


# -- issue 13 / 16.7: pair codes, times, rebates, exchange ids, hostile values, format hints -------


def with_row(tmp_path: Path, old: str, new: str, row: int = 1) -> Path:
    lines = CLASSIC.splitlines()
    assert old in lines[row]
    lines[row] = lines[row].replace(old, new, 1)
    return write(tmp_path, "\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("code", "pair"),
    [("TRXXBT", "TRX/BTC"), ("XTZUSD", "XTZ/USD"), ("ZRXXBT", "ZRX/BTC"), ("TRX/XBT", "TRX/BTC")],
)
def test_a_compact_code_in_the_file_keeps_its_base(tmp_path, code, pair):
    batch = parse_kraken_trades(with_row(tmp_path, '"XXBTZUSD"', f'"{code}"'))
    assert batch.records[0].fill.trading_pair == pair
    assert batch.records[0].fill.commission_asset == pair.split("/")[1]


def test_an_unknown_code_names_line_column_and_the_pair_map(tmp_path):
    path = with_row(tmp_path, '"XXBTZUSD"', '"FOOBAR"')
    with pytest.raises(ImportFormatError) as info:
        parse_kraken_trades(path)
    assert str(info.value) == (
        f"{path}:2: column 'pair' (3): 'FOOBAR' is not a pair code of known Kraken assets: "
        "map it by hand with --pair-map FOOBAR=BASE/QUOTE"
    )
    batch = parse_kraken_trades(path, pair_map={"FOOBAR": "FOO/BAR"})
    assert batch.records[0].fill.trading_pair == "FOO/BAR"


@pytest.mark.parametrize(
    ("time", "message"),
    [
        ("1970-01-01 00:00:00", "is before 2009-01-03"),
        ("2009-01-02 23:59:59", "is before 2009-01-03"),
        ("2999-01-01 00:00:00", "more than a day in the future"),
        ("9999-12-31 23:59:59", "more than a day in the future"),
    ],
)
def test_implausible_times_are_refused(tmp_path, time, message):
    with pytest.raises(ImportFormatError) as info:
        parse_kraken_trades(with_row(tmp_path, "2024-01-02 10:00:00", time))
    assert (info.value.line, info.value.column) == (2, "time")
    assert message in str(info.value)


def test_a_negative_fee_is_a_rebate(tmp_path):
    batch = parse_kraken_trades(with_row(tmp_path, '"6.72002"', '"-0.42"'))
    assert batch.records[0].fill.commission == Decimal("-0.42")


@pytest.mark.parametrize("given", ["Kraken", "KRAKEN", "kraken"])
def test_the_exchange_takes_ccxts_id(given):
    batch = parse_kraken_trades(FIXTURES / "kraken-classic.csv", exchange=given)
    assert {r.fill.exchange for r in batch.records} == {"kraken"}


@pytest.mark.parametrize(
    ("old", "new", "column", "message"),
    [
        ('"TC1-AAAAA-BBBBB"', '"' + "T" * 200 + '"', "txid", "is longer than 128 characters (200)"),
        ('"OC1-AAAAA-BBBBB"', '"' + "O" * 129 + '"', "ordertxid", "is longer than 128"),
    ],
)
def test_hostile_values_are_one_short_line_naming_line_and_column(
    tmp_path, old, new, column, message
):
    with pytest.raises(ImportFormatError) as info:
        parse_kraken_trades(with_row(tmp_path, old, new))
    error = info.value
    assert (error.line, error.column) == (2, column)
    assert message in str(error)
    assert "\n" not in str(error) and len(error.message) < 200


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"TC1-AAAAA-BBBBB"', '"TC1\x00"'),
        ('"OC1-AAAAA-BBBBB"', '"O\x00C1"'),
        ('"XXBTZUSD"', '"XXBT\x00ZUSD"'),
    ],
)
def test_a_nul_in_any_field_is_binary_content_named_by_its_line(tmp_path, old, new):
    # The file is read in blocks and a NUL refuses its block before any row is parsed
    # (docs/import-flow.md), so the error names the line, not the column.
    with pytest.raises(ImportFormatError) as info:
        parse_kraken_trades(with_row(tmp_path, old, new))
    error = info.value
    assert error.line == 2
    assert "binary content (a NUL byte)" in str(error)
    assert "\n" not in str(error) and len(error.message) < 200


def test_a_json_file_given_as_kraken_trades_hints_at_the_format(tmp_path):
    from gal_friday.importers import FORMATS

    path = write(tmp_path, '{"exchange": "kraken", "trades": []}', name="trades.json")
    with pytest.raises(ImportFormatError) as info:
        FORMATS["kraken-trades"](path)
    assert str(info.value).startswith(f"{path}:1: ")
    assert str(info.value).endswith("this looks like a JSON file; try --format ccxt-trades")
    csv_path = write(tmp_path, CLASSIC)
    with pytest.raises(ImportFormatError) as info:
        FORMATS["ccxt-trades"](csv_path, exchange="kraken")
    assert str(info.value).startswith(f"{csv_path}: not valid JSON")  # streamed: no line
    assert str(info.value).endswith("this looks like a CSV file; try --format kraken-trades")


def test_no_hint_when_the_file_is_of_the_right_kind(tmp_path):
    from gal_friday.importers import FORMATS

    path = with_row(tmp_path, '"42000.1"', '"abc"')
    with pytest.raises(ImportFormatError) as info:
        collect(FORMATS["kraken-trades"](path))  # the row's error comes as it is read
    assert info.value.line == 2
    assert "--format" not in str(info.value)
