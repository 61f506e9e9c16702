"""gal_friday.persistence.logwriter.rows: the writer's tuple holds what ``Log.from_record`` holds."""

from __future__ import annotations

import json
import logging
import uuid

import attrs

from gal_friday.domain import Log
from gal_friday.domain.logs import log_values
from gal_friday.domain.redaction import redactor
from gal_friday.persistence.logwriter.rows import LOG_COLUMNS, log_row, record_ids


def _record(**extra: object) -> logging.LogRecord:
    return logging.makeLogRecord(
        {
            "name": "gf.rows",
            "levelno": logging.WARNING,
            "levelname": "WARNING",
            "msg": "login password=hunter22 as %s",
            "args": ("hunter22",),
            "created": 1_790_000_000.25,
            "pathname": "/src/app.py",
            "filename": "app.py",
            "lineno": 7,
            "funcName": "f",
            "exc_text": "token=abc",
            **extra,
        }
    )


def test_the_columns_are_the_fields_of_a_log_but_its_key():
    assert set(LOG_COLUMNS) == {field.name for field in attrs.fields(Log)} - {"id"}


def test_a_row_is_the_values_of_log_from_record_in_column_order():
    for extra in ({}, {"secret": "hunter22", "pair": "XRP/USD", "n": 1}):
        record = _record(**extra)
        fields, message = vars(record), record.getMessage()
        row = dict(zip(LOG_COLUMNS, log_row(fields, message, "token=abc", redactor()), strict=True))
        values = log_values(fields, message, "token=abc")
        assert {**row, "record_id": None} == {**values, "record_id": None}
        assert ("hunter22" in row["message"]) == (not extra)  # a secret context hides its echo
        assert isinstance(row["record_id"], uuid.UUID)


def test_the_context_is_encoded_when_asked_and_the_id_kept():
    record = _record(pair="XRP/USD")
    (record_id,) = record_ids(1)
    row = log_row(vars(record), "m", None, redactor(), json.dumps, record_id)
    assert row[0] == record_id
    assert row[LOG_COLUMNS.index("context_json")] == '{"pair": "XRP/USD"}'
    empty = log_row(vars(_record()), "m", None, redactor(), json.dumps)
    assert empty[LOG_COLUMNS.index("context_json")] is None  # no context: NULL, not "null"


def test_record_ids_are_distinct_random_version_4_uuids_as_text():
    ids = record_ids(5_000)
    parsed = [uuid.UUID(text) for text in ids]
    assert [str(value) for value in parsed] == ids
    assert {(value.version, value.variant) for value in parsed} == {(4, uuid.RFC_4122)}
    assert len(set(ids)) == 5_000
    assert {text[19] for text in ids} == set("89ab")  # the variant's two free bits vary
    assert record_ids(0) == []
