"""Keep secrets out of stored logs: redact by key at any depth, scrub credentials out of text.

Two rules, documented in ``docs/logging.md``:

* **By key.** A mapping key is secret when, lower-cased and stripped of everything
  but letters and digits, it contains one of the secret words (also normalised):
  ``API-Sign``, ``x_api_key``, ``DB_PASSWORD`` and ``kraken_api_secret`` all are.
  Its whole value is replaced by :data:`REDACTED`, at any depth.
* **By shape.** Text (messages, exception text, string values, object reprs) is
  scrubbed of credentials it recognises: a password in a URL
  (``scheme://user:pass@``), ``<secret word>=value`` and ``<secret word>: value``
  pairs (query parameters, headers such as ``API-Key:``/``API-Sign:``, ``repr``s,
  JSON text), ``Bearer``/``Basic``/``Digest`` credentials, JSON Web Tokens and
  PEM private keys.

A secret with neither a secret key nor a recognisable shape (a bare token in the
middle of a sentence) cannot be told from other text and is stored as given.

The same rules redact a stored configuration's content (:func:`redact_json`,
``docs/payloads.md``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

REDACTED = "***"

#: Words that make a key secret (matched inside normalised keys, in any case). Pass your own
#: list as ``DEFAULT_SECRET_KEYS | {"my_word"}`` to extend it.
DEFAULT_SECRET_KEYS: frozenset[str] = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "passcode",
        "secret",
        "token",
        "api_key",
        "apikey",
        "api-key",
        "api-sign",
        "authorization",
        "auth",
        "credential",
        "private_key",
        "signature",
        "cookie",
        "session",
        "bearer",
        "jwt",
        "mnemonic",
    }
)

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_KEY_CACHE_LIMIT = 10_000  # entries in each cache of a Redactor (emptied when full)
_CACHED_TEXT_LENGTH = 100  # short texts (context values) repeat: their scrubbed form is cached


def normalise_key(key: str) -> str:
    """``key`` lower-cased with everything but letters and digits removed."""
    return _NOT_ALNUM.sub("", key.lower())


_QUOTED = r"\\\"(?:(?!\\\").)*?\\\"|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'"
_BARE = r"[^\s,;&\"'<>{}\[\]()|]+"

# Credentials recognisable by their shape alone, whatever surrounds them.
_SHAPES = re.compile(
    "|".join(
        [
            # -----BEGIN RSA PRIVATE KEY----- ... -----END RSA PRIVATE KEY-----
            r"(?P<pem>-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----.*?"
            r"(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|\Z))",
            # scheme://user:password@host (the password may itself hold an @)
            r"(?P<url>(?<![a-z0-9+.\-])[a-z][a-z0-9+.\-]{0,30}://[^\s:/@]{0,256}:)"
            r"(?P<url_secret>[^\s/]*)(?=@)",
            # a credential after its scheme: Bearer eyJ..., Basic dXNlcjpwYXNz
            r"(?P<auth>\b(?:bearer|basic|digest)[ \t]+)[A-Za-z0-9._~+/\-]{8,}=*",
            # a JSON Web Token anywhere
            r"\beyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]*",
        ]
    ),
    re.IGNORECASE | re.DOTALL,
)

# The name and separator of name=value, name: value, "name": "value", name='value' (not
# scheme://); the name is checked afterwards, and the value matched only after a secret name,
# so a value is scanned for pairs of its own (a=b?password=c).
_KEY_SEP = re.compile(r"(?<![\w.\-])([\w.\-]{1,64})(\\?[\"']?[ \t]*[:=](?!//)[ \t]*)")
_VALUE = re.compile(
    rf"(?:(?:bearer|basic|digest|token)[ \t]+)?(?:{_QUOTED}|\\?[\"']?{_BARE})", re.IGNORECASE
)


def _replace_shape(match: re.Match[str]) -> str:
    for prefix in ("url", "auth"):
        if match.group(prefix) is not None:
            return match.group(prefix) + REDACTED
    return REDACTED


class Redactor:
    """The redaction rules for one list of secret words (build it with :func:`redactor`)."""

    def __init__(self, words: frozenset[str]) -> None:
        self.words = tuple(sorted({normalise_key(w) for w in words if normalise_key(w)}))
        self._secret_cache: dict[str, bool] = {}
        self._key_cache: dict[str, str | None] = {}
        self._text_cache: dict[str, str] = {}

    def is_secret_key(self, key: str) -> bool:
        """True when the key contains a secret word (``API-Sign``, ``DB_PASSWORD``)."""
        known = self._secret_cache.get(key)
        if known is None:
            normal = normalise_key(key)
            known = any(word in normal for word in self.words)
            if len(self._secret_cache) >= _KEY_CACHE_LIMIT:
                self._secret_cache.clear()
            self._secret_cache[key] = known
        return known

    def safe_key(self, key: str) -> str | None:
        """None for a secret key, else the key as it may be stored (scrubbed like text)."""
        try:
            return self._key_cache[key]
        except KeyError:
            pass
        safe = None if self.is_secret_key(key) else self.scrub(key)
        if len(self._key_cache) >= _KEY_CACHE_LIMIT:
            self._key_cache.clear()
        self._key_cache[key] = safe
        return safe

    def scrub(self, text: str) -> str:
        """``text`` with every credential of a recognised shape replaced by ``***``."""
        if len(text) > _CACHED_TEXT_LENGTH:
            return self._scrub(text)
        scrubbed = self._text_cache.get(text)  # no KeyError: most messages are seen once
        if scrubbed is not None:
            return scrubbed
        scrubbed = self._scrub(text)
        if len(self._text_cache) >= _KEY_CACHE_LIMIT:
            self._text_cache.clear()
        self._text_cache[text] = scrubbed
        return scrubbed

    def _scrub(self, text: str) -> str:
        if not self.words:
            return text
        lowered = text.lower()
        if (  # what every shape in _SHAPES contains (spelled out: the hot path of the writer)
            "://" in lowered
            or "bearer" in lowered
            or "basic" in lowered
            or "digest" in lowered
            or "eyj" in lowered
            or "private key" in lowered
        ):
            text = _SHAPES.sub(_replace_shape, text)
        if ":" in text or "=" in text:
            text = self._scrub_pairs(text)
        return text

    def _scrub_pairs(self, text: str) -> str:
        """``text`` with the value after each secret name and its separator redacted."""
        parts: list[str] = []
        done = position = 0
        while match := _KEY_SEP.search(text, position):
            position = match.end()
            if not self.is_secret_key(match.group(1)):
                continue
            value = _VALUE.match(text, position)
            if value is None:
                continue
            parts += (text[done:position], REDACTED)
            done = position = value.end()
        if not parts:
            return text
        parts.append(text[done:])
        return "".join(parts)


@functools.lru_cache(maxsize=64)
def _cached(words: frozenset[str]) -> Redactor:
    return Redactor(words)


def redactor(words: Iterable[str] = DEFAULT_SECRET_KEYS) -> Redactor:
    """The (shared, cached) redaction rules for these secret words."""
    return _cached(words if isinstance(words, frozenset) else frozenset(words))


def scrub_text(text: str, words: Iterable[str] = DEFAULT_SECRET_KEYS) -> str:
    """``text`` with recognisable credentials replaced by ``***`` (see the module docstring)."""
    return redactor(words).scrub(text)


def redact_json(value: Any, words: Iterable[str] = DEFAULT_SECRET_KEYS) -> Any:
    """Plain JSON values (``domain.json_values.to_json``'s) with secrets redacted as in logs:
    the value under a secret key is ``***`` at any depth, and strings are scrubbed of
    credentials of a recognisable shape (a URL's password, ``password=...``, a token)."""
    return _redact_json(value, redactor(words))


def _redact_json(value: Any, rules: Redactor) -> Any:
    if isinstance(value, str):
        return rules.scrub(value)
    if isinstance(value, dict):
        return {
            key: REDACTED if rules.is_secret_key(key) else _redact_json(child, rules)
            for key, child in value.items()
        }
    if isinstance(value, list):
        return [_redact_json(item, rules) for item in value]
    return value
