"""An import's bulk writes of new orders and fills, overlapped with reading the next chunk.

The import use case (``services/importing.py``) reads, checks and builds one chunk at a
time, then says "write these orders and their fills" and later "wait". Here:

* :meth:`ImportWriter.write` stores the chunk (``orders.add_imported`` then
  ``fills.add_bulk``) in a worker thread where the backend allows it
  (``orders.imports_in_background``: PostgreSQL's COPY), so that the server takes one
  chunk in while Python reads the next; at once otherwise (SQLite);
* :meth:`ImportWriter.building` pauses the cyclic garbage collector while a chunk is
  read and built (:mod:`.gc_pause`; docs/import-flow.md).

One write at a time; :meth:`ImportWriter.wait` before any other use of the unit of work.
Leaving the block waits for a write still running (its error is dropped when another is
raised).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from gal_friday.domain.fill import Fill
from gal_friday.domain.order import Order
from gal_friday.persistence.fastpath.gc_pause import gc_paused


class _Orders(Protocol):
    @property
    def imports_in_background(self) -> bool: ...
    def add_imported(self, orders: Sequence[Order]) -> None: ...


class _Fills(Protocol):
    def add_bulk(self, fills: Sequence[Fill], *, skip_duplicates: bool = False) -> int: ...


class _Store(Protocol):
    """What the writer uses of a unit of work (real or in memory)."""

    @property
    def orders(self) -> _Orders: ...
    @property
    def fills(self) -> _Fills: ...


class ImportWriter:
    """Writes an import's chunks of new orders and fills (module docstring)."""

    def __init__(self, uow: _Store) -> None:
        self._uow = uow
        self._pool = (
            ThreadPoolExecutor(1, thread_name_prefix="gal-friday-import")
            if uow.orders.imports_in_background
            else None
        )
        self._pending: Future[None] | None = None

    def __enter__(self) -> ImportWriter:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        try:
            if exc_info[0] is None:
                self.wait()
            elif self._pending is not None:
                futures.wait([self._pending])
        finally:
            if self._pool is not None:
                self._pool.shutdown()

    #: Read and build a chunk in this block: the collector is paused (:mod:`.gc_pause`).
    building = staticmethod(gc_paused)

    def write(self, orders: list[Order]) -> None:
        """Store ``orders`` and their fills (a write before must have been waited for)."""
        if self._pending is not None:
            raise RuntimeError("ImportWriter.write: wait() for the previous write first")
        if self._pool is None:
            self._store(orders)
        else:
            self._pending = self._pool.submit(self._store, orders)

    def wait(self) -> None:
        """Return once the last write is done; raise its error if it failed."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def _store(self, orders: list[Order]) -> None:
        self._uow.orders.add_imported(orders)  # sets the orders' keys and their fills'
        self._uow.fills.add_bulk([fill for order in orders for fill in order.fills])
