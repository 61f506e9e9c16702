"""Write importers/samples/kraken-trades-sample.csv: an invented, deterministic Kraken history.

Kraken's 2024+ 24-column layout; three pairs (XRP/USD, DOGE/USD, BTC/USD) in Kraken's
legacy, compact and legacy codes; partial fills sharing an order id; fees of 0.16% (maker)
or 0.26% (taker) of the cost, in USD; DOGE/USD ends with an open position.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

HEADER = [
    "txid",
    "ordertxid",
    "pair",
    "aclass",
    "subclass",
    "time",
    "type",
    "ordertype",
    "price",
    "cost",
    "fee",
    "vol",
    "margin",
    "misc",
    "ledgers",
    "posttxid",
    "posstatuscode",
    "cprice",
    "ccost",
    "cfee",
    "cvol",
    "cmargin",
    "net",
    "trades",
]

# (order, pair code, time, side, ordertype, price, volume, maker?)
FILLS = [
    ("OA1", "XXRPZUSD", "2024-01-08 09:15:02.1234", "buy", "limit", "0.52000000", "600", True),
    ("OA1", "XXRPZUSD", "2024-01-08 09:15:07.5", "buy", "limit", "0.52000000", "400", True),
    ("OA2", "XXRPZUSD", "2024-01-19 16:42:11", "sell", "market", "0.54800000", "1000", False),
    ("OB1", "XDGUSD", "2024-02-02 03:03:03.03", "buy", "market", "0.0810000", "5000", False),
    ("OC1", "XXBTZUSD", "2024-02-14 12:00:00", "buy", "limit", "42000.0", "0.05000000", True),
    ("OB2", "XDGUSD", "2024-02-20 22:10:45.678", "sell", "limit", "0.0890000", "5000", True),
    ("OC2", "XXBTZUSD", "2024-03-04 08:30:15.25", "sell", "limit", "44500.5", "0.03000000", True),
    ("OC2", "XXBTZUSD", "2024-03-04 08:31:02", "sell", "limit", "44500.5", "0.02000000", True),
    ("OA3", "XXRPZUSD", "2024-03-11 10:00:00", "buy", "market", "0.60100000", "1500", False),
    ("OA4", "XXRPZUSD", "2024-03-29 18:45:59.9", "sell", "stop-loss", "0.58900000", "900", False),
    ("OA4", "XXRPZUSD", "2024-03-29 18:46:00.1", "sell", "stop-loss", "0.58850000", "600", False),
    ("OC3", "XXBTZUSD", "2024-04-02 14:20:00", "buy", "limit", "51000.0", "0.02000000", True),
    (
        "OC4",
        "XXBTZUSD",
        "2024-04-17 06:05:05.005",
        "sell",
        "market",
        "49800.0",
        "0.02000000",
        False,
    ),
    ("OB3", "XDGUSD", "2024-05-06 11:11:11", "buy", "limit", "0.1520000", "8000", True),
    ("OB3", "XDGUSD", "2024-05-06 11:12:40", "buy", "limit", "0.1515000", "2000", True),
]

CENT = Decimal("0.00001")


def main() -> None:
    target = Path(__file__).resolve().parent.parent / "importers" / "samples"
    target.mkdir(parents=True, exist_ok=True)
    with (target / "kraken-trades-sample.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(HEADER)
        for number, (order, pair, time, side, kind, price, vol, maker) in enumerate(FILLS, 1):
            cost = (Decimal(price) * Decimal(vol)).quantize(CENT, ROUND_HALF_EVEN)
            rate = Decimal("0.0016") if maker else Decimal("0.0026")
            fee = (cost * rate).quantize(CENT, ROUND_HALF_EVEN)
            txid = f"T{number:05d}-SAMPLE-{order}"
            ledgers = f"L{number:05d}-AAA,L{number:05d}-BBB"
            aclass, subclass = "forex", "crypto"
            writer.writerow(
                [
                    txid,
                    f"{order}-SAMPLE-ORDER",
                    pair,
                    aclass,
                    subclass,
                    time,
                    side,
                    kind,
                    price,
                    str(cost),
                    str(fee),
                    vol,
                    "0.00000",
                    "",
                    ledgers,
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ]
            )


if __name__ == "__main__":
    main()
