"""Income from the ledger per asset and type, valued at its own day's close."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from gal_friday.domain.errors import MissingConversionRateError
from gal_friday.domain.income import summarize_income
from gal_friday.importers.kraken_ledgers import parse_kraken_ledgers
from gal_friday.services.income import DayCloses
from tests.unit.test_ledger_replay import LEDGER_2026

D = Decimal
ENTRIES = parse_kraken_ledgers(LEDGER_2026).entries


def closes(pair_days: dict[str, dict[str, str]]):
    """``{pair: {day: close}}`` as daily candles' ``(close time, close)``."""
    return {
        pair: [
            (datetime.fromisoformat(day).replace(tzinfo=UTC) + timedelta(days=1), D(close))
            for day, close in sorted(days.items())
        ]
        for pair, days in pair_days.items()
    }


PRICES = closes(
    {
        "DOT/EUR": {"2026-01-10": "5.80", "2026-01-15": "6.10"},
        "BTC/EUR": {"2026-01-16": "88000"},
        "ETH/EUR": {"2026-01-17": "2900.50"},
    }
)


def test_amounts_per_asset_type_and_subtype_without_a_currency():
    summary = summarize_income(ENTRIES)
    rows = [
        (ln.asset, ln.type, ln.subtype, ln.rows, ln.amount, ln.fee, ln.net) for ln in summary.lines
    ]
    assert rows == [
        ("BTC.M", "earn", "reward", 1, D("0.00002"), D(0), D("0.00002")),
        ("DOT", "earn", "reward", 1, D("0.45"), D("0.02"), D("0.43")),
        ("DOT.S", "staking", None, 1, D("0.12"), D(0), D("0.12")),
        ("ETH2.S", "staking", None, 1, D("0.0015"), D(0), D("0.0015")),
    ]
    assert [line.priced_as for line in summary.lines] == ["BTC", "DOT", "DOT", "ETH"]
    assert all(line.value is None for line in summary.lines)
    assert (summary.rows, summary.total_value, summary.missing_prices) == (4, None, ())


def test_each_row_is_valued_at_its_day_close_as_its_base_asset():
    summary = summarize_income(ENTRIES, currency="EUR", value=DayCloses(PRICES, "EUR"))
    # 0.00002 x 88000; 0.43 x 6.10; 0.12 x 5.80 (DOT.S at DOT); 0.0015 x 2900.50 (ETH2.S at ETH)
    assert [line.value for line in summary.lines] == [
        D("1.76"),
        D("2.623"),
        D("0.696"),
        D("4.35075"),
    ]
    assert summary.total_value == D("9.42975")
    assert summary.missing_prices == ()


def test_since_and_until_select_by_booking_time():
    summary = summarize_income(
        ENTRIES,
        datetime(2026, 1, 15, tzinfo=UTC),
        datetime(2026, 1, 17, tzinfo=UTC),
    )
    assert [line.asset for line in summary.lines] == ["BTC.M", "DOT"]
    assert summary.amounts_by_asset() == {"BTC.M": D("0.00002"), "DOT": D("0.43")}


def test_a_missing_price_is_named_and_never_guessed():
    without_eth = {pair: points for pair, points in PRICES.items() if pair != "ETH/EUR"}
    summary = summarize_income(ENTRIES, currency="EUR", value=DayCloses(without_eth, "EUR"))
    eth = next(line for line in summary.lines if line.asset == "ETH2.S")
    assert eth.value is None and eth.net == D("0.0015")
    assert summary.total_value is None
    (missing,) = summary.missing_prices
    assert (missing.asset, missing.priced_as, missing.day) == ("ETH2.S", "ETH", date(2026, 1, 17))
    assert "ETH" in missing.reason and "2026-01-17" in missing.reason


def test_a_close_of_an_earlier_day_is_not_carried_forward():
    stale = closes({"ETH/EUR": {"2026-01-16": "2950"}})
    value = DayCloses(stale, "EUR")
    with pytest.raises(MissingConversionRateError) as raised:
        value("ETH", date(2026, 1, 17))
    assert "no ETH/EUR close on 2026-01-17 (the last before is on 2026-01-16)" in str(raised.value)
    assert value("ETH", date(2026, 1, 16)) == D(2950)
    assert value("EUR", date(2026, 1, 17)) == D(1)


def test_a_currency_needs_its_valuation():
    with pytest.raises(ValueError, match="both"):
        summarize_income(ENTRIES, currency="EUR")
