"""The tearsheet opened in a real browser (headless Chromium, docs/tearsheet.md).

No console error, no request leaves the file, no horizontal overflow at 1280 and 390
pixels wide, and every figure the page shares with ``equity --format json`` and
``report --format json`` is the same value. The screenshots are written to
``$GALFRIDAY_SCREENSHOTS`` when it is set (to look at them), else to the test's
temporary folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_cli import run
from tests.support.trading_session import store_session

WIDTHS = (1280, 390)
EQUITY_ARGS = ("--currency", "USD", "--start-capital", "1000")


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "headless Chromium is needed: `apt-get install chromium` (scripts/test.sh does)"
        )
    return found


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("tearsheet")
    url = f"sqlite:///{folder / 'galfriday.db'}"
    assert run(url, "db", "upgrade").returncode == 0
    store_session(url)
    pages = []
    for name in ("first.html", "again.html"):
        made = run(url, "tearsheet", "--out", str(folder / name), *EQUITY_ARGS)
        assert made.returncode == 0, made.stderr
        pages.append(folder / name)
    equity = run(url, "equity", *EQUITY_ARGS, "--format", "json")
    report = run(url, "report", "--currency", "USD", "--format", "json")
    assert equity.returncode == 0 and report.returncode == 0, equity.stderr + report.stderr
    return {
        "pages": pages,
        "equity": json.loads(equity.stdout),
        "report": json.loads(report.stdout),
        "shots": Path(os.environ.get("GALFRIDAY_SCREENSHOTS") or folder),
    }


def test_the_same_data_gives_the_same_bytes(session):
    first, again = session["pages"]
    assert first.read_bytes() == again.read_bytes()


def _lookup(documents: dict[str, Any], key: str) -> Any:
    """``equity.days[-1].equity`` -> documents["equity"]["days"][-1]["equity"]."""
    value: Any = documents
    for part in key.split("."):
        name, _, index = part.partition("[")
        value = value[name]
        if index:
            value = value[int(index.rstrip("]"))]
    return value


def test_in_chromium_the_page_is_whole_quiet_and_agrees_with_the_cli(session):
    from playwright.sync_api import sync_playwright

    page_file = session["pages"][0]
    shots: Path = session["shots"]
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        try:
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900})
                problems: list[str] = []
                requests: list[str] = []
                page.on(
                    "console",
                    lambda m, p=problems: (
                        p.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
                    ),
                )
                page.on("pageerror", lambda e, p=problems: p.append(f"page error: {e}"))
                page.on("request", lambda r, seen=requests: seen.append(r.url))
                page.goto(page_file.as_uri())
                page.wait_for_load_state("load")
                scroll, client = page.evaluate(
                    "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
                )
                page.screenshot(path=str(shots / f"tearsheet-{width}.png"), full_page=True)
                figures = page.eval_on_selector_all(
                    "[data-json]",
                    "els => els.map(e => [e.dataset.json, e.dataset.value, e.textContent])",
                )
                headings = page.eval_on_selector_all("h2", "els => els.map(e => e.textContent)")
                body_text = page.inner_text("body")
                page.close()
                assert problems == [], width
                assert requests == [page_file.as_uri()], width  # nothing but the file itself
                assert scroll <= client, f"{width} px wide: the page is {scroll} px wide"
                documents = {"equity": session["equity"], "report": session["report"]}
                assert len(figures) >= 15
                for key, shown_value, _text in figures:
                    expected = _lookup(documents, key)
                    assert shown_value == ("null" if expected is None else str(expected)), key
                for section in ("Monthly returns", "By strategy", "By exit reason", "Trades"):
                    assert section in headings
                for name in ("momentum", "mean-reversion", "TAKE_PROFIT_HIT", "MANUAL_CLOSE"):
                    assert name in body_text  # the trades carry their strategy and exit reason
        finally:
            browser.close()
    assert re.search(rb"<script|https?://", page_file.read_bytes()) is None
