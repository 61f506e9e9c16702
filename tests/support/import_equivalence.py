"""Today's import behaviour, pinned: the outcome of every corpus variant as a golden file.

Each variant of :mod:`tests.support.import_corpus` is imported step by step through
``services.importing.import_history`` into a fresh migrated database. A step ends in
its exact error (type and ``str``) or its :class:`ImportSummary`; after the last step
the stored ``orders``, ``fills`` and ``trades`` are digested: per table the row count,
an md5 of the sorted rows and, per column, an md5 of the sorted values rendered as
text. Surrogate keys become natural keys (an ``order_pk`` is its order's
``exchange/exchange_order_id``) and random ids (``client_order_id``, ``trade_id``) are
left out, so the digests are the same on SQLite and PostgreSQL. On SQLite the stored
text of every kept column is digested as well (``sqlite_text``).

Regenerate the golden file ONLY ON PURPOSE, when a change of behaviour is intended and
reviewed (the import rewrite must reproduce it, not rewrite it)::

    python -m tests.support.import_equivalence          # rewrites the golden file
    python -m tests.support.import_equivalence --check  # compares, writes nothing
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import attrs
from sqlalchemy import Engine, Table, select, text
from sqlalchemy.engine import URL

from gal_friday.persistence.bootstrap import unit_of_work_factory
from gal_friday.persistence.database import create_engine
from gal_friday.persistence.tables import definitions as tables
from gal_friday.services import importing
from tests.support.import_corpus import Variant, corpus

GOLDEN = Path(__file__).parent.parent / "fixtures" / "import_equivalence" / "golden.json"

#: Columns left out of the digests: surrogate keys (replaced by natural keys) and random ids.
LEFT_OUT = {
    "orders": {"order_pk", "client_order_id"},
    "fills": {"fill_pk"},
    "trades": {"trade_pk", "trade_id"},
}
#: Columns added after the goldens were made, digested only when a row holds another value
#: than their default (the account book's fill columns: docs/ledgers.md; the orders'
#: attribution); a trades-only spot import leaves them at their defaults, so its digests
#: stay what they were.
DEFAULTED = {
    "fills": {"extra_commissions": "{}", "kind": "TRADE", "reported": "{}"},
    # an imported order names no strategy nor reason (docs/attribution.md)
    "orders": {"strategy_id": "<null>", "reason": "<null>"},
}
#: Foreign keys shown as the natural key of the order they point at.
ORDER_KEYS = {"fills": ("order_pk",), "trades": ("entry_order_pk", "exit_order_pk")}
DIGESTED: tuple[Table, ...] = (tables.orders, tables.fills, tables.trades)


def md5(data: str | bytes) -> str:
    """The md5 hex digest of ``data`` (text as UTF-8)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.md5(raw, usedforsecurity=False).hexdigest()


def rendered(value: Any) -> str:
    """A stored value as text: decimals in plain notation, times in ISO 8601, enums by value."""
    if value is None:
        return "<null>"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dict):
        return json.dumps({k: rendered(v) for k, v in value.items()}, sort_keys=True)
    return str(value)


