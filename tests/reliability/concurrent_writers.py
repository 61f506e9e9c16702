"""A worker process of the concurrent-writers test: records its share of fills, reports outcomes."""

from __future__ import annotations

import json
import sys
import time
import uuid
from decimal import Decimal

from gal_friday.domain import OverfillError
from gal_friday.persistence.engines import engine_for
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services.live_fills import record_fill
from tests.factories import at, make_fill


def main(
    url: str, worker: int, workers: int, fills: int, order_ids: list[str], start: float
) -> None:
    """Record ``fills`` fills; every 10th is also sent by the next worker (a duplicate)."""
    engine = engine_for(url)
    factory = lambda: UnitOfWork(engine)  # noqa: E731
    orders = [uuid.UUID(value) for value in order_ids]
    outcomes = {"RECORDED": 0, "ALREADY_RECORDED": 0, "overfill_refused": 0}
    mine = [(worker, n) for n in range(fills)]
    shared = [((worker - 1) % workers, n) for n in range(0, fills, 10)]  # the previous one's
    while time.time() < start:
        time.sleep(0.001)
    for owner, n in mine + shared:
        order = orders[(owner * fills + n) % len(orders)]
        fill = make_fill(f"W{owner}-{n}", quantity_filled=Decimal("0.001"), filled_at=at(n))
        outcomes[record_fill(factory, fill, client_order_id=order).value] += 1
    # The overfill pair: workers 2k and 2k+1 each send a fill that fits the order alone but
    # not together, at the same moment.
    pair = worker // 2
    big = make_fill(f"BIG-{worker}", quantity_filled=Decimal(60), filled_at=at(10_000))
    try:
        record_fill(factory, big, client_order_id=orders[pair])
        outcomes["RECORDED"] += 1
    except OverfillError:
        outcomes["overfill_refused"] += 1
    print(json.dumps(outcomes))


if __name__ == "__main__":
    main(
        sys.argv[1],
        int(sys.argv[2]),
        int(sys.argv[3]),
        int(sys.argv[4]),
        sys.argv[5].split(","),
        float(sys.argv[6]),
    )
