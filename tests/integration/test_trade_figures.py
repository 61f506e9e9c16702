"""gal_friday.persistence.fastpath.trade_figures: the report's read pauses the collector for
itself only (the service no longer does)."""

from __future__ import annotations

import gc

from sqlalchemy import event

from gal_friday.persistence.fastpath.trade_figures import read_figures


def test_the_read_pauses_the_collector_only_while_it_reads(engine):
    seen: list[bool] = []

    def on_execute(*_args: object) -> None:
        seen.append(gc.isenabled())

    event.listen(engine, "after_cursor_execute", on_execute)
    try:
        with engine.connect() as conn:
            assert read_figures(conn) == []
            assert gc.isenabled()
            gc.disable()
            try:
                read_figures(conn, "BTC/USD")
                assert not gc.isenabled()  # a caller that had it off keeps it off
            finally:
                gc.enable()
    finally:
        event.remove(engine, "after_cursor_execute", on_execute)
    assert seen and not any(seen)  # off during every statement of both reads
