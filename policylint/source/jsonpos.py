"""JSON text -> value, plus the source span of every element, found without a slow parser.

The value comes from the C `json` module (the fast path). Spans are computed only when someone
asks for one (a finding to report, a test), by one regex-driven pass over the tokens of the
already-validated text: no per-character Python loop and no grammar engine. Duplicate keys are
detected during parsing (cheaply) and located by that same pass. `SpanFinder` answers for a few
pointers without that pass: it opens only the containers on their paths.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from json.decoder import scanstring
from json.scanner import make_scanner
from typing import NamedTuple

from policylint.source.positions import escape_pointer_token, split_pointer

# One token, preceded by optional JSON whitespace. Strings use the unrolled-loop form so that the
# regex engine never backtracks inside a long string.
_TOKEN = re.compile(
    r'[ \t\n\r]*(?:("[^"\\]*(?:\\.[^"\\]*)*")|([{}\[\]])|([,:])|([^ \t\n\r{}\[\],:"]+))',
    re.DOTALL,
)


class JsonSyntaxError(ValueError):
    """Text that is not JSON: a plain message and the 0-based character offset of the fault."""

    def __init__(self, message: str, offset: int, length: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.length = length


class ParsedJson(NamedTuple):
    """A parsed JSON text: its value and whether some object repeated a key."""

    text: str
    value: object
    has_duplicates: bool


@dataclass
class SpanIndex:
    """Spans (start, end offsets, end exclusive) of every value and every object member's key."""

    values: dict[str, tuple[int, int]] = field(default_factory=dict)
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Members whose key repeats an earlier key of the same object: (pointer, key start, key end).
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)


def _reject_constant(name: str) -> object:
    raise _ConstantError(name)


