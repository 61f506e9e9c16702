"""Database URLs: which ones we accept, their timeouts, and how they are printed.

The URL comes from the argument, else ``GALFRIDAY_DATABASE_URL``, else
``sqlite:///galfriday.db``. PostgreSQL goes through psycopg 3 and SQLite through
the standard library; the asyncio drivers a service may already use
(``postgresql+asyncpg://``, ``sqlite+aiosqlite://``) name the same database and are
accepted. A password given in the query (``?password=...``, which libpq logs in
with) is moved into the URL's password field, so that every rendering SQLAlchemy
makes of the URL (``repr(engine)`` included) masks it.

Timeouts (``docs/database.md``): each is a query parameter of the URL (removed
before the driver sees it), else an environment variable, else a default.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal, InvalidOperation

import attrs
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from gal_friday.domain.errors import InputError

DEFAULT_DATABASE_URL = "sqlite:///galfriday.db"
DATABASE_URL_ENV = "GALFRIDAY_DATABASE_URL"

# Query keys whose value is a secret (libpq's own names).
SECRET_KEYS = ("password", "sslpassword")

_POSTGRES_DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
    "postgresql+psycopg_async": "postgresql+psycopg",
    "postgresql+asyncpg": "postgresql+psycopg",
}
_SQLITE_DRIVERS = {"sqlite": "sqlite", "sqlite+pysqlite": "sqlite", "sqlite+aiosqlite": "sqlite"}


class DatabaseURLError(InputError, ValueError):
    """A database URL that cannot be used (the message never contains the password)."""


@attrs.frozen
class Timeout:
    """One timeout: its URL query key, environment variable, default and lower bound (s)."""

    key: str
    env: str
    default: Decimal
    minimum: Decimal

    def value(self, url: URL) -> Decimal:
        """Seconds from the URL's query, else the environment, else the default."""
        raw = url.query.get(self.key)
        source = f"?{self.key}= in the database URL"
        if raw is None:
            raw, source = os.environ.get(self.env), f"${self.env}"
        if raw is None or raw == "":
            return self.default
        text = raw if isinstance(raw, str) else raw[-1]
        try:
            seconds = Decimal(text)
        except InvalidOperation:
            raise DatabaseURLError(f"{source}: {text!r} is not a number of seconds") from None
        if not seconds.is_finite() or seconds < 0 or (seconds and seconds < self.minimum):
            raise DatabaseURLError(
                f"{source}: {text!r} must be 0 (no limit) or at least {self.minimum} seconds"
            )
        return seconds


CONNECT_TIMEOUT = Timeout("connect_timeout", "GALFRIDAY_DB_CONNECT_TIMEOUT", Decimal(5), Decimal(2))
STATEMENT_TIMEOUT = Timeout(
    "statement_timeout", "GALFRIDAY_DB_STATEMENT_TIMEOUT", Decimal(60), Decimal("0.001")
)
BUSY_TIMEOUT = Timeout("busy_timeout", "GALFRIDAY_DB_BUSY_TIMEOUT", Decimal(10), Decimal("0.001"))
TIMEOUTS = (CONNECT_TIMEOUT, STATEMENT_TIMEOUT, BUSY_TIMEOUT)


@attrs.frozen
class Timeouts:
    """The timeouts of one URL, in seconds (0: no limit)."""

    connect: Decimal
    statement: Decimal
    busy: Decimal


def timeouts(url: URL) -> Timeouts:
    """The timeouts ``url`` asks for (see ``docs/database.md``)."""
    return Timeouts(*(timeout.value(url) for timeout in TIMEOUTS))


def without_options(url: URL) -> URL:
    """``url`` without our own query keys (the driver would refuse them)."""
    return url.difference_update_query([timeout.key for timeout in TIMEOUTS])


def resolve_url(url: str | URL | None = None) -> URL:
    """The URL to use: the argument, else $GALFRIDAY_DATABASE_URL, else the SQLite default.

    The driver is the synchronous one we support; the timeouts are checked here, so
    a bad value is refused before anything connects.
    """
    raw = url if url is not None else os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL
    try:
        parsed = make_url(raw)
    except ArgumentError:
        raise DatabaseURLError(f"not a database URL: {mask_url(raw)}") from None
    except ValueError:
        raise DatabaseURLError(
            f"the port in {mask_url(raw)} is not a number (expected host:5432)"
        ) from None
    driver = _POSTGRES_DRIVERS.get(parsed.drivername) or _SQLITE_DRIVERS.get(parsed.drivername)
    if driver is None:
        backend = parsed.get_backend_name()
        supported = "postgresql://... (psycopg 3) or sqlite:///FILE"
        what = (
            f"driver {parsed.drivername!r}"
            if backend in ("postgresql", "sqlite")
            else (f"database {backend!r}")
        )
        raise DatabaseURLError(f"unsupported {what} in {mask_url(parsed)}: use {supported}")
    parsed = _password_from_query(parsed.set(drivername=driver))
    timeouts(parsed)
    return parsed


def _password_from_query(url: URL) -> URL:
    """``?password=`` moved into the password field (libpq lets the query win, so do we)."""
    password = url.query.get("password")
    if password is None:
        return url
    value = password if isinstance(password, str) else password[-1]
    return url.difference_update_query(["password"]).set(password=value)


def secret_query(url: URL) -> dict[str, str]:
    """The secret query values other than the password (passed to the driver apart)."""
    return {
        key: value if isinstance(value, str) else value[-1]
        for key, value in url.query.items()
        if key in SECRET_KEYS and key != "password"
    }


_USERINFO = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")
_SECRET_PAIR = re.compile(
    r"\b(" + "|".join(SECRET_KEYS) + r")(\s*=\s*)('[^']*'|[^&\s]+)", re.IGNORECASE
)


def mask_secrets(text: str) -> str:
    """``text`` with URL passwords and ``password=...`` pairs (query or DSN) replaced by ***."""
    return _SECRET_PAIR.sub(r"\1\2***", _USERINFO.sub(r"\1***@", text))


def mask_url(url: str | URL) -> str:
    """The URL with every secret (password field, ``?password=``, ``?sslpassword=``) as ***."""
    if not isinstance(url, URL):
        try:
            url = make_url(url)
        except (ArgumentError, ValueError):
            return mask_secrets(str(url))
    hidden = {key: "***" for key in url.query if key in SECRET_KEYS}
    if hidden:
        url = url.update_query_dict(hidden)
    return url.render_as_string(hide_password=True).replace("%2A%2A%2A", "***")
