"""Exchange pair codes normalised to ``BASE/QUOTE`` (``XXBTZUSD`` -> ``BTC/USD``).

Kraken names a pair three ways (its AssetPairs list): a legacy key made of two
4-letter asset codes (``XXBTZUSD``, ``XETHXXBT``), a compact altname (``XBTUSD``,
``TRXXBT``, ``XTZEUR``) and a slashed wsname (``XBT/USD``). ccxt symbols are
slashed (``BTC/USD``). The rules (docs/importing.md):

* A slashed code is split at the slash.
* A compact or legacy code is split only where the part before is a known base
  asset and the part after a known quote asset of Kraken
  (``data/kraken_assets.json``), and only when every such split names the same
  pair (``TRXXBT`` is TRX/XBT: there is no asset ``TR``). Anything else is refused
  with one line naming the code and the way to map it by hand
  (``pair_map`` / ``--pair-map CODE=BASE/QUOTE``).
* Each asset is then given our name: ``XXBT``/``XBT`` -> ``BTC``, ``XXDG``/``XDG``
  -> ``DOGE``, ``ZUSD`` -> ``USD`` ...; other codes are their own name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources

import attrs

from gal_friday.domain.errors import InvalidValueError
from gal_friday.domain.values import shown, trading_pair

ASSETS_FILE = "kraken_assets.json"


@attrs.frozen
class AssetTable:
    """Kraken's asset codes: their names in gal-friday, and which may be a base or a quote."""

    names: Mapping[str, str]
    bases: frozenset[str]
    quotes: frozenset[str]

    def name(self, code: str) -> str:
        """Our name of an asset code (the code itself when it has no other)."""
        return self.names.get(code, code)


@lru_cache(maxsize=1)
def asset_table() -> AssetTable:
    """The bundled table (``importers/data/kraken_assets.json``)."""
    text = resources.files("gal_friday.importers").joinpath("data", ASSETS_FILE).read_text("utf-8")
    document = json.loads(text)
    names: dict[str, str] = document["aliases"]
    quote_names = {names.get(code, code) for code in document["quotes"]}
    legacy_quotes = {code for code, name in names.items() if name in quote_names}
    return AssetTable(
        names=names,
        bases=frozenset(document["bases"]) | frozenset(names),
        quotes=frozenset(document["quotes"]) | frozenset(legacy_quotes),
    )


def normalize_asset(code: str) -> str:
    """``XXBT`` -> ``BTC``, ``ZUSD`` -> ``USD``; other codes unchanged (upper case).

    A staked or earn variant keeps its suffix, the code before it is named the same
    way: ``XBT.M`` -> ``BTC.M``, ``DOT.S`` and ``ETH2.S`` unchanged (docs/ledgers.md).
    """
    text = code.strip().upper()
    table = asset_table()
    stem, dot, suffix = text.partition(".")
    if dot and stem and suffix:
        return f"{table.name(stem)}.{suffix}"
    return table.name(text)


def _slashed(text: str, code: str) -> str:
    base, _, quote = text.partition("/")
    base, quote = base.strip(), quote.strip()
    if not base or not quote or "/" in quote:
        raise InvalidValueError("pair", f"{shown(code)} is not of the form BASE/QUOTE")
    return trading_pair(f"{normalize_asset(base)}/{normalize_asset(quote)}", "pair")


def splits(text: str) -> list[str]:
    """Every ``BASE/QUOTE`` (our names) a compact code can be read as, sorted."""
    table = asset_table()
    found = {
        f"{table.name(text[:cut])}/{table.name(text[cut:])}"
        for cut in range(1, len(text))
        if text[:cut] in table.bases and text[cut:] in table.quotes
    }
    return sorted(found)


@lru_cache(maxsize=4096)
def _normalize(text: str, code: str) -> str:
    if not text:
        raise InvalidValueError("pair", "is empty")
    if "/" in text:
        return _slashed(text, code)
    found = splits(text)
    if len(found) == 1:
        return trading_pair(found[0], "pair")
    hint = f"map it by hand with --pair-map {text[:40]}=BASE/QUOTE"
    if not found:
        raise InvalidValueError(
            "pair", f"{shown(code)} is not a pair code of known Kraken assets: {hint}"
        )
    raise InvalidValueError("pair", f"{shown(code)} can be read as {' or '.join(found)}: {hint}")


def normalize_pair(code: str, pair_map: Mapping[str, str] | None = None) -> str:
    """``BASE/QUOTE`` for a Kraken or ccxt pair code (see the module docstring).

    ``pair_map`` (``CODE -> BASE/QUOTE``, from :func:`checked_pair_map`) is looked up
    first; a clear :class:`InvalidValueError` (field ``pair``) when the code cannot be
    split unambiguously.
    """
    text = code.strip().upper()
    if pair_map:
        mapped = pair_map.get(text)
        if mapped is not None:
            return mapped
    return _normalize(text, code)


def checked_pair_map(mapping: Mapping[str, str] | None) -> dict[str, str]:
    """``CODE -> BASE/QUOTE`` with upper-case codes and normalised pairs; errors name the code."""
    result: dict[str, str] = {}
    for code, pair in (mapping or {}).items():
        key = code.strip().upper() if isinstance(code, str) else ""
        if not key or "/" in key:
            raise InvalidValueError("pair_map", f"{shown(code)} is not a pair code to map")
        if not isinstance(pair, str) or "/" not in pair:
            raise InvalidValueError("pair_map", f"{key}={shown(pair)}: give the pair as BASE/QUOTE")
        try:
            result[key] = _slashed(pair.strip().upper(), pair)
        except InvalidValueError as exc:
            raise InvalidValueError("pair_map", f"{key}: {exc.problem}") from None
    return result


def parse_pair_map(entries: Iterable[str]) -> dict[str, str]:
    """``["TRXXBT=TRX/BTC", ...]`` (the CLI's ``--pair-map``) as a checked mapping."""
    mapping: dict[str, str] = {}
    for entry in entries:
        code, sep, pair = entry.partition("=")
        if not sep:
            raise InvalidValueError("pair_map", f"{shown(entry)} is not CODE=BASE/QUOTE")
        mapping[code] = pair
    return checked_pair_map(mapping)
