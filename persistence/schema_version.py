"""The schema's revision, read without importing Alembic (it costs the CLI's start-up).

:func:`head_revision` reads ``revision`` and ``down_revision`` from the files in
``migrations/versions`` with :mod:`ast`, without running them; :func:`stored_revision`
reads the ``alembic_version`` table. Both agree with :mod:`gal_friday.persistence.schema`
(tested). For anything unusual (several heads or stored revisions, a file that
cannot be read) they return None, and the caller asks :mod:`~gal_friday.persistence.schema`.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, inspect, text

VERSIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"
VERSION_TABLE = "alembic_version"


def _assigned(tree: ast.Module, name: str) -> object:
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            return ast.literal_eval(value)
    raise LookupError(name)


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest revision id, or None when there is not exactly one head."""
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        for path in VERSIONS.glob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            revision = _assigned(tree, "revision")
            down = _assigned(tree, "down_revision")
            if not isinstance(revision, str):
                return None
            revisions.add(revision)
            if isinstance(down, str):
                parents.add(down)
            elif isinstance(down, (tuple, list)):
                parents.update(str(item) for item in down)
    except (OSError, SyntaxError, ValueError, LookupError):
        return None
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def stored_revision(engine: Engine) -> str | None:
    """The one revision recorded in the database, or None (no schema, or several)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return str(rows[0][0]) if len(rows) == 1 else None
