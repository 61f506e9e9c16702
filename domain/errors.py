"""The two families of errors a caller can fix: rule violations and bad input.

* :class:`DomainError`: a business rule refuses an operation or a value (an overfill, a
  transition the lifecycle forbids, a field out of range).
* :class:`InputError`: what a caller handed in cannot be read (a malformed file or row,
  a bad database URL, an option the command line cannot parse); its message names the
  file and line, the field or the option.

The command line exits 2 for both. Failures of the store (unreachable, timed out, no
schema, a write conflict between two transactions) are neither: they are
``gal_friday.persistence.errors.StorageError`` (``docs/database.md``).
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class of every error raised by a business rule."""


class InputError(Exception):
    """Base class of every error about input that cannot be read; the message says where."""


class InvalidValueError(DomainError, ValueError):
    """A field holds a value the domain refuses; the message names the field."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


class InvalidTransitionError(DomainError):
    """A status change that the lifecycle table does not allow."""

    def __init__(self, entity: str, current: str, target: str, detail: str = "") -> None:
        self.current = current
        self.target = target
        suffix = f" ({detail})" if detail else ""
        super().__init__(f"{entity} cannot go from {current} to {target}{suffix}")


class FillMismatchError(DomainError):
    """A fill that does not belong to the order it is applied to."""


class DuplicateFillError(DomainError):
    """A fill id that is already known with different data (or already stored)."""

    def __init__(self, fill_id: str, detail: str = "") -> None:
        self.fill_id = fill_id
        suffix = f": {detail}" if detail else ""
        super().__init__(f"duplicate fill id {fill_id!r}{suffix}")


class FillConflictError(DuplicateFillError):
    """A fill id already stored on another order: the same execution cannot fill two orders."""

    def __init__(self, fill_id: str, stored_on: str, sent_to: str) -> None:
        self.stored_on = stored_on
        self.sent_to = sent_to
        super().__init__(
            fill_id, f"it is stored on order {stored_on} and was sent to order {sent_to}"
        )


class OverfillError(DomainError):
    """A fill that would take the filled quantity above the ordered quantity."""


class MissingConversionRateError(DomainError):
    """A commission in a third asset with no rate to value it in the quote asset."""


class NonPositiveEquityError(DomainError):
    """An equity point at or below zero, where drawdowns are undefined."""


class NotFoundError(DomainError):
    """A record that was asked for by key does not exist."""
