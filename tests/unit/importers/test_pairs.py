"""Kraken pair codes: legacy keys, compact altnames and slashed wsnames, split the way Kraken does."""

from __future__ import annotations

import pytest

from gal_friday.domain import InvalidValueError
from gal_friday.importers import normalize_pair, parse_pair_map
from gal_friday.importers.pairs import asset_table, checked_pair_map, splits

#: The codes of issue 13.1: one asset was stored under two names (TRX as TR, XTZ as XT ...).
SPLIT_AT_THE_WRONG_PLACE_BEFORE = {
    "TRXXBT": "TRX/BTC",
    "XTZUSD": "XTZ/USD",
    "XTZEUR": "XTZ/EUR",
    "ZRXXBT": "ZRX/BTC",
    "STXXBT": "STX/BTC",
    "TRXETH": "TRX/ETH",
}


@pytest.mark.parametrize(("code", "pair"), sorted(SPLIT_AT_THE_WRONG_PLACE_BEFORE.items()))
def test_codes_whose_base_ends_like_a_legacy_prefix_keep_their_base(code, pair):
    assert normalize_pair(code) == pair
    base, quote = pair.split("/")
    kraken_quote = {"BTC": "XBT"}.get(quote, quote)
    assert normalize_pair(f"{base}/{kraken_quote}") == pair  # the wsname
    assert normalize_pair(code.lower()) == pair


