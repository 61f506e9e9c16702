"""``run()`` maps every failure to its exit code and one line on stderr."""

from __future__ import annotations

import click
import pytest

from gal_friday.cli.main import run
from gal_friday.domain import OverfillError
from gal_friday.persistence.errors import (
    ConcurrencyError,
    ConstraintViolationError,
    DatabaseTimeoutError,
    DatabaseUnavailableError,
    SchemaMissingError,
    StorageError,
)


def _raising(error: BaseException) -> click.Command:
    @click.command()
    def command() -> None:
        raise error

    return command


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (DatabaseUnavailableError("the connection was lost\nserver closed it"), 1),
        (DatabaseTimeoutError("the database did not answer in time"), 1),
        (SchemaMissingError("no table orders; run `gal-friday db upgrade` first"), 1),
        (ConcurrencyError("another writer holds the same data"), 1),
        (StorageError("database error: something"), 1),
        (ConstraintViolationError("ck_x", "the database refused the row (ck_x)"), 2),
        (OverfillError("fill F1 would overfill the order"), 2),
        (KeyboardInterrupt(), 130),
    ],
)
def test_each_failure_exits_with_its_code_and_one_line(error, code, capsys):
    with pytest.raises(SystemExit) as info:
        run(_raising(error), [])
    assert info.value.code == code
    err = capsys.readouterr().err
    assert err.strip().startswith("error: ")  # after Ctrl-C click first ends the ^C line
    assert len(err.strip().splitlines()) == 1
