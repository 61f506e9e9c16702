"""The byte guards in front of ijson: lone surrogate escapes and over-long digit runs,
judged the same however the file is cut into blocks."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from gal_friday.importers.common import ByteSource
from gal_friday.importers.json_stream import MAX_DIGIT_RUN, build_value, json_events


class _Blocks(io.RawIOBase):
    """A binary stream that hands out at most ``step`` bytes per read."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step, self.at = data, step, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        piece = self.data[self.at : self.at + min(self.step, len(buffer))]
        buffer[: len(piece)] = piece
        self.at += len(piece)
        return len(piece)


def _strings(data: bytes, step: int) -> list[Any]:
    """The values of a JSON list as the ccxt reader builds them."""
    source = ByteSource(io.BufferedReader(_Blocks(data, step), buffer_size=step))
    events = json_events(source)
    return build_value("t.json", events, next(events), 1)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r'["a\ud800b"]', "a\ud800b"),  # lone high: read as a lone surrogate, not "?"
        (r'["\udc00"]', "\ud800"),  # lone low: a lone surrogate too
        (r'["x\ud83d"]', "x\ud800"),  # a high at the very end
        (r'["\ud83d\ude00"]', "\U0001f600"),  # a pair is one character
        (r'["\\ud800"]', "\\ud800"),  # an escaped backslash, then text
        (r'["\\\ud800x"]', "\\\ud800x"),  # a backslash, then a lone surrogate
    ],
)
@pytest.mark.parametrize("step", [1, 2, 5, 7, 64])
def test_lone_surrogate_escapes_reach_the_domain_whatever_the_blocks(text, expected, step):
    assert _strings(text.encode(), step) == [expected]


@pytest.mark.parametrize("step", [1, 599, 600, 601, 4096])
def test_digit_runs_are_cut_before_ijson_whatever_the_blocks(step):
    data = json.dumps(["@", 12, "x" + "7" * 700]).replace('"@"', "9" * 5000).encode()
    numbers = _strings(data, step)
    assert numbers[0] == int("9" * MAX_DIGIT_RUN)
    assert numbers[1:] == [12, "x" + "7" * MAX_DIGIT_RUN]
