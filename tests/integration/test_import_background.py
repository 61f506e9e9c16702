"""The import writes a chunk while it reads the next one (PostgreSQL): errors come in the
order the file gives them, as when every chunk is written before the next is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from gal_friday.importers import ImportFormatError
from gal_friday.persistence import repositories
from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.errors import ConstraintViolationError
from gal_friday.persistence.unit_of_work import UnitOfWork
from gal_friday.services import importing
from gal_friday.services.importing import import_history

HEADER = "txid,ordertxid,pair,time,type,ordertype,price,cost,fee,vol,margin,misc,ledgers\n"
GOOD = "T1,O1,XXBTZUSD,2024-01-01 10:00:00,buy,market,100,50,0.1,0.5,0,,\n"
BAD = "T2,O2,XXBTZUSD,2024-01-01 10:01:00,buy,market,-100,50,0.1,0.5,0,,\n"


def _file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "trades.csv"
    path.write_text(HEADER + "".join(rows))
    return path


def test_writes_go_to_the_background_on_postgresql_only(engine):
    with UnitOfWork(engine) as uow:
        assert uow.orders.imports_in_background is (engine.dialect.name == "postgresql")


def test_a_failed_write_comes_before_an_error_on_a_later_line(engine, tmp_path, monkeypatch):
    """Chunk 1's write fails while chunk 2 (a bad line) is read: the write's error is the one."""

    def refused(self: object, fills: object, *, skip_duplicates: bool = False) -> int:
        raise ConstraintViolationError("fills", "refused by the test")

    monkeypatch.setattr(importing, "CHUNK_ROWS", 1)
    monkeypatch.setattr(repositories.FillRepository, "add_bulk", refused)
    with pytest.raises(ConstraintViolationError, match="refused by the test"):
        import_history(unit_of_work_factory(engine), _file(tmp_path, GOOD, BAD), "kraken-trades")


def test_a_bad_line_after_a_good_write_is_reported_and_nothing_is_stored(
    engine, tmp_path, monkeypatch
):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 1)
    with pytest.raises(
        ImportFormatError, match=r"trades.csv:4: column 'price' \(7\): must not be negative"
    ):
        import_history(
            unit_of_work_factory(engine),
            _file(tmp_path, GOOD, GOOD.replace("T1", "T3"), BAD),
            "kraken-trades",
        )
    with UnitOfWork(engine) as uow:
        assert uow.fills.last_key() == 0
