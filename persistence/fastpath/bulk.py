"""The bulk write path: ``COPY ... FROM STDIN`` on PostgreSQL, batched Core inserts on SQLite.

Every function takes a SQLAlchemy ``Connection`` that is already inside the
caller's transaction (``uow.connection``), so a bulk write commits or rolls back
with the rest of the unit of work. On PostgreSQL the rows go through psycopg's
``COPY`` on that same connection; on SQLite, and on PostgreSQL through psycopg's
asyncio connection (an :class:`~gal_friday.persistence.unit_of_work.AsyncUnitOfWork`,
whose repositories run inside SQLAlchemy's async greenlet), through Core ``insert()``
with the tables' own types (``executemany``, ``ON CONFLICT DO NOTHING`` where rows
already stored are skipped). The import writer's streaming functions
(:func:`stream_rows`, :func:`insert_new_rows`) need the synchronous connection and say
so with :class:`SyncConnectionRequiredError`. Rows are built from the domain objects
column by column (the column names are the attribute names), so they carry exactly what the mapped
path stores; a test compares the two.

Constraint violations raise the same domain-level errors as the mapped path:
a duplicate ``(exchange, fill_id)`` is a :class:`DuplicateFillError`, anything
else a :class:`~gal_friday.persistence.errors.ConstraintViolationError`. With
``skip_duplicates=True`` rows whose natural key is already stored are skipped on
purpose (idempotent ingestion) and the count of rows really inserted is returned.
"""

from __future__ import annotations

import logging
import operator
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlalchemy import JSON, Connection, Table, insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from gal_friday.domain import EventLog, Fill, Log, Order, SystemLog, Trade
from gal_friday.domain.errors import DomainError, DuplicateFillError
from gal_friday.domain.invariants import InvariantError
from gal_friday.persistence.errors import (
    FILL_UNIQUE,
    ConstraintViolationError,
    DatabaseUnavailableError,
    StorageError,
    translate_integrity_error,
)
from gal_friday.persistence.fastpath.batching import chunked
from gal_friday.persistence.fastpath.json_text import json_text
from gal_friday.persistence.internals import has_orm_state
from gal_friday.persistence.tables import definitions as t
from gal_friday.persistence.tables.fill_row import FILL_COLUMNS, fill_row
from gal_friday.persistence.tables.types import (
    DecimalMap,
    JSONValue,
    UTCDateTime,
    as_decimal_strings,
)

SQLITE_BATCH = 500
_ORDER_PK, _FILL_ID = FILL_COLUMNS.index("order_pk"), FILL_COLUMNS.index("fill_id")
Row = dict[str, Any]
#: The longest database message an error repeats (a refused row can quote huge values).
MESSAGE_LIMIT = 300


class SyncConnectionRequiredError(StorageError):
    """A bulk operation that only runs on a synchronous psycopg connection was given another."""


