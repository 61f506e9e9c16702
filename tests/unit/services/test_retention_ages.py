"""Retention's ages and refusals (no database: the refusals come before any transaction)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from gal_friday.domain.errors import InputError
from gal_friday.services.retention import RetentionError, parse_age, prune


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("90d", timedelta(days=90)),
        ("365d", timedelta(days=365)),
        (" 12h ", timedelta(hours=12)),
        ("30m", timedelta(minutes=30)),
        ("45s", timedelta(seconds=45)),
        ("2w", timedelta(weeks=2)),
    ],
)
def test_an_age_is_a_number_and_a_unit(text, age):
    assert parse_age(text) == age


@pytest.mark.parametrize("text", ["90", "d", "90 days", "-5d", "1.5d", "90D", "", "9y"])
def test_anything_else_is_refused_naming_the_option(text):
    with pytest.raises(RetentionError, match="^--logs: .* is not an age"):
        parse_age(text, "--logs")


@pytest.mark.parametrize("value", ["0d", timedelta(0), timedelta(days=-1)])
def test_a_zero_or_negative_age_is_refused(value):
    with pytest.raises(RetentionError, match="more than 0"):
        parse_age(value, "--events")


def _never_opened():
    raise AssertionError("no transaction may be opened")


def test_prune_without_an_age_refuses_before_opening_a_transaction():
    with pytest.raises(RetentionError, match="at least one age") as raised:
        prune(_never_opened)
    assert isinstance(raised.value, InputError)  # the command line's exit 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"logs": "90d", "batch_size": 0}, "batch_size"),
        ({"logs": "90d", "now": datetime(2026, 12, 7)}, "timezone-aware"),
        ({"logs": "90d", "events": "soon"}, "events: 'soon'"),
    ],
)
def test_bad_options_are_refused_before_opening_a_transaction(options, message):
    with pytest.raises(RetentionError, match=message):
        prune(_never_opened, **options)