class _ConstantError(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def parse_json(text: str) -> ParsedJson:
    """Parse strict JSON (no NaN/Infinity); raise JsonSyntaxError with a plain message."""
    duplicate_seen = False

    def pairs_hook(pairs: list[tuple[str, object]]) -> dict[str, object]:
        nonlocal duplicate_seen
        result = dict(pairs)
        if len(result) != len(pairs):
            duplicate_seen = True
        return result

    try:
        value = json.loads(text, object_pairs_hook=pairs_hook, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise JsonSyntaxError(*_plain_message(text, error)) from None
    except _ConstantError as error:
        offset = _constant_offset(text, error.name)
        raise JsonSyntaxError(f"`{error.name}` is not valid JSON", offset, len(error.name)) from None
    except RecursionError:
        raise JsonSyntaxError("nesting is too deep", _deep_offset(text)) from None
    except ValueError:  # an integer past Python's digit limit (`sys.set_int_max_str_digits`)
        offset, length = _long_number(text)
        raise JsonSyntaxError(f"number is too long ({length:,} digits)", offset, length) from None
    return ParsedJson(text=text, value=value, has_duplicates=duplicate_seen)


def _long_number(text: str) -> tuple[int, int]:
    """Offset and length of the longest bare number token."""
    best = (0, 0)
    for match in _TOKEN.finditer(text):
        scalar = match.group(4)
        if scalar is not None and len(scalar) > best[1]:
            best = (match.start(4), len(scalar))
    return best


def _constant_offset(text: str, name: str) -> int:
    """Offset of the first bare (not quoted) `NaN` / `Infinity` / `-Infinity` token."""
    for match in _TOKEN.finditer(text):
        if match.group(4) is not None and match.group(4) in (name, "-" + name, name.lstrip("-")):
            return match.start(4)
    return 0


def _deep_offset(text: str) -> int:
    """Offset of the first bracket past a nesting depth Python cannot follow."""
    depth = 0
    for match in re.finditer(r"[\[\]{}]", text[:200_000]):
        depth += 1 if match.group() in "[{" else -1
        if depth > 900:
            return match.start()
    return 0


def _plain_message(text: str, error: json.JSONDecodeError) -> tuple[str, int]:
    """Rewrite a json module error into a message for people, and the offset it is about."""
    raw = error.msg
    pos = error.pos
    here = text[pos : pos + 1]
    before = text[:pos].rstrip()
    if raw.startswith("Expecting value"):
        if not text.strip():
            return "file is empty", pos
        if pos >= len(text):
            return "unexpected end of file: expected a value", pos
        if before.endswith(",") and here and here in "]}":
            return "trailing comma before the closing bracket", len(before) - 1
        return f"expected a JSON value, found {_describe(text, pos)}", pos
    if raw.startswith("Expecting property name"):
        if here == "}" and before.endswith(","):
            return "trailing comma before `}`", len(before) - 1
        if here == "'":
            return "keys must be in double quotes, not single quotes", pos
        if pos >= len(text):
            return "unexpected end of file: expected a key", pos
        return f"expected a key in double quotes, found {_describe(text, pos)}", pos
    if raw.startswith("Expecting ':'"):
        return f"expected `:` after the key, found {_describe(text, pos)}", pos
    if raw.startswith("Expecting ','"):
        if pos >= len(text):
            return "unexpected end of file: a bracket is not closed", pos
        return f"expected `,` or a closing bracket, found {_describe(text, pos)}", pos
    if raw.startswith("Unterminated string"):
        return "string is not terminated", pos
    if raw.startswith("Invalid control character"):
        if here and here in "\r\n":
            opening = text.rfind('"', 0, pos)
            return "string is not terminated before the end of the line", (opening if opening >= 0 else pos)
        return "control character in a string (escape it, e.g. `\\n`)", pos
    if raw.startswith("Invalid \\uXXXX"):
        return "invalid `\\u` escape: expected four hex digits", pos
    if raw.startswith("Invalid \\escape"):
        return "invalid escape sequence in a string", pos
    if raw.startswith("Extra data"):
        return f"unexpected {_describe(text, pos)} after the JSON value", pos
    return "not valid JSON", pos


def _describe(text: str, pos: int) -> str:
    if pos >= len(text):
        return "end of file"
    if text.startswith(("//", "/*"), pos):
        return "a comment (JSON has no comments)"
    char = text[pos]
    if char == "'":
        return "a single quote (JSON strings use double quotes)"
    if char == '"':
        return "a string"
    if char.isprintable() and not char.isspace():
        word = re.match(r"[A-Za-z_$][\w$]*", text[pos : pos + 40])
        token = word.group() if word else char
        return f"`{token}`"
    return f"character U+{ord(char):04X}"


def _decode_key(token: str) -> str:
    body = token[1:-1]
    if "\\" not in body:
        return body
    return json.loads(token)


def index_spans(text: str) -> SpanIndex:
    """Locate every value and member key of a JSON text that `parse_json` accepted.

    Iterative (no recursion), one regex match per token.
    """
    index = SpanIndex()
    values = index.values
    keys = index.keys
    # Frames: [pointer, start, is_object, array_index, pending_key_pointer, seen_keys]
    stack: list[list] = []
    pending: str = ""  # pointer of the next value
    expecting_key = False
    pos = 0
    match_token = _TOKEN.match
    length = len(text)
    while pos < length:
        match = match_token(text, pos)
        if match is None:
            break
        pos = match.end()
        string, bracket, punct, scalar = match.groups()
        if string is not None:
            start = match.start(1)
            if expecting_key:
                frame = stack[-1]
                key = _decode_key(string)
                pending = frame[0] + "/" + escape_pointer_token(key)
                keys[pending] = (start, pos)
                seen = frame[5]
                if key in seen:
                    index.duplicates.append((pending, start, pos))
                else:
                    seen.add(key)
                expecting_key = False
            else:
                values[pending] = (start, pos)
        elif scalar is not None:
            values[pending] = (match.start(4), pos)
        elif bracket is not None:
            if bracket in "{[":
                is_object = bracket == "{"
                stack.append([pending, match.start(2), is_object, 0, "", set()])
                if is_object:
                    expecting_key = True
                else:
                    pending = pending + "/0"
            else:
                frame = stack.pop()
                values[frame[0]] = (frame[1], pos)
                expecting_key = False
                if not stack:
                    break
        elif punct == ",":
            frame = stack[-1]
            if frame[2]:
                expecting_key = True
            else:
                frame[3] += 1
                pending = f"{frame[0]}/{frame[3]}"
    return index


_WHITESPACE = re.compile(r"[ \t\n\r]*")

Span = tuple[int, int]


@cache
def _value_end() -> Callable[[str, int], tuple[object, int]]:
    """The C scanner of the json module: (text, start of a value) -> (value, end of the value)."""
    return make_scanner(json.JSONDecoder())


class _RepeatedKey(Exception):
    """An object on the path repeats a key: `index_spans` merges such members, so ask it."""


class _Container:
    """A container of the text as far as it has been read: its members so far, and where to go on.

    `members`: token -> (key span or None, start of the value). `pending` is the start of the
    value of the last member read, whose end is not known yet (skipping it is the costly part).
    """

    __slots__ = ("members", "position", "index", "pending", "done", "is_object")

    def __init__(self, position: int, is_object: bool) -> None:
        self.members: dict[str, tuple[Span | None, int]] = {}
        self.position = position
        self.index = 0
        self.pending: int | None = None
        self.done = False
        self.is_object = is_object


class SpanFinder:
    """Spans of single elements of a JSON text that `parse_json` accepted, as `index_spans` gives
    them, found by reading only what lies before them on their path.

    A container on the path is read member by member up to the one wanted: each member's key is
    read and its value skipped with the C scanner; the value the path goes into is not skipped at
    all, and reading resumes where it stopped when a later pointer needs more. A document with a
    few findings is thus located at the speed of the json module, reading about half of the text
    once, instead of tokenised whole. Objects are read this way only when the text is known to
    repeat no key (`unique_keys`, from `parse_json`); otherwise every object on the path is read
    whole, and when it repeats a key the finder answers from `index_spans` from then on.
    """

    __slots__ = ("_text", "_opened", "_index", "_unique", "_ends")

    def __init__(self, text: str, unique_keys: bool = False) -> None:
        self._text = text
        # Start offset of an opened container -> what has been read of it.
        self._opened: dict[int, _Container] = {}
        self._index: SpanIndex | None = None
        self._unique = unique_keys
        # Start offset of a value -> its end offset.
        self._ends: dict[int, int] = {}

    def value(self, pointer: str) -> Span | None:
        if self._index is None:
            found = self._find(pointer)
            if self._index is None:
                return (found[1], self._end(found[1])) if found is not None else None
        return self._index.values.get(pointer)

    def key(self, pointer: str) -> Span | None:
        if self._index is None:
            found = self._find(pointer)
            if self._index is None:
                return found[0] if found is not None else None
        return self._index.keys.get(pointer)

    def _end(self, start: int) -> int:
        end = self._ends.get(start)
        if end is None:
            end = self._ends[start] = _value_end()(self._text, start)[1]
        return end

    def _find(self, pointer: str) -> tuple[Span | None, int] | None:
        """(key span, value start) of the element at `pointer`."""
        text = self._text
        start = _WHITESPACE.match(text).end()  # type: ignore[union-attr]
        if start >= len(text):
            return None
        # The root value runs to the end of the text, but for trailing whitespace.
        self._ends.setdefault(start, len(text.rstrip(" \t\n\r")))
        found: tuple[Span | None, int] | None = (None, start)
        path = ""
        try:
            for token in split_pointer(pointer):
                found = self._member(found[1], token)  # type: ignore[index]
                if found is None:
                    return None
                path += "/" + escape_pointer_token(token)
        except _RepeatedKey:
            self._index = index_spans(text)
            return None
        return found if path == pointer else None  # only the pointers `index_spans` would give

    def _member(self, start: int, token: str) -> tuple[Span | None, int] | None:
        """Member `token` of the container whose value starts at `start` (None: no such member)."""
        container = self._opened.get(start)
        if container is None:
            opening = self._text[start]
            if opening not in "{[":
                return None
            container = self._opened[start] = _Container(_WHITESPACE.match(self._text, start + 1).end(), opening == "{")  # type: ignore[union-attr]
        found = container.members.get(token)
        if found is not None:
            return found
        # Stop at the member wanted, unless an object may still repeat one of its keys further on.
        whole = container.is_object and not self._unique
        while not container.done:
            read = self._next(container)
            if read is not None and read[0] == token and not whole:
                return read[1]
        if whole and len(container.members) < container.index:
            raise _RepeatedKey()
        return container.members.get(token)

    def _next(self, container: _Container) -> tuple[str, tuple[Span | None, int]] | None:
        """Read one more member of `container`: (token, (key span, value start)), None at the end."""
        text = self._text
        skip = _WHITESPACE.match
        position = container.position
        if container.pending is not None:
            position = skip(text, self._end(container.pending)).end()  # type: ignore[union-attr]
            if text[position] == ",":
                position = skip(text, position + 1).end()  # type: ignore[union-attr]
            container.pending = None
        if text[position] in "}]":
            container.done = True
            container.position = position
            return None
        key: Span | None = None
        if container.is_object:
            token, end = scanstring(text, position + 1)
            key = (position, end)
            position = skip(text, skip(text, end).end() + 1).end()  # type: ignore[union-attr]  # past `:`
        else:
            token = str(container.index)
        container.index += 1
        container.members.setdefault(token, (key, position))
        container.pending = container.position = position
        return token, (key, position)
