"""String condition operators: `StringEquals`, `StringNotEquals`, `StringEqualsIgnoreCase`,
`StringNotEqualsIgnoreCase`, `StringLike`, `StringNotLike`.

`...Equals` compares exactly (a `*` is an ordinary character); `...Like` takes `*` and `?`
wildcards. Both are case-sensitive except the `IgnoreCase` pair. Policy values written as JSON
numbers or booleans compare as their JSON text (`true`, `123`). Policy values may hold policy
variables: `evaluate_condition` resolves them into `GlobPattern`s (or `UnresolvedValue`s) before
calling `evaluate`; plain JSON values are taken as written.
Reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any, NamedTuple

from policylint.catalog.operators import OperatorParts
from policylint.evaluate.conditions.base import (
    Comparison,
    ConditionResult,
    PolicyItem,
    UnresolvedValue,
    bad_policy_value,
    evaluate_values,
    json_text,
    raw_text,
    unresolved,
)
from policylint.evaluate.match import GlobPattern, glob_match


def _same(text: str) -> str:
    return text


def _equal(policy: str, request: str) -> bool:
    return policy == request


def _pattern_text(pattern: GlobPattern) -> str:
    return pattern.text


def _folded_text(pattern: GlobPattern) -> str:
    return pattern.text.casefold()


def _fold(text: str) -> str:
    return text.casefold()


def _pattern(pattern: GlobPattern) -> GlobPattern:
    return pattern


def _like(policy: GlobPattern, request: str) -> bool:
    return glob_match(policy, request)


class _Operator(NamedTuple):
    prepare: Callable[[GlobPattern], Any]
    comparison: Comparison


_EQUALS = _Operator(_pattern_text, Comparison(_same, _equal, "equals", "does not equal", "string"))
_EQUALS_IGNORE_CASE = _Operator(
    _folded_text, Comparison(_fold, _equal, "equals ignoring case", "does not equal ignoring case", "string")
)
_LIKE = _Operator(_pattern, Comparison(_same, _like, "matches", "does not match", "string"))

_OPERATORS = MappingProxyType(
    {
        "StringEquals": _EQUALS,
        "StringNotEquals": _EQUALS,
        "StringEqualsIgnoreCase": _EQUALS_IGNORE_CASE,
        "StringNotEqualsIgnoreCase": _EQUALS_IGNORE_CASE,
        "StringLike": _LIKE,
        "StringNotLike": _LIKE,
    }
)


def policy_pattern(value: Any) -> GlobPattern | UnresolvedValue | None:
    """A policy value as a pattern: resolved values pass through, JSON scalars are parsed
    (`*` and `?` as wildcards), anything else is None."""
    if isinstance(value, (GlobPattern, UnresolvedValue)):
        return value
    text = json_text(value)
    return None if text is None else GlobPattern.parse(text)


def evaluate(
    parts: OperatorParts, policy_values: tuple[Any, ...], request_values: tuple[str, ...] | None
) -> ConditionResult:
    operator = _OPERATORS[parts.base]
    items: list[PolicyItem] = []
    for value in policy_values:
        pattern = policy_pattern(value)
        if isinstance(pattern, UnresolvedValue):
            return unresolved(pattern)
        if pattern is None:
            return bad_policy_value(raw_text(value), "string")
        items.append(PolicyItem(pattern.text, operator.prepare(pattern)))
    return evaluate_values(parts, items, request_values, operator.comparison)
