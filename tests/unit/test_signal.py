"""Signal lifecycle and price sanity (trading-rules.md, "Signals")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain import InvalidTransitionError, InvalidValueError, Signal, SignalStatus


def make_signal(**overrides):
    fields = {
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


def test_a_proposed_signal_can_be_approved_once():
    signal = make_signal()
    signal.approve({"checks": ["exposure"]})
    assert signal.status is SignalStatus.APPROVED
    assert signal.risk_check_details == {"checks": ["exposure"]}
    with pytest.raises(InvalidTransitionError, match="APPROVED to REJECTED_RISK"):
        signal.reject_risk("too late")


@pytest.mark.parametrize(
    ("method", "status"),
    [("reject_risk", SignalStatus.REJECTED_RISK), ("reject_error", SignalStatus.REJECTED_ERROR)],
)
def test_a_rejection_needs_a_reason(method, status):
    signal = make_signal()
    with pytest.raises(InvalidValueError, match="rejection_reason"):
        getattr(signal, method)("")
    getattr(signal, method)("exposure above 30%")
    assert signal.status is status
    assert signal.rejection_reason == "exposure above 30%"
    with pytest.raises(InvalidTransitionError):
        signal.approve()


@pytest.mark.parametrize(
    ("side", "sl", "tp", "field"),
    [
        ("BUY", "0.51", "0.55", "proposed_sl_price"),
        ("BUY", "0.48", "0.49", "proposed_tp_price"),
        ("SELL", "0.48", "0.45", "proposed_sl_price"),
        ("SELL", "0.52", "0.51", "proposed_tp_price"),
    ],
)
def test_stop_and_target_must_bracket_the_entry(side, sl, tp, field):
    with pytest.raises(InvalidValueError, match=field):
        make_signal(side=side, proposed_sl_price=Decimal(sl), proposed_tp_price=Decimal(tp))


def test_a_sell_signal_mirrors_the_prices():
    signal = make_signal(
        side="SELL", proposed_sl_price=Decimal("0.52"), proposed_tp_price=Decimal("0.45")
    )
    assert signal.side.value == "SELL"


def test_limit_needs_an_entry_price_market_does_not():
    with pytest.raises(InvalidValueError, match="proposed_entry_price"):
        make_signal(proposed_entry_price=None)
    market = make_signal(entry_type="MARKET", proposed_entry_price=None)
    assert market.proposed_entry_price is None
    with pytest.raises(InvalidValueError, match="proposed_sl_price"):
        make_signal(
            entry_type="MARKET",
            proposed_entry_price=None,
            proposed_sl_price=Decimal("0.6"),
            proposed_tp_price=Decimal("0.55"),
        )


def test_entry_type_is_limit_or_market():
    with pytest.raises(InvalidValueError, match="entry_type"):
        make_signal(entry_type="STOP_LOSS")
