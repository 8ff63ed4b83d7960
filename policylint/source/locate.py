"""Locators: turn a JSON pointer of a policy document into a range in the file the user has.

A policy may be the whole file, a value inside a larger JSON file (a CloudFormation template), or
the text of a JSON string inside another file (`aws kms get-key-policy` output, a Terraform plan).
Each case is a `Locator`; all compute spans lazily, on the first request.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Protocol

from policylint.source.jsonpos import SpanFinder, SpanIndex, index_spans
from policylint.source.positions import LineIndex, Range


class Locator(Protocol):
    """Where the elements of one policy document are in the user's file."""

    def value_range(self, pointer: str) -> Range | None: ...

    def key_range(self, pointer: str) -> Range | None: ...


class OffsetMap:
    """Maps offsets in the decoded text of a JSON string literal to offsets in the file.

    Built from the raw literal (with its quotes) at `outer_start`: each decoded character maps to
    where its source (a plain character or an escape sequence) starts; the decoded length maps to
    the closing quote.
    """

    __slots__ = ("_inner", "_outer", "_length", "_end")

    # A surrogate pair decodes to one character; any other escape to one character.
    _ESCAPE = re.compile(
        r"\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)", re.DOTALL
    )

    def __init__(self, raw_literal: str, outer_start: int) -> None:
        # Breakpoints: decoded offset -> file offset; between breakpoints the mapping is linear.
        inner: list[int] = [0]
        outer: list[int] = [outer_start + 1]
        decoded = 0
        last = 1  # position in raw_literal after the opening quote
        body_end = len(raw_literal) - 1
        for match in self._ESCAPE.finditer(raw_literal, 1, body_end):
            decoded += match.start() - last
            inner.append(decoded)
            outer.append(outer_start + match.start())
            decoded += 1
            last = match.end()
            inner.append(decoded)
            outer.append(outer_start + last)
        decoded += body_end - last
        self._inner = inner
        self._outer = outer
        self._length = decoded
        self._end = outer_start + body_end

    def __call__(self, offset: int) -> int:
        if offset >= self._length:
            return self._end
        slot = bisect_right(self._inner, offset) - 1
        return self._outer[slot] + (offset - self._inner[slot])


class JsonLocator:
    """Locates elements of a JSON document whose text is `text`.

    `lines` indexes the file the user has; `offsets` (optional) maps offsets in `text` to offsets
    in that file, for a document embedded in a JSON string. `prefix` is the pointer of the
    document inside `text` (for a policy that is a value in a larger JSON file). `unique_keys`:
    the parser found no object repeating a key in `text`, so that locating can stop reading an
    object at the member it wants.
    """

    def __init__(
        self,
        text: str,
        lines: LineIndex,
        offsets: OffsetMap | None = None,
        prefix: str = "",
        unique_keys: bool = False,
    ) -> None:
        self._text = text
        self._unique = unique_keys
        self._lines = lines
        self._offsets = offsets
        self._prefix = prefix
        self._spans: SpanIndex | None = None
        self._finder: SpanFinder | None = None

    @property
    def spans(self) -> SpanIndex:
        if self._spans is None:
            self._spans = index_spans(self._text)
        return self._spans

    @property
    def finder(self) -> SpanFinder:
        if self._finder is None:
            self._finder = SpanFinder(self._text, unique_keys=self._unique)
        return self._finder

    def _range(self, span: tuple[int, int] | None) -> Range | None:
        if span is None:
            return None
        start, end = span
        if self._offsets is not None:
            start, end = self._offsets(start), self._offsets(end)
        return self._lines.range(start, end)

    # A few elements are located without indexing every element (a finder opens only the
    # containers on their paths), so that a huge document with a few findings stays cheap in time
    # and memory; the whole index, once built for other reasons, answers directly.
    def value_range(self, pointer: str) -> Range | None:
        full = self._prefix + pointer
        return self._range(self._spans.values.get(full) if self._spans is not None else self.finder.value(full))

    def key_range(self, pointer: str) -> Range | None:
        full = self._prefix + pointer
        return self._range(self._spans.keys.get(full) if self._spans is not None else self.finder.key(full))

    def duplicate_keys(self) -> list[tuple[str, Range]]:
        """Each member that repeats a key of its object, with the range of the repeated key."""
        found = []
        for pointer, start, end in self.spans.duplicates:
            if self._prefix and not pointer.startswith(self._prefix + "/"):
                continue
            found.append((pointer[len(self._prefix) :], self._range((start, end))))
        return found  # type: ignore[return-value]

    def offset_range(self, start: int, end: int) -> Range:
        """Range of a span given in offsets of `text`."""
        return self._range((start, end))  # type: ignore[return-value]
