"""Kraken trade histories of a chosen size, written as a stream (a 1 GB file needs no 1 GB list)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

HEADER = "txid,ordertxid,pair,time,type,ordertype,price,cost,fee,vol,margin,misc,ledgers\n"
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def kraken_history(path: Path, target_bytes: int, padding: int = 0) -> int:
    """Write rows until the file holds ``target_bytes``; returns the row count.

    Orders of two fills (BTC/USD), buys and sells taking turns so round trips close;
    ``padding`` bytes of ``ledgers`` text per row make big files from fewer rows.
    """
    pad = "L" * padding
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        written = len(HEADER)
        while written < target_bytes:
            side = "buy" if rows // 2 % 2 == 0 else "sell"
            when = (T0 + timedelta(seconds=rows)).strftime("%Y-%m-%d %H:%M:%S")
            price = 40000 + rows % 997
            line = (
                f"T{rows:09d},O{rows // 2:09d},XXBTZUSD,{when},{side},limit,{price},"
                f"{price / 100:.2f},0.1,0.01,0,,{pad}\n"
            )
            handle.write(line)
            written += len(line)
            rows += 1
    return rows
