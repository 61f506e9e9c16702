"""Kraken trades export: every header layout, quoting style, pair form and malformed row."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from gal_friday.domain import OrderType, Side
from gal_friday.importers import (
    ImportFormatError,
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
