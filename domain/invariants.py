"""The error for a broken internal invariant (a bug in this library, never bad input).

The library guards no code path with ``assert`` (``python -O`` removes them, and a bare
``AssertionError`` names nothing): a condition the code relies on is checked and, when it
does not hold, :class:`InvariantError` says which (``tests/packaging/test_no_asserts.py``).
"""

from __future__ import annotations


class InvariantError(RuntimeError):
    """A condition the library relies on did not hold: a bug to report, not a caller's error."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(f"internal invariant broken: {what}")
