"""The composition root: the domain mapped, the engines made, the units of work handed out.

An application (the trading bot, the command line) asks for a factory once per database
and hands it to every service; each service opens its transactions with it::

    from gal_friday.persistence.bootstrap import unit_of_work_factory
    from gal_friday.services.importing import import_history

    uow = unit_of_work_factory("postgresql+psycopg://postgres@127.0.0.1/galfriday")
    import_history(uow, "trades.csv", "kraken-trades")

Tests hand the same services ``InMemoryUnitOfWork`` (:mod:`gal_friday.persistence.in_memory`)
instead. The mapping is idempotent; a process that only uses the log writer or the schema
API never needs it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from gal_friday.persistence.engines import async_engine_for, engine_for
from gal_friday.persistence.tables.mapping import start_mappers
from gal_friday.persistence.unit_of_work import AsyncUnitOfWork, UnitOfWork

if TYPE_CHECKING:  # asyncio support is imported when used (start-up time of the CLI)
    from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["async_unit_of_work_factory", "start", "unit_of_work_factory"]


def start() -> None:
    """Map the domain classes onto the tables (idempotent; the factories call it)."""
    start_mappers()


def unit_of_work_factory(
    target: Engine | str | URL | None = None, *, read_only: bool = False
) -> Callable[[], UnitOfWork]:
    """A factory of units of work on ``target`` (an engine, a URL, or the default database).

    The engine is the process's shared one for the URL (:func:`engine_for`);
    ``read_only=True`` gives transactions that only read (no write lock on SQLite).
    """
    start()
    engine = target if isinstance(target, Engine) else engine_for(target)
    return functools.partial(UnitOfWork, engine, read_only=read_only)


def async_unit_of_work_factory(
    target: AsyncEngine | str | URL | None = None, *, read_only: bool = False
) -> Callable[[], AsyncUnitOfWork]:
    """The asyncio counterpart of :func:`unit_of_work_factory`."""
    start()
    engine = async_engine_for(target) if target is None or isinstance(target, str | URL) else target
    return functools.partial(AsyncUnitOfWork, engine, read_only=read_only)
