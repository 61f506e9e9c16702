"""The schema's revision, read without importing Alembic (it costs the CLI's start-up).

:func:`head_revision` reads the ``revision`` and ``down_revision`` lines of the files in
``migrations/versions`` without running them (Alembic imports each one); :func:`stored_revision`
reads the version table (``alembic_version``, or the one the environment names:
:mod:`~gal_friday.persistence.migrating.settings`). Both agree with
:mod:`gal_friday.persistence.schema` (tested). For anything unusual (several heads or
stored revisions, a file that cannot be read) they return None, and the caller
asks :mod:`~gal_friday.persistence.schema`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, column, inspect, select, table

from gal_friday.persistence.migrating.settings import DEFAULT_VERSION_TABLE, SchemaSettings, resolve

VERSIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"
VERSION_TABLE = DEFAULT_VERSION_TABLE

#: ``revision: str = "0001"`` / ``down_revision = ("0002", "0003")`` at the start of a line.
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"""["']([^"']+)["']""")


def _ids(value: str) -> list[str]:
    """The revision ids written in an assignment's value (``None`` has none)."""
    return _QUOTED.findall(value)


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest revision id, or None when there is not exactly one head."""
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        for path in VERSIONS.glob("*.py"):
            found = dict(_ASSIGNMENT.findall(path.read_text(encoding="utf-8")))
            ids = _ids(found["revision"])
            if len(ids) != 1 or "down_revision" not in found:
                return None
            revisions.add(ids[0])
            parents.update(_ids(found["down_revision"]))
    except (OSError, KeyError):
        return None
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def stored_revision(engine: Engine, settings: SchemaSettings | None = None) -> str | None:
    """The one revision recorded in the database, or None (no schema, or several).

    ``settings`` default to the environment's (``GALFRIDAY_DB_VERSION_TABLE``,
    ``GALFRIDAY_DB_SCHEMA``); ``alembic.ini`` is not read here.
    """
    chosen = settings or resolve()
    versions = table(chosen.version_table, column("version_num"), schema=chosen.schema_name)
    with engine.connect() as connection:
        if not inspect(connection).has_table(chosen.version_table, schema=chosen.schema_name):
            return None
        rows = connection.execute(select(versions.c.version_num)).all()
    return str(rows[0][0]) if len(rows) == 1 else None
