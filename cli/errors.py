"""The command line's failures: bad input, and the one line on stderr each failure gives."""

from __future__ import annotations

import re
import sys
from typing import NoReturn

import click

from gal_friday.domain.errors import InputError

#: Error lines longer than this are cut (a value can be huge: a whole file line, a driver dump).
MAX_ERROR_LENGTH = 300
INTERRUPTED = 130
#: The database holds another application's table or revision where ours would go
#: (docs/database.md, "Sharing a database").
SCHEMA_CONFLICT = 4


class UserError(InputError):
    """Bad input from the user: exit code 2, one line on stderr."""


def one_line(message: str, limit: int = MAX_ERROR_LENGTH) -> str:
    """``message`` on one line, cut to about ``limit`` characters with a note saying so."""
    text = re.sub(r"\s*[\r\n]+\s*", " ", message.strip())
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters cut)"


def fail(message: str, code: int) -> NoReturn:
    """Print ``error: message`` on one line on stderr and exit with ``code``."""
    click.echo(f"error: {one_line(message)}", err=True)
    sys.exit(code)


class _NeverRaised(Exception):
    """Stands for an error class whose module was never imported, so cannot have been raised."""


def loaded(module: str, name: str) -> type[Exception]:
    """``module.name`` if ``module`` is already imported, else an error class never raised.

    Matching an exception against a storage error must not import SQLAlchemy (start-up time).
    """
    found = sys.modules.get(module)
    return getattr(found, name) if found is not None else _NeverRaised


def mask_reason(reason: str) -> str:
    """A driver message with any ``password=...`` or URL credentials hidden."""
    reason = re.sub(r"(password\s*=\s*)\S+", r"\1***", reason, flags=re.IGNORECASE)
    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", reason)
