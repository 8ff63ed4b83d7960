"""Conditions in words: which context key values the allowed requests of a class need.

The allowed combinations are compared with all the combinations considered (`universe`). When
they are exactly the product of one set of classes per dimension, each restricted dimension
gives one condition (`kms:ViaService` = `s3.us-east-1.amazonaws.com`, `aws:SourceIp` is
absent, `kms:ViaService` is absent or not `...`); otherwise the allowed combinations are
listed, joined by "or". A value that is one of the policies' own constants is shown as
itself; any other value stands for its class and is shown as an example (`e.g.`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from itertools import product

from policylint.analyze.dimensions import Dimension
from policylint.analyze.values import Value

MAX_ALTERNATIVES = 4
Picks = tuple[int, ...]


def _value_text(value: Value, literals: Collection[str]) -> str:
    if isinstance(value, str):
        return f"`{value}`" if value in literals else f"e.g. `{value}`"
    assert value is not None
    inner = ", ".join(value)
    known = all(v in literals for v in value)
    return f"`[{inner}]`" if known else f"e.g. `[{inner}]`"


def _literal(dimension: Dimension, index: int, literals: Collection[str]) -> str | None:
    """The value of a one-key class that holds exactly one policy constant, else None."""
    value = dimension.assignments[index].get(dimension.keys[0])
    merged = dimension.merged[index] if index < len(dimension.merged) else True
    return value if isinstance(value, str) and value in literals and not merged else None


def _is_absent(dimension: Dimension, index: int) -> bool:
    return all(dimension.assignments[index].get(k) is None for k in dimension.keys)


def _absent_or_not(key: str, excluded: list[str | None]) -> str | None:
    """`K` is absent or not one of the excluded constants (None when one is not a constant)."""
    if any(v is None for v in excluded):
        return None
    if not excluded:
        return None
    names = ", ".join(f"`{v}`" for v in excluded)
    return f"`{key}` is absent or not {names}" if len(excluded) == 1 else f"`{key}` is absent or none of {names}"


def _assignment_text(dimension: Dimension, index: int, literals: Collection[str], possible: set[int] | None = None) -> str:
    assignment = dimension.assignments[index]
    if len(dimension.keys) == 1 and _is_absent(dimension, index) and index < len(dimension.merged) and dimension.merged[index]:
        # The class of absence also holds every value the atoms cannot tell from absence.
        others = sorted((possible or set(range(len(dimension.assignments)))) - {index})
        text = _absent_or_not(dimension.keys[0], [_literal(dimension, i, literals) for i in others])
        return text or f"`{dimension.keys[0]}` is absent (or has a value alike)"
    parts = []
    among = possible if possible is not None else set(range(len(dimension.assignments)))
    for key in dimension.keys:
        value = assignment.get(key)
        if len(dimension.keys) > 1 and all(dimension.assignments[i].get(key) == value for i in among):
            continue  # the same in every request considered: not a condition
        parts.append(f"`{key}` is absent" if value is None else f"`{key}` = {_value_text(value, literals)}")
    return " and ".join(parts)


def _dimension_text(dimension: Dimension, chosen: set[int], possible: set[int], literals: Collection[str]) -> str:
    if len(dimension.keys) == 1:
        key = dimension.keys[0]
        absent = {i for i in possible if _is_absent(dimension, i)}
        merged = any(dimension.merged[i] for i in absent) if dimension.merged else True
        left = sorted(possible - chosen)
        named = [i for i in chosen if _literal(dimension, i, literals) is not None]
        if absent and chosen == possible - absent and not merged and (len(chosen) > 1 or not named):
            return f"`{key}` is present"
    if len(dimension.keys) == 1 and len(chosen) > 1:
        if absent & chosen and merged:
            text = _absent_or_not(key, [_literal(dimension, i, literals) for i in left])
            if text is not None:
                return text
    if len(chosen) == 1:
        return _assignment_text(dimension, next(iter(chosen)), literals, possible)
    texts = [_assignment_text(dimension, i, literals, possible) for i in sorted(chosen)]
    return "(" + " or ".join(texts) + ")"


def conditions(
    dimensions: Sequence[Dimension],
    allowed: Collection[Picks],
    literals: Collection[str],
    universe: Collection[Picks] | None = None,
) -> tuple[str, ...]:
    """The conditions under which requests are allowed (empty: unconditionally)."""
    every = set(universe) if universe is not None else set(product(*(range(len(d.assignments)) for d in dimensions)))
    chosen_set = set(allowed)
    if chosen_set >= every:
        return ()
    chosen = [{p[i] for p in chosen_set} for i in range(len(dimensions))]
    possible = [{p[i] for p in every} for i in range(len(dimensions))]
    boxed = {p for p in every if all(p[i] in chosen[i] for i in range(len(dimensions)))}
    if boxed == chosen_set:
        return tuple(
            _dimension_text(d, chosen[i], possible[i], literals)
            for i, d in enumerate(dimensions)
            if chosen[i] != possible[i]
        )
    varying = [i for i in range(len(dimensions)) if len(possible[i]) > 1]
    alternatives = []
    for picks in sorted(chosen_set)[:MAX_ALTERNATIVES]:
        alternatives.append(" and ".join(_assignment_text(dimensions[i], picks[i], literals, possible[i]) for i in varying))
    text = " or ".join(f"({a})" for a in alternatives)
    rest = len(chosen_set) - MAX_ALTERNATIVES
    if rest > 0:
        text += f" or {rest} more combinations"
    return (text,)
