"""Representative values of one context key: a finite set that meets every class of values the
key's atoms can tell apart.

- strings and ARNs: the witnesses of `automaton` over every `...Equals`, `...IgnoreCase`,
  `...Like` and `Arn...` value (one string per combination of patterns some string matches);
- numbers and dates: every constant, one below and one above it, and the midpoint of two
  constants closer than 2 (the classes are the intervals between constants);
- IP addresses: the first and last address of every range and the addresses just outside it;
- booleans: `true`, `false`; binary: every constant;
- for every family a value that is not of its type (`example`), which satisfies nothing.

Absence is a value of its own (`None`). Keys the catalog lists as multivalued (and keys used
with `ForAnyValue` / `ForAllValues`) take sets: every set of element classes when there are at
most `MAX_SET_CLASSES` of them, else sets of at most two (not exhaustive).
Friendly values (`999999999999` for accounts, `o-example000` for organizations, `example`)
come first, then the policy's own constants, so witnesses read well; classes are then merged
by what the atoms say about them (`dedupe`), which the concrete evaluator decides.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from decimal import Decimal
from itertools import combinations
from typing import Any, NamedTuple

from policylint.analyze import automaton
from policylint.analyze.atoms import Atom, Memo, lazy_vector, vector
from policylint.evaluate.conditions.base import json_text
from policylint.evaluate.conditions.binary import read_base64
from policylint.evaluate.conditions.date import policy_instant
from policylint.evaluate.conditions.ip import read_network
from policylint.evaluate.conditions.numeric import policy_number
from policylint.evaluate.context import RequestContext
from policylint.evaluate.match import GlobPattern
from policylint.evaluate.variables import resolve_pattern

Value = str | tuple[str, ...] | None

FRESH_ACCOUNT = "999999999999"
FRESH_ORG = "o-example000"
FRESH_TEXT = "example"
MAX_SET_CLASSES = 5

ACCOUNT_KEYS = frozenset(
    {"kms:calleraccount", "aws:principalaccount", "aws:sourceaccount", "aws:sourceowner", "aws:resourceaccount"}
)
ORG_KEYS = frozenset({"aws:principalorgid", "aws:sourceorgid", "aws:resourceorgid"})
_STRING_BASES = frozenset({"StringEquals", "StringNotEquals"})
_FOLD_BASES = frozenset({"StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"})


class Candidates(NamedTuple):
    values: tuple[Value, ...]
    exhaustive: bool


def friendly(key: str) -> tuple[str, ...]:
    lower = key.lower()
    if lower in ACCOUNT_KEYS:
        return (FRESH_ACCOUNT, FRESH_TEXT)
    if lower in ORG_KEYS:
        return (FRESH_ORG, FRESH_TEXT)
    return (FRESH_TEXT,)


def _number_text(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _points(constants: Iterable[Decimal]) -> list[Decimal]:
    ordered = sorted(set(constants))
    points: list[Decimal] = []
    for index, value in enumerate(ordered):
        points.extend((value - 1, value, value + 1))
        if index + 1 < len(ordered) and ordered[index + 1] - value < 2:
            points.append((value + ordered[index + 1]) / 2)
    return points


def _instant_text(value: Decimal) -> str:
    if value == value.to_integral_value():
        try:
            moment = datetime.fromtimestamp(int(value), tz=timezone.utc)
            return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        except (OverflowError, OSError, ValueError):
            pass
    return _number_text(value)


def _addresses(networks: Iterable[Any]) -> list[str]:
    found: list[str] = ["192.0.2.10", "2001:db8::10"]
    for network in networks:
        first, last = network.network_address, network.broadcast_address
        found.extend((str(first), str(last)))
        top = 2**32 - 1 if network.version == 4 else 2**128 - 1
        if int(first) > 0:
            found.append(str(ipaddress.ip_address(int(first) - 1) if network.version == 4 else ipaddress.IPv6Address(int(first) - 1)))
        if int(last) < top:
            found.append(str(ipaddress.ip_address(int(last) + 1) if network.version == 4 else ipaddress.IPv6Address(int(last) + 1)))
    return found


def _pattern(value: Any, atom: Atom, context: RequestContext) -> GlobPattern | None:
    text = json_text(value)
    if text is None:
        return None
    return resolve_pattern(text, context, enabled=atom.enabled)


def scalar_candidates(
    key: str,
    atoms: Sequence[Atom],
    context: RequestContext,
    *,
    prefix: str = "",
    extra_patterns: Sequence[GlobPattern] = (),
) -> Candidates:
    """Representative single values for `key` (absence not included), variables in the atoms'
    values resolved against `context`; with `prefix`, only values that start with it."""
    automata: list[automaton.Automaton] = [automaton.glob(p) for p in extra_patterns]
    constants: list[str] = []
    others: list[str] = []
    families: set[str] = set()
    numbers: list[Decimal] = []
    instants: list[Decimal] = []
    networks: list[Any] = []
    exhaustive = True
    for atom in atoms:
        parts = atom.parts
        if parts is None:
            continue
        families.add(parts.family)
        for value in atom.values:
            if parts.family in ("string", "arn"):
                pattern = _pattern(value, atom, context)
                if pattern is None:
                    continue
                if parts.family == "arn":
                    arn = automaton.arn_pattern(pattern)
                    if arn is not None:
                        automata.extend((arn, automaton.arn_shape()))
                    if not pattern.has_wildcards:
                        constants.append(pattern.text)
                elif parts.base in _STRING_BASES:
                    automata.append(automaton.literal(pattern.text))
                    constants.append(pattern.text)
                elif parts.base in _FOLD_BASES:
                    automata.append(automaton.literal(pattern.text, fold=True))
                    constants.append(pattern.text)
                else:
                    automata.append(automaton.glob(pattern))
                    if not pattern.has_wildcards:
                        constants.append(pattern.text)
            elif parts.family == "numeric":
                number = policy_number(value)
                if number is not None:
                    numbers.append(number)
            elif parts.family == "date":
                instant = policy_instant(value)
                if instant is not None:
                    instants.append(instant)
            elif parts.family == "ip":
                network = read_network(value) if isinstance(value, str) else None
                if network is not None:
                    networks.append(network)
            elif parts.family == "bool":
                others.extend(("true", "false"))
            elif parts.family == "binary":
                if isinstance(value, str) and read_base64(value) is not None:
                    others.append(value)
                others.append("ZXhhbXBsZQ==")
    if len(families - {"null"}) > 1:
        exhaustive = False  # different families on one key: the representatives may miss a mix
    others.extend(_number_text(n) for n in _points(numbers))
    others.extend(_instant_text(i) for i in _points(instants))
    if networks:
        others.extend(_addresses(networks))
    generated: tuple[str, ...] = ()
    if automata:
        found = automaton.witnesses(automata, prefix=prefix)
        generated, exhaustive = found.strings, exhaustive and found.exhaustive
    ordered = [prefix + v for v in friendly(key)] + constants + others + list(generated)
    values = tuple(dict.fromkeys(v for v in ordered if v.startswith(prefix)))
    return Candidates(values, exhaustive)


Contextualise = Callable[[dict[str, Value]], RequestContext]


def classes(
    assignments: Iterable[dict[str, Value]],
    atoms: Sequence[Atom],
    context_of: Contextualise,
    memo: Memo | None = None,
    apart: Callable[[dict[str, Value]], object] | None = None,
) -> list[tuple[dict[str, Value], int]]:
    """The first assignment of each class (assignments the atoms cannot tell apart, nor
    `apart`), with how many of the assignments fell in its class."""
    kept: dict[tuple[object, ...], list[object]] = {}
    for assignment in assignments:
        if memo is None:
            found: tuple[object, ...] = vector(atoms, context_of(assignment))
        else:
            found = lazy_vector(atoms, assignment, lambda a=assignment: context_of(a), memo)  # type: ignore[misc]
        if apart is not None:
            found += (apart(assignment),)
        entry = kept.setdefault(found, [assignment, 0])
        entry[1] += 1  # type: ignore[operator]
    return [(assignment, count) for assignment, count in kept.values()]  # type: ignore[misc]


def dedupe(
    assignments: Iterable[dict[str, Value]], atoms: Sequence[Atom], context_of: Contextualise, memo: Memo | None = None
) -> list[dict[str, Value]]:
    """Keep the first assignment of each class."""
    return [assignment for assignment, _ in classes(assignments, atoms, context_of, memo)]


def set_candidates(
    key: str, elements: Sequence[str], atoms: Sequence[Atom], context_of: Contextualise, memo: Memo | None = None
) -> Candidates:
    """Representative sets of values for a multivalued key, from representative elements."""
    classes = [a[key] for a in dedupe(({key: (e,)} for e in elements), atoms, context_of, memo)]
    singles = [c[0] for c in classes if isinstance(c, tuple)]
    exhaustive = len(singles) <= MAX_SET_CLASSES
    largest = len(singles) if exhaustive else 2
    sets: list[tuple[str, ...]] = []
    for size in range(1, largest + 1):
        sets.extend(combinations(singles, size))
    # Two different values of one class (a bare operator treats any two values alike).
    for single in singles:
        twin = single + "2"
        if vector(atoms, context_of({key: (twin,)}), memo) == vector(atoms, context_of({key: (single,)}), memo):
            sets.append((single, twin))
    return Candidates(tuple(sets), exhaustive)
