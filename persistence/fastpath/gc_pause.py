"""Pausing Python's cyclic garbage collector around one tight batch of object-making work.

The collector's passes walk every live container object; building one import
chunk (10,000 rows: parsed fills, their orders, the rows for COPY) triggers many of
them, about a fifth of the import's CPU time (measured: 4.5 s with the collector on,
3.8 s with it paused per chunk, for 20,000 rows on SQLite). That work makes no
reference cycles, so reference counting frees everything it drops.

The trade-off: the switch is process-wide (CPython has no per-thread collector), so
while one chunk is being built (well under a second) no thread of the process gets
cyclic collection; it comes back after every chunk and is restored on any exception.
Callers never see it outside :func:`gc_paused` blocks. Pauses nest and may overlap
across threads: the collector comes back when the last one ends, and only if it
was on before the first. See docs/import-flow.md.

The repositories' list reads pause it too, for the same reason: loading 10,000 orders
with their fills makes 30,000 objects and no garbage cycles, and the collector's passes
over them took more than half of the read (docs/performance.md).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
