"""Database URLs: accepted drivers, secrets masked in every shape, timeouts and their overrides."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gal_friday.persistence.database import create_async_engine, create_engine
from gal_friday.persistence.urls import (
    DatabaseURLError,
    mask_secrets,
    mask_url,
    resolve_url,
    timeouts,
)

SECRET = "s3cr3t"
# Every way a password can sit in a URL: userinfo, libpq's ?password=, %-encoded, both.
SECRET_URLS = [
    f"postgresql://trader:{SECRET}@db.example:5432/gal",
    f"postgresql://trader@db.example/gal?password={SECRET}",
    f"postgresql://db.example/gal?user=trader&password={SECRET}&sslmode=require",
    "postgresql://trader:s3%40cr%3At@db.example/gal",
    "postgresql://trader@db.example/gal?password=s3%25cr%26t",
    f"postgresql://trader:other@db.example/gal?password={SECRET}",
    f"postgresql+asyncpg://trader:{SECRET}@db.example/gal",
    f"postgresql://trader@db.example/gal?sslpassword={SECRET}",
]
SECRET_TEXTS = [SECRET, "s3@cr:t", "s3%40cr%3At", "s3%cr&t", "s3%25cr%26t"]


def _no_secret(text: str) -> None:
    for secret in SECRET_TEXTS:
        assert secret not in text, text


@pytest.mark.parametrize("url", SECRET_URLS)
def test_every_secret_shape_is_masked_in_mask_url_and_reprs(url):
    _no_secret(mask_url(url))
    _no_secret(mask_url(resolve_url(url)))
    engine = create_engine(url)
    try:
        _no_secret(repr(engine))
        _no_secret(repr(engine.url))
        _no_secret(str(engine.url))
    finally:
        engine.dispose()
    async_engine = create_async_engine(url)
    _no_secret(repr(async_engine.sync_engine))


def test_a_query_password_still_logs_in_it_is_moved_into_the_password_field():
    _no_secret(repr(resolve_url(f"postgresql://trader@h/gal?password={SECRET}")))
    assert resolve_url(f"postgresql://trader@h/gal?password={SECRET}").password == SECRET
    assert resolve_url("postgresql://trader@h/gal?password=s3%25cr%26t").password == "s3%cr&t"
    # libpq lets the query win over the userinfo; so do we.
    assert resolve_url(f"postgresql://trader:other@h/gal?password={SECRET}").password == SECRET


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://trader:s3cr3t@h:abc/gal", "the port in postgresql://trader:***@h:abc/gal"),
        ("host=h password=s3cr3t dbname=gal", "not a database URL: host=h password=*** dbname"),
        ("mysql://trader:s3cr3t@h/gal", "unsupported database 'mysql'"),
        ("postgresql+psycopg2://trader:s3cr3t@h/gal", "unsupported driver 'postgresql+psycopg2'"),
    ],
)
def test_bad_urls_are_one_clear_line_without_the_secret(url, expected):
    with pytest.raises(DatabaseURLError) as info:
        resolve_url(url)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message
    _no_secret(message)


def test_mask_secrets_in_driver_text():
    text = 'connection to "h" failed: password=s3cr3t; postgresql://u:s3cr3t@h/x'
    _no_secret(mask_secrets(text))


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql+asyncpg://u@h/gal", "postgresql+psycopg"),
        ("postgres://u@h/gal", "postgresql+psycopg"),
        ("sqlite+aiosqlite:///x.db", "sqlite"),
        ("sqlite+pysqlite:///x.db", "sqlite"),
    ],
)
def test_async_and_alias_drivers_name_the_same_database(url, driver):
    assert resolve_url(url).drivername == driver


def test_timeouts_come_from_the_url_else_the_environment_else_defaults(monkeypatch):
    for name in ("CONNECT", "STATEMENT", "BUSY"):
        monkeypatch.delenv(f"GALFRIDAY_DB_{name}_TIMEOUT", raising=False)
    default = timeouts(resolve_url("postgresql://u@h/gal"))
    assert (default.connect, default.statement, default.busy) == (
        Decimal(5),
        Decimal(60),
        Decimal(10),
    )
    monkeypatch.setenv("GALFRIDAY_DB_STATEMENT_TIMEOUT", "2.5")
    monkeypatch.setenv("GALFRIDAY_DB_CONNECT_TIMEOUT", "3")
    from_env = timeouts(resolve_url("postgresql://u@h/gal"))
    assert (from_env.connect, from_env.statement) == (Decimal(3), Decimal("2.5"))
    from_url = timeouts(resolve_url("postgresql://u@h/gal?statement_timeout=0&connect_timeout=7"))
    assert (from_url.connect, from_url.statement) == (Decimal(7), Decimal(0))


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("postgresql://u@h/gal?connect_timeout=soon", "?connect_timeout="),
        ("postgresql://u@h/gal?connect_timeout=1", "at least 2 seconds"),
        ("sqlite:///x.db?busy_timeout=-1", "?busy_timeout="),
    ],
)
def test_a_bad_timeout_is_refused_naming_it(url, named):
    with pytest.raises(DatabaseURLError, match=named.replace("?", r"\?")):
        resolve_url(url)


def test_a_bad_timeout_in_the_environment_names_the_variable(monkeypatch):
    monkeypatch.setenv("GALFRIDAY_DB_STATEMENT_TIMEOUT", "forever")
    with pytest.raises(DatabaseURLError, match=r"\$GALFRIDAY_DB_STATEMENT_TIMEOUT"):
        resolve_url("postgresql://u@h/gal")
