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


def _assignment_text(dimension: Dimension, index: int, literals: Collection[str]) -> str:
    assignment = dimension.assignments[index]
    parts = []
    for key in dimension.keys:
        value = assignment.get(key)
        parts.append(f"`{key}` is absent" if value is None else f"`{key}` = {_value_text(value, literals)}")
    return " and ".join(parts)


def _is_absent(dimension: Dimension, index: int) -> bool:
    return all(dimension.assignments[index].get(k) is None for k in dimension.keys)


def _dimension_text(dimension: Dimension, chosen: set[int], possible: set[int], literals: Collection[str]) -> str:
    if len(dimension.keys) == 1:
        key = dimension.keys[0]
        absent = {i for i in possible if _is_absent(dimension, i)}
        left = possible - chosen
        if absent and chosen == possible - absent and len(chosen) > 1:
            return f"`{key}` is present"
        if len(left) == 1 and not (left & absent) and len(chosen) > 1:
            value = dimension.assignments[next(iter(left))].get(key)
            if isinstance(value, str) and value in literals:
                where = "is absent or" if absent & chosen else "is present and"
                return f"`{key}` {where} not `{value}`"
    if len(chosen) == 1:
        return _assignment_text(dimension, next(iter(chosen)), literals)
    texts = [_assignment_text(dimension, i, literals) for i in sorted(chosen)]
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
        alternatives.append(" and ".join(_assignment_text(dimensions[i], picks[i], literals) for i in varying))
    text = " or ".join(f"({a})" for a in alternatives)
    rest = len(chosen_set) - MAX_ALTERNATIVES
    if rest > 0:
        text += f" or {rest} more combinations"
    return (text,)
