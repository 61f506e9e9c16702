"""Signal lifecycle and price sanity (docs/trading-rules.md, "Signals")."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC
from decimal import Decimal
from typing import Any

import pytest

from gal_friday.domain import (
    InvalidTransitionError,
    InvalidValueError,
    OrderType,
    Signal,
    SignalStatus,
)

D = Decimal
SS = SignalStatus


def make_signal(**overrides: Any) -> Signal:
    fields: dict[str, Any] = {
        "trading_pair": "XRP/USD",
        "exchange": "kraken",
        "strategy_id": "s1",
        "side": "BUY",
        "entry_type": "LIMIT",
        "proposed_entry_price": Decimal("0.50"),
        "proposed_sl_price": Decimal("0.48"),
        "proposed_tp_price": Decimal("0.55"),
    }
    fields.update(overrides)
    return Signal(**fields)


def signal_in(status: SignalStatus) -> Signal:
    signal = make_signal()
    if status is SS.APPROVED:
        signal.approve()
    elif status is SS.REJECTED_RISK:
        signal.reject_risk("exposure")
    elif status is SS.REJECTED_ERROR:
        signal.reject_error("no price feed")
    assert signal.status is status
    return signal


DECISIONS = {
    SS.APPROVED: lambda signal: signal.approve({"ok": True}),
    SS.REJECTED_RISK: lambda signal: signal.reject_risk("too big"),
    SS.REJECTED_ERROR: lambda signal: signal.reject_error("feed down"),
}


# -- lifecycle --------------------------------------------------------------------------------


def test_a_new_signal_is_proposed_with_an_id_and_a_utc_time():
    signal = make_signal()
    assert signal.status is SS.PROPOSED
    assert isinstance(signal.signal_id, uuid.UUID)
    assert signal.signal_id != make_signal().signal_id
    assert signal.created_at.tzinfo is UTC
    assert signal.rejection_reason is None


@pytest.mark.parametrize(("current", "target"), list(itertools.product(SS, DECISIONS)))
def test_only_a_proposed_signal_can_be_decided(current, target):
    signal = signal_in(current)
    before = (signal.status, signal.rejection_reason, signal.risk_check_details)
    if current is SS.PROPOSED:
        DECISIONS[target](signal)
        assert signal.status is target
        return
    with pytest.raises(InvalidTransitionError) as info:
        DECISIONS[target](signal)
    assert f"signal cannot go from {current.value} to {target.value}" in str(info.value)
    assert (signal.status, signal.rejection_reason, signal.risk_check_details) == before


def test_approval_keeps_a_copy_of_the_details_and_no_reason():
    details = {"checks": ["exposure"], "score": "0.7"}
    signal = make_signal()
    signal.approve(details)
    details["checks"] = []
    assert signal.status is SS.APPROVED
    assert signal.risk_check_details == {"checks": ["exposure"], "score": "0.7"}
    assert signal.rejection_reason is None


def test_approval_without_details_leaves_them_empty():
    signal = make_signal()
    signal.approve()
    assert signal.risk_check_details is None


@pytest.mark.parametrize(
    ("method", "status"),
    [("reject_risk", SS.REJECTED_RISK), ("reject_error", SS.REJECTED_ERROR)],
)
@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_rejection_needs_a_reason(method, status, reason):
    signal = make_signal()
    with pytest.raises(InvalidValueError, match="^rejection_reason: must be a non-empty string"):
        getattr(signal, method)(reason)
    assert signal.status is SS.PROPOSED
    assert signal.rejection_reason is None


@pytest.mark.parametrize(
    ("method", "status"),
    [("reject_risk", SS.REJECTED_RISK), ("reject_error", SS.REJECTED_ERROR)],
)
def test_a_rejection_records_reason_and_details(method, status):
    signal = make_signal()
    getattr(signal, method)(" exposure above 30% ", {"exposure_pct": "31.5"})
    assert signal.status is status
    assert signal.rejection_reason == "exposure above 30%"
    assert signal.risk_check_details == {"exposure_pct": "31.5"}


# -- prices -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("side", "sl", "tp"),
    [
        ("BUY", "0.48", "0.55"),
        ("BUY", None, "0.55"),
        ("BUY", "0.48", None),
        ("BUY", None, None),
        ("SELL", "0.52", "0.45"),
        ("SELL", None, "0.45"),
        ("SELL", "0.52", None),
    ],
)
def test_sane_prices_are_accepted(side, sl, tp):
    signal = make_signal(
        side=side,
        proposed_sl_price=None if sl is None else D(sl),
        proposed_tp_price=None if tp is None else D(tp),
    )
    assert signal.proposed_entry_price == D("0.50")


@pytest.mark.parametrize(
    ("side", "sl", "tp", "field", "where"),
    [
        ("BUY", "0.51", "0.55", "proposed_sl_price", "below"),
        ("BUY", "0.50", "0.55", "proposed_sl_price", "below"),
        ("BUY", "0.48", "0.49", "proposed_tp_price", "above"),
        ("BUY", "0.48", "0.50", "proposed_tp_price", "above"),
        ("BUY", None, "0.45", "proposed_tp_price", "above"),
        ("SELL", "0.48", "0.45", "proposed_sl_price", "above"),
        ("SELL", "0.50", "0.45", "proposed_sl_price", "above"),
        ("SELL", "0.52", "0.51", "proposed_tp_price", "below"),
        ("SELL", "0.52", "0.50", "proposed_tp_price", "below"),
        ("SELL", None, "0.55", "proposed_tp_price", "below"),
    ],
)
def test_stop_and_target_must_bracket_the_entry(side, sl, tp, field, where):
    with pytest.raises(
        InvalidValueError, match=rf"^{field}: .* must be {where} the entry price 0.50 for a {side}"
    ):
        make_signal(
            side=side,
            proposed_sl_price=None if sl is None else D(sl),
            proposed_tp_price=None if tp is None else D(tp),
        )


def test_limit_needs_an_entry_price_market_does_not():
    with pytest.raises(InvalidValueError, match="^proposed_entry_price: a LIMIT entry needs"):
        make_signal(proposed_entry_price=None)
    market = make_signal(entry_type="MARKET", proposed_entry_price=None)
    assert market.proposed_entry_price is None
    assert market.entry_type is OrderType.MARKET


@pytest.mark.parametrize(
    ("side", "sl", "tp", "ok"),
    [
        ("BUY", "0.48", "0.55", True),
        ("BUY", "0.60", "0.55", False),
        ("BUY", "0.55", "0.55", False),
        ("SELL", "0.55", "0.48", True),
        ("SELL", "0.48", "0.55", False),
        ("BUY", "0.60", None, True),
        ("SELL", None, "0.60", True),
    ],
)
def test_a_market_entry_without_a_price_checks_stop_against_target(side, sl, tp, ok):
    fields = {
        "side": side,
        "entry_type": "MARKET",
        "proposed_entry_price": None,
        "proposed_sl_price": None if sl is None else D(sl),
        "proposed_tp_price": None if tp is None else D(tp),
    }
    if ok:
        assert make_signal(**fields).status is SS.PROPOSED
    else:
        with pytest.raises(InvalidValueError, match=r"^proposed_(sl|tp)_price: .* must be below"):
            make_signal(**fields)


def test_a_market_entry_with_a_price_is_checked_against_it():
    with pytest.raises(InvalidValueError, match="^proposed_sl_price: "):
        make_signal(entry_type="MARKET", proposed_sl_price=D("0.51"))


@pytest.mark.parametrize(
    "entry", ["STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"]
)
def test_entry_type_is_limit_or_market(entry):
    with pytest.raises(InvalidValueError, match=rf"^entry_type: {entry} is not LIMIT or MARKET"):
        make_signal(entry_type=entry)


def test_entry_type_is_read_in_any_case_and_unknown_ones_are_refused():
    assert make_signal(entry_type="limit").entry_type is OrderType.LIMIT
    with pytest.raises(InvalidValueError, match="^entry_type: 'SOON' is not one of"):
        make_signal(entry_type="SOON")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("proposed_entry_price", 0.5),
        ("proposed_entry_price", D(0)),
        ("proposed_sl_price", D("-0.4")),
        ("proposed_tp_price", D("NaN")),
        ("side", "HOLD"),
        ("strategy_id", ""),
        ("trading_pair", "XRPUSD"),
    ],
)
def test_bad_fields_are_refused_naming_the_field(field, value):
    with pytest.raises(InvalidValueError, match=rf"^{field}: "):
        make_signal(**{field: value})
