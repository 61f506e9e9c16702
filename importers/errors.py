"""The one error an importer raises for bad input: it names the file, the line and the column."""

from __future__ import annotations

from gal_friday.domain.errors import InputError


class ImportFormatError(InputError):
    """A file that cannot be imported; ``str()`` is one line naming where and what.

    CSV: ``trades.csv:17: column 'price' (7): 'abc' is not a decimal number``.
    JSON: ``trades.json: entry 3: field 'amount': must be greater than zero``.
    """

    #: The longest message kept whole; a longer one is cut with an ellipsis.
    MAX_MESSAGE = 400

    def __init__(
        self,
        path: str,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
        column_index: int | None = None,
        entry: int | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.column_index = column_index
        self.entry = entry
        if len(message) > self.MAX_MESSAGE:
            message = message[: self.MAX_MESSAGE - 1] + "\u2026"
        message = " ".join(message.splitlines())  # one error, one line
        self.message = message
        where = path
        if line is not None:
            where += f":{line}"
        if entry is not None:
            where += f": entry {entry}"
        if column is not None:
            kind = "column" if line is not None else "field"
            where += f": {kind} {column!r}"
            if column_index is not None:
                where += f" ({column_index})"
        super().__init__(f"{where}: {message}")

    def with_hint(self, hint: str) -> ImportFormatError:
        """The same error with ``; hint`` after its message."""
        return ImportFormatError(
            self.path,
            f"{self.message}; {hint}",
            line=self.line,
            column=self.column,
            column_index=self.column_index,
            entry=self.entry,
        )
