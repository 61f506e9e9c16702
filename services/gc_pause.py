"""Pausing the cyclic garbage collector around a batch of object-making work.

The one implementation (one nesting count for the process) is
:mod:`gal_friday.persistence.gc_pause`, which the repositories' reads use too; the
import uses it from here.
"""

from __future__ import annotations

from gal_friday.persistence.gc_pause import gc_paused

__all__ = ["gc_paused"]
