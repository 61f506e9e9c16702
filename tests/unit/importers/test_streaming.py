"""Reading files as streams: the shape of a ccxt document, in-memory sources, the line limit."""

from __future__ import annotations

import io
import json

import pytest

from gal_friday.importers import (
    ImportFormatError,
    collect,
    parse_ccxt_trades,
    parse_kraken_trades,
    read_kraken_trades,
)
from gal_friday.importers.common import MAX_LINE_BYTES

TRADE = {
    "id": "t1",
    "order": "o1",
    "timestamp": 1704067200000,
    "symbol": "BTC/USD",
    "side": "buy",
    "price": 42000,
    "amount": "0.1",
    "fee": {"cost": 1, "currency": "USD"},
    "info": {"nested": [1, 2, {"deeper": True}]},
}
HEADER = "txid,ordertxid,pair,time,type,ordertype,price,cost,fee,vol,margin,misc,ledgers\n"
ROW = "T1,O1,XXBTZUSD,2024-01-01 10:00:00,buy,market,100,100,0.1,1,0,,{pad}\n"


def test_the_exchange_may_come_after_the_trades(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps({"trades": [TRADE, {**TRADE, "id": 2}], "skipped": [{}], "exchange": "bitstamp"})
    )
    batch = parse_ccxt_trades(path)
    assert [(r.fill.fill_id, r.fill.exchange) for r in batch.records] == [
        ("t1", "bitstamp"),
        ("2", "bitstamp"),
    ]
    assert batch.records[0].fill.fill_price == 42000  # an integer read as Decimal


def test_other_keys_before_the_trades_are_skipped_and_a_missing_list_is_refused(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"meta": {"a": [1, 2]}, "exchange": "kraken", "trades": [TRADE]}))
    assert len(parse_ccxt_trades(path).records) == 1
    path.write_text(json.dumps({"exchange": "kraken", "trades": {"t1": TRADE}}))
    with pytest.raises(ImportFormatError, match=r'expected a list of trades or \{"trades"'):
        parse_ccxt_trades(path)
    path.write_text(json.dumps("trades"))
    with pytest.raises(ImportFormatError, match="expected a list of trades"):
        parse_ccxt_trades(path)


def test_a_binary_stream_is_read_like_a_file():
    data = io.BytesIO((HEADER + ROW.format(pad="")).encode())
    batch = parse_kraken_trades(data)
    assert [r.fill.fill_id for r in batch.records] == ["T1"]
    assert batch.path == "<stream>"


def test_the_line_limit_is_exact(tmp_path):
    path = tmp_path / "t.csv"
    base = len(ROW.format(pad="").encode())
    path.write_text(HEADER + ROW.format(pad="x" * (MAX_LINE_BYTES - base)))
    assert len(parse_kraken_trades(path).records) == 1
    path.write_text(HEADER + ROW.format(pad="x" * (MAX_LINE_BYTES - base + 1)))
    with pytest.raises(ImportFormatError, match=r":2: a line longer than 65,536 bytes"):
        parse_kraken_trades(path)


def test_the_header_is_checked_before_any_row_is_read(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + "this row is broken\n")
    stream = read_kraken_trades(path)  # no error yet: rows are read when consumed
    assert stream.source.read_so_far == path.stat().st_size  # one block read, small file
    with pytest.raises(ImportFormatError, match=":2: expected 13 fields"):
        collect(stream)
    path.write_text("date,amount\n1,2\n")
    with pytest.raises(ImportFormatError, match=":1: not a Kraken trades export"):
        read_kraken_trades(path)
