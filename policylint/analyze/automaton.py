"""Witness strings for sets of string patterns: one string per combination of patterns that
some string matches (and the others do not).

Every string comparison the evaluator makes (`StringEquals`, `StringEqualsIgnoreCase`,
`StringLike`, `ArnLike`/`ArnEquals` part by part, `Principal` values) is a pattern over
characters: literal characters, `?` (one character) and `*` (any run). An `ArnLike` pattern
is the same with a `*` or `?` in its first five parts unable to match `:`, since `parse_arn`
splits a value at its first five colons. Each pattern is a small non-deterministic automaton
whose states are positions in the pattern; the product of all of them, explored breadth first
over the characters the patterns name plus `:`, `/` and one character they do not name, reaches
every combination of "matches / does not match" that any string reaches (characters the
patterns do not name behave alike, so one of them stands for all). The shortest string that
reaches each combination is its witness. Nothing is turned into a regular expression, and the
exploration stops at `MAX_STATES` (the result then says it is not exhaustive).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from policylint.evaluate.arn import split_arn_pattern
from policylint.evaluate.match import GlobPattern, Wildcard

ANY = "any"
NO_COLON = "no-colon"

MAX_STATES = 6000
# Characters tried, in order, as "a character no pattern names".
_OTHER_CANDIDATES = "xqzkvwjy0123456789"


class Item(NamedTuple):
    """One pattern item: a literal character (`char`), or a wildcard (`one` / `run`) over
    `cls`; `fold` compares a literal ignoring case."""

    kind: str  # "lit", "one", "run"
    char: str = ""
    cls: str = ANY
    fold: bool = False


Automaton = tuple[Item, ...]


def _fold(char: str) -> str:
    folded = char.casefold()
    return folded if len(folded) == 1 else char


def literal(text: str, *, fold: bool = False) -> Automaton:
    """Exactly `text` (ignoring case with `fold`)."""
    return tuple(Item("lit", char, fold=fold) for char in text)


def glob(pattern: GlobPattern, *, cls: str = ANY, fold: bool = False) -> Automaton:
    """A glob pattern: `*` any run, `?` one character (both over `cls`)."""
    items: list[Item] = []
    for item in pattern.items:
        if item is Wildcard.ANY_RUN:
            items.append(Item("run", cls=cls))
        elif item is Wildcard.ANY_ONE:
            items.append(Item("one", cls=cls))
        else:
            items.extend(Item("lit", char, fold=fold) for char in item)
    return tuple(items)


def arn_pattern(pattern: GlobPattern) -> Automaton | None:
    """An `ArnLike` pattern; None when it does not have six parts (it then matches nothing)."""
    parts = split_arn_pattern(pattern)
    if parts is None:
        return None
    items: list[Item] = []
    for index, part in enumerate(parts):
        if index:
            items.append(Item("lit", ":"))
        items.extend(glob(part, cls=ANY if index == 5 else NO_COLON))
    return tuple(items)


def arn_shape() -> Automaton:
    """What `parse_arn` accepts: `arn:` partition `:` service `:` region `:` account `:`
    resource, with partition, service and resource not empty."""
    one, run = Item("one", cls=NO_COLON), Item("run", cls=NO_COLON)
    colon = Item("lit", ":")
    return (
        *literal("arn:"),
        one, run, colon,
        one, run, colon,
        run, colon,
        run, colon,
        Item("one"), Item("run"),
    )


def _in_class(char: str, cls: str) -> bool:
    return cls == ANY or char != ":"


def _closure(automaton: Automaton, positions: Iterable[int]) -> frozenset[int]:
    found = set(positions)
    stack = list(found)
    while stack:
        position = stack.pop()
        if position < len(automaton) and automaton[position].kind == "run" and position + 1 not in found:
            found.add(position + 1)
            stack.append(position + 1)
    return frozenset(found)


def _step(automaton: Automaton, state: frozenset[int], char: str) -> frozenset[int]:
    following: set[int] = set()
    for position in state:
        if position >= len(automaton):
            continue
        item = automaton[position]
        if item.kind == "lit":
            if item.char == char or (item.fold and _fold(item.char) == _fold(char)):
                following.add(position + 1)
        elif _in_class(char, item.cls):
            following.add(position if item.kind == "run" else position + 1)
    return _closure(automaton, following)


def _alphabet(automata: Sequence[Automaton]) -> list[str]:
    chars: set[str] = {":", "/"}
    for automaton in automata:
        for item in automaton:
            if item.kind == "lit":
                chars.add(item.char)
                if item.fold:
                    chars.update({item.char.lower(), item.char.upper()})
    other = next((c for c in _OTHER_CANDIDATES if c not in chars and _fold(c) not in {_fold(x) for x in chars}), None)
    if other is not None:
        chars.add(other)
    return sorted(chars, key=lambda c: (c != other, c))


class Witnesses(NamedTuple):
    """Strings found, one per reachable combination, and whether the search was exhaustive."""

    strings: tuple[str, ...]
    exhaustive: bool


def witnesses(
    automata: Sequence[Automaton],
    *,
    prefix: str = "",
    required: Sequence[Automaton] = (),
    max_states: int = MAX_STATES,
) -> Witnesses:
    """One string per combination of `automata` (matches or not) that a string starting with
    `prefix` and matched by every automaton of `required` can reach; the string returned is
    the shortest such string for that combination."""
    every = list(automata) + list(required)
    alphabet = _alphabet(every)
    start = tuple(_closure(a, (0,)) for a in every)
    for char in prefix:
        start = tuple(_step(a, s, char) for a, s in zip(every, start))
    seen: dict[tuple[frozenset[int], ...], str] = {start: ""}
    queue: deque[tuple[frozenset[int], ...]] = deque([start])
    found: dict[tuple[bool, ...], str] = {}
    count = len(automata)
    exhaustive = True
    while queue:
        state = queue.popleft()
        text = seen[state]
        accepts = tuple(len(a) in s for a, s in zip(every, state))
        if all(accepts[count:]):
            found.setdefault(accepts[:count], text)
        for char in alphabet:
            following = tuple(_step(a, s, char) for a, s in zip(every, state))
            if following in seen:
                continue
            if len(seen) >= max_states:
                exhaustive = False
                break
            seen[following] = text + char
            queue.append(following)
    return Witnesses(tuple(prefix + text for text in found.values()), exhaustive)


def accepts(automaton: Automaton, text: str) -> bool:
    """Whether the automaton matches `text` as a whole."""
    state = _closure(automaton, (0,))
    for char in text:
        state = _step(automaton, state, char)
        if not state:
            return False
    return len(automaton) in state
