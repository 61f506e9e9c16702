"""The import keeps today's behaviour: the same rows stored and the same errors raised.

Every variant of the seeded corpus (tests/support/import_corpus.py: a base Kraken history
and hundreds of mutated files, ccxt files, and histories of several exports) is imported
through ``import_history`` and compared with the golden outcomes recorded from the import
as it was at 1d8fa41 (tests/fixtures/import_equivalence/golden.json). Regenerate that
file only on purpose: ``python -m tests.support.import_equivalence``. The same corpus on
PostgreSQL: tests/integration/test_import_equivalence_postgres.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from gal_friday.persistence.database import create_engine
from tests.support.import_corpus import corpus
from tests.support.import_equivalence import difference, load_golden, run_variant, stored_digest


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    return load_golden()


def test_the_corpus_is_the_golden_files_and_large_enough(golden: dict[str, Any]) -> None:
    names = [variant.name for variant in corpus()]
    assert sorted(names) == sorted(golden)
    mutated = [name for name in names if name.startswith("rand-")]
    assert len(mutated) >= 150
    endings = {"error" if "error" in golden[n]["steps"][-1] else "stored" for n in names}
    assert endings == {"error", "stored"}


def test_every_variant_imports_as_it_did(
    golden: dict[str, Any], sqlite_template: URL, tmp_path: Path
) -> None:
    assert sqlite_template.database is not None
    differing = []
    for n, variant in enumerate(corpus()):
        target = tmp_path / f"v{n:03d}.db"
        shutil.copyfile(sqlite_template.database, target)
        actual = run_variant(variant, f"sqlite:///{target}", tmp_path / "files")
        target.unlink()
        why = difference(golden[variant.name], actual)
        if why:
            differing.append(f"{variant.name}: {why}")
    assert not differing, (
        f"{len(differing)} variant(s) differ from today's import; the first: {differing[0]}"
    )


def test_the_digest_sees_a_changed_stored_value(
    golden: dict[str, Any], sqlite_template: URL, tmp_path: Path
) -> None:
    assert sqlite_template.database is not None
    target = tmp_path / "base.db"
    shutil.copyfile(sqlite_template.database, target)
    base = next(v for v in corpus() if v.name == "base")
    actual = run_variant(base, f"sqlite:///{target}", tmp_path / "files")
    assert difference(golden["base"], actual) is None
    assert _tampered(target, "commission || '0'", golden) == (
        "the stored text of fills differs on SQLite"  # the same number: only the text differs
    )
    assert _tampered(target, "'1.5'", golden) == "fills: the values of column(s) commission differ"


def _tampered(target: Path, commission: str, golden: dict[str, Any]) -> str | None:
    """How the base variant's digest differs once fill 1's commission is set to ``commission``."""
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.begin() as conn:
            conn.execute(text(f"UPDATE fills SET commission = {commission} WHERE fill_pk = 1"))
        stored = stored_digest(engine)
    finally:
        engine.dispose()
    return difference(
        golden["base"],
        {
            "input_md5": golden["base"]["input_md5"],
            "steps": golden["base"]["steps"],
            "stored": stored,
        },
    )