def _table_digest(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> dict[str, Any]:
    return {
        "count": len(rows),
        "rows": md5("\n".join(sorted("\x1f".join(row) for row in rows))),
        "columns": {
            name: md5("\n".join(sorted(row[i] for row in rows))) for i, name in enumerate(columns)
        },
    }


def stored_digest(engine: Engine) -> dict[str, Any]:
    """The digests of the stored orders, fills and trades (module docstring)."""
    digest: dict[str, Any] = {}
    with engine.connect() as conn:
        keys = {
            pk: f"{exchange}/{ref}"
            for pk, exchange, ref in conn.execute(
                select(
                    tables.orders.c.order_pk,
                    tables.orders.c.exchange,
                    tables.orders.c.exchange_order_id,
                )
            )
        }
        for table in DIGESTED:
            kept = [c for c in table.columns if c.name not in LEFT_OUT[table.name]]
            names = [c.name for c in kept]
            refs = {names.index(n) for n in ORDER_KEYS.get(table.name, ())}
            rows = [
                [
                    keys.get(v, f"<missing {v}>") if i in refs and v is not None else rendered(v)
                    for i, v in enumerate(row)
                ]
                for row in conn.execute(select(*kept))
            ]
            names, rows = _without_defaults(table.name, names, rows)
            digest[table.name] = _table_digest(names, rows)
        if engine.dialect.name == "sqlite":
            digest["sqlite_text"] = _sqlite_text(conn)
    return digest


def _without_defaults(
    table: str, names: list[str], rows: list[list[str]]
) -> tuple[list[str], list[list[str]]]:
    """``names`` and ``rows`` without the :data:`DEFAULTED` columns that hold only defaults."""
    defaults = DEFAULTED.get(table, {})
    dropped = {
        i
        for i, name in enumerate(names)
        if name in defaults and all(row[i] == defaults[name] for row in rows)
    }
    if not dropped:
        return names, rows
    keep = [i for i in range(len(names)) if i not in dropped]
    return [names[i] for i in keep], [[row[i] for i in keep] for row in rows]


def _sqlite_text(conn: Any) -> dict[str, str]:
    """md5 of the sorted stored text of each table's kept columns, foreign keys left out."""
    out = {}
    for table in DIGESTED:
        skip = LEFT_OUT[table.name] | set(ORDER_KEYS.get(table.name, ()))
        for name, default in DEFAULTED.get(table.name, {}).items():
            found = conn.execute(text(f"SELECT DISTINCT {name} FROM {table.name}")).scalars()
            stored = {"<null>" if v is None else str(v).replace(" ", "") for v in found}
            if stored <= {default}:
                skip = skip | {name}  # only defaults: as before the column existed
        names = [c.name for c in table.columns if c.name not in skip]
        cells = " || '|' || ".join(f"quote({name})" for name in names)
        query = text(f"SELECT {cells} FROM {table.name}")  # names from tables.py
        rows = [row[0] for row in conn.execute(query)]
        out[table.name] = md5("\n".join(sorted(rows)))
    return out


@contextlib.contextmanager
def chunk_rows(rows: int | None) -> Iterator[None]:
    """The import's chunk size set to ``rows`` for the block (unchanged when ``None``)."""
    if rows is None:
        yield
        return
    saved = importing.CHUNK_ROWS
    importing.CHUNK_ROWS = rows
    try:
        yield
    finally:
        importing.CHUNK_ROWS = saved


def run_variant(variant: Variant, url: URL | str, workdir: Path) -> dict[str, Any]:
    """Import ``variant``'s steps into the (fresh, migrated) database at ``url``."""
    folder = workdir / variant.name
    folder.mkdir(parents=True, exist_ok=True)
    steps: list[dict[str, Any]] = []
    engine = create_engine(url)
    try:
        with chunk_rows(variant.chunk_rows):
            for step in variant.steps:
                path = folder / step.name
                path.write_bytes(step.data)
                steps.append(_outcome(engine, path, step.fmt, step.exchange, folder))
        stored = stored_digest(engine)
    finally:
        engine.dispose()
    return {
        "input_md5": md5("\n".join(md5(s.data) for s in variant.steps)),
        "steps": steps,
        "stored": stored,
    }


def _outcome(
    engine: Engine, path: Path, fmt: str, exchange: str | None, folder: Path
) -> dict[str, Any]:
    try:
        summary = importing.import_history(
            unit_of_work_factory(engine), path, fmt, exchange=exchange
        )
    except Exception as exc:  # every error is part of the behaviour pinned
        message = str(exc).replace(f"{folder}/", "").replace(str(folder), "<dir>")
        # a driver-level error's SQL and parameters (random client_order_ids) are not kept
        message = message.split("\n[SQL:", 1)[0]
        return {"error": type(exc).__name__, "message": message}
    fields = attrs.asdict(summary)
    for added in ("differences", "notes"):  # trades.csv vs ledger, skipped derivatives: added
        if not fields.get(added):  # after the goldens; none in a variant that has none
            fields.pop(added, None)
    fields["path"] = Path(fields["path"]).name
    fields["pairs"] = [list(pair) for pair in fields["pairs"]]
    return {"summary": fields}


def difference(expected: dict[str, Any], actual: dict[str, Any]) -> str | None:
    """How ``actual`` differs from ``expected`` (the first thing found), or ``None``.
    ``sqlite_text`` is compared only when both have it."""
    if expected.get("input_md5") != actual.get("input_md5"):
        return "its input bytes changed: the corpus generator no longer makes the same file"
    for number, (want, got) in enumerate(zip(expected["steps"], actual["steps"], strict=True), 1):
        if want != got:
            return f"step {number}: expected {json.dumps(want)}, got {json.dumps(got)}"
    for table, want in expected["stored"].items():
        got = actual["stored"].get(table)
        if got is None:
            continue  # sqlite_text on another backend
        if table == "sqlite_text":
            for name, digest in want.items():
                if got.get(name) != digest:
                    return f"the stored text of {name} differs on SQLite"
            continue
        if want["count"] != got["count"]:
            return f"{table}: {got['count']} rows stored, expected {want['count']}"
        columns = [c for c in want["columns"] if want["columns"][c] != got["columns"].get(c)]
        if columns:
            return f"{table}: the values of column(s) {', '.join(columns)} differ"
        if want["rows"] != got["rows"]:
            return f"{table}: same column values but combined into other rows"
    return None


def load_golden() -> dict[str, Any]:
    """The golden outcomes by variant name (stored digests expanded, see :func:`compact`)."""
    document = json.loads(GOLDEN.read_text("utf-8"))
    shared = document["stored"]
    return {
        name: {**outcome, "stored": shared[outcome["stored"]]}
        for name, outcome in document["variants"].items()
    }


def compact(results: dict[str, Any]) -> dict[str, Any]:
    """The golden file's form: each distinct stored digest once, named by its own md5
    (most variants store nothing, or the base history)."""
    shared: dict[str, Any] = {}
    variants = {}
    for name, outcome in results.items():
        key = md5(json.dumps(outcome["stored"], sort_keys=True))[:16]
        shared[key] = outcome["stored"]
        variants[name] = {**outcome, "stored": key}
    return {"stored": shared, "variants": variants}


def run_corpus(template: Path, workdir: Path) -> dict[str, Any]:
    """Every variant's outcome on SQLite, each in a copy of the migrated ``template`` file."""
    results = {}
    for n, variant in enumerate(corpus()):
        target = workdir / f"v{n:03d}.db"
        shutil.copyfile(template, target)
        results[variant.name] = run_variant(variant, f"sqlite:///{target}", workdir / "files")
        target.unlink()
    return results


def main(argv: Sequence[str]) -> int:
    """Rewrite (or with ``--check`` compare) the golden file from today's code."""
    from tests.support.databases import migrated_sqlite_file

    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.db"
        migrated_sqlite_file(template)
        results = run_corpus(template, Path(tmp))
    if "--check" in argv:
        golden = load_golden()
        bad = {n: d for n in golden if (d := difference(golden[n], results.get(n, {})))}
        for name, why in bad.items():
            print(f"{name}: {why}")
        return 1 if bad or set(golden) != set(results) else 0
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps(compact(results), indent=1, sort_keys=True) + "\n", "utf-8")
    errors = sum(1 for r in results.values() if "error" in r["steps"][-1])
    print(f"{GOLDEN}: {len(results)} variants, {errors} ending in an error")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
