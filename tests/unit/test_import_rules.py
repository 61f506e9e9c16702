"""The import's rules about stored fills: re-exports, the ledger's precedence, order types."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gal_friday.domain import DomainError, OrderType, Side
from gal_friday.domain.fill import StoredFill
from gal_friday.domain.import_rules import (
    COMPARED,
    LEDGER_BUILT_FIELDS,
    LEDGER_FEE_FIELDS,
    changed_fill_problem,
    check_same_order_type,
    ledger_may_decide,
    reexport_differences,
)
from tests.factories import at, make_fill

D = Decimal


def stored(**changes: object) -> StoredFill:
    fields = {
        "fill_id": "F1",
        "trading_pair": "BTC/USD",
        "side": Side.BUY,
        "quantity_filled": D("0.4"),
        "fill_price": D("100"),
        "commission": D("0.1"),
        "commission_asset": "USD",
        "filled_at": at(1),
        "exchange_order_id": "O1",
        "fill_pk": 7,
    }
    fields.update(changes)
    return StoredFill(**fields)  # type: ignore[arg-type]


def test_the_same_fill_again_has_no_differences():
    assert reexport_differences(make_fill("F1"), "O1", stored()) == {}


def test_each_differing_field_is_named_in_the_compared_order():
    fill = make_fill("F1", fill_price=D("101"), side="SELL", commission=D("0.2"))
    found = reexport_differences(fill, "O2", stored())
    assert list(found) == ["side", "fill_price", "commission", "exchange_order_id"]
    assert list(found) == [name for name in COMPARED if name in found]
    assert found["fill_price"] == "fill_price 101 here, 100 stored"
    assert found["side"] == "side SELL here, BUY stored"
    assert found["exchange_order_id"] == "exchange_order_id O2 here, O1 stored"


def test_a_time_is_shown_in_iso_8601():
    found = reexport_differences(make_fill("F1", filled_at=at(2)), "O1", stored())
    assert found == {
        "filled_at": "filled_at 2024-03-01T12:02:00+00:00 here, 2024-03-01T12:01:00+00:00 stored"
    }


def test_the_refusal_names_the_id_and_every_difference():
    problem = changed_fill_problem("txid", "F1", {"a": "a 1 here, 2 stored", "b": "b x here"})
    assert problem == (
        "txid 'F1' is already stored with other data (a 1 here, 2 stored; b x here); "
        "a re-export may not change a stored fill, nothing was imported"
    )


def test_the_ledger_decides_a_reconciled_fills_fee_and_price_not_its_order():
    reconciled = stored()
    assert ledger_may_decide(reconciled, ["commission", "commission_asset"])
    # the ledger is the book of record: Kraken's rounded cost makes the price differ
    assert ledger_may_decide(reconciled, ["commission", "fill_price"])
    assert not ledger_may_decide(reconciled, ["exchange_order_id"])
    assert not ledger_may_decide(reconciled, ["quantity_filled"])


def test_the_ledger_decides_a_built_fills_fee_order_and_price():
    built = stored(exchange_order_id="F1")  # its order is the ledger's refid, its own id
    assert ledger_may_decide(built, LEDGER_BUILT_FIELDS)
    assert ledger_may_decide(built, ["fill_price", "exchange_order_id"])
    assert not ledger_may_decide(built, ["quantity_filled"])
    assert LEDGER_FEE_FIELDS < LEDGER_BUILT_FIELDS


def test_nothing_differing_is_decided_trivially():
    assert ledger_may_decide(stored(), [])


def test_an_order_grows_by_fills_of_its_own_type_only():
    check_same_order_type(OrderType.LIMIT, OrderType.LIMIT)
    with pytest.raises(DomainError) as caught:
        check_same_order_type(OrderType.LIMIT, OrderType.MARKET)
    assert str(caught.value) == "it is stored as a LIMIT order, the file has MARKET fills"
