"""The engines of this process: one per database URL, shared by every unit of work.

A forked child resets the lock (another thread of the parent may have held it); the pools
themselves are made fork-safe by :mod:`gal_friday.persistence.database`.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from gal_friday.persistence.database import create_async_engine, create_engine, resolve_url

if TYPE_CHECKING:  # asyncio support is imported when used (start-up time of the CLI)
    from sqlalchemy.ext.asyncio import AsyncEngine

_engines: dict[str, Engine] = {}
_async_engines: dict[str, AsyncEngine] = {}
_engines_lock = threading.Lock()


def _reset_lock_in_child() -> None:
    # Another thread of the parent may have held the lock at fork time.
    global _engines_lock
    _engines_lock = threading.Lock()


os.register_at_fork(after_in_child=_reset_lock_in_child)


def engine_for(url: str | URL | None = None) -> Engine:
    """The shared engine for ``url`` in this process (created on first use)."""
    key = resolve_url(url).render_as_string(hide_password=False)
    with _engines_lock:
        if key not in _engines:
            _engines[key] = create_engine(key)
        return _engines[key]


def async_engine_for(url: str | URL | None = None) -> AsyncEngine:
    """The shared asyncio engine for ``url`` (created on first use)."""
    key = resolve_url(url).render_as_string(hide_password=False)
    with _engines_lock:
        if key not in _async_engines:
            _async_engines[key] = create_async_engine(key)
        return _async_engines[key]
