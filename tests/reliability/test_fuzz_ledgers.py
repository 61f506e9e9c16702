"""Hostile ledgers.csv bytes: a valid batch of storable entries, or one clear error."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gal_friday.domain import values as v
from gal_friday.importers import ImportFormatError, parse_kraken_ledgers
from tests.reliability.test_fuzz_importers import EXAMPLES, WEIRD

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
ROWS = list(csv.reader(io.StringIO((FIXTURES / "kraken-ledgers-2024.csv").read_text("utf-8-sig"))))


@st.composite
def mutated_ledger(draw: st.DrawFn) -> bytes:
    rows = [list(row) for row in ROWS]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["field", "reorder", "duplicate", "drop"]))
        r = draw(st.integers(0, len(rows) - 1))
        if kind == "field":
            rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(
                st.sampled_from(WEIRD) | st.text(max_size=8)
            )
        elif kind == "reorder":
            rows[r] = draw(st.permutations(rows[r]))
        elif kind == "duplicate":
            rows.append(list(rows[draw(st.integers(1, len(rows) - 1))]))
        elif len(rows[r]) > 1:
            rows[r] = rows[r][:-1]
    out = io.StringIO()
    csv.writer(out, quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))).writerows(
        rows
    )
    data = out.getvalue().encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=6)) + data[at:]
    return data


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=mutated_ledger() | st.binary(max_size=300))
def test_ledger_importer_on_hostile_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "ledgers.csv"
    path.write_bytes(data)
    try:
        batch = parse_kraken_ledgers(path)
    except ImportFormatError as error:
        message = str(error)
        assert "\n" not in message and message.startswith(str(path)), message
        return
    for entry in batch.entries:
        assert entry.fee >= 0 and entry.time.tzinfo is not None and entry.refid
        assert (entry.txid is None) == entry.pending
        for amount in (entry.amount, entry.fee, entry.balance, entry.amountusd):
            if amount is not None:
                v.check_storable(amount, "amount")
