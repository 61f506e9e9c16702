"""Exchange pair codes normalised to ``BASE/QUOTE`` (``XXBTZUSD`` -> ``BTC/USD``).

Kraken writes pairs as legacy codes (``XXBTZUSD``, ``XETHXXBT``), compact codes
(``DOTXBT``, ``XBTUSDC``) or slashed (``USDT/GBP``). Compact codes are split at a
known quote asset, longest suffix first (``USDC`` before ``USD``); ``XBT`` is
``BTC`` and ``XDG`` is ``DOGE``.
"""

from __future__ import annotations

from functools import lru_cache

from gal_friday.domain.errors import InvalidValueError

#: Kraken asset codes that differ from the usual symbol.
ASSET_ALIASES = {
    "XXBT": "BTC",
    "XBT": "BTC",
    "XXDG": "DOGE",
    "XDG": "DOGE",
    "XETH": "ETH",
    "XXRP": "XRP",
    "XLTC": "LTC",
    "XXLM": "XLM",
    "XXMR": "XMR",
    "XZEC": "ZEC",
    "XETC": "ETC",
    "XREP": "REP",
    "XMLN": "MLN",
    "ZUSD": "USD",
    "ZEUR": "EUR",
    "ZGBP": "GBP",
    "ZCAD": "CAD",
    "ZJPY": "JPY",
    "ZAUD": "AUD",
    "ZCHF": "CHF",
}

#: Quote assets a compact code may end with, longest first.
QUOTES = sorted(
    {
        "USD",
        "EUR",
        "GBP",
        "CAD",
        "JPY",
        "AUD",
        "CHF",
        "USDT",
        "USDC",
        "DAI",
        "PYUSD",
        "XBT",
        "BTC",
        "ETH",
        "DOT",
        "ZUSD",
        "ZEUR",
        "ZGBP",
        "ZCAD",
        "ZJPY",
        "XXBT",
        "XETH",
    },
    key=len,
    reverse=True,
)


def normalize_asset(code: str) -> str:
    """``XXBT`` -> ``BTC``, ``ZUSD`` -> ``USD``; other codes unchanged (upper case)."""
    upper = code.strip().upper()
    return ASSET_ALIASES.get(upper, upper)


@lru_cache(maxsize=4096)
def normalize_pair(code: str) -> str:
    """``BASE/QUOTE`` for any Kraken or ccxt pair code; a clear error when it cannot be split."""
    text = code.strip().upper()
    if not text:
        raise InvalidValueError("pair", "is empty")
    if "/" in text:
        base, _, quote = text.partition("/")
        if not base or not quote or "/" in quote:
            raise InvalidValueError("pair", f"{code!r} is not of the form BASE/QUOTE")
        return f"{normalize_asset(base)}/{normalize_asset(quote)}"
    if len(text) == 8 and text[0] in "XZ" and text[4] in "XZ":  # legacy: XXBTZUSD, XETHXXBT
        return f"{normalize_asset(text[:4])}/{normalize_asset(text[4:])}"
    for quote in QUOTES:
        if text.endswith(quote) and len(text) > len(quote):
            return f"{normalize_asset(text[: -len(quote)])}/{normalize_asset(quote)}"
    raise InvalidValueError("pair", f"{code!r} is not a pair code we can split into BASE/QUOTE")
