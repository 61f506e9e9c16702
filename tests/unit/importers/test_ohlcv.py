"""Candle files: Kraken OHLCVT CSV and ccxt fetch_ohlcv JSON, read exactly or refused clearly."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gal_friday.domain.candles import Candle, interval_code, parse_interval
from gal_friday.domain.errors import InvalidValueError
from gal_friday.importers import ImportFormatError
from gal_friday.importers import ohlcv as o

DAY = 86400


def kraken(text: str) -> list[o.Located]:
    return list(
        o.parse_kraken_ohlcvt(
            io.BytesIO(text.encode()), trading_pair="BTC/USD", interval_s=DAY, exchange="Kraken"
        )
    )


def ccxt(text: str) -> list[o.Located]:
    source = io.BytesIO(text.encode())
    return list(o.parse_ccxt_ohlcv(source, trading_pair="BTC/USD", interval_s=DAY))


def test_kraken_rows_are_exact_decimals_with_their_line():
    rows = kraken(
        "1704067200,42283.6,44184.1,42180.0,44179.1,1437.27,19998\n\n1704153600,1,2,0.5,1.5,0,0\n"
    )
    (where, first), (where2, second) = rows
    assert where == o.Location("<stream>", line=1) and where2.line == 3
    assert first == Candle(
        exchange="kraken",
        trading_pair="BTC/USD",
        interval_s=DAY,
        open_time=datetime(2024, 1, 1, tzinfo=UTC),
        open=Decimal("42283.6"),
        high=Decimal("44184.1"),
        low=Decimal("42180.0"),
        close=Decimal("44179.1"),
        volume=Decimal("1437.27"),
        trade_count=19998,
    )
    assert isinstance(first.close, Decimal) and first.close_time == datetime(2024, 1, 2, tzinfo=UTC)
    assert second.volume == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1704067200,1,2,0.5,1,1\n", "<stream>:1: 6 fields, expected 7"),
        ("1704067200,1,2,0.5,1,1,3\n17040x,1,2,0.5,1,1,3\n", "<stream>:2: column 'time' (1)"),
        ("1704067200.5,1,2,0.5,1,1,3\n", "not a whole number of seconds"),
        ("1704067200,1,2,3,1,1,3\n", "<stream>:1: column 'low' (4): 3 is above"),
        ("1704067200,1,0.9,0.5,1,1,3\n", "column 'high' (3)"),
        ("1704067200,1,2,0.5,1,-1,3\n", "column 'volume' (6): must not be negative"),
        ("1704067200,1,2,0.5,1,1e3,3\n", "column 'volume' (6): '1e3' is not a decimal"),
        ("1704067200,1,2,0.5,NaN,1,3\n", "column 'close' (5)"),
        ("1704067200,0,2,0.5,1,1,3\n", "column 'open' (2): must be greater than zero"),
        ("1704067200,1,2,0.5,1,1,2.5\n", "column 'trades' (7)"),
        ("99,1,2,0.5,1,1,2\n", "not a plausible candle time"),
    ],
)
def test_kraken_bad_rows_name_line_and_field(text, expected):
    with pytest.raises(ImportFormatError) as info:
        kraken(text)
    assert expected in str(info.value)


def test_ccxt_entries_are_decimals_never_floats():
    rows = ccxt(
        "[[1704067200000, 42283.6, 44184.1, 42180, 44179.1, 1437.27] ,\n [1704153600000,1,2,0.5,1.5,0]]"
    )
    assert [where.entry for where, _ in rows] == [0, 1]
    candle = rows[0][1]
    assert candle.close == Decimal("44179.1") and type(candle.close) is Decimal
    assert candle.trade_count is None and candle.exchange == "kraken"


def test_ccxt_reads_an_array_longer_than_one_read(monkeypatch):
    monkeypatch.setattr(o, "_CHUNK", 7)  # every number is cut between two reads
    body = ",".join(
        f"[{1704067200000 + i * DAY * 1000}, 1.25, 2.5, 0.125, 1.5, 10.001]" for i in range(50)
    )
    rows = ccxt(f"[{body}]")
    assert len(rows) == 50 and all(c.volume == Decimal("10.001") for _, c in rows)
    assert rows[-1][0].entry == 49


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{}", "expected a JSON array of candles"),
        ("[[1704067200000, 1, 2, 0.5, 1.5]]", "entry 0: expected [timestamp, open"),
        ('[[1704067200000, 1, 2, 0.5, 1.5, "x"]]', "entry 0: field 'volume': 'x' is not a number"),
        ("[[1704067200000, 1, 2, 0.5, 1.5, NaN]]", "field 'volume'"),
        (
            "[[1704067200, 1, 2, 0.5, 1.5, 1]]",
            "field 'timestamp': 1704067200 looks like epoch seconds",
        ),
        ("[[1704067200000, 1, 2, 0.5, 1.5, 1], [1", "entry 1: invalid JSON"),
        ("[[1704067200000, 1, 2, 0.5, 1.5, 1]] x", "text after the end"),
        ("[[1704067200000, 1, 2, 3, 1.5, 1]]", "field 'low'"),
    ],
)
def test_ccxt_bad_entries_name_the_entry_and_field(text, expected):
    with pytest.raises(ImportFormatError) as info:
        ccxt(text)
    assert expected in str(info.value)


def test_empty_ccxt_array_has_no_candles():
    assert ccxt(" [ ] ") == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("XBTUSD_1440.csv", ("BTC/USD", DAY)),
        ("/tmp/x/XDGUSD_60.csv", ("DOGE/USD", 3600)),
        ("XRPUSD_1.csv", ("XRP/USD", 60)),
        ("prices.csv", None),
        ("XBTUSD_0.csv", None),
        ("prices_60.csv", None),  # not a Kraken pair code: the options must say
    ],
)
def test_kraken_file_names_carry_pair_and_minutes(name, expected):
    assert o.kraken_file_name(name) == expected


def test_intervals():
    assert (
        parse_interval("1d") == DAY
        and parse_interval("15m") == 900
        and parse_interval("1W") == 7 * DAY
    )
    assert interval_code(DAY) == "1d" and interval_code(3600) == "1h" and interval_code(90) == "90s"
    for bad in ("", "1", "0d", "1y", "-1d"):
        with pytest.raises(InvalidValueError, match="interval"):
            parse_interval(bad)


def test_ccxt_text_cut_inside_a_character_and_a_bom(monkeypatch):
    monkeypatch.setattr(o, "_CHUNK", 3)
    text = "\ufeff[[1704067200000, 1, 2, 0.5, 1.5, 1]] \n"
    assert (
        len(
            list(
                o.parse_ccxt_ohlcv(
                    io.BytesIO(text.encode()), trading_pair="BTC/USD", interval_s=DAY
                )
            )
        )
        == 1
    )
    with pytest.raises(ImportFormatError, match="not valid UTF-8"):
        list(
            o.parse_ccxt_ohlcv(
                io.BytesIO(b"[[1704067200000, \xff1]]"), trading_pair="BTC/USD", interval_s=DAY
            )
        )
    # an 'é' (2 bytes) split by the 3-byte reads is read whole: the error is about the value, not the bytes
    with pytest.raises(ImportFormatError, match="field 'open': 'éé' is not a number"):
        list(
            o.parse_ccxt_ohlcv(
                io.BytesIO('[[1704067200000, "éé", 2, 0.5, 1.5, 1]]'.encode()),
                trading_pair="BTC/USD",
                interval_s=DAY,
            )
        )


GOOD_LINE = b"1704067200,42283.6,44184.1,42180.0,44179.1,1437.27,19998\n"
GOOD_JSON = b"[[1704067200000, 42283.6, 44184.1, 42180, 44179.1, 1437.27]]"


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=120), cut=st.integers(0, 80))
def test_hostile_bytes_give_candles_or_one_clear_error(data, cut):
    for parser, good in ((o.parse_kraken_ohlcvt, GOOD_LINE), (o.parse_ccxt_ohlcv, GOOD_JSON)):
        for source in (data, good[:cut] + data + good[cut:]):
            message, rows = "", []
            try:
                rows = list(parser(io.BytesIO(source), trading_pair="BTC/USD", interval_s=DAY))
            except ImportFormatError as exc:
                message = str(exc)
            if message:
                assert "\n" not in message and message.startswith("<stream>")
            assert all(isinstance(c.close, Decimal) for _, c in rows)
