"""The tearsheet: one self-contained HTML file a trader opens, shares and reads (docs/tearsheet.md).

Everything is inline (style, SVG charts); the page loads nothing and runs no script,
so it opens offline and the same data always gives the same bytes (no time of
writing, sorted groups, fixed number formats). Every figure that ``equity --format
json`` or ``report --format json`` also gives carries that JSON value in a
``data-json`` attribute (``equity.statistics.sharpe``), which is how the browser test
checks the page against the command line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any

from gal_friday.cli.rendering.equity_formats import STATISTICS, equity_document
from gal_friday.cli.rendering.report_formats import report_dict
from gal_friday.cli.rendering.svg_charts import line_chart
from gal_friday.domain import values as v
from gal_friday.domain.execution_groups import execution_groups
from gal_friday.domain.monthly_returns import monthly_returns
from gal_friday.services.execution import TradeQuality
from gal_friday.services.tearsheet import Tearsheet

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
RATIOS = {"total_return", "cagr", "volatility", "max_drawdown", "best_day", "worst_day"}
_CENT = Decimal("0.01")
ZERO = Decimal(0)
#: Nothing may load from anywhere: the page is one file (styles inline, charts inline SVG).
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dee7;--up:#1a7f4b;--down:#b3261e;--bg:#fff}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);
background:var(--bg)}
main{max-width:1180px;margin:0 auto;padding:16px}
h1{font-size:1.45rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.6rem 0 .5rem;
border-bottom:1px solid var(--line);padding-bottom:.25rem}
p.sub{color:var(--muted);margin:0 0 1rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:8px}
.stat{border:1px solid var(--line);border-radius:6px;padding:8px 10px;min-width:0}
.stat .k{color:var(--muted);font-size:.8rem}.stat .v{font-size:1.1rem;font-weight:600;
overflow-wrap:anywhere}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.86rem;width:100%}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
thead th{color:var(--muted);font-weight:600}
.pos{color:var(--up)}.neg{color:var(--down)}
.chart{display:block;width:100%;height:200px;border:1px solid var(--line);border-radius:6px}
.chart .line{fill:none;stroke:#2b59c3;stroke-width:2;vector-effect:non-scaling-stroke}
.chart .area{fill:#2b59c3;opacity:.12}
.chart.under .line{stroke:var(--down)}.chart.under .area{fill:var(--down)}
.chart .zero{stroke:#8a93a6;stroke-width:1;vector-effect:non-scaling-stroke}
.axis{display:flex;justify-content:space-between;color:var(--muted);font-size:.78rem}
td.heat{min-width:3.6rem}
ul.quality{padding-left:1.2rem}ul.quality li{margin:.2rem 0}
"""


def _text(value: object) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, Decimal):
        return format(v.tidy(value), "f")
    return str(value)


def _short(value: object) -> str:
    """A statistic to two decimals on the page (its exact value stays in ``data-value``)."""
    if isinstance(value, Decimal):
        return format(value.quantize(_CENT), "f")
    return _text(value)


def _time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def _pct(fraction: Decimal | None) -> str:
    if fraction is None:
        return "n/a"
    return f"{format((fraction * 100).quantize(_CENT), 'f')} %"


def _signed(value: Decimal) -> str:
    return f'<span class="{_sign_class(value)}">{_text(value)}</span>'


def _sign_class(value: Decimal | None) -> str:
    if value is None or not value:
        return ""
    return "pos" if value > 0 else "neg"


def _figure(key: str, json_value: object, shown: str, *, signed: Decimal | None = None) -> str:
    """A figure also given by the CLI's JSON: its JSON value travels in ``data-json``."""
    css = _sign_class(signed)
    klass = f' class="{css}"' if css else ""
    data = "null" if json_value is None else escape(str(json_value), quote=True)
    name = escape(key, quote=True)
    return f'<span{klass} data-json="{name}" data-value="{data}">{escape(shown)}</span>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, caption: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    table = f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{table}</div>'


def _statistics(sheet: Tearsheet, document: dict[str, Any]) -> str:
    cells = []
    for name in STATISTICS:
        raw = getattr(sheet.equity.statistics, name)
        shown = _pct(raw) if name in RATIOS and raw is not None else _short(raw)
        label = name.replace("_", " ")
        value = _figure(
            f"equity.statistics.{name}",
            document["statistics"][name],
            shown,
            signed=raw if isinstance(raw, Decimal) else None,
        )
        cells.append(
            f'<div class="stat"><div class="k">{escape(label)}</div>'
            f'<div class="v">{value}</div></div>'
        )
    return '<div class="grid">' + _returns(document) + "".join(cells) + "</div>"