#: (pair key as in trades.csv, altname, wsname, our pair): real Kraken spot pairs.
KRAKEN_PAIRS = [
    ("XXBTZUSD", "XBTUSD", "XBT/USD", "BTC/USD"),
    ("XXBTZEUR", "XBTEUR", "XBT/EUR", "BTC/EUR"),
    ("XXBTZGBP", "XBTGBP", "XBT/GBP", "BTC/GBP"),
    ("XXBTZCAD", "XBTCAD", "XBT/CAD", "BTC/CAD"),
    ("XXBTZJPY", "XBTJPY", "XBT/JPY", "BTC/JPY"),
    ("XBTCHF", "XBTCHF", "XBT/CHF", "BTC/CHF"),
    ("XBTAUD", "XBTAUD", "XBT/AUD", "BTC/AUD"),
    ("XBTUSDT", "XBTUSDT", "XBT/USDT", "BTC/USDT"),
    ("XBTUSDC", "XBTUSDC", "XBT/USDC", "BTC/USDC"),
    ("XBTDAI", "XBTDAI", "XBT/DAI", "BTC/DAI"),
    ("XBTPYUSD", "XBTPYUSD", "XBT/PYUSD", "BTC/PYUSD"),
    ("XETHZUSD", "ETHUSD", "ETH/USD", "ETH/USD"),
    ("XETHZEUR", "ETHEUR", "ETH/EUR", "ETH/EUR"),
    ("XETHXXBT", "ETHXBT", "ETH/XBT", "ETH/BTC"),
    ("XETHZGBP", "ETHGBP", "ETH/GBP", "ETH/GBP"),
    ("XETHZCAD", "ETHCAD", "ETH/CAD", "ETH/CAD"),
    ("XETHZJPY", "ETHJPY", "ETH/JPY", "ETH/JPY"),
    ("ETHUSDT", "ETHUSDT", "ETH/USDT", "ETH/USDT"),
    ("ETHUSDC", "ETHUSDC", "ETH/USDC", "ETH/USDC"),
    ("ETHDAI", "ETHDAI", "ETH/DAI", "ETH/DAI"),
    ("ETHAED", "ETHAED", "ETH/AED", "ETH/AED"),
    ("XXRPZUSD", "XRPUSD", "XRP/USD", "XRP/USD"),
    ("XXRPZEUR", "XRPEUR", "XRP/EUR", "XRP/EUR"),
    ("XXRPXXBT", "XRPXBT", "XRP/XBT", "XRP/BTC"),
    ("XXRPZCAD", "XRPCAD", "XRP/CAD", "XRP/CAD"),
    ("XXRPZJPY", "XRPJPY", "XRP/JPY", "XRP/JPY"),
    ("XRPGBP", "XRPGBP", "XRP/GBP", "XRP/GBP"),
    ("XRPUSDT", "XRPUSDT", "XRP/USDT", "XRP/USDT"),
    ("XRPETH", "XRPETH", "XRP/ETH", "XRP/ETH"),
    ("XDGUSD", "XDGUSD", "XDG/USD", "DOGE/USD"),
    ("XDGEUR", "XDGEUR", "XDG/EUR", "DOGE/EUR"),
    ("XXDGXXBT", "XDGXBT", "XDG/XBT", "DOGE/BTC"),
    ("XDGUSDT", "XDGUSDT", "XDG/USDT", "DOGE/USDT"),
    ("XLTCZUSD", "LTCUSD", "LTC/USD", "LTC/USD"),
    ("XLTCZEUR", "LTCEUR", "LTC/EUR", "LTC/EUR"),
    ("XLTCXXBT", "LTCXBT", "LTC/XBT", "LTC/BTC"),
    ("XXLMZUSD", "XLMUSD", "XLM/USD", "XLM/USD"),
    ("XXLMXXBT", "XLMXBT", "XLM/XBT", "XLM/BTC"),
    ("XXMRZUSD", "XMRUSD", "XMR/USD", "XMR/USD"),
    ("XXMRXXBT", "XMRXBT", "XMR/XBT", "XMR/BTC"),
    ("XZECZUSD", "ZECUSD", "ZEC/USD", "ZEC/USD"),
    ("XZECXXBT", "ZECXBT", "ZEC/XBT", "ZEC/BTC"),
    ("XETCZUSD", "ETCUSD", "ETC/USD", "ETC/USD"),
    ("XETCXETH", "ETCETH", "ETC/ETH", "ETC/ETH"),
    ("XETCXXBT", "ETCXBT", "ETC/XBT", "ETC/BTC"),
    ("XMLNZUSD", "MLNUSD", "MLN/USD", "MLN/USD"),
    ("XREPZEUR", "REPEUR", "REP/EUR", "REP/EUR"),
    ("USDTZUSD", "USDTUSD", "USDT/USD", "USDT/USD"),
    ("USDTEUR", "USDTEUR", "USDT/EUR", "USDT/EUR"),
    ("USDTGBP", "USDTGBP", "USDT/GBP", "USDT/GBP"),
    ("USDCUSD", "USDCUSD", "USDC/USD", "USDC/USD"),
    ("USDCUSDT", "USDCUSDT", "USDC/USDT", "USDC/USDT"),
    ("DAIUSD", "DAIUSD", "DAI/USD", "DAI/USD"),
    ("PYUSDUSD", "PYUSDUSD", "PYUSD/USD", "PYUSD/USD"),
    ("ZEURZUSD", "EURUSD", "EUR/USD", "EUR/USD"),
    ("ZGBPZUSD", "GBPUSD", "GBP/USD", "GBP/USD"),
    ("ZUSDZCAD", "USDCAD", "USD/CAD", "USD/CAD"),
    ("ZUSDZJPY", "USDJPY", "USD/JPY", "USD/JPY"),
    ("USDCHF", "USDCHF", "USD/CHF", "USD/CHF"),
    ("AUDUSD", "AUDUSD", "AUD/USD", "AUD/USD"),
    ("EURGBP", "EURGBP", "EUR/GBP", "EUR/GBP"),
    ("DOTUSD", "DOTUSD", "DOT/USD", "DOT/USD"),
    ("DOTXBT", "DOTXBT", "DOT/XBT", "DOT/BTC"),
    ("DOTETH", "DOTETH", "DOT/ETH", "DOT/ETH"),
    ("KSMDOT", "KSMDOT", "KSM/DOT", "KSM/DOT"),
    ("ADAUSD", "ADAUSD", "ADA/USD", "ADA/USD"),
    ("ADAXBT", "ADAXBT", "ADA/XBT", "ADA/BTC"),
    ("ADAETH", "ADAETH", "ADA/ETH", "ADA/ETH"),
    ("SOLUSD", "SOLUSD", "SOL/USD", "SOL/USD"),
    ("SOLXBT", "SOLXBT", "SOL/XBT", "SOL/BTC"),
    ("SOLETH", "SOLETH", "SOL/ETH", "SOL/ETH"),
    ("LINKUSD", "LINKUSD", "LINK/USD", "LINK/USD"),
    ("LINKXBT", "LINKXBT", "LINK/XBT", "LINK/BTC"),
    ("ATOMUSD", "ATOMUSD", "ATOM/USD", "ATOM/USD"),
    ("AVAXUSD", "AVAXUSD", "AVAX/USD", "AVAX/USD"),
    ("MATICUSD", "MATICUSD", "MATIC/USD", "MATIC/USD"),
    ("POLUSD", "POLUSD", "POL/USD", "POL/USD"),
    ("TRXUSD", "TRXUSD", "TRX/USD", "TRX/USD"),
    ("TRXXBT", "TRXXBT", "TRX/XBT", "TRX/BTC"),
    ("TRXETH", "TRXETH", "TRX/ETH", "TRX/ETH"),
    ("XTZUSD", "XTZUSD", "XTZ/USD", "XTZ/USD"),
    ("XTZEUR", "XTZEUR", "XTZ/EUR", "XTZ/EUR"),
    ("XTZXBT", "XTZXBT", "XTZ/XBT", "XTZ/BTC"),
    ("XTZETH", "XTZETH", "XTZ/ETH", "XTZ/ETH"),
    ("ZRXUSD", "ZRXUSD", "ZRX/USD", "ZRX/USD"),
    ("ZRXXBT", "ZRXXBT", "ZRX/XBT", "ZRX/BTC"),
    ("STXUSD", "STXUSD", "STX/USD", "STX/USD"),
    ("STXXBT", "STXXBT", "STX/XBT", "STX/BTC"),
    ("ICXUSD", "ICXUSD", "ICX/USD", "ICX/USD"),
    ("ICXXBT", "ICXXBT", "ICX/XBT", "ICX/BTC"),
    ("SNXUSD", "SNXUSD", "SNX/USD", "SNX/USD"),
    ("SNXXBT", "SNXXBT", "SNX/XBT", "SNX/BTC"),
    ("IMXUSD", "IMXUSD", "IMX/USD", "IMX/USD"),
    ("FLUXUSD", "FLUXUSD", "FLUX/USD", "FLUX/USD"),
    ("DYDXUSD", "DYDXUSD", "DYDX/USD", "DYDX/USD"),
    ("CVXUSD", "CVXUSD", "CVX/USD", "CVX/USD"),
    ("SPXUSD", "SPXUSD", "SPX/USD", "SPX/USD"),
    ("AIXBTUSD", "AIXBTUSD", "AIXBT/USD", "AIXBT/USD"),
    ("WBTCUSD", "WBTCUSD", "WBTC/USD", "WBTC/USD"),
    ("WBTCXBT", "WBTCXBT", "WBTC/XBT", "WBTC/BTC"),
    ("TBTCUSD", "TBTCUSD", "TBTC/USD", "TBTC/USD"),
    ("TUSD", "TUSD", "T/USD", "T/USD"),
    ("TUSDUSD", "TUSDUSD", "TUSD/USD", "TUSD/USD"),
    ("WUSD", "WUSD", "W/USD", "W/USD"),
    ("GUSD", "GUSD", "G/USD", "G/USD"),
    ("SCUSD", "SCUSD", "SC/USD", "SC/USD"),
    ("L3USD", "L3USD", "L3/USD", "L3/USD"),
    ("EURTUSD", "EURTUSD", "EURT/USD", "EURT/USD"),
    ("EURQUSD", "EURQUSD", "EURQ/USD", "EURQ/USD"),
    ("ETHWUSD", "ETHWUSD", "ETHW/USD", "ETHW/USD"),
    ("LUNA2USD", "LUNA2USD", "LUNA2/USD", "LUNA2/USD"),
    ("LUNAUSD", "LUNAUSD", "LUNA/USD", "LUNA/USD"),
    ("1INCHUSD", "1INCHUSD", "1INCH/USD", "1INCH/USD"),
    ("AAVEUSD", "AAVEUSD", "AAVE/USD", "AAVE/USD"),
    ("AAVEXBT", "AAVEXBT", "AAVE/XBT", "AAVE/BTC"),
    ("UNIUSD", "UNIUSD", "UNI/USD", "UNI/USD"),
    ("SHIBUSD", "SHIBUSD", "SHIB/USD", "SHIB/USD"),
    ("PEPEUSD", "PEPEUSD", "PEPE/USD", "PEPE/USD"),
    ("BONKUSD", "BONKUSD", "BONK/USD", "BONK/USD"),
    ("WIFUSD", "WIFUSD", "WIF/USD", "WIF/USD"),
    ("SUIUSD", "SUIUSD", "SUI/USD", "SUI/USD"),
    ("APTUSD", "APTUSD", "APT/USD", "APT/USD"),
    ("ARBUSD", "ARBUSD", "ARB/USD", "ARB/USD"),
    ("OPUSD", "OPUSD", "OP/USD", "OP/USD"),
    ("TIAUSD", "TIAUSD", "TIA/USD", "TIA/USD"),
    ("INJUSD", "INJUSD", "INJ/USD", "INJ/USD"),
    ("NEARUSD", "NEARUSD", "NEAR/USD", "NEAR/USD"),
    ("FILUSD", "FILUSD", "FIL/USD", "FIL/USD"),
    ("ALGOUSD", "ALGOUSD", "ALGO/USD", "ALGO/USD"),
    ("BCHUSD", "BCHUSD", "BCH/USD", "BCH/USD"),
    ("BCHXBT", "BCHXBT", "BCH/XBT", "BCH/BTC"),
    ("DASHUSD", "DASHUSD", "DASH/USD", "DASH/USD"),
    ("EOSUSD", "EOSUSD", "EOS/USD", "EOS/USD"),
    ("EOSETH", "EOSETH", "EOS/ETH", "EOS/ETH"),
    ("GNOUSD", "GNOUSD", "GNO/USD", "GNO/USD"),
    ("QTUMUSD", "QTUMUSD", "QTUM/USD", "QTUM/USD"),
    ("MANAUSD", "MANAUSD", "MANA/USD", "MANA/USD"),
    ("SANDUSD", "SANDUSD", "SAND/USD", "SAND/USD"),
    ("GRTUSD", "GRTUSD", "GRT/USD", "GRT/USD"),
    ("MKRUSD", "MKRUSD", "MKR/USD", "MKR/USD"),
    ("COMPUSD", "COMPUSD", "COMP/USD", "COMP/USD"),
    ("CRVUSD", "CRVUSD", "CRV/USD", "CRV/USD"),
    ("LDOUSD", "LDOUSD", "LDO/USD", "LDO/USD"),
    ("KSMUSD", "KSMUSD", "KSM/USD", "KSM/USD"),
    ("FETUSD", "FETUSD", "FET/USD", "FET/USD"),
    ("RENDERUSD", "RENDERUSD", "RENDER/USD", "RENDER/USD"),
    ("TAOUSD", "TAOUSD", "TAO/USD", "TAO/USD"),
    ("TONUSD", "TONUSD", "TON/USD", "TON/USD"),
    ("PAXGUSD", "PAXGUSD", "PAXG/USD", "PAXG/USD"),
    ("PAXGXBT", "PAXGXBT", "PAXG/XBT", "PAXG/BTC"),
    ("ETH2.SETH", "ETH2.SETH", "ETH2.S/ETH", "ETH2.S/ETH"),
]


