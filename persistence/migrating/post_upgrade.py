"""What to run after an upgrade, per revision applied (``docs/database.md``, "Upgrades").

A revision says it with a module-level ``POST_UPGRADE = "..."`` string; revisions that
shipped before the convention are listed in :data:`KNOWN`. :func:`notes_between` gives the
notes of the revisions an upgrade applied, oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic.script import ScriptDirectory

#: Notes of revisions written before ``POST_UPGRADE`` existed.
KNOWN: dict[str, str] = {
    "0006_order_aggregates_repair": (
        "order aggregates were repaired from their fills: run `gal-friday trades rebuild`"
        " (from Python: gal_friday.services.trade_rebuild.rebuild_trades(uow_factory)) so that"
        " the trades and the report include the fills the previous release recorded"
    ),
}


@dataclass(frozen=True)
class PostUpgradeNote:
    """One thing to do after ``revision`` was applied."""

    revision: str
    text: str

    def __str__(self) -> str:
        return f"after {self.revision}: {self.text}"


def notes_between(
    script: ScriptDirectory, before: str | None, after: str | None
) -> list[PostUpgradeNote]:
    """The notes of the revisions above ``before`` up to ``after`` (a linear history), oldest
    first; none when nothing was applied, or when ``before`` is None (a new schema has no data
    written by an earlier release)."""
    if before is None or after is None or after == before:
        return []
    applied = []
    for revision in script.walk_revisions(base="base", head=after):
        if revision.revision == before:
            break
        applied.append(revision)
    notes = []
    for revision in reversed(applied):
        text = getattr(revision.module, "POST_UPGRADE", None) or KNOWN.get(revision.revision)
        if isinstance(text, str) and text.strip():
            notes.append(PostUpgradeNote(revision.revision, text.strip()))
    return notes
