"""Ways a secret reaches a log record, each with a secret of its own (to count what leaks)."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from typing import Any

#: One shape: how to log it, given its secret -> (message, args, extra, exception or None).
Shape = Callable[[str], tuple[str, tuple[Any, ...], dict[str, Any], BaseException | None]]


def _deep(levels: int, leaf: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = leaf
    for _ in range(levels):
        value = {"d": value}
    return value


class _Credentials:
    def __init__(self, api_key: str) -> None:
        self.api_key = api_key

    def __repr__(self) -> str:
        return f"Credentials(api_key='{self.api_key}')"


@dataclasses.dataclass
class _Login:
    user: str
    password: str


class _Mode(enum.Enum):
    LIVE = "live"


def _ctx(extra: dict[str, Any]) -> tuple[str, tuple[Any, ...], dict[str, Any], None]:
    return ("context", (), {"ctx": extra}, None)


def _msg(text: str) -> tuple[str, tuple[Any, ...], dict[str, Any], None]:
    return (text, (), {}, None)


CONTEXT_SHAPES: dict[str, Shape] = {
    "password": lambda s: _ctx({"password": s}),
    "Authorization header": lambda s: _ctx({"Authorization": f"Bearer {s}"}),
    "token": lambda s: _ctx({"token": s}),
    "Kraken API-Key": lambda s: _ctx({"API-Key": s}),
    "Kraken API-Sign": lambda s: _ctx({"API-Sign": s}),
    "passphrase": lambda s: _ctx({"passphrase": s}),
    "headers nested": lambda s: _ctx({"request": {"headers": {"API-Sign": s, "n": 1}}}),
    "30 levels deep": lambda s: _ctx(_deep(30, {"secret": s})),
    "200 levels deep": lambda s: _ctx(_deep(200, {"note": s})),
    "object repr": lambda s: _ctx({"creds": _Credentials(s)}),
    "dataclass repr": lambda s: _ctx({"login": _Login("ann", s)}),
    "camelCase apiKey in a list": lambda s: _ctx({"accounts": [{"apiKey": s}]}),
    "x-api-key": lambda s: _ctx({"x-api-key": s}),
    "client_secret in a tuple": lambda s: _ctx({"oauth": ({"client_secret": s},)}),
    "access_token": lambda s: _ctx({"access_token": s}),
    "private_key": lambda s: _ctx({"private_key": s}),
    "Set-Cookie": lambda s: _ctx({"Set-Cookie": f"sid={s}; HttpOnly"}),
    "session": lambda s: _ctx({"session": s}),
    "URL with a password": lambda s: _ctx({"dsn": f"postgresql://trader:{s}@db:5432/gal"}),
    "libpq conninfo": lambda s: _ctx({"conninfo": f"host=db user=trader password={s}"}),
    "signature": lambda s: _ctx({"signature": s}),
    "enum key next to a secret": lambda s: _ctx({"mode": _Mode.LIVE, "AUTH": s}),
    "bytes": lambda s: _ctx({"raw": f"password={s}".encode()}),
}

TEXT_SHAPES: dict[str, Shape] = {
    "URL in the message": lambda s: _msg(f"connecting to postgresql://trader:{s}@db/gal"),
    "?password= query": lambda s: _msg(f"GET https://api.example/v1?user=a&password={s}&x=1"),
    "?token= query": lambda s: _msg(f"callback https://hooks.example/cb?token={s}"),
    "Bearer header": lambda s: _msg(f"sent Authorization: Bearer {s}"),
    "bare Bearer": lambda s: _msg(f"retrying with bearer {s}"),
    "Kraken headers dict": lambda s: _msg(f"headers {{'API-Key': '{s}', 'API-Sign': '{s}'}}"),
    "API-Sign header line": lambda s: _msg(f"API-Sign: {s}"),
    "password= pair": lambda s: _msg(f"login user=ann password={s}"),
    "JSON text": lambda s: _msg(f'payload {{"token": "{s}", "n": 1}}'),
    "escaped JSON text": lambda s: _msg(f'body "{{\\"secret\\": \\"{s}\\"}}"'),
    "JWT": lambda s: _msg(f"got eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx{s}.c2lnbmF0dXJl{s}"),
    "PEM private key": lambda s: _msg(
        f"key -----BEGIN RSA PRIVATE KEY-----\nMIIE{s}\n-----END RSA PRIVATE KEY-----"
    ),
    "%s argument": lambda s: ("login with password=%s", (s,), {}, None),
    "echo of a secret key's value": lambda s: ("using %s", (s,), {"api_secret": s}, None),
    "exception text": lambda s: (
        "failed",
        (),
        {},
        ConnectionError(f"could not connect to postgresql://u:{s}@db/gal"),
    ),
    "exception with a passphrase": lambda s: (
        "failed",
        (),
        {},
        ValueError(f"bad credentials passphrase: {s}"),
    ),
}

ALL_SHAPES = {**CONTEXT_SHAPES, **TEXT_SHAPES}


def secret_for(index: int) -> str:
    """A distinct, recognisable secret value."""
    return f"S3cr3t{index:03d}xyzzy"
