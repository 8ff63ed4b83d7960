"""JSON text for large reports: indented like `json.dumps(indent=2)` down to a given depth, and
each value below that depth written compactly on one line.

`json.dumps(indent=...)` runs Python's pure encoder, several times slower than the C encoder that
a compact dump uses; a report of thousands of findings spent more time being written than being
checked. Here the C encoder writes every record, and only the few outer levels are laid out by
hand. The result stays readable (one finding per line) and parses to the same data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json import encoder as json_encoder
from typing import Any

Compact = Callable[[Any], str]


def dumps(value: Any, *, depth: int = 2, indent: str = "  ") -> str:
    """JSON text of `value`, containers nested at most `depth` levels deep spread over lines."""
    parts: list[str] = []
    _write(value, depth, indent, "", parts, _compact_encoder())
    parts.append("\n")
    return "".join(parts)


def _compact_encoder() -> Compact:
    """`json.dumps(value, ensure_ascii=False)` for many values: the C encoder made once.

    `json.dumps` makes a new encoder for every call, which costs more than writing a finding.
    """
    python = json.JSONEncoder(ensure_ascii=False)
    make = getattr(json_encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without the json C module
        return python.encode
    try:
        # (markers, default, string encoder, indent, key separator, item separator, sort_keys,
        # skipkeys, allow_nan) as JSONEncoder.iterencode passes them; no markers: reports hold no cycles.
        encode = make(None, python.default, json_encoder.encode_basestring, None, ": ", ", ", False, False, True)
    except TypeError:  # a json module whose C encoder takes other arguments
        return python.encode

    def compact(value: Any) -> str:
        if isinstance(value, str):
            return json_encoder.encode_basestring(value)
        return "".join(encode(value, 0))

    return compact


def _write(value: Any, depth: int, indent: str, prefix: str, parts: list[str], compact: Compact) -> None:
    if depth <= 0 or not isinstance(value, (dict, list)) or not value:
        parts.append(compact(value))
        return
    inner = prefix + indent
    if isinstance(value, dict):
        parts.append("{")
        for position, (key, item) in enumerate(value.items()):
            parts.append(("\n" if position == 0 else ",\n") + inner + compact(str(key)) + ": ")
            _write(item, depth - 1, indent, inner, parts, compact)
        parts.append("\n" + prefix + "}")
        return
    parts.append("[")
    for position, item in enumerate(value):
        parts.append(("\n" if position == 0 else ",\n") + inner)
        _write(item, depth - 1, indent, inner, parts, compact)
    parts.append("\n" + prefix + "]")
