"""JSON text as ``json.dumps`` writes it, through CPython's C encoder built once.

``json.dumps`` builds its encoder on every call (about 1 µs): the bulk paths make the text of
a ``jsonb`` value per row (log contexts, order commissions), so they build it once. The
values have no cycles to check.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

_MAKE_ENCODER = getattr(json.encoder, "c_make_encoder", None)  # CPython's C JSON encoder
# Arguments: markers, default, string encoder, indent, separators, sort_keys, skipkeys, allow_nan
# as json.dumps has them by default.
_ENCODE: Callable[[Any, int], Sequence[str]] | None = _MAKE_ENCODER and _MAKE_ENCODER(
    None, json.JSONEncoder().default, json.encoder.encode_basestring_ascii, None, ": ", ", ",
    False, False, True,
)  # fmt: skip


def json_text(value: dict[str, Any]) -> str:
    """``json.dumps(value)``: the text COPY takes for ``jsonb``, as ``Jsonb`` sends it."""
    if _ENCODE is None:
        return json.dumps(value)
    return "".join(_ENCODE(value, 0))
