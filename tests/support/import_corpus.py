"""A deterministic corpus of trade-history files for the import equivalence test.

One base Kraken ``trades.csv`` (a few hundred fills over three pairs, orders of one to
four fills, round trips that close and one left open per pair) and hundreds of variants
made from it by a seeded :class:`random.Random` (never hypothesis's search: the golden
file must stay stable): bad numbers, times, sides, order types and pair codes, repeated
txids with the same and with other data, missing columns, ragged rows, BOMs, CRLF,
quoting, encodings; ccxt JSON variants; and histories of several files imported in
turn (a later export extending the first's orders, a re-import, a conflicting re-export).

The same seed always gives the same bytes (each variant's input md5 is kept in the
golden file to prove it).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

SEED = 17
#: How many randomly mutated single-file variants (hand-made ones come on top).
RANDOM_VARIANTS = 170

CLASSIC = ("txid", "ordertxid", "pair", "time", "type", "ordertype", "price", "cost", "fee",
           "vol", "margin", "misc", "ledgers")  # fmt: skip
LAYOUT_24 = ("txid", "ordertxid", "pair", "aclass", "subclass", "time", "type", "ordertype",
             "price", "cost", "fee", "vol", "margin", "misc", "ledgers", "posttxid",
             "posstatuscode", "cprice", "ccost", "cfee", "cvol", "cmargin", "net",
             "trades")  # fmt: skip

#: (Kraken code, ccxt symbol, base price, quantity unit, quantity decimals)
PAIRS = (
    ("XXBTZUSD", "BTC/USD", Decimal("42000.1"), Decimal("0.05"), 8),
    ("XETHZUSD", "ETH/USD", Decimal("2300.25"), Decimal("1.5"), 6),
    ("SOLUSD", "SOL/USD", Decimal("101.333"), Decimal("40"), 4),
)
ORDER_TYPES = ("limit", "limit", "limit", "market", "market", "stop-loss", "take-profit",
               "stop-loss-limit")  # fmt: skip
T0 = datetime(2024, 1, 1, tzinfo=UTC)

Row = dict[str, str]


@dataclass(frozen=True)
class Step:
    """One file, imported into the database the variant's earlier steps left."""

    name: str
    fmt: str
    data: bytes
    exchange: str | None = None


@dataclass(frozen=True)
class Variant:
    """A named history: its files in import order; ``chunk_rows`` overrides the import's
    chunk size (so that a small corpus crosses chunk boundaries)."""

    name: str
    steps: tuple[Step, ...]
    chunk_rows: int | None = None


# -- the base history ------------------------------------------------------------------------


def _quantity(rng: random.Random, unit: Decimal, digits: int) -> Decimal:
    raw = unit * Decimal(rng.randint(1, 4000)) / Decimal(1000)
    return raw.quantize(Decimal(1).scaleb(-digits))


def _split(rng: random.Random, total: Decimal, parts: int, digits: int) -> list[Decimal]:
    """``total`` in ``parts`` positive pieces (fewer when it is too small to split)."""
    step = Decimal(1).scaleb(-digits)
    pieces = []
    left = total
    for _ in range(parts - 1):
        piece = (left * Decimal(rng.randint(20, 60)) / 100).quantize(step)
        if piece <= 0 or left - piece <= 0:
            break
        pieces.append(piece)
        left -= piece
    pieces.append(left)
    return pieces


def _fill(
    rng: random.Random, code: str, order: str, kind: str, side: str, price: Decimal, vol: Decimal
) -> Row:
    price = (price * Decimal(rng.randint(980, 1020)) / 1000).quantize(Decimal("0.001"))
    cost = (price * vol).quantize(Decimal("0.00001"))
    fee_kind = rng.random()
    if fee_kind < 0.08:
        fee = Decimal("0")
    elif fee_kind < 0.14:
        fee = -(cost * Decimal("0.0002")).quantize(Decimal("0.00001"))  # maker rebate
    else:
        fee = (cost * Decimal("0.0026")).quantize(Decimal("0.00001"))
    return {
        "txid": "",
        "ordertxid": order,
        "pair": code,
        "time": "",
        "type": side,
        "ordertype": kind,
        "price": str(price),
        "cost": str(cost),
        "fee": str(fee),
        "vol": str(vol),
        "margin": "0",
        "misc": rng.choice(("", "", "initiated", "closing")),
        "ledgers": rng.choice(("", "L1", "L1,L2")),
    }


