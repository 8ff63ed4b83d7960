"""The boolean condition operator `Bool`: `true` or `false`, in any letter case, or a JSON
boolean in the policy. Any other policy value is a bad policy value; any other request value
satisfies nothing.
Reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean
"""

from __future__ import annotations

from typing import Any

from policylint.catalog.operators import OperatorParts
from policylint.evaluate.conditions.base import (
    Comparison,
    ConditionResult,
    PolicyItem,
    bad_policy_value,
    evaluate_values,
    raw_text,
)


def read_bool(text: str) -> bool | None:
    folded = text.lower()
    if folded == "true":
        return True
    if folded == "false":
        return False
    return None


def policy_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    return read_bool(value) if isinstance(value, str) else None


def _equal(policy: bool, request: bool) -> bool:
    return policy == request


_COMPARISON = Comparison(read_bool, _equal, "is", "is not", "boolean")


def evaluate(
    parts: OperatorParts, policy_values: tuple[Any, ...], request_values: tuple[str, ...] | None
) -> ConditionResult:
    items: list[PolicyItem] = []
    for value in policy_values:
        flag = policy_bool(value)
        if flag is None:
            return bad_policy_value(raw_text(value), "boolean")
        items.append(PolicyItem(raw_text(value), flag))
    return evaluate_values(parts, items, request_values, _COMPARISON)
