"""Format hints on streamed readers: errors on opening a file and while its rows are read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gal_friday.importers import ImportFormatError, collect
from gal_friday.importers.common import ByteSource
from gal_friday.importers.hints import with_format_hint
from gal_friday.importers.records import ImportedFill
from gal_friday.importers.streaming import FillStream


def _failing_rows(name: str) -> Iterator[ImportedFill]:
    raise ImportFormatError(name, "bad row", line=2)
    yield  # pragma: no cover - makes this a generator


def _reader(source: Any, **_: Any) -> FillStream:
    """A CSV reader whose header passes and whose second row is refused."""
    byte_source = ByteSource(source)
    return FillStream(
        path=byte_source.name,
        records=_failing_rows(byte_source.name),
        source=byte_source,
        id_column="txid",
    )


def test_an_error_raised_while_rows_are_read_gains_the_hint(tmp_path: Path) -> None:
    path = tmp_path / "trades.csv"
    path.write_text('{"trades": []}\n')
    stream = with_format_hint(_reader, "csv")(path)
    with pytest.raises(ImportFormatError) as info:
        collect(stream)
    assert str(info.value) == (
        f"{path}:2: bad row; this looks like a JSON file; try --format ccxt-trades"
    )


def test_a_row_error_in_a_file_of_the_right_kind_has_no_hint(tmp_path: Path) -> None:
    path = tmp_path / "trades.csv"
    path.write_text("txid,pair,vol\nT1,XXBTZUSD,1\n")
    with pytest.raises(ImportFormatError) as info:
        collect(with_format_hint(_reader, "csv")(path))
    assert str(info.value) == f"{path}:2: bad row"