@pytest.mark.parametrize(
    ("key", "altname", "wsname", "pair"), KRAKEN_PAIRS, ids=[row[0] for row in KRAKEN_PAIRS]
)
def test_every_form_of_a_real_kraken_pair_gives_one_name(key, altname, wsname, pair):
    assert normalize_pair(key) == pair
    assert normalize_pair(altname) == pair
    assert normalize_pair(wsname) == pair
    assert normalize_pair(pair) == pair  # ours, as the report's --pair gives it


def test_no_two_known_assets_make_the_same_code_as_two_others():
    table = asset_table()
    ambiguous = {
        base + quote: found
        for base in table.bases
        for quote in table.quotes
        if len(found := splits(base + quote)) > 1
    }
    assert ambiguous == {}


def test_the_table_maps_kraken_codes_to_our_names():
    table = asset_table()
    for code, name in {
        "XXBT": "BTC",
        "XBT": "BTC",
        "XXDG": "DOGE",
        "XDG": "DOGE",
        "XETH": "ETH",
        "ZUSD": "USD",
        "ZEUR": "EUR",
        "XXRP": "XRP",
        "XXLM": "XLM",
        "XLTC": "LTC",
        "XXMR": "XMR",
        "XZEC": "ZEC",
        "XETC": "ETC",
        "XTZ": "XTZ",
        "TRX": "TRX",
    }.items():
        assert table.name(code) == name
    names = {table.name(code) for code in table.quotes}
    expected_quotes = "USD EUR GBP CAD JPY AUD CHF AED BTC ETH USDT USDC DAI DOT PYUSD"
    assert set(expected_quotes.split()) <= names
    assert len(table.bases) > 350


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("QQQ", "'QQQ' is not a pair code of known Kraken assets: map it by hand with --pair-map"),
        ("FOOUSD", "--pair-map FOOUSD=BASE/QUOTE"),
        ("XBT", "not a pair code"),
        ("BTC/", "is not of the form BASE/QUOTE"),
        ("A/B/C", "is not of the form BASE/QUOTE"),
        ("", "is empty"),
        ("X" * 500, "…"),
    ],
)
def test_a_code_that_cannot_be_split_is_refused_naming_it(code, message):
    with pytest.raises(InvalidValueError) as info:
        normalize_pair(code)
    assert info.value.field == "pair"
    assert message in info.value.problem
    assert len(str(info.value)) < 250