def _curves(sheet: Tearsheet) -> str:
    days = sheet.equity.days
    if not days:
        return "<p>No equity curve: nothing stored to value.</p>"
    first, last = days[0].date.isoformat(), days[-1].date.isoformat()
    axis = f'<div class="axis"><span>{first}</span><span>{last}</span></div>'
    equity = line_chart(
        [day.equity for day in days], label="Equity", css_class="equity", with_zero=False
    )
    under = line_chart([day.drawdown for day in days], label="Underwater", css_class="under")
    low, high = min(d.equity for d in days), max(d.equity for d in days)
    return (
        f"<h2>Equity ({escape(sheet.currency)})</h2>"
        f'<p class="sub">from {_text(low)} to {_text(high)}; last '
        f"{_figure('equity.days[-1].equity', _text(days[-1].equity), _text(days[-1].equity))}</p>"
        f"{equity}{axis}<h2>Underwater (drawdown from the peak)</h2>{under}{axis}"
    )


def _heatmap(sheet: Tearsheet) -> str:
    days = sheet.equity.days
    if not days:
        return ""
    # the curve's own daily returns (time-weighted: a deposit is not a gain); a day whose
    # return is undefined (listed in the notes) counts as no change
    returns = [day.daily_return if day.daily_return is not None else ZERO for day in days]
    months = monthly_returns([day.date for day in days], returns)
    years = sorted({year for year, _ in months})
    rows = []
    for year in years:
        cells = [str(year)]
        for month in range(1, 13):
            value = months.get((year, month))
            css = _sign_class(value)
            cells.append(f'<span class="{css}">{_pct(value)}</span>' if value is not None else "")
        rows.append(cells)
    return "<h2>Monthly returns</h2>" + _table(["Year", *MONTHS], rows)


def _drawdowns(sheet: Tearsheet, document: dict[str, Any]) -> str:
    rows = []
    for index, (drawdown, doc) in enumerate(
        zip(sheet.equity.drawdowns, document["drawdowns"], strict=True)
    ):
        rows.append(
            [
                drawdown.peak.isoformat(),
                drawdown.trough.isoformat(),
                drawdown.recovery.isoformat() if drawdown.recovery else "open",
                _figure(
                    f"equity.drawdowns[{index}].depth",
                    doc["depth"],
                    _pct(drawdown.depth),
                    signed=drawdown.depth,
                ),
                str(drawdown.days),
            ]
        )
    if not rows:
        return "<h2>Drawdowns</h2><p>None.</p>"
    return "<h2>Deepest drawdowns</h2>" + _table(
        ["Peak", "Trough", "Recovery", "Depth", "Days"], rows
    )


def _report_totals(report_doc: dict[str, Any]) -> str:
    rows = []
    for currency, total in sorted(report_doc["totals"].items()):
        key = f"report.totals.{currency}"
        pnl = total["realized_pnl"]
        rows.append(
            [
                escape(currency),
                _figure(f"{key}.trades", total["trades"], str(total["trades"])),
                _figure(f"{key}.wins", total["wins"], str(total["wins"])),
                _figure(f"{key}.losses", total["losses"], str(total["losses"])),
                _figure(f"{key}.realized_pnl", pnl, pnl, signed=Decimal(pnl)),
                _figure(
                    f"{key}.total_commission", total["total_commission"], total["total_commission"]
                ),
            ]
        )
    if not rows:
        return "<h2>Realized PnL of closed trades</h2><p>No closed trade.</p>"
    return "<h2>Realized PnL of closed trades</h2>" + _table(
        ["Currency", "Trades", "Wins", "Losses", "Realized PnL", "Fees"], rows
    )


def _grouped(trades: Sequence[TradeQuality], by: str, title: str) -> str:
    """The groups of ``report --by ... --execution`` (docs/reporting.md), per quote currency."""
    rows = []
    for group in execution_groups(trades, by):
        totals = group.totals
        rows.append(
            [
                escape(group.label),
                escape(group.currency),
                str(totals.trades),
                _signed(totals.realized_pnl),
                _text(totals.fees),
                str(totals.decomposed),
                _text(totals.signal_edge),
                _text(totals.entry_slippage),
                _text(totals.exit_slippage),
                _text(group.mean_r_multiple),
            ]
        )
    headers = [
        "Group", "Currency", "Trades", "Realized PnL", "Fees", "Decomposed", "Signal edge",
        "Entry slip.", "Exit slip.", "Mean R",
    ]  # fmt: skip
    return f"<h2>{escape(title)}</h2>" + _table(headers, rows)


