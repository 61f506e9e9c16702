"""The import equivalence corpus on PostgreSQL: the rows SQLite stored, the errors it raised.

The SQLite side, against the golden outcomes, is tests/property/test_import_equivalence.py
(database-free fast loop); these need the PostgreSQL server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL

from tests.support.import_corpus import corpus
from tests.support.import_equivalence import difference, load_golden, run_variant

pytestmark = pytest.mark.postgres

#: Variants also run on PostgreSQL: stored rows must be those of SQLite, errors the same.
ON_POSTGRES = (
    "base",
    "layout-24",
    "hist-extend",
    "hist-reimport-same",
    "hist-conflict-fee",
    "chunk37-extend",
    "chunk37-dup-across-chunks",
    "ccxt-base",
    "rand-dup105-at39-same",
    "rand-fee28-row233",
)


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    return load_golden()


@pytest.mark.parametrize("name", ON_POSTGRES)
def test_postgresql_stores_and_refuses_as_sqlite_did(
    name: str, golden: dict[str, Any], postgres_url: URL, tmp_path: Path
) -> None:
    variant = next(v for v in corpus() if v.name == name)
    actual = run_variant(variant, postgres_url, tmp_path)
    assert "sqlite_text" not in actual["stored"]
    assert difference(golden[name], actual) is None


def test_an_order_too_large_to_store_is_refused_by_postgresql_itself(
    golden: dict[str, Any], postgres_url: URL, tmp_path: Path
) -> None:
    """Each fill fits, their order's sum does not: today the database refuses it, so the
    error differs by backend (SQLite's is in the golden file); this pins PostgreSQL's."""
    name = "rand-vol28-row73"
    actual = run_variant(next(v for v in corpus() if v.name == name), postgres_url, tmp_path)
    # SQLite's: the domain's own check of the computed sum (no longer wrapped by SQLAlchemy)
    assert golden[name]["steps"][0]["error"] == "InvalidValueError"
    assert actual["steps"] == [
        {
            "error": "ConstraintViolationError",
            "message": "the database refused a value: numeric field overflow",
        }
    ]
    assert actual["stored"]["fills"] == golden[name]["stored"]["fills"]
    assert actual["stored"]["orders"]["count"] == 0
