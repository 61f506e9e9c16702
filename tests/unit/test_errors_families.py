"""Input errors and rule violations are two families (docs/architecture.md)."""

from __future__ import annotations

from gal_friday.cli.errors import UserError
from gal_friday.domain import DomainError, InputError, InvalidValueError, OverfillError
from gal_friday.importers import ImportFormatError
from gal_friday.persistence.urls import DatabaseURLError


def test_what_cannot_be_read_is_an_input_error_not_a_rule_violation() -> None:
    for error in (ImportFormatError, DatabaseURLError, UserError):
        assert issubclass(error, InputError)
        assert not issubclass(error, DomainError)


def test_rule_violations_are_not_input_errors() -> None:
    for error in (InvalidValueError, OverfillError):
        assert issubclass(error, DomainError)
        assert not issubclass(error, InputError)


def test_an_import_error_still_names_its_file_and_line() -> None:
    error = ImportFormatError("trades.csv", "bad price", line=3, column="price")
    assert str(error) == "trades.csv:3: column 'price': bad price"
