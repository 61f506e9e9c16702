"""Fixtures shared by every test folder: fresh migrated databases on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from gal_friday.persistence import bootstrap
from gal_friday.persistence.database import create_engine, session_factory
from tests.support import databases

BACKENDS = ["sqlite", "postgresql"]

#: The fast loop (docs/architecture.md): these folders run without a database server.
DATABASE_FREE = ("unit", "property")
#: What only a PostgreSQL server gives.
POSTGRES_FIXTURES = frozenset({"postgresql_template", "postgres_url"})


def needs_postgres(item: pytest.Item) -> bool:
    """Whether ``item`` needs the PostgreSQL server (its marker, fixtures or parameters)."""
    if item.get_closest_marker("postgres") is not None:
        return True
    if POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    callspec = getattr(item, "callspec", None)
    return callspec is not None and callspec.params.get("database_url") == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that needs PostgreSQL ``postgres``; refuse one in the fast loop's folders."""
    root = Path(__file__).resolve().parent
    misplaced = []
    for item in items:
        if not needs_postgres(item):
            continue
        item.add_marker(pytest.mark.postgres)
        folder = item.path.resolve().relative_to(root).parts[0]
        if folder in DATABASE_FREE:
            misplaced.append(item.nodeid)
    if misplaced:
        raise pytest.UsageError(
            f"{len(misplaced)} test(s) in {'/'.join(DATABASE_FREE)} need PostgreSQL; the fast loop"
            f" runs without a database: move them to tests/integration ({misplaced[0]}, ...)"
        )


@pytest.fixture(scope="session")
def postgresql_template() -> Iterator[URL]:
    """A PostgreSQL database migrated to head once per session, copied by each test."""
    url = databases.migrated_postgres_template()
    yield url
    databases.drop_postgres_database(url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> URL:
    """A SQLite file migrated to head once per session, copied by each test."""
    return databases.migrated_sqlite_file(tmp_path_factory.mktemp("template") / "template.db")


def _fresh(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[URL]:
    template = request.getfixturevalue(f"{backend}_template")
    with databases.fresh_database(backend, template, tmp_path) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """A fresh database migrated to head: once on SQLite, once on PostgreSQL."""
    yield from _fresh(request, request.param, tmp_path)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    """A fresh migrated PostgreSQL database (for PostgreSQL-only behaviour)."""
    yield from _fresh(request, "postgresql", tmp_path)


@pytest.fixture
def backend(database_url: URL) -> str:
    """``sqlite`` or ``postgresql``."""
    return database_url.get_backend_name()


@pytest.fixture
def engine(database_url: URL) -> Iterator[Engine]:
    """A configured engine on the fresh database."""
    eng = create_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """A session factory (expire_on_commit=False) on the fresh database, the domain mapped."""
    bootstrap.start()
    return session_factory(engine)
