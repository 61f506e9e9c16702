"""Order lifecycle and fill aggregation (trading-rules.md, "Orders and fills")."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from domain import (
    ALLOWED_TRANSITIONS,
    DuplicateFillError,
    FillMismatchError,
    InvalidTransitionError,
    InvalidValueError,
    OrderStatus,
    OverfillError,
)
from domain.order import check_transition
from tests.factories import at, make_fill, make_order

S = OrderStatus
EXPECTED = {
    S.PENDING_SUBMIT: {S.OPEN, S.REJECTED, S.CANCELLED, S.PARTIALLY_FILLED, S.FILLED},
    S.OPEN: {S.PARTIALLY_FILLED, S.FILLED, S.CANCELLED, S.EXPIRED},
    S.PARTIALLY_FILLED: {S.PARTIALLY_FILLED, S.FILLED, S.CANCELLED, S.EXPIRED},
    S.FILLED: set(),
    S.CANCELLED: set(),
    S.EXPIRED: set(),
    S.REJECTED: set(),
}


def test_the_transition_table_is_the_documented_one():
    assert {k: set(v) for k, v in ALLOWED_TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_every_pair_of_states(current, target):
    if target in EXPECTED[current]:
        check_transition(current, target)
    else:
        with pytest.raises(InvalidTransitionError) as info:
            check_transition(current, target)
        assert current.value in str(info.value)
        assert target.value in str(info.value)


def test_client_order_id_is_generated_and_unique():
    assert make_order().client_order_id != make_order().client_order_id


def test_mark_submitted_opens_the_order():
    order = make_order()
    order.mark_submitted("EX-1", at(1))
    assert order.status is S.OPEN
    assert order.exchange_order_id == "EX-1"
    assert order.submitted_at == at(1)
    assert order.last_updated_at == at(1)


def test_an_ack_after_a_fill_keeps_the_status():
    order = make_order()
    order.apply_fill(make_fill("A", quantity_filled=Decimal("0.5")))
    order.mark_submitted("EX-1", at(2))
    assert order.status is S.PARTIALLY_FILLED
    assert order.submitted_at == at(2)


def test_submitting_twice_is_refused():
    order = make_order()
    order.mark_submitted("EX-1", at(1))
    with pytest.raises(InvalidTransitionError, match="OPEN to OPEN"):
        order.mark_submitted("EX-1", at(2))


@pytest.mark.parametrize(
    ("kind", "kwargs", "field"),
    [
        ("LIMIT", {"limit_price": None}, "limit_price"),
        ("STOP_LOSS", {"limit_price": None}, "stop_price"),
        ("TAKE_PROFIT_LIMIT", {"stop_price": Decimal("90")}, None),
        ("STOP_LOSS_LIMIT", {"stop_price": None}, "stop_price"),
        ("MARKET", {}, "limit_price"),
    ],
)
def test_order_types_need_their_prices(kind, kwargs, field):
    if field is None:
        assert make_order(order_type=kind, **kwargs).order_type.value == kind
        return
    with pytest.raises(InvalidValueError, match=field):
        make_order(order_type=kind, **kwargs)


def test_fills_aggregate_vwap_remaining_and_per_asset_commissions():
    order = make_order(quantity_ordered=Decimal("2"))
    order.apply_fill(make_fill("A", quantity_filled=Decimal("0.5"), fill_price=Decimal("100")))
    order.apply_fill(
        make_fill(
            "B",
            quantity_filled=Decimal("1"),
            fill_price=Decimal("103"),
            commission=Decimal("0.001"),
            commission_asset="BTC",
            filled_at=at(2),
        )
    )
    assert order.filled_quantity == Decimal("1.5")
    assert order.remaining_quantity == Decimal("0.5")
    assert order.average_fill_price == Decimal("102")  # (50 + 103) / 1.5
    assert order.commissions == {"USD": Decimal("0.1"), "BTC": Decimal("0.001")}
    assert order.status is S.PARTIALLY_FILLED
    order.apply_fill(make_fill("C", quantity_filled=Decimal("0.5"), filled_at=at(3)))
    assert order.status is S.FILLED
    assert order.remaining_quantity == 0
    assert order.closed_at == at(3)


def test_average_price_before_any_fill_is_none():
    assert make_order().average_fill_price is None


def test_replaying_an_identical_fill_changes_nothing():
    order = make_order()
    assert order.apply_fill(make_fill("A")) is True
    before = (order.filled_quantity, order.average_fill_price, order.status, len(order.fills))
    assert order.apply_fill(make_fill("A")) is False
    assert (
        order.filled_quantity,
        order.average_fill_price,
        order.status,
        len(order.fills),
    ) == before


def test_same_fill_id_with_other_data_is_a_duplicate_error():
    order = make_order()
    order.apply_fill(make_fill("A"))
    with pytest.raises(DuplicateFillError, match="'A'"):
        order.apply_fill(make_fill("A", fill_price=Decimal("101")))


def test_an_overfill_is_refused_and_changes_nothing():
    order = make_order(quantity_ordered=Decimal("1"))
    order.apply_fill(make_fill("A", quantity_filled=Decimal("0.7")))
    snapshot = (
        order.filled_quantity,
        order.average_fill_price,
        order.status,
        order.last_updated_at,
        list(order.fills),
        order.commissions,
    )
    with pytest.raises(OverfillError, match="1.1"):
        order.apply_fill(make_fill("B", quantity_filled=Decimal("0.4"), filled_at=at(5)))
    assert snapshot == (
        order.filled_quantity,
        order.average_fill_price,
        order.status,
        order.last_updated_at,
        list(order.fills),
        order.commissions,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("trading_pair", "XRP/USD"),
        ("exchange", "binance"),
        ("side", "SELL"),
        ("exchange_order_id", "OTHER"),
    ],
)
def test_a_fill_of_another_order_is_refused(field, value):
    order = make_order(exchange_order_id="EX-1")
    with pytest.raises(FillMismatchError, match=field if field != "exchange_order_id" else "OTHER"):
        order.apply_fill(make_fill("A", **{field: value}))
    assert order.fills == []


def test_a_fill_before_the_ack_fills_a_pending_order():
    order = make_order(quantity_ordered=Decimal("0.4"))
    order.apply_fill(make_fill("A", exchange_order_id="EX-9"))
    assert order.status is S.FILLED
    assert order.exchange_order_id == "EX-9"


def test_a_late_fill_after_cancel_is_applied_and_the_status_stays():
    order = make_order()
    order.mark_submitted("EX-1", at(0))
    order.cancel(at(10))
    order.apply_fill(make_fill("LATE", filled_at=at(9)))
    assert order.status is S.CANCELLED
    assert order.filled_quantity == Decimal("0.4")


@pytest.mark.parametrize("close", ["cancel", "expire"])
def test_a_fill_stamped_after_the_close_is_refused(close):
    order = make_order()
    order.mark_submitted("EX-1", at(0))
    getattr(order, close)(at(10))
    with pytest.raises(InvalidTransitionError, match="after the order"):
        order.apply_fill(make_fill("LATE", filled_at=at(11)))
    assert order.fills == []


def test_a_rejected_order_takes_no_fill_and_needs_a_reason():
    order = make_order()
    with pytest.raises(InvalidValueError, match="reason"):
        order.reject("  ", at(1))
    order.reject("insufficient funds", at(1))
    assert order.error_message == "insufficient funds"
    with pytest.raises(InvalidTransitionError, match="REJECTED"):
        order.apply_fill(make_fill("A"))


def test_expire_from_pending_is_not_allowed():
    with pytest.raises(InvalidTransitionError, match="PENDING_SUBMIT to EXPIRED"):
        make_order().expire(at(1))


def test_last_updated_at_never_goes_back():
    order = make_order()
    order.mark_submitted("EX-1", at(10))
    order.apply_fill(make_fill("A", filled_at=at(5)))
    assert order.last_updated_at == at(10)


def test_fills_given_to_the_constructor_are_applied_in_time_order():
    order = make_order(fills=[make_fill("B", filled_at=at(3)), make_fill("A", filled_at=at(2))])
    assert [f.fill_id for f in order.fills] == ["A", "B"]
    assert order.filled_quantity == Decimal("0.8")