def test_an_ambiguous_code_names_every_reading(monkeypatch):
    table = asset_table()
    widened = type(table)(
        names=table.names, bases=table.bases | {"TR"}, quotes=table.quotes
    )  # were "TR" an asset, TRXXBT would read as TR/BTC too
    monkeypatch.setattr("gal_friday.importers.pairs.asset_table", lambda: widened)
    from gal_friday.importers.pairs import _normalize

    _normalize.cache_clear()
    try:
        with pytest.raises(InvalidValueError, match=r"can be read as TR/BTC or TRX/BTC: map it"):
            normalize_pair("TRXXBT")
    finally:
        _normalize.cache_clear()


def test_a_pair_map_wins_and_is_checked():
    codes = parse_pair_map(["fooUSD=foo/usd", "NEWXBT = NEW/XBT"])
    assert codes == {"FOOUSD": "FOO/USD", "NEWXBT": "NEW/BTC"}
    assert normalize_pair("FOOUSD", codes) == "FOO/USD"
    assert normalize_pair("fooUSD", codes) == "FOO/USD"
    assert normalize_pair("XXBTZUSD", codes) == "BTC/USD"
    assert normalize_pair("XXBTZUSD", checked_pair_map({"XXBTZUSD": "XBT/EUR"})) == "BTC/EUR"
    for bad, message in [
        (["FOOUSD"], "is not CODE=BASE/QUOTE"),
        (["FOOUSD=FOOUSD"], "give the pair as BASE/QUOTE"),
        (["=FOO/USD"], "is not a pair code to map"),
        (["FOOUSD=/USD"], "FOOUSD: '/USD' is not of the form BASE/QUOTE"),
    ]:
        with pytest.raises(InvalidValueError, match=rf"^pair_map: .*{message}"):
            parse_pair_map(bad)
