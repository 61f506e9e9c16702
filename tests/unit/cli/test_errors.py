"""Error lines: one line, cut when huge."""

from __future__ import annotations

from gal_friday.cli.errors import MAX_ERROR_LENGTH, one_line


def test_a_multi_line_message_becomes_one_line():
    assert one_line("first\n  second\r\nthird") == "first second third"


def test_a_huge_message_is_cut_saying_how_much():
    text = one_line("x" * 5082)
    assert len(text) < MAX_ERROR_LENGTH + 50
    assert text.endswith(f"... ({5082 - MAX_ERROR_LENGTH} more characters cut)")


def test_a_short_message_is_unchanged():
    assert one_line("the database file /tmp/x.db does not exist") == (
        "the database file /tmp/x.db does not exist"
    )