def _pair_rows(rng: random.Random, pair: int, target: int) -> list[Row]:
    """One pair's fills, order by order: cycles of buys then sells of the same total; the
    last buy cycle is left open."""
    code, _, price, unit, digits = PAIRS[pair]
    rows: list[Row] = []
    order_no = 0

    def order(side: str, quantities: list[Decimal]) -> None:
        nonlocal order_no
        order_no += 1
        name = f"O{pair}{order_no:04d}-{rng.choice('KLMN')}{rng.randint(10, 99)}"
        kind = rng.choice(ORDER_TYPES)
        for vol in quantities:
            rows.append(_fill(rng, code, name, kind, side, price, vol))

    while True:
        bought = Decimal(0)
        for _ in range(rng.randint(1, 3)):
            quantities = [_quantity(rng, unit, digits) for _ in range(rng.randint(1, 4))]
            bought += sum(quantities)
            order("buy", quantities)
        if len(rows) >= target:
            return rows  # an open position
        sells = rng.randint(1, 3)
        for n in range(sells):
            share = bought if n == sells - 1 else _split(rng, bought, 2, digits)[0]
            bought -= share
            order("sell", _split(rng, share, rng.randint(1, 4), digits))


def base_rows(rng: random.Random, count: int = 300) -> list[Row]:
    """About ``count`` fills over :data:`PAIRS`, in time order, with txids and times."""
    queues = [_pair_rows(rng, pair, count // len(PAIRS)) for pair in range(len(PAIRS))]
    merged: list[Row] = []
    while any(queues):
        merged.append(rng.choice([q for q in queues if q]).pop(0))
    when = T0
    for n, row in enumerate(merged):
        when += timedelta(seconds=rng.randint(1, 90))
        fraction = rng.choice(("", "", "", ".1", ".25", ".1234"))
        row["time"] = when.strftime("%Y-%m-%d %H:%M:%S") + fraction
        row["txid"] = f"T{n:05d}-{rng.choice('ABCDEFGH')}{rng.randint(100, 999)}"
    return merged


# -- rendering ---------------------------------------------------------------------------------


def csv_text(
    rows: list[Row],
    columns: tuple[str, ...] = CLASSIC,
    *,
    quote_all: bool = False,
    newline: str = "\n",
    header: list[str] | None = None,
) -> str:
    """Rows as Kraken writes them (cells holding a comma, quote or newline are quoted)."""

    def cell(text: str) -> str:
        if quote_all or any(c in text for c in ',"\n\r'):
            return '"' + text.replace('"', '""') + '"'
        return text

    lines = [",".join(cell(c) for c in (header or list(columns)))]
    lines += [",".join(cell(row.get(c, "")) for c in columns) for row in rows]
    return newline.join(lines) + newline


def kraken(name: str, text: str | bytes) -> Step:
    """A ``kraken-trades`` step."""
    return Step(name, "kraken-trades", text.encode() if isinstance(text, str) else text)


def ccxt_trades(rows: list[Row]) -> list[dict[str, object]]:
    """The rows as ccxt's unified trades (numbers as strings, ``timestamp`` in ms)."""
    symbols = {code: symbol for code, symbol, *_ in PAIRS}
    trades = []
    for row in rows:
        when = datetime.fromisoformat(row["time"]).replace(tzinfo=UTC)
        trades.append(
            {
                "id": row["txid"],
                "order": row["ordertxid"],
                "timestamp": int(when.timestamp() * 1000),
                "datetime": when.isoformat().replace("+00:00", "Z"),
                "symbol": symbols.get(row["pair"], row["pair"]),
                "side": row["type"],
                "type": row["ordertype"],
                "takerOrMaker": "maker" if row["ordertype"] == "limit" else "taker",
                "price": row["price"],
                "amount": row["vol"],
                "cost": row["cost"],
                "fee": {"cost": row["fee"], "currency": "USD"},
            }
        )
    return trades


def ccxt(name: str, document: object, exchange: str | None = None) -> Step:
    """A ``ccxt-trades`` step."""
    return Step(name, "ccxt-trades", json.dumps(document).encode(), exchange)


# -- single-cell mutations -------------------------------------------------------------------

NUMBER_GARBAGE = (
    "abc", "1,5", "-1.5", "0", "0.0", "-0", "1" + "0" * 30, "0." + "1" * 25,
    "123456789012345678901.5", "1e5", "1E-3", " 1.5 ", "\t2", "", "   ", "+1.5", ".5", "5.",
    "1.2.3", "NaN", "Infinity", "-inf", "--1", "0x10", "1_000", "\u0661\u0662", "1 000",
    "0.000000000000000000001", "99999999999999999999.999999999999999999", "$5", "5%",
)  # fmt: skip
BAD_TIMES = (
    "2024-13-01 00:00:00", "2024-01-01T00:00:00", "2024-01-01 00:00", "2008-12-31 23:59:59",
    "2099-01-01 00:00:00", "2024-01-01 00:00:00.12345", "2024-01-01 00:00:00.", "",
    " 2024-01-05 00:00:00 ", "1704067200", "2024-02-30 00:00:00", "2024-01-01 24:00:00",
    "2024-01-01 00:00:00+01:00", "2024-01-01 00:00:00.1", "2009-01-03 00:00:00",
    "2024/01/01 00:00:00", "24-01-01 00:00:00", "2024-01-01 00:00:60", "yesterday",
)  # fmt: skip
SIDES = ("BUY", "Sell", " buy", "b", "", "short", "sell", "buy ", "bid")
KINDS = ("LIMIT", "stop-loss", "trailing-stop", "iceberg", "fok", "", "settle-position",
         " limit", "take_profit_limit", "stop", "market-to-limit")  # fmt: skip
PAIR_CODES = ("XBTUSD", "xxbtzusd", "BTC/USD", "FOOBAR", "", "XBT/", "XETHZUSD", "XXBT ZUSD",
              "SOL/USD", "ETHUSD", "XBT/USD/EUR", "DOTXBT", "SOLUSDT")  # fmt: skip
IDS = ("", "   ", "x" * 129, "x" * 128, "T-\u00e9\u00e8", "T 1", "tab\there")


def _mutate_cell(rng: random.Random, rows: list[Row]) -> tuple[str, list[Row]]:
    column = rng.choice(("price", "fee", "vol", "cost", "time", "type", "ordertype", "pair",
                         "txid", "ordertxid", "misc"))  # fmt: skip
    choices = {
        "time": BAD_TIMES,
        "type": SIDES,
        "ordertype": KINDS,
        "pair": PAIR_CODES,
        "txid": IDS,
        "ordertxid": IDS,
        "misc": ("", "x,y", 'say "hi"', "multi\nline"),
    }.get(column, NUMBER_GARBAGE)
    pick = rng.randrange(len(choices))
    index = rng.randrange(len(rows))
    rows = [dict(r) for r in rows]
    rows[index][column] = choices[pick]
    return f"{column}{pick}-row{index}", rows


def _duplicate(rng: random.Random, rows: list[Row]) -> tuple[str, list[Row]]:
    """A txid repeated elsewhere in the file, with the same data or one field changed."""
    source, target = rng.randrange(len(rows)), rng.randrange(len(rows))
    copy = dict(rows[source])
    change = rng.choice(("", "", "price", "fee", "vol", "time", "type", "ordertxid", "cost",
                         "misc", "ledgers"))  # fmt: skip
    if change in ("price", "fee", "vol", "cost"):
        copy[change] = str(Decimal(copy[change]) + Decimal("0.001"))
    elif change == "time":
        copy[change] = copy[change][:18] + ("1" if copy[change][18] != "1" else "2")
    elif change == "type":
        copy[change] = "sell" if copy[change] == "buy" else "buy"
    elif change:
        copy[change] = copy[change] + "Z"
    rows = [dict(r) for r in rows]
    rows.insert(target, copy)
    return f"dup{source}-at{target}-{change or 'same'}", rows


def _ragged(rng: random.Random, rows: list[Row]) -> tuple[str, str]:
    """A row with a cell too many or too few."""
    index = rng.randrange(len(rows))
    lines = csv_text(rows).split("\n")
    if rng.random() < 0.5:
        lines[index + 1] += ",extra"
        return f"wide-row{index}", "\n".join(lines)
    lines[index + 1] = lines[index + 1].rsplit(",", 1)[0]
    return f"narrow-row{index}", "\n".join(lines)


def _swap_order_field(rng: random.Random, rows: list[Row]) -> tuple[str, list[Row]]:
    """A fill whose pair, side or order type disagrees with its order's other fills (or a
    fill moved to another order)."""
    index = rng.randrange(len(rows))
    rows = [dict(r) for r in rows]
    other = rows[rng.randrange(len(rows))]
    column = rng.choice(("pair", "type", "ordertype", "ordertxid"))
    rows[index][column] = other[column]
    return f"swap-{column}-row{index}", rows


def random_variants(rng: random.Random, rows: list[Row], count: int) -> list[Variant]:
    """``count`` single-file variants, each one random mutation of ``rows``."""
    makers: list[Callable[[random.Random, list[Row]], tuple[str, list[Row]]]] = [
        _mutate_cell, _mutate_cell, _mutate_cell, _mutate_cell, _duplicate, _swap_order_field,
    ]  # fmt: skip
    variants: list[Variant] = []
    seen: set[str] = set()
    while len(variants) < count:
        if rng.random() < 0.08:
            label, text = _ragged(rng, rows)
        else:
            label, mutated = rng.choice(makers)(rng, rows)
            text = csv_text(mutated)
        name = f"rand-{label}"
        if name in seen:
            continue
        seen.add(name)
        variants.append(Variant(name, (kraken("trades.csv", text),)))
    return variants


# -- hand-made variants ----------------------------------------------------------------------


def _layout_variants(rows: list[Row]) -> list[Variant]:
    base = csv_text(rows)
    body = base.split("\n", 1)[1]
    without = [c for c in CLASSIC if c != "fee"]
    reordered = tuple(reversed(CLASSIC))
    texts: dict[str, str | bytes] = {
        "base": base,
        "layout-24": csv_text(rows, LAYOUT_24),
        "reordered-columns": csv_text(rows, reordered),
        "extra-column": csv_text([{**r, "note": "n"} for r in rows], (*CLASSIC, "note")),
        "no-cost-column": csv_text(rows, tuple(c for c in CLASSIC if c != "cost")),
        "missing-fee-column": csv_text(rows, tuple(without)),
        "missing-two-columns": csv_text(rows, tuple(c for c in without if c != "time")),
        "header-upper": csv_text(rows, header=[c.upper() for c in CLASSIC]),
        "header-spaced": csv_text(rows, header=[f" {c} " for c in CLASSIC]),
        "header-quoted": csv_text(rows, header=[f'"{c}"' for c in CLASSIC]),
        "header-duplicate-column": csv_text(rows, header=[*CLASSIC[:-1], "txid"]),
        "bom": "\ufeff" + base,
        "bom-twice": "\ufeff\ufeff" + base,
        "crlf": csv_text(rows, newline="\r\n"),
        "cr-only": csv_text(rows, newline="\r"),
        "quoted-all": csv_text(rows, quote_all=True),
        "bom-crlf-quoted": "\ufeff" + csv_text(rows, quote_all=True, newline="\r\n"),
        "no-final-newline": base.rstrip("\n"),
        "blank-lines": base.replace("\n", "\n\n", 40),
        "whitespace-line": base.replace("\n", "\n   \n", 3),
        "ledgers-with-newlines": csv_text([{**r, "ledgers": "L1\nL2"} for r in rows]),
        "header-only": base.split("\n", 1)[0] + "\n",
        "empty-file": "",
        "bom-only": "\ufeff",
        "blank-file": "\n\n  \n",
        "not-kraken-header": "a,b,c\n1,2,3\n",
        "json-as-csv": json.dumps(ccxt_trades(rows[:3])),
        "unterminated-quote": base + '"T9,O9\n',
        "stray-quote-in-cell": base.replace(",limit,", ',li"mit,', 1),
        "duplicate-rows-all": base + body,
        "rows-reversed": csv_text(list(reversed(rows))),
        "first-row-only": csv_text(rows[:1]),
    }
    out = [Variant(name, (kraken("trades.csv", text),)) for name, text in texts.items()]
    binary = {
        "nul-byte": base.encode().replace(b"\n", b"\n\0", 1),
        "latin1-cell": csv_text([{**rows[0], "misc": "caf\u00e9"}, *rows[1:]]).encode("latin-1"),
        "bad-utf8-late": base.encode() + b"T9,O9,XXBTZUSD,\xff\n",
        "long-line": base.encode() + b"x" * (70 * 1024) + b"\n",
        "utf16": base.encode("utf-16"),
    }
    out += [Variant(name, (kraken("trades.csv", data),)) for name, data in binary.items()]
    return out


def _history_variants(rng: random.Random, rows: list[Row]) -> list[Variant]:
    """Several files in turn: a later export that extends the first's orders, re-imports,
    conflicting re-exports, and an import split into small chunks."""
    cut = len(rows) * 2 // 3
    first, later = rows[:cut], rows[cut:]
    base = csv_text(rows)
    full = kraken("trades.csv", base)
    part1 = kraken("trades-1.csv", csv_text(first))
    part2 = kraken("trades-2.csv", csv_text(later))
    overlap = kraken("trades-2.csv", csv_text(rows[cut - 40 :]))

    def changed(column: str, index: int, value: str) -> Step:
        edited = [dict(r) for r in rows]
        edited[index][column] = value
        return kraken("trades-again.csv", csv_text(edited))

    split_order = next(i for i in range(cut, len(rows)) if rows[i]["ordertxid"] in
                       {r["ordertxid"] for r in first})  # fmt: skip
    as_market = [dict(r) for r in later]
    for r in as_market:
        if r["ordertxid"] == rows[split_order]["ordertxid"]:
            r["ordertype"] = "market" if r["ordertype"] != "market" else "limit"
    fee_row = rng.randrange(cut)
    histories = {
        "hist-extend": (part1, part2),
        "hist-extend-overlap": (part1, overlap),
        "hist-extend-reversed": (part2, part1),
        "hist-reimport-same": (full, full),
        "hist-reimport-first-part": (full, part1),
        "hist-reimport-crlf-bom": (full, kraken("again.csv", "\ufeff" + base.replace("\n", "\r\n"))),
        "hist-reimport-24-layout": (full, kraken("again.csv", csv_text(rows, LAYOUT_24))),
        "hist-conflict-fee": (full, changed("fee", fee_row, "0.12345")),
        "hist-conflict-price": (full, changed("price", 5, "1.5")),
        "hist-conflict-time": (full, changed("time", 7, "2024-01-01 00:00:00")),
        "hist-conflict-order": (full, changed("ordertxid", 9, "O-OTHER")),
        "hist-conflict-side": (full, changed("type", 11, "sell" if rows[11]["type"] == "buy" else "buy")),
        "hist-conflict-vol": (full, changed("vol", 13, "0.1")),
        "hist-cost-changed-ok": (full, changed("cost", 3, "1.23")),
        "hist-same-number-other-text": (full, changed("fee", 3, rows[3]["fee"] + "000")),
        "hist-extend-other-ordertype": (part1, kraken("trades-2.csv", csv_text(as_market))),
        "hist-extend-then-bad-row": (part1, kraken("trades-2.csv", csv_text(later) + "bad,row\n")),
        "hist-bad-then-good": (kraken("bad.csv", csv_text(first) + "bad,row\n"), full),
        "hist-three-parts": (
            kraken("a.csv", csv_text(rows[:100])),
            kraken("b.csv", csv_text(rows[100:200])),
            kraken("c.csv", csv_text(rows[200:])),
        ),
        "hist-ccxt-after-kraken": (full, ccxt("trades.json", {"exchange": "kraken", "trades": ccxt_trades(rows)})),
    }  # fmt: skip
    out = [Variant(name, steps) for name, steps in histories.items()]
    dup_far = kraken("trades.csv", csv_text([*rows, *rows[:5]]))
    dup_other = [*rows, {**rows[2], "fee": "9.9"}]
    out += [
        Variant("chunk37-base", (full,), chunk_rows=37),
        Variant("chunk37-dup-across-chunks", (dup_far,), chunk_rows=37),
        Variant("chunk37-dup-other-data", (kraken("trades.csv", csv_text(dup_other)),), 37),
        Variant("chunk37-extend", (part1, overlap), chunk_rows=37),
        Variant("chunk1-base", (kraken("trades.csv", csv_text(rows[:60])),), chunk_rows=1),
    ]
    return out


def _ccxt_variants(rows: list[Row]) -> list[Variant]:
    trades = ccxt_trades(rows)

    def edited(index: int, **changes: object) -> list[dict[str, object]]:
        copy = [dict(t) for t in trades]
        copy[index].update(changes)
        return copy

    documents: dict[str, tuple[object, str | None]] = {
        "ccxt-base": ({"exchange": "kraken", "trades": trades}, None),
        "ccxt-list-exchange-arg": (trades, "kraken"),
        "ccxt-list-no-exchange": (trades, None),
        "ccxt-numbers-as-numbers": (
            [{**t, "price": float(str(t["price"])), "amount": float(str(t["amount"]))} for t in trades],
            "kraken",
        ),
        "ccxt-no-order": ([{k: v for k, v in t.items() if k != "order"} for t in trades], "kraken"),
        "ccxt-no-timestamp": ([{k: v for k, v in t.items() if k != "timestamp"} for t in trades], "kraken"),
        "ccxt-seconds": (edited(4, timestamp=1704067200), "kraken"),
        "ccxt-disagreeing-datetime": (edited(6, datetime="2023-01-01T00:00:00Z"), "kraken"),
        "ccxt-bad-amount": (edited(8, amount="abc"), "kraken"),
        "ccxt-exponent-price": (edited(8, price="1e3"), "kraken"),
        "ccxt-derivative": (edited(10, symbol="BTC/USD:USD"), "kraken"),
        "ccxt-fee-other-currency": (edited(12, fee={"cost": "0.1", "currency": "KFEE"}), "kraken"),
        "ccxt-fees-two-currencies": (
            edited(12, fees=[{"cost": "1", "currency": "USD"}, {"cost": "1", "currency": "EUR"}]),
            "kraken",
        ),
        "ccxt-dup-other-data": ([*trades, {**trades[3], "price": "7"}], "kraken"),
        "ccxt-dup-same": ([*trades, trades[3]], "kraken"),
        "ccxt-not-a-list": ({"trades": {"a": 1}}, "kraken"),
        "ccxt-entry-not-object": ([*trades[:5], 7], "kraken"),
        "ccxt-bad-side": (edited(1, side="long"), "kraken"),
        "ccxt-maker-bad": (edited(1, takerOrMaker="both"), "kraken"),
    }  # fmt: skip
    out = [
        Variant(name, (ccxt("trades.json", document, exchange),))
        for name, (document, exchange) in documents.items()
    ]
    out.append(Variant("ccxt-truncated", (Step("trades.json", "ccxt-trades", json.dumps(trades).encode()[:-40], "kraken"),)))  # fmt: skip
    return out


def corpus(seed: int = SEED) -> list[Variant]:
    """Every variant, in a fixed order with distinct names."""
    rng = random.Random(seed)
    rows = base_rows(rng)
    variants = [
        *_layout_variants(rows),
        *_history_variants(rng, rows),
        *_ccxt_variants(rows),
        *random_variants(rng, rows, RANDOM_VARIANTS),
    ]
    names = [v.name for v in variants]
    assert len(names) == len(set(names)), "variant names must be distinct"
    return variants