class _CopyTeardownFilter(logging.Filter):
    """Drops psycopg's "error ignored terminating <Copy>" warning: when a COPY fails (the
    server died), psycopg logs the failure to end it, then raises the error itself, which
    the caller gets translated; the warning would be a second report of one error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.msg == "error ignored terminating %r: %s"
            and bool(record.args)
            and isinstance(record.args, tuple)
            and isinstance(record.args[0], psycopg.Copy)
        )


logging.getLogger("psycopg").addFilter(_CopyTeardownFilter())


def _cut(text: str) -> str:
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def _is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _sync_psycopg(conn: Connection) -> psycopg.Connection[Any] | None:
    """The synchronous psycopg connection behind ``conn``; None on SQLite and on psycopg's
    asyncio connection (whose COPY would have to be awaited)."""
    if not _is_postgres(conn):
        return None
    driver = conn.connection.driver_connection
    return driver if isinstance(driver, psycopg.Connection) else None


def _uses_copy(conn: Connection) -> bool:
    """True when the rows go through COPY (PostgreSQL through the synchronous driver)."""
    return _sync_psycopg(conn) is not None


def _itemgetter_names(names: Sequence[str], table: Table) -> None:
    """``operator.itemgetter`` returns a tuple only for two names or more."""
    if len(names) < 2:
        raise InvariantError(f"a bulk row of {table.name} has at least two columns")


def _rows(table: Table, objects: Iterable[Any], *, skip: Iterable[str] = ()) -> list[Row]:
    """One dict per object, keyed by the table's columns (attribute names), ``skip`` left out.

    Values are read from the instance ``__dict__`` when every column is there
    (SQLAlchemy's own fast path for loaded attributes), else attribute by attribute.
    """
    skipped = set(skip)
    names = tuple(c.name for c in table.columns if c.name not in skipped)
    _itemgetter_names(names, table)
    from_dict = operator.itemgetter(*names)
    from_attributes = operator.attrgetter(*names)
    rows = []
    for obj in objects:
        try:
            values = from_dict(obj.__dict__)
        except (AttributeError, KeyError):
            values = from_attributes(obj)
        rows.append(dict(zip(names, values, strict=True)))
    return rows


def _copy_converters(
    table: Table, columns: Sequence[str], *, repeated_times: bool = False
) -> list[tuple[int, Callable[[Any], Any]]]:
    """Where a value needs converting for COPY: dicts to JSON; with ``repeated_times`` (rows
    whose times are often one object) times to text. Enums are ``StrEnum`` members, which
    psycopg writes as their value already."""
    converters: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(columns):
        column_type = table.c[name].type
        if isinstance(column_type, DecimalMap):
            # the JSON text itself (what Jsonb would send): no Python-level dumper per row
            converters.append((index, _decimal_map_text))
        elif isinstance(column_type, JSONValue):
            converters.append((index, column_type.copy_value))  # the JSON encoding, then Jsonb
        elif isinstance(column_type, JSON) or isinstance(getattr(column_type, "impl", None), JSON):
            converters.append((index, Jsonb))
        elif repeated_times and isinstance(column_type, UTCDateTime):
            # psycopg's dumper costs 0.8 us a time, and an order row repeats the same one
            converters.append((index, _time_text()))
    return converters


def _decimal_map_text(amounts: dict[str, Any]) -> str:
    """A :class:`DecimalMap` value as COPY takes it for ``jsonb``: ``json.dumps``'s text."""
    return json_text(as_decimal_strings(amounts))


def _time_text() -> Callable[[datetime], str]:
    """A converter of times to ISO text (what the server parses to the same instant), which
    reuses its last text when given the same object again (an order's four times are often
    one fill's time)."""
    last_value: datetime | None = None
    last_text = ""

    def text(value: datetime) -> str:
        nonlocal last_value, last_text
        if value is not last_value:
            last_value, last_text = value, value.isoformat()
        return last_text

    return text


def _assign(obj: Any, name: str, value: Any) -> None:
    """Set a key the database gave; an object without the ORM's state (assembled plainly)
    takes it in its ``__dict__``, as a row's values are loaded (no ORM state to make)."""
    if has_orm_state(obj):
        setattr(obj, name, value)
    else:
        obj.__dict__[name] = value


def _driver(conn: Connection) -> psycopg.Connection[Any]:
    driver = _sync_psycopg(conn)
    if driver is None:
        raise SyncConnectionRequiredError(
            "this bulk write runs on a synchronous PostgreSQL connection (UnitOfWork), "
            f"not on {conn.dialect.name} through {conn.dialect.driver}"
        )
    return driver


def _identifiers(names: Iterable[str]) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(name) for name in names)


def _copy(
    conn: Connection, table: Table, target: str, columns: Sequence[str], rows: Iterable[Row]
) -> None:
    """COPY ``rows`` into ``target`` (``table`` or a staging copy of it)."""
    _copy_values(conn, table, target, columns, map(operator.itemgetter(*columns), rows))


