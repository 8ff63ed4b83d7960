"""JSON text for large reports: indented like `json.dumps(indent=2)` down to a given depth, and
each value below that depth written compactly on one line.

`json.dumps(indent=...)` runs Python's pure encoder, several times slower than the C encoder that
a compact dump uses; a report of thousands of findings spent more time being written than being
checked. Here the C encoder writes every record, and only the few outer levels are laid out by
hand. The result stays readable (one finding per line) and parses to the same data.
"""

from __future__ import annotations

import json
from typing import Any


def dumps(value: Any, *, depth: int = 2, indent: str = "  ") -> str:
    """JSON text of `value`, containers nested at most `depth` levels deep spread over lines."""
    parts: list[str] = []
    _write(value, depth, indent, "", parts)
    parts.append("\n")
    return "".join(parts)


def _write(value: Any, depth: int, indent: str, prefix: str, parts: list[str]) -> None:
    if depth <= 0 or not isinstance(value, (dict, list)) or not value:
        parts.append(json.dumps(value, ensure_ascii=False))
        return
    inner = prefix + indent
    if isinstance(value, dict):
        parts.append("{")
        for position, (key, item) in enumerate(value.items()):
            parts.append(("\n" if position == 0 else ",\n") + inner + json.dumps(str(key), ensure_ascii=False) + ": ")
            _write(item, depth - 1, indent, inner, parts)
        parts.append("\n" + prefix + "}")
        return
    parts.append("[")
    for position, item in enumerate(value):
        parts.append(("\n" if position == 0 else ",\n") + inner)
        _write(item, depth - 1, indent, inner, parts)
    parts.append("\n" + prefix + "]")
