"""Pausing Python's cyclic garbage collector around bulk work that makes millions of objects.

The collector's full passes walk every live container object; a bulk import or
rebuild that keeps hundreds of thousands of objects alive triggers several of
them, each longer than the last (a quarter of a 100,000-fill import's time was
measured there). That work makes no reference cycles, so reference counting
frees everything it drops; the collector is switched back on afterwards. Pauses
nest and may overlap across threads: the collector comes back when the last one
ends, and only if it was on before the first.
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