def _trades(trades: Sequence[TradeQuality]) -> str:
    rows = []
    for quality in trades:
        trade, execution, excursion = quality.trade, quality.execution, quality.excursion
        rows.append(
            [
                escape(trade.trading_pair),
                trade.side.value,
                _time(trade.entry_timestamp),
                _time(trade.exit_timestamp),
                _text(trade.quantity),
                _text(trade.average_entry_price),
                _text(trade.average_exit_price),
                _signed(trade.realized_pnl),
                _text(execution.fees),
                _text(execution.entry_slippage_bps),
                _text(execution.exit_slippage_bps),
                _text(excursion.mae),
                _text(excursion.mfe),
                _text(quality.r_multiple),
                escape(quality.strategy_id or ""),
                escape(quality.exit_reason or ""),
                escape(
                    "; ".join(execution.missing)
                    or ("candles " + excursion.coverage if excursion.coverage != "full" else "")
                ),
            ]
        )
    headers = [
        "Pair", "Side", "Entry", "Exit", "Qty", "Entry px", "Exit px", "PnL", "Fees",
        "Entry slip. bp", "Exit slip. bp", "MAE", "MFE", "R", "Strategy", "Exit reason", "Missing",
    ]  # fmt: skip
    return "<h2>Trades</h2>" + _table(headers, rows)


def _quality(sheet: Tearsheet) -> str:
    q = sheet.quality
    items = []
    if q.unreconciled_fee_pairs:
        items.append(
            "Fees from trades.csv only (no ledger row confirms them): "
            + escape(", ".join(q.unreconciled_fee_pairs))
        )
    else:
        items.append("Every fee is confirmed by a ledger row, or no trades.csv fee is stored.")
    items.append(
        "Trades whose candles do not cover their whole life: "
        f"{q.trades_without_full_candles} of {len(sheet.trades)}"
    )
    for reason, count in q.missing_references:
        items.append(f"{escape(reason)}: {count} trade(s) without that execution figure")
    end = sheet.equity.end
    if end is not None and (end.fills_after or end.rows_after):
        cut = f" (the last close of {escape(end.pair)})" if end.pair else ""
        items.append(
            f"The curve ends on {end.last_day.isoformat()}{cut}: {end.fills_after} fill(s) and "
            f"{end.rows_after} ledger row(s) lie past its end."
        )
    for stale in sheet.equity.stale_prices:
        items.append(
            f"Prices carried forward: {escape(stale.pair)} at its {stale.close_day.isoformat()} "
            f"close for {stale.days} days ({stale.first_day.isoformat()} to "
            f"{stale.last_day.isoformat()})."
        )
    if not sheet.equity.stale_prices:
        items.append(f"No price carried forward more than {sheet.equity.max_stale_days} days.")
    if q.ledger_balanced is None:
        items.append("No ledger stored: balances are not audited.")
    else:
        state = "balanced" if q.ledger_balanced else "DIVERGES (run gal-friday audit)"
        items.append(f"Ledger audit: {q.ledger_entries_audited} entries, {state}.")
    return (
        '<h2>Data quality</h2><ul class="quality">'
        + "".join(f"<li>{item}</li>" for item in items)
        + "</ul>"
    )


def _origin(sheet: Tearsheet, document: dict[str, Any]) -> str:
    """Where the curve starts: the start capital given, or the ledger's opening value."""
    equity, currency = sheet.equity, escape(sheet.currency)
    if equity.start_capital is not None:
        capital = _text(equity.start_capital)
        shown = _figure("equity.start_capital", document["start_capital"], capital)
        return f"equity from a start capital of {shown} {currency}."
    opening = _figure(
        "equity.opening_value", document["opening_value"], _text(equity.opening_value)
    )
    return (
        f"equity from the ledger: opening value {opening} {currency}, deposits and "
        "withdrawals as flows (time-weighted returns)."
    )


def _returns(document: dict[str, Any]) -> str:
    cells = []
    for name, label in (("twr", "time-weighted return"), ("xirr", "money-weighted (XIRR, a year)")):
        raw = document["returns"][name]
        value = None if raw is None else Decimal(raw)
        shown = _figure(f"equity.returns.{name}", raw, _pct(value), signed=value)
        cells.append(
            f'<div class="stat"><div class="k">{label}</div><div class="v">{shown}</div></div>'
        )
    return "".join(cells)


def render_tearsheet(sheet: Tearsheet) -> str:
    """The whole page (UTF-8 text; the same figures always give the same text)."""
    equity_doc = equity_document(sheet.equity)
    report_doc = report_dict(sheet.report)
    period = " to ".join(
        part
        for part in (
            sheet.since.isoformat() if sheet.since else "the first trade",
            sheet.until.isoformat() if sheet.until else "the last",
        )
    )
    body = "".join(
        [
            f"<h1>Gal-Friday tearsheet ({escape(sheet.currency)})</h1>",
            f'<p class="sub">Closed trades from {escape(period)}; {_origin(sheet, equity_doc)}</p>',
            _statistics(sheet, equity_doc),
            _curves(sheet),
            _heatmap(sheet),
            _drawdowns(sheet, equity_doc),
            _report_totals(report_doc),
            _grouped(sheet.trades, "strategy", "By strategy"),
            _grouped(sheet.trades, "exit-reason", "By exit reason"),
            _trades(sheet.trades),
            _quality(sheet),
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
        f"<title>Gal-Friday tearsheet ({escape(sheet.currency)})</title>"
        f"<style>{STYLE}</style></head><body><main>{body}</main></body></html>\n"
    )
