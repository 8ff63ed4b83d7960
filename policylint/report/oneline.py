"""Text for line-oriented outputs: user text in messages may hold line breaks or control
characters (`"s3:Get\\nObject"`); shown escaped, one finding stays one line."""

from __future__ import annotations

import json
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def one_line(text: str) -> str:
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(lambda m: json.dumps(m.group())[1:-1], text)
