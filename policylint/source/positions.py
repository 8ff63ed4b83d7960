"""Positions in source text: 1-based line and column (Unicode code points), 0-based offset.

A `Range` is half-open: `text[range.start.offset:range.end.offset]` is exactly the element's
source text, and `end` is the position just past its last character (as in LSP).
Line breaks are `\\n`, `\\r\\n` and a lone `\\r`.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from pydantic import BaseModel, ConfigDict

from policylint.trusted import maker

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Position(BaseModel):
    # Made without validation here (`policylint.trusted`): see LineIndex.
    model_config = ConfigDict(frozen=True, defer_build=True)

    line: int
    column: int
    offset: int


class Range(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    start: Position
    end: Position


# A file's first lookups count line breaks directly (str.count runs at memory speed); after this
# many, the line starts are listed once and looked up by bisection.
_DIRECT_LOOKUPS = 8


# Positions and ranges are made from offsets into the text, so they need no validation.
_position = maker(Position)
_range = maker(Range)


class LineIndex:
    """Maps character offsets of one text to line and column.

    Nothing is computed until the first lookup: most files have nothing to report. The first few
    lookups of a text without CR count line breaks up to the offset; later ones bisect a list of
    line starts made once (O(log lines) per lookup).
    """

    __slots__ = ("_text", "_starts", "_length", "_direct")

    def __init__(self, text: str) -> None:
        self._text: str | None = text
        self._starts: list[int] = []
        self._length = len(text)
        self._direct = -1  # lookups left to answer by counting; -1 until the first lookup

    def _line_starts(self) -> list[int]:
        if self._text is not None:
            self._starts = _line_starts(self._text)
            self._text = None
        return self._starts

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, self._length))
        text = self._text
        if text is not None:
            if self._direct < 0:
                self._direct = 0 if "\r" in text else _DIRECT_LOOKUPS
            if self._direct > 0:
                self._direct -= 1
                line_start = text.rfind("\n", 0, offset) + 1
                return _position({"line": text.count("\n", 0, offset) + 1, "column": offset - line_start + 1, "offset": offset})
        starts = self._line_starts()
        line = bisect_right(starts, offset) - 1
        return _position({"line": line + 1, "column": offset - starts[line] + 1, "offset": offset})

    def range(self, start: int, end: int) -> Range:
        return _range({"start": self.position(start), "end": self.position(end)})


def _line_starts(text: str) -> list[int]:
    """Offsets at which the lines of `text` start (CRLF, CR and LF all end a line)."""
    if "\r" in text:
        return [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
    # LF only (nearly every file): line lengths from one split, without a match object per line.
    starts = [0]
    total = 0
    lines = text.split("\n")
    lines.pop()
    for line in lines:
        total += len(line) + 1
        starts.append(total)
    return starts


def escape_pointer_token(token: str | int) -> str:
    """Escape one reference token of an RFC 6901 JSON pointer."""
    if isinstance(token, int):
        return str(token)
    return token.replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, token: str | int) -> str:
    """Append one token to a JSON pointer (`""` is the whole document)."""
    return f"{base}/{escape_pointer_token(token)}"


def split_pointer(pointer: str) -> list[str]:
    """Split a JSON pointer into its unescaped reference tokens."""
    if not pointer:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]
