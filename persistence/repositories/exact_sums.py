"""Exact sums of money columns for the read models (positions, balances, risk figures).

PostgreSQL stores money as ``NUMERIC`` and sums it exactly in SQL (``SUM`` grouped by
the keys, read through an index). SQLite stores money as text, whose ``SUM`` would be
a float: there the rows' decimal texts are read and summed in Python, exactly, grouped
by the same keys. Either way the caller gets ``{keys: [sum, ...]}`` of ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, func, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from gal_friday.domain import values as v

_ZERO = Decimal(0)


class Sums(NamedTuple):
    """The sums of one group, in the order of the terms, and how many rows it has."""

    sums: list[Decimal]
    rows: int


def _raw(expr: ColumnElement[Any]) -> ColumnElement[Any]:
    """``expr`` as the driver returns it (no type processing)."""
    return type_coerce(expr, NullType())


def grouped_sums(
    session: Session,
    keys: Sequence[ColumnElement[Any]],
    terms: Sequence[Sequence[ColumnElement[Any]]],
    where: Sequence[ColumnElement[bool]] = (),
) -> dict[tuple[Any, ...], Sums]:
    """``Σ term`` per distinct ``keys`` for each term (a term is a product of its columns),
    and the number of rows of each group.

    Key values come back as the driver stores them (enums as their text values, times as
    the driver returns them: use keys that are plain text).
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        sums = []
        for factors in terms:
            term: ColumnElement[Any] = factors[0]
            for factor in factors[1:]:
                term = term * factor
            sums.append(_raw(func.sum(term)))
        stmt = (
            select(*(_raw(key) for key in keys), *sums, func.count()).where(*where).group_by(*keys)
        )
        result: dict[tuple[Any, ...], Sums] = {}
        for row in session.execute(stmt):
            found = tuple(row[: len(keys)])
            values = [v.tidy(Decimal(value)) for value in row[len(keys) : -1]]
            result[found] = Sums(values, int(row[-1]))
        return result
    columns = [factor for factors in terms for factor in factors]
    stmt = select(*(_raw(key) for key in keys), *(_raw(c) for c in columns)).where(*where)
    totals: dict[tuple[Any, ...], list[Decimal]] = {}
    counts: dict[tuple[Any, ...], int] = {}
    width = len(keys)
    with v.exact():
        for row in session.execute(stmt):
            found = tuple(row[:width])
            sums_of = totals.get(found)
            if sums_of is None:
                sums_of = totals[found] = [_ZERO] * len(terms)
                counts[found] = 0
            counts[found] += 1
            index = width
            for position, factors in enumerate(terms):
                product = Decimal(row[index])
                for offset in range(1, len(factors)):
                    product *= Decimal(row[index + offset])
                sums_of[position] += product
                index += len(factors)
    return {
        found: Sums([v.tidy(amount) for amount in sums], counts[found])
        for found, sums in totals.items()
    }