def _copy_values(
    conn: Connection,
    table: Table,
    target: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    repeated_times: bool = False,
) -> None:
    """COPY ``rows`` (values in ``columns`` order) into ``target`` (``repeated_times``: see
    :func:`_copy_converters`)."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(target), _identifiers(columns)
    )
    converters = _copy_converters(table, columns, repeated_times=repeated_times)
    with _driver(conn).cursor() as cursor, cursor.copy(statement) as copy:
        write = copy.write_row
        if not converters:
            for row in rows:
                write(row)
            return
        for row in rows:
            values = list(row)
            for index, convert in converters:
                if values[index] is not None:
                    values[index] = convert(values[index])
            write(values)


def _object_values(
    table: Table, objects: Iterable[Any], *, skip: Iterable[str] = ()
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The table's columns (``skip`` left out) and one tuple of values per object, in that
    order: :func:`_rows` without a dict per object (the import writes them by the 100,000)."""
    skipped = set(skip)
    names = [c.name for c in table.columns if c.name not in skipped]
    _itemgetter_names(names, table)
    from_dict = operator.itemgetter(*names)
    from_attributes = operator.attrgetter(*names)
    values = []
    for obj in objects:
        try:
            values.append(from_dict(obj.__dict__))
        except (AttributeError, KeyError):
            values.append(from_attributes(obj))
    return names, values


def _insert_values(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    values: Sequence[Sequence[Any]],
    *,
    repeated_times: bool = False,
) -> int:
    """Insert rows given as values in ``columns`` order: COPY on PostgreSQL, as
    :func:`insert_rows` does elsewhere (``repeated_times``: see :func:`_copy_converters`)."""
    if not values:
        return 0
    if not _uses_copy(conn):
        return insert_rows(conn, table, [dict(zip(columns, row, strict=True)) for row in values])
    try:
        _copy_values(conn, table, table.name, columns, values, repeated_times=repeated_times)
    except psycopg.errors.IntegrityError as exc:
        raise _translate_copy_error(exc) from None
    except psycopg.OperationalError as exc:
        raise _lost(conn, exc) from exc
    return len(values)


def _translate_copy_error(exc: psycopg.Error) -> DomainError | StorageError:
    diag = exc.diag
    constraint = diag.constraint_name
    detail = diag.message_detail or ""
    if constraint == FILL_UNIQUE:
        match = re.search(r"\(exchange, fill_id\)=\((.*?), (.*)\) already exists", detail)
        fill_id = match.group(2) if match else "?"
        return DuplicateFillError(fill_id, "a fill with this id is already stored")
    first_line = _cut((diag.message_primary or str(exc)).strip().splitlines()[0])
    label = constraint or "a database constraint"
    return ConstraintViolationError(
        constraint, f"the database refused the row ({label}): {first_line}"
    )


def _lost(conn: Connection, exc: psycopg.OperationalError) -> Exception:
    """A :class:`DatabaseUnavailableError` when the server is gone (the connection is marked
    invalid, so the unit of work's rollback does not talk to it), else ``exc`` itself."""
    if not _driver(conn).closed:
        return exc
    conn.invalidate(exc)
    return DatabaseUnavailableError(
        "cannot use the database: the database connection was lost during the bulk write; "
        "nothing was committed"
    )


def _postgres_insert(
    conn: Connection, table: Table, rows: Sequence[Row], conflict: Sequence[str] | None
) -> int:
    columns = list(rows[0])
    try:
        if conflict is None:
            _copy(conn, table, table.name, columns, rows)
            return len(rows)
        staging = f"staging_{table.name}_{uuid.uuid4().hex[:8]}"
        driver = _driver(conn)
        driver.execute(
            sql.SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP").format(
                sql.Identifier(staging), sql.Identifier(table.name)
            )
        )
        _copy(conn, table, staging, columns, rows)
        cursor = driver.execute(
            sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} ON CONFLICT ({}) DO NOTHING").format(
                sql.Identifier(table.name),
                _identifiers(columns),
                _identifiers(columns),
                sql.Identifier(staging),
                _identifiers(conflict),
            )
        )
        inserted = cursor.rowcount
        driver.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(staging)))
        return inserted
    except psycopg.errors.IntegrityError as exc:
        raise _translate_copy_error(exc) from None
    except psycopg.OperationalError as exc:
        raise _lost(conn, exc) from exc


