"""Order lifecycle and fill aggregation (docs/trading-rules.md, "Orders and fills")."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest

from gal_friday.domain import (
    ALLOWED_TRANSITIONS,
    DuplicateFillError,
    FillMismatchError,
    InvalidTransitionError,
    InvalidValueError,
    Order,
    OrderStatus,
    OrderType,
    OverfillError,
)
from gal_friday.domain.order import check_transition
from tests.factories import at, make_fill, make_order

D = Decimal
S = OrderStatus
EXPECTED = {
    S.PENDING_SUBMIT: {
        S.OPEN,
        S.REJECTED,
        S.CANCELLED,
        S.PARTIALLY_FILLED,
        S.FILLED,
        S.CANCEL_REQUESTED,
    },
    S.OPEN: {S.PARTIALLY_FILLED, S.FILLED, S.CANCELLED, S.EXPIRED, S.CANCEL_REQUESTED},
    S.PARTIALLY_FILLED: {S.PARTIALLY_FILLED, S.FILLED, S.CANCELLED, S.EXPIRED, S.CANCEL_REQUESTED},
    S.CANCEL_REQUESTED: {S.CANCEL_REQUESTED, S.FILLED, S.CANCELLED, S.EXPIRED},
    S.FILLED: set(),
    S.CANCELLED: set(),
    S.EXPIRED: set(),
    S.REJECTED: set(),
}


def state(order: Order) -> dict[str, Any]:
    """Everything an operation could change on an order (fills copied, not aliased)."""
    return {
        "status": order.status,
        "filled_quantity": order.filled_quantity,
        "remaining_quantity": order.remaining_quantity,
        "average_fill_price": order.average_fill_price,
        "commissions": order.commissions,
        "fills": list(order.fills),
        "fill_data": [attrs.asdict(f, recurse=False) for f in order.fills],
        "exchange_order_id": order.exchange_order_id,
        "submitted_at": order.submitted_at,
        "closed_at": order.closed_at,
        "last_updated_at": order.last_updated_at,
        "error_message": order.error_message,
    }


def order_in(status: OrderStatus) -> Order:
    """A LIMIT BUY of 1 brought into ``status`` through the public methods (last event at 10)."""
    order = make_order()
    if status is S.PENDING_SUBMIT:
        return order
    if status is S.REJECTED:
        order.reject("no funds", at(10))
        return order
    order.mark_submitted("EX-1", at(5))
    if status is S.PARTIALLY_FILLED:
        order.apply_fill(make_fill("P", filled_at=at(10)))
    elif status is S.FILLED:
        order.apply_fill(make_fill("P", quantity_filled=D(1), filled_at=at(10)))
    elif status is S.CANCELLED:
        order.cancel(at(10))
    elif status is S.EXPIRED:
        order.expire(at(10))
    elif status is S.CANCEL_REQUESTED:
        order.request_cancel(at(10))
    assert order.status is status
    return order


# -- the transition table ---------------------------------------------------------------------


def test_the_transition_table_is_the_documented_one():
    assert {k: set(v) for k, v in ALLOWED_TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_every_pair_of_states(current, target):
    if target in EXPECTED[current]:
        check_transition(current, target)
    else:
        with pytest.raises(InvalidTransitionError) as info:
            check_transition(current, target)
        assert f"from {current.value} to {target.value}" in str(info.value)
        assert (info.value.current, info.value.target) == (current.value, target.value)


OPERATIONS = {
    S.OPEN: lambda order: order.mark_submitted("EX-1", at(20)),
    S.CANCELLED: lambda order: order.cancel(at(20)),
    S.EXPIRED: lambda order: order.expire(at(20)),
    S.REJECTED: lambda order: order.reject("refused by the exchange", at(20)),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, OPERATIONS)))
def test_every_lifecycle_method_from_every_state(current, target):
    order = order_in(current)
    before = state(order)
    if target in EXPECTED[current]:
        OPERATIONS[target](order)
        assert order.status is target
        assert order.last_updated_at == at(20)
        if target is S.OPEN:
            assert (order.submitted_at, order.exchange_order_id) == (at(20), "EX-1")
            assert order.closed_at is None
        else:
            assert order.closed_at == at(20)
    else:
        with pytest.raises(InvalidTransitionError) as info:
            OPERATIONS[target](order)
        assert f"from {current.value} to {target.value}" in str(info.value)
        assert state(order) == before


# -- creation ---------------------------------------------------------------------------------


def test_client_order_id_is_generated_and_unique():
    first, second = make_order(), make_order()
    assert isinstance(first.client_order_id, str)
    assert uuid.UUID(first.client_order_id).version == 4
    assert str(uuid.UUID(first.client_order_id)) == first.client_order_id  # canonical text
    assert first.client_order_id != second.client_order_id


def test_a_given_client_order_id_is_kept():
    ident = uuid.uuid4()
    assert make_order(client_order_id=str(ident)).client_order_id == str(ident)
    assert make_order(client_order_id=ident).client_order_id == str(ident)


def test_a_new_order_is_pending_and_empty():
    order = make_order(quantity_ordered=D("2.5"))
    assert order.status is S.PENDING_SUBMIT
    assert order.is_open
    assert order.filled_quantity == 0
    assert order.remaining_quantity == D("2.5")
    assert order.average_fill_price is None
    assert order.commissions == {}
    assert order.last_updated_at == order.created_at
    assert order.submitted_at is None
    assert order.closed_at is None


@pytest.mark.parametrize(
    ("kind", "limit", "stop", "error_field"),
    [
        ("LIMIT", "100", None, None),
        ("LIMIT", None, None, "limit_price"),
        ("MARKET", None, None, None),
        ("MARKET", "100", None, "limit_price"),
        ("STOP_LOSS", None, "90", None),
        ("STOP_LOSS", None, None, "stop_price"),
        ("STOP_LOSS_LIMIT", "89", "90", None),
        ("STOP_LOSS_LIMIT", "89", None, "stop_price"),
        ("STOP_LOSS_LIMIT", None, "90", "limit_price"),
        ("TAKE_PROFIT", None, "120", None),
        ("TAKE_PROFIT", None, None, "stop_price"),
        ("TAKE_PROFIT_LIMIT", "121", "120", None),
        ("TAKE_PROFIT_LIMIT", "121", None, "stop_price"),
        ("TAKE_PROFIT_LIMIT", None, "120", "limit_price"),
    ],
)
def test_order_types_need_their_prices(kind, limit, stop, error_field):
    prices = {
        "limit_price": None if limit is None else D(limit),
        "stop_price": None if stop is None else D(stop),
    }
    if error_field is None:
        order = make_order(order_type=kind, **prices)
        assert order.order_type is OrderType(kind)
        assert (order.limit_price, order.stop_price) == (
            prices["limit_price"],
            prices["stop_price"],
        )
        return
    with pytest.raises(InvalidValueError, match=rf"^{error_field}: .*{kind}"):
        make_order(order_type=kind, **prices)


def test_an_unknown_order_type_is_refused():
    with pytest.raises(InvalidValueError, match="^order_type: 'ICEBERG' is not one of"):
        make_order(order_type="ICEBERG")


# -- acknowledgement --------------------------------------------------------------------------


def test_mark_submitted_opens_the_order():
    order = make_order()
    order.mark_submitted("EX-1", at(1))
    assert order.status is S.OPEN
    assert order.exchange_order_id == "EX-1"
    assert order.submitted_at == at(1)
    assert order.last_updated_at == at(1)


@pytest.mark.parametrize(("quantity", "status"), [("0.5", S.PARTIALLY_FILLED), ("1", S.FILLED)])
def test_an_ack_after_a_fill_keeps_the_status(quantity, status):
    order = make_order()
    order.apply_fill(make_fill("A", quantity_filled=D(quantity)))
    assert order.status is status
    order.mark_submitted("EX-1", at(2))
    assert order.status is status
    assert order.submitted_at == at(2)
    assert order.exchange_order_id == "EX-1"


def test_submitting_twice_is_refused():
    order = make_order()
    order.mark_submitted("EX-1", at(1))
    with pytest.raises(InvalidTransitionError, match="OPEN to OPEN"):
        order.mark_submitted("EX-1", at(2))


def test_an_ack_with_another_exchange_id_is_refused_and_changes_nothing():
    order = make_order()
    order.apply_fill(make_fill("A", exchange_order_id="EX-9"))
    before = state(order)
    with pytest.raises(FillMismatchError, match="'EX-9', not 'EX-1'"):
        order.mark_submitted("EX-1", at(2))
    assert state(order) == before


@pytest.mark.parametrize(
    ("ident", "when", "field"),
    [("", at(1), "exchange_order_id"), ("EX-1", datetime(2024, 1, 1), "at")],
)
def test_an_ack_needs_an_id_and_an_aware_time(ident, when, field):
    order = make_order()
    with pytest.raises(InvalidValueError, match=rf"^{field}: "):
        order.mark_submitted(ident, when)
    assert order.status is S.PENDING_SUBMIT


# -- closing ----------------------------------------------------------------------------------


def test_cancel_from_pending_and_from_open():
    pending = make_order()
    pending.cancel(at(1))
    assert (pending.status, pending.closed_at, pending.is_open) == (S.CANCELLED, at(1), False)
    opened = order_in(S.PARTIALLY_FILLED)
    opened.cancel(at(30))
    assert (opened.status, opened.closed_at) == (S.CANCELLED, at(30))
    assert opened.filled_quantity == D("0.4")


def test_expire_from_pending_is_not_allowed():
    with pytest.raises(InvalidTransitionError, match="PENDING_SUBMIT to EXPIRED"):
        make_order().expire(at(1))


def test_expire_sets_the_closing_time():
    order = order_in(S.OPEN)
    order.expire(at(30))
    assert (order.status, order.closed_at, order.last_updated_at) == (S.EXPIRED, at(30), at(30))


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_rejection_needs_a_reason(reason):
    order = make_order()
    with pytest.raises(InvalidValueError, match="^reason: "):
        order.reject(reason, at(1))
    assert order.status is S.PENDING_SUBMIT
    assert order.error_message is None


def test_a_rejection_records_its_reason():
    order = make_order()
    order.reject("  insufficient funds ", at(1))
    assert order.status is S.REJECTED
    assert order.error_message == "insufficient funds"
    assert order.closed_at == at(1)


def test_a_naive_closing_time_is_refused():
    order = order_in(S.OPEN)
    with pytest.raises(InvalidValueError, match="^at: .*naive"):
        order.cancel(datetime(2024, 3, 1, 12, 30))
    assert order.status is S.OPEN


# -- fills: aggregation -----------------------------------------------------------------------


def test_fills_aggregate_vwap_remaining_and_per_asset_commissions():
    order = make_order(quantity_ordered=Decimal("2"))
    assert order.apply_fill(
        make_fill("A", quantity_filled=Decimal("0.5"), fill_price=Decimal("100"))
    )
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
    assert order.average_fill_price == Decimal("101.5")  # (50 + 103 + 50) / 2


def test_the_vwap_is_rounded_half_even_to_18_places():
    order = make_order(quantity_ordered=D(3))
    order.apply_fill(make_fill("A", quantity_filled=D(1), fill_price=D(100)))
    order.apply_fill(make_fill("B", quantity_filled=D(2), fill_price=D(101), filled_at=at(2)))
    # (100 + 202) / 3 = 100.6666...: 18 places, the last rounded up
    assert order.average_fill_price == D("100.666666666666666667")


def test_the_vwap_keeps_satoshi_and_wei_precision():
    order = make_order(quantity_ordered=D("0.00000002"))
    order.apply_fill(
        make_fill("A", quantity_filled=D("0.00000001"), fill_price=D("0.000000000000000001"))
    )
    order.apply_fill(
        make_fill(
            "B",
            quantity_filled=D("0.00000001"),
            fill_price=D("0.000000000000000003"),
            filled_at=at(2),
        )
    )
    assert order.filled_quantity == D("0.00000002")
    assert order.average_fill_price == D("0.000000000000000002")


def test_commissions_are_kept_per_asset_and_never_summed_across_assets():
    order = make_order(quantity_ordered=D(4))
    rows = [("A", "0.1", "USD"), ("B", "0.25", "usd"), ("C", "0.001", "BTC"), ("D", "3", "KFEE")]
    for minute, (ident, fee, asset) in enumerate(rows):
        fill = make_fill(ident, quantity_filled=D(1), commission=D(fee), filled_at=at(minute))
        fill.commission_asset = asset
        order.apply_fill(fill)
    assert order.commissions == {"USD": D("0.35"), "BTC": D("0.001"), "KFEE": D(3)}
    assert order.status is S.FILLED


def test_average_price_before_any_fill_is_none():
    assert make_order().average_fill_price is None


def test_fill_by_id():
    order = make_order()
    fill = make_fill("A")
    order.apply_fill(fill)
    assert order.fill_by_id("A") is fill
    assert order.fill_by_id("B") is None


def test_a_fill_without_an_exchange_id_takes_the_orders_and_vice_versa():
    order = order_in(S.OPEN)
    fill = make_fill("A")
    order.apply_fill(fill)
    assert fill.exchange_order_id == "EX-1"
    pending = make_order()
    pending.apply_fill(make_fill("B", exchange_order_id="EX-7"))
    assert pending.exchange_order_id == "EX-7"


# -- fills: replay and duplicates -------------------------------------------------------------


def test_replaying_an_identical_fill_changes_nothing():
    order = make_order()
    assert order.apply_fill(make_fill("A")) is True
    before = state(order)
    assert order.apply_fill(make_fill("A")) is False
    assert order.apply_fill(order.fills[0]) is False
    assert state(order) == before


@pytest.mark.parametrize("status", [S.FILLED, S.CANCELLED])
def test_a_replay_on_a_closed_order_is_still_a_no_op(status):
    order = order_in(S.OPEN)
    order.apply_fill(make_fill("A", quantity_filled=D("0.4"), filled_at=at(8)))
    if status is S.FILLED:
        order.apply_fill(make_fill("B", quantity_filled=D("0.6"), filled_at=at(9)))
    else:
        order.cancel(at(10))
    before = state(order)
    assert order.apply_fill(make_fill("A", quantity_filled=D("0.4"), filled_at=at(8))) is False
    assert state(order) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity_filled", D("0.3")),
        ("fill_price", D("101")),
        ("commission", D("0.2")),
        ("commission_asset", "BTC"),
        ("filled_at", at(2)),
    ],
)
def test_same_fill_id_with_other_data_is_a_duplicate_error(field, value):
    order = make_order()
    order.apply_fill(make_fill("A"))
    before = state(order)
    with pytest.raises(DuplicateFillError, match="duplicate fill id 'A'") as info:
        order.apply_fill(make_fill("A", **{field: value}))
    assert info.value.fill_id == "A"
    assert state(order) == before


# -- fills: overfill --------------------------------------------------------------------------


def test_an_overfill_is_refused_and_changes_nothing():
    order = make_order(quantity_ordered=Decimal("1"))
    order.apply_fill(make_fill("A", quantity_filled=Decimal("0.7")))
    before = state(order)
    with pytest.raises(OverfillError, match="would fill 1.1 of the 1 ordered"):
        order.apply_fill(
            make_fill("B", quantity_filled=Decimal("0.4"), filled_at=at(5), exchange_order_id="X")
        )
    assert state(order) == before
    assert order.remaining_quantity == D("0.3")


def test_filling_exactly_the_ordered_quantity_is_not_an_overfill():
    order = make_order(quantity_ordered=D("1"))
    order.apply_fill(make_fill("A", quantity_filled=D("0.7")))
    order.apply_fill(make_fill("B", quantity_filled=D("0.3"), filled_at=at(2)))
    assert (order.status, order.remaining_quantity) == (S.FILLED, 0)


@pytest.mark.parametrize("status", [S.PENDING_SUBMIT, S.OPEN, S.FILLED, S.CANCELLED])
def test_an_overfill_is_refused_in_every_state(status):
    order = order_in(status)
    before = state(order)
    with pytest.raises(OverfillError):
        order.apply_fill(make_fill("BIG", quantity_filled=D("1.0000001"), filled_at=at(9)))
    assert state(order) == before


# -- fills: belonging -------------------------------------------------------------------------


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
    before = state(order)
    with pytest.raises(FillMismatchError, match=field if field != "exchange_order_id" else "OTHER"):
        order.apply_fill(make_fill("A", **{field: value}))
    assert state(order) == before


def test_a_mismatch_is_caught_before_a_duplicate():
    order = make_order()
    order.apply_fill(make_fill("A"))
    with pytest.raises(FillMismatchError, match="side"):
        order.apply_fill(make_fill("A", side="SELL"))


# -- fills and the lifecycle ------------------------------------------------------------------


def test_a_fill_before_the_ack_fills_a_pending_order():
    order = make_order(quantity_ordered=Decimal("0.4"))
    order.apply_fill(make_fill("A", exchange_order_id="EX-9"))
    assert order.status is S.FILLED
    assert order.exchange_order_id == "EX-9"
    assert order.closed_at == at(1)


def test_a_partial_fill_before_the_ack():
    order = make_order()
    order.apply_fill(make_fill("A"))
    assert order.status is S.PARTIALLY_FILLED
    assert order.submitted_at is None


@pytest.mark.parametrize("close", ["cancel", "expire"])
def test_a_late_fill_after_the_close_is_applied_and_the_status_stays(close):
    order = order_in(S.OPEN)
    getattr(order, close)(at(10))
    closed = order.status
    assert order.apply_fill(make_fill("LATE", filled_at=at(9))) is True
    assert order.status is closed
    assert order.filled_quantity == Decimal("0.4")
    assert order.average_fill_price == D(100)
    assert order.closed_at == at(10)
    assert order.last_updated_at == at(10)


def test_a_late_fill_stamped_at_the_cancel_itself_is_applied():
    order = order_in(S.OPEN)
    order.cancel(at(10))
    order.apply_fill(make_fill("LATE", filled_at=at(10)))
    assert (order.status, order.filled_quantity) == (S.CANCELLED, D("0.4"))


def test_a_late_fill_completing_a_cancelled_order_keeps_it_cancelled():
    order = order_in(S.OPEN)
    order.cancel(at(10))
    order.apply_fill(make_fill("LATE", quantity_filled=D(1), filled_at=at(9)))
    assert (order.status, order.remaining_quantity, order.closed_at) == (S.CANCELLED, 0, at(10))


@pytest.mark.parametrize("close", ["cancel", "expire"])
def test_a_fill_stamped_after_the_close_is_refused(close):
    order = order_in(S.OPEN)
    getattr(order, close)(at(10))
    before = state(order)
    with pytest.raises(InvalidTransitionError, match="after the order was"):
        order.apply_fill(make_fill("LATE", filled_at=at(11)))
    assert state(order) == before


def test_a_rejected_order_takes_no_fill():
    order = make_order()
    order.reject("insufficient funds", at(1))
    before = state(order)
    with pytest.raises(InvalidTransitionError, match="REJECTED to a fill"):
        order.apply_fill(make_fill("A", filled_at=at(0)))
    assert state(order) == before


def test_last_updated_at_never_goes_back():
    order = make_order()
    order.mark_submitted("EX-1", at(10))
    order.apply_fill(make_fill("A", filled_at=at(5)))
    assert order.last_updated_at == at(10)
    order.apply_fill(make_fill("B", filled_at=at(12)))
    assert order.last_updated_at == at(12)
    order.cancel(at(11))
    assert order.last_updated_at == at(12)
    assert order.closed_at == at(11)


def test_fills_given_to_the_constructor_are_applied_in_time_order():
    order = make_order(fills=[make_fill("B", filled_at=at(3)), make_fill("A", filled_at=at(2))])
    assert [f.fill_id for f in order.fills] == ["A", "B"]
    assert order.filled_quantity == Decimal("0.8")
    assert order.status is S.PARTIALLY_FILLED
    assert order.last_updated_at == at(3)
    assert order.commissions == {"USD": D("0.2")}


def test_fills_given_to_the_constructor_are_checked():
    with pytest.raises(OverfillError):
        make_order(
            fills=[make_fill("A", quantity_filled=D("0.7")), make_fill("B", filled_at=at(2))]
        )
    with pytest.raises(FillMismatchError):
        make_order(fills=[make_fill("A", exchange="binance")])


def test_fills_are_kept_in_time_order_whatever_the_arrival_order():
    order = make_order(quantity_ordered=D(3))
    for ident, minute in [("C", 3), ("A", 1), ("B", 2), ("A0", 1)]:
        order.apply_fill(make_fill(ident, quantity_filled=D("0.5"), filled_at=at(minute)))
    assert [f.fill_id for f in order.fills] == ["A", "A0", "B", "C"]


# -- an order known only through its fills (imports) ------------------------------------------


def _three_fills(**overrides: Any) -> list:
    return [
        make_fill(
            "F2", quantity_filled=D("0.3"), fill_price=D("101"), filled_at=at(5), **overrides
        ),
        make_fill(
            "F1", quantity_filled=D("0.2"), fill_price=D("99.5"), filled_at=at(2), **overrides
        ),
        make_fill(
            "F3", quantity_filled=D("0.1"), fill_price=D("100"), filled_at=at(9), **overrides
        ),
    ]


def test_filled_by_is_the_order_built_fill_by_fill():
    fills = _three_fills()
    built = Order.filled_by(
        fills, order_type=OrderType.LIMIT, exchange_order_id="O-1", limit_price=D(101)
    )
    step_by_step = Order(
        trading_pair="BTC/USD",
        exchange="kraken",
        side="BUY",
        order_type="LIMIT",
        quantity_ordered=D("0.6"),
        limit_price=D(101),
        created_at=at(2),
    )
    step_by_step.mark_submitted("O-1", at(2))
    for fill in sorted(_three_fills(), key=lambda f: f.sort_key):
        step_by_step.apply_fill(fill)
    expected = attrs.asdict(step_by_step, recurse=False, filter=lambda a, _: a.name != "fills")
    actual = attrs.asdict(built, recurse=False, filter=lambda a, _: a.name != "fills")
    assert actual.pop("client_order_id") != expected.pop("client_order_id")
    assert actual == expected
    assert built.status is S.FILLED and built.closed_at == at(9)
    assert built.average_fill_price == D("100.333333333333333333")  # 60.2 / 0.6, half-even
    assert [f.fill_id for f in built.fills] == ["F1", "F2", "F3"]
    assert all(f.exchange_order_id == "O-1" for f in built.fills)


@pytest.mark.parametrize(
    ("make_fills", "error", "message"),
    [
        (list, InvalidValueError, "needs at least one"),
        (
            lambda: _three_fills()[:1] + _three_fills(side="SELL")[1:],
            FillMismatchError,
            "cannot share an order",
        ),
        (
            lambda: [make_fill("F1"), make_fill("F1", filled_at=at(3))],
            DuplicateFillError,
            "appears twice",
        ),
        (lambda: [make_fill("F1", exchange_order_id="O-9")], FillMismatchError, "not 'O-1'"),
    ],
)
def test_filled_by_refuses_fills_that_cannot_make_one_order(make_fills, error, message):
    fills = make_fills()
    with pytest.raises(error, match=message):
        Order.filled_by(fills, order_type=OrderType.MARKET, exchange_order_id="O-1")
    assert all(f.exchange_order_id in (None, "O-9") for f in fills)  # nothing was changed


def test_filled_by_keeps_the_price_rules():
    with pytest.raises(InvalidValueError, match="needs a limit price") as caught:
        Order.filled_by(_three_fills(), order_type=OrderType.LIMIT, exchange_order_id="O-1")
    assert caught.value.field == "limit_price"
    with pytest.raises(InvalidValueError, match="MARKET order has no limit price"):
        Order.filled_by(
            _three_fills(), order_type="MARKET", exchange_order_id="O-1", limit_price=D(1)
        )


# -- extending an imported order (Order.extend_with) --------------------------------------


def _imported(*fills: Any) -> Order:
    return Order.filled_by(
        list(fills), order_type=OrderType.LIMIT, exchange_order_id="O1", limit_price=D(100)
    )


def _snapshot(order: Order) -> tuple[Any, ...]:
    return (
        order.quantity_ordered,
        order.filled_quantity,
        order.average_fill_price,
        order.fill_notional,
        dict(order.commissions),
        order.limit_price,
        order.status,
        order.created_at,
        order.closed_at,
        order.last_updated_at,
        [f.fill_id for f in order.fills],
    )


def test_extend_with_grows_an_imported_order_and_keeps_it_filled():
    order = _imported(make_fill("F2", filled_at=at(2)))
    order.extend_with(
        [make_fill("F3", filled_at=at(3), fill_price=D(102)), make_fill("F1", filled_at=at(1))],
        limit_price=D(102),
    )
    assert order.status is S.FILLED
    assert (order.quantity_ordered, order.filled_quantity) == (D("1.2"), D("1.2"))
    assert order.average_fill_price == D("100.666666666666666667")
    assert order.limit_price == D(102)
    assert [f.fill_id for f in order.fills] == ["F1", "F2", "F3"]
    assert all(f.exchange_order_id == "O1" for f in order.fills)
    assert (order.created_at, order.submitted_at) == (at(1), at(1))
    assert (order.closed_at, order.last_updated_at) == (at(3), at(3))


@pytest.mark.parametrize(
    ("fills", "error"),
    [
        ([], InvalidValueError),
        ([make_fill("F9", side="SELL")], FillMismatchError),
        ([make_fill("F9", trading_pair="XRP/USD")], FillMismatchError),
        ([make_fill("F9", exchange="binance")], FillMismatchError),
        ([make_fill("F9", exchange_order_id="O2")], FillMismatchError),
        ([make_fill("F1")], DuplicateFillError),
        ([make_fill("F9"), make_fill("F9")], DuplicateFillError),
        ([make_fill("F8"), make_fill("F9", side="SELL")], FillMismatchError),
    ],
)
def test_extend_with_refuses_what_breaks_the_order_and_changes_nothing(fills, error):
    order = _imported(make_fill("F1"))
    before = _snapshot(order)
    with pytest.raises(error):
        order.extend_with(fills)
    assert _snapshot(order) == before


def test_extend_with_refuses_an_order_not_filled_by_its_fills():
    live = make_order(quantity_ordered=D(2))
    live.apply_fill(make_fill("F1"))
    before = _snapshot(live)
    with pytest.raises(InvalidTransitionError, match="not an order filled by exactly its fills"):
        live.extend_with([make_fill("F2")])
    assert _snapshot(live) == before


def test_extend_with_refuses_a_price_the_order_type_does_not_allow():
    order = Order.filled_by([make_fill("F1")], order_type=OrderType.MARKET, exchange_order_id="O1")
    before = _snapshot(order)
    with pytest.raises(InvalidValueError, match="MARKET order has no limit price"):
        order.extend_with([make_fill("F2")], limit_price=D(100))
    assert _snapshot(order) == before


def _aggregates(order: Order) -> tuple[Any, ...]:
    return (
        order.quantity_ordered,
        order.filled_quantity,
        order.fill_notional,
        order.average_fill_price,
        order.commissions,
    )


def test_extend_with_leaves_the_aggregates_of_the_order_built_from_all_its_fills():
    def fills() -> list[Any]:
        return [
            make_fill("F1", filled_at=at(1), quantity_filled=D("0.3"), fill_price=D("99.7")),
            make_fill("F2", filled_at=at(2), commission=D("-0.04")),  # a maker rebate
            make_fill(
                "F3",
                filled_at=at(3),
                quantity_filled=D("0.123456789"),
                fill_price=D("101.01"),
                commission=D("0.0001"),
                commission_asset="BTC",
            ),
            make_fill("F4", filled_at=at(4), commission=D("0.5"), commission_asset="BNB"),
        ]

    whole = _imported(*fills())
    first, *rest = fills()
    extended = _imported(first)
    extended.extend_with(rest[:1])
    extended.extend_with(rest[1:])
    assert _aggregates(extended) == _aggregates(whole)
    assert extended.commissions == {"USD": D("0.06"), "BTC": D("0.0001"), "BNB": D("0.5")}
    assert extended.fill_notional == D("0.3") * D("99.7") + D("0.4") * D(100) + D(
        "0.123456789"
    ) * D("101.01") + D("0.4") * D(100)


def test_extend_with_matches_applying_each_fill_to_a_live_order():
    live = make_order(quantity_ordered=D("1.2"), limit_price=D(100))
    imported = _imported(make_fill("F1", filled_at=at(1)))
    more = [
        make_fill("F2", filled_at=at(2), fill_price=D("99.5"), commission=D("-0.02")),
        make_fill("F3", filled_at=at(3), commission=D("0.3"), commission_asset="BNB"),
    ]
    for fill in [make_fill("F1", filled_at=at(1)), *more]:
        live.apply_fill(fill)
    imported.extend_with(more)
    assert _aggregates(imported)[1:] == _aggregates(live)[1:]


def test_a_maker_rebate_leaves_a_negative_commission_total_on_the_order():
    order = make_order()
    order.apply_fill(make_fill("R1", commission=Decimal("-0.04")))
    order.apply_fill(make_fill("R2", commission=Decimal("0.01"), filled_at=at(2)))
    assert order.commissions == {"USD": Decimal("-0.03")}
