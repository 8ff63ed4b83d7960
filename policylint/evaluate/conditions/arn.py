"""ARN condition operators: `ArnEquals`, `ArnLike`, `ArnNotEquals`, `ArnNotLike`.

Each of the six colon-separated parts is compared on its own, case-sensitively, with `*` and
`?` wildcards; `ArnEquals` behaves exactly like `ArnLike`. A policy value without six parts is a
bad policy value; a request value that is not an ARN satisfies no policy value, so `ArnLike`
is false and `ArnNotLike` true for it. Policy values may hold policy variables (resolved by
`evaluate_condition`, as for string operators).
Reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
"""

from __future__ import annotations

from typing import Any

from policylint.catalog.operators import OperatorParts
from policylint.evaluate.arn import Arn, parse_arn, split_arn_pattern
from policylint.evaluate.conditions.base import (
    Comparison,
    ConditionResult,
    PolicyItem,
    UnresolvedValue,
    bad_policy_value,
    evaluate_values,
    raw_text,
    unresolved,
)
from policylint.evaluate.conditions.string import policy_pattern
from policylint.evaluate.match import GlobPattern, glob_match


def _parts_match(policy: tuple[GlobPattern, ...], request: Arn) -> bool:
    return all(glob_match(part, value) for part, value in zip(policy, request.parts, strict=True))


_COMPARISON = Comparison(parse_arn, _parts_match, "matches", "does not match", "arn")


def evaluate(
    parts: OperatorParts, policy_values: tuple[Any, ...], request_values: tuple[str, ...] | None
) -> ConditionResult:
    items: list[PolicyItem] = []
    for value in policy_values:
        pattern = policy_pattern(value)
        if isinstance(pattern, UnresolvedValue):
            return unresolved(pattern)
        split = None if pattern is None else split_arn_pattern(pattern)
        if pattern is None or split is None:
            return bad_policy_value(raw_text(value) if pattern is None else pattern.text, "arn")
        items.append(PolicyItem(pattern.text, split))
    return evaluate_values(parts, items, request_values, _COMPARISON)