def _portable_insert(
    conn: Connection, table: Table, rows: Sequence[Row], conflict: Sequence[str] | None
) -> int:
    """Core ``insert()`` in batches (SQLite, and PostgreSQL's asyncio driver); with
    ``conflict`` columns, rows already stored are skipped. On PostgreSQL the inserted rows
    are counted by ``RETURNING`` (an ``executemany``'s row count is not the driver's promise)."""
    statement: Any = insert(table)
    counted = False
    if conflict is not None:
        if _is_postgres(conn):
            key = next(iter(table.primary_key.columns))
            statement = postgresql_insert(table).on_conflict_do_nothing(
                index_elements=list(conflict)
            )
            statement, counted = statement.returning(key), True
        else:
            statement = sqlite_insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    inserted = 0
    try:
        for batch in chunked(rows, SQLITE_BATCH):
            result = conn.execute(statement, list(batch))
            if conflict is None:
                inserted += len(batch)  # every row or an error
            elif counted:
                inserted += len(result.all())
            else:
                inserted += max(result.rowcount, 0)
    except IntegrityError as exc:
        raise translate_integrity_error(exc) from None
    return inserted


def insert_rows(
    conn: Connection, table: Table, rows: Sequence[Row], conflict: Sequence[str] | None = None
) -> int:
    """Insert ``rows`` into ``table``; with ``conflict`` columns, skip rows already stored there."""
    if not rows:
        return 0
    if _uses_copy(conn):
        return _postgres_insert(conn, table, rows, conflict)
    return _portable_insert(conn, table, rows, conflict)


def stream_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """COPY ready rows into ``table`` as they are produced (PostgreSQL): the server ingests what
    was sent while the caller makes the next rows. Nothing is skipped.

    Each row is a tuple in ``columns`` order whose values COPY takes as they are (JSON as
    its text): no dict and no conversion per row.
    """
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), _identifiers(columns)
    )
    try:
        with _driver(conn).cursor() as cursor, cursor.copy(statement) as copy:
            write = copy.write_row
            for row in rows:
                write(row)
    except psycopg.errors.IntegrityError as exc:
        raise _translate_copy_error(exc) from None


def insert_new_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict: Sequence[str],
) -> int:
    """Insert ready rows (as :func:`stream_rows` takes them) into ``table`` in one statement,
    skipping those whose ``conflict`` columns are already stored (PostgreSQL); returns how
    many were inserted.

    The rows go as one array per column (``unnest``): no staging table per batch, and
    ``ON CONFLICT DO NOTHING`` also skips a row another transaction commits meanwhile.
    """
    if not rows:
        return 0
    arrays = sql.SQL(", ").join(
        sql.SQL("%s::{}[]").format(sql.SQL(table.c[name].type.compile(dialect=conn.dialect)))
        for name in columns
    )
    statement = sql.SQL(
        "INSERT INTO {} ({}) SELECT * FROM unnest({}) ON CONFLICT ({}) DO NOTHING"
    ).format(sql.Identifier(table.name), _identifiers(columns), arrays, _identifiers(conflict))
    columns_values = [list(values) for values in zip(*rows, strict=True)]
    try:
        cursor = _driver(conn).execute(statement, columns_values)
    except psycopg.errors.IntegrityError as exc:
        raise _translate_copy_error(exc) from None
    except psycopg.OperationalError as exc:
        raise _lost(conn, exc) from exc
    return cursor.rowcount


