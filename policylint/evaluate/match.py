"""IAM glob matching: `*` matches any run of characters (including none), `?` exactly one.

Patterns are never turned into regular expressions. Matching splits the pattern at its `*`
wildcards and places the pieces between them greedily, leftmost first, which is exact for
this glob language and takes O(len(pattern) * len(subject)) time at worst, with no
backtracking blow-up on adversarial patterns such as `*a*a*a*a*b`.

A pattern is a `GlobPattern`: a sequence of literal runs and wildcards. Keeping literals
apart from wildcards lets policy variables such as `${*}` insert a literal `*` that must not
act as a wildcard (see `policylint.evaluate.variables`).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from functools import lru_cache

from pydantic import BaseModel, ConfigDict


class Wildcard(Enum):
    """A wildcard item of a glob pattern."""

    ANY_RUN = "*"
    ANY_ONE = "?"


GlobItem = str | Wildcard

# One character of a pattern piece: a literal character, or None for `?`.
_Piece = tuple[str | None, ...]


class GlobPattern(BaseModel):
    """A glob pattern: literal runs (non-empty, never adjacent) and wildcards, in order."""

    model_config = ConfigDict(frozen=True)

    items: tuple[GlobItem, ...] = ()

    @classmethod
    def parse(cls, text: str) -> GlobPattern:
        """A pattern where every `*` and `?` in `text` is a wildcard."""
        return cls.join(_parse_items(text))

    @classmethod
    def literal(cls, text: str) -> GlobPattern:
        """A pattern matching exactly `text`; `*` and `?` in it are ordinary characters."""
        return cls(items=(text,) if text else ())

    @classmethod
    def join(cls, parts: Sequence[GlobItem | GlobPattern]) -> GlobPattern:
        """Concatenate items and patterns, merging adjacent literal runs."""
        items: list[GlobItem] = []
        for part in parts:
            for item in part.items if isinstance(part, GlobPattern) else (part,):
                if isinstance(item, str):
                    if not item:
                        continue
                    if items and isinstance(items[-1], str):
                        items[-1] = items[-1] + item
                        continue
                items.append(item)
        return cls(items=tuple(items))

    @property
    def text(self) -> str:
        """The pattern written out, wildcards as `*` and `?` (literal and wildcard alike)."""
        return "".join(item if isinstance(item, str) else item.value for item in self.items)

    @property
    def has_wildcards(self) -> bool:
        return any(isinstance(item, Wildcard) for item in self.items)

    def split_literal(self, separator: str, maxsplit: int) -> tuple[GlobPattern, ...]:
        """Split at the first `maxsplit` occurrences of the one-character `separator` found in
        literal runs (wildcards never contain it)."""
        pieces: list[list[GlobItem]] = [[]]
        for item in self.items:
            if isinstance(item, Wildcard):
                pieces[-1].append(item)
                continue
            rest = item
            while len(pieces) <= maxsplit:
                head, found, rest_after = rest.partition(separator)
                if not found:
                    break
                pieces[-1].append(head)
                pieces.append([])
                rest = rest_after
            pieces[-1].append(rest)
        return tuple(GlobPattern.join(piece) for piece in pieces)


def _parse_items(text: str) -> list[GlobItem]:
    items: list[GlobItem] = []
    start = 0
    for index, char in enumerate(text):
        if char == "*" or char == "?":
            if index > start:
                items.append(text[start:index])
            items.append(Wildcard(char))
            start = index + 1
    if start < len(text):
        items.append(text[start:])
    return items


def fold_case(text: str) -> str:
    """Lowercase `text` one character at a time, keeping its length (so `?` still means one
    character after folding)."""
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(char) for char in text)


def _fold_char(char: str) -> str:
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def _pieces(pattern: GlobPattern, ignore_case: bool) -> tuple[list[_Piece], bool]:
    """The pieces between `*` wildcards, and whether there was any `*`."""
    pieces: list[_Piece] = []
    current: list[str | None] = []
    saw_star = False
    for item in pattern.items:
        if item is Wildcard.ANY_RUN:
            pieces.append(tuple(current))
            current = []
            saw_star = True
        elif item is Wildcard.ANY_ONE:
            current.append(None)
        else:
            current.extend(fold_case(item) if ignore_case else item)
    pieces.append(tuple(current))
    return pieces, saw_star


def _piece_at(piece: _Piece, subject: str, position: int) -> bool:
    """Whether `piece` matches `subject` starting at `position` (caller checks the length)."""
    for offset, char in enumerate(piece):
        if char is not None and subject[position + offset] != char:
            return False
    return True


def _longest_run(piece: _Piece) -> tuple[int, str]:
    """The offset and text of the longest run of literal characters in `piece`."""
    best_offset, best = 0, ""
    run_offset, run = 0, ""
    for offset, char in enumerate(piece):
        if char is None:
            run_offset, run = offset + 1, ""
            continue
        run += char
        if len(run) > len(best):
            best_offset, best = run_offset, run
    return best_offset, best


def _find_piece(piece: _Piece, subject: str, start: int, end: int) -> int:
    """Leftmost position >= start where `piece` matches entirely before `end`, or -1."""
    size = len(piece)
    if end - start < size:
        return -1  # the piece does not fit (and the anchor search below needs it to)
    if None not in piece:
        return subject.find("".join(piece), start, end)  # type: ignore[arg-type]
    anchor_offset, anchor = _longest_run(piece)
    if not anchor:
        return start if end - start >= size else -1
    # Find the anchor with str.find, then check the whole piece around it.
    anchor_end = end - size + anchor_offset + len(anchor)
    position = start
    while True:
        found = subject.find(anchor, position + anchor_offset, anchor_end)
        if found < 0:
            return -1
        candidate = found - anchor_offset
        if _piece_at(piece, subject, candidate):
            return candidate
        position = candidate + 1


def glob_match(pattern: GlobPattern, subject: str, *, ignore_case: bool = False) -> bool:
    """Whether `subject` matches `pattern` as a whole."""
    if ignore_case:
        subject = fold_case(subject)
    pieces, saw_star = _pieces(pattern, ignore_case)
    if not saw_star:
        only = pieces[0]
        return len(only) == len(subject) and _piece_at(only, subject, 0)
    first, middle, last = pieces[0], pieces[1:-1], pieces[-1]
    end = len(subject) - len(last)
    if end < len(first):
        return False
    if not _piece_at(first, subject, 0) or not _piece_at(last, subject, end):
        return False
    position = len(first)
    for piece in middle:
        found = _find_piece(piece, subject, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def wildcard_match(pattern: str, subject: str, *, ignore_case: bool = False) -> bool:
    """Whether `subject` matches the IAM glob `pattern` (`*` any run, `?` one character)."""
    return glob_match(_parsed(pattern), subject, ignore_case=ignore_case)


@lru_cache(maxsize=4096)
def _parsed(pattern: str) -> GlobPattern:
    """`GlobPattern.parse`, once per pattern text: policies repeat the same patterns."""
    return GlobPattern.parse(pattern)


def action_matches(pattern: str, action: str) -> bool:
    """Whether an `Action`/`NotAction` entry such as `s3:Get*` covers `action`.

    Action names are case-insensitive in IAM, so the match ignores case.
    """
    return wildcard_match(pattern, action, ignore_case=True)
