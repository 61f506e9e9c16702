"""The Alembic-free revision reader agrees with Alembic (the CLI's fast start-up path)."""

from __future__ import annotations

from pathlib import Path

from gal_friday.persistence import schema
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.migrating import schema_version


def test_head_revision_is_alembics_head():
    assert schema_version.head_revision() == schema.head()


def test_stored_revision_is_alembics_current(database_url):
    engine = create_engine(database_url)
    try:
        assert schema_version.stored_revision(engine) == schema.current(engine) == schema.head()
    finally:
        engine.dispose()


def test_no_schema_reads_as_none(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert schema_version.stored_revision(engine) is None
        schema.upgrade(engine)
        assert schema_version.stored_revision(engine) == schema.head()
        schema.downgrade(engine, "base")
        assert schema_version.stored_revision(engine) is None
    finally:
        engine.dispose()


def test_several_heads_are_left_to_alembic(tmp_path: Path, monkeypatch):
    for name, revision, down in [("a", "1", None), ("b", "2", "1"), ("c", "3", "1")]:
        text = f"revision: str = {revision!r}\ndown_revision: str | None = {down!r}\n"
        (tmp_path / f"{name}.py").write_text(text)
    monkeypatch.setattr(schema_version, "VERSIONS", tmp_path)
    schema_version.head_revision.cache_clear()
    try:
        assert schema_version.head_revision() is None
        (tmp_path / "d.py").write_text("revision = '4'\ndown_revision = ('2', '3')\n")
        schema_version.head_revision.cache_clear()
        assert schema_version.head_revision() == "4"
    finally:
        schema_version.head_revision.cache_clear()