def _allocate_keys(conn: Connection, table: Table, column: str, count: int) -> list[int]:
    """``count`` fresh keys from the column's sequence (PostgreSQL)."""
    try:
        cursor = _driver(conn).execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            (table.name, column, count),
        )
    except psycopg.OperationalError as exc:
        raise _lost(conn, exc) from exc
    return [row[0] for row in cursor.fetchall()]


def insert_orders(conn: Connection, orders: Sequence[Order]) -> None:
    """Insert new orders and set each one's ``order_pk``, and its fills' (version 1, as the
    mapped path does); the fills are left to :func:`insert_fills`."""
    if not orders:
        return
    columns, values = _object_values(t.orders, orders, skip=("order_pk", "version"))
    columns += ["version", "order_pk"]
    if _uses_copy(conn):
        keys = _allocate_keys(conn, t.orders, "order_pk", len(orders))
        rows = [(*row, 1, key) for row, key in zip(values, keys, strict=True)]
        # an order's four times are often one fill's: made text once (see _copy_converters)
        _insert_values(conn, t.orders, columns, rows, repeated_times=True)
    else:
        keys = []
        dicts = [dict(zip(columns[:-1], (*row, 1), strict=True)) for row in values]
        statement = insert(t.orders).returning(t.orders.c.order_pk, sort_by_parameter_order=True)
        for batch in chunked(dicts, SQLITE_BATCH):
            keys.extend(conn.execute(statement, list(batch)).scalars())
    for order, key in zip(orders, keys, strict=True):
        _assign(order, "order_pk", key)
        for fill in order.fills:
            _assign(fill, "order_pk", key)


def insert_fills(conn: Connection, fills: Sequence[Fill], *, skip_duplicates: bool = False) -> int:
    """Insert fills (each with its ``order_pk``); returns how many rows were inserted.

    A fill id already stored for its exchange is a :class:`DuplicateFillError`, or is
    skipped when ``skip_duplicates`` is true.
    """
    values = list(map(fill_row, fills))
    # checked on the values read for COPY: no second attribute read per fill
    _check_orders_known([row[_FILL_ID] for row in values if row[_ORDER_PK] is None])
    if skip_duplicates:
        rows = [dict(zip(FILL_COLUMNS, row, strict=True)) for row in values]
        return insert_rows(conn, t.fills, rows, ("exchange", "fill_id"))
    return _insert_values(conn, t.fills, FILL_COLUMNS, values)


def _check_orders_known(missing: list[str]) -> None:
    """Refuse fills without an order (``missing``: their ids)."""
    if missing:
        raise ConstraintViolationError(
            "fills.order_pk", f"fills without an order cannot be stored: {missing[:5]}"
        )


def insert_trades(conn: Connection, trades: Sequence[Trade]) -> int:
    """Insert trades (derived data)."""
    return _insert_values(conn, t.trades, *_object_values(t.trades, trades, skip=("trade_pk",)))


def insert_logs(conn: Connection, logs: Sequence[Log], *, skip_duplicates: bool = False) -> int:
    """Insert log records; with ``skip_duplicates`` a ``record_id`` already stored is skipped."""
    rows = _rows(t.logs, logs, skip=("id",))
    return insert_rows(conn, t.logs, rows, ("record_id",) if skip_duplicates else None)


def insert_system_logs(conn: Connection, entries: Sequence[SystemLog]) -> int:
    """Insert system log entries."""
    return insert_rows(conn, t.system_logs, _rows(t.system_logs, entries, skip=("log_pk",)))


def insert_events(
    conn: Connection, events: Sequence[EventLog], *, skip_duplicates: bool = False
) -> int:
    """Append events; with ``skip_duplicates`` an ``event_id`` already stored is skipped."""
    rows = _rows(t.event_logs, events, skip=("event_pk",))
    return insert_rows(conn, t.event_logs, rows, ("event_id",) if skip_duplicates else None)
