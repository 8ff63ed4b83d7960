"""Numeric condition operators: `NumericEquals`, `NumericNotEquals`, `NumericLessThan`,
`NumericLessThanEquals`, `NumericGreaterThan`, `NumericGreaterThanEquals`.

Values are integers or decimals (`10`, `-1.5`), compared exactly as decimals; JSON numbers in
the policy count too. A policy value that is not a number makes the condition false with reason
`bad-policy-value`. Comparisons read "request value OP policy value": `NumericLessThan` with
`10` holds for a request value of `9`.
Reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
"""

from __future__ import annotations

import operator as op
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import Any

from policylint.catalog.operators import OperatorParts
from policylint.evaluate.conditions.base import (
    Comparison,
    ConditionResult,
    PolicyItem,
    bad_policy_value,
    evaluate_values,
    raw_text,
    read_decimal,
)


def _request_op(compare: Any) -> Any:
    def test(policy: Decimal, request: Decimal) -> bool:
        return bool(compare(request, policy))

    return test


def _comparison(compare: Any, holds: str, fails: str) -> Comparison:
    return Comparison(read_decimal, _request_op(compare), holds, fails, "number")


@cache
def _comparisons() -> MappingProxyType[str, Comparison]:
    equals = _comparison(op.eq, "equals", "does not equal")
    return MappingProxyType(
        {
            "NumericEquals": equals,
            "NumericNotEquals": equals,
            "NumericLessThan": _comparison(op.lt, "is less than", "is not less than"),
            "NumericLessThanEquals": _comparison(op.le, "is at most", "is not at most"),
            "NumericGreaterThan": _comparison(op.gt, "is greater than", "is not greater than"),
            "NumericGreaterThanEquals": _comparison(op.ge, "is at least", "is not at least"),
        }
    )


def policy_number(value: Any) -> Decimal | None:
    """A numeric policy value: a JSON number or a decimal string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str):
        return read_decimal(value)
    return None


def evaluate(
    parts: OperatorParts, policy_values: tuple[Any, ...], request_values: tuple[str, ...] | None
) -> ConditionResult:
    items: list[PolicyItem] = []
    for value in policy_values:
        number = policy_number(value)
        if number is None:
            return bad_policy_value(raw_text(value), "number")
        items.append(PolicyItem(raw_text(value), number))
    return evaluate_values(parts, items, request_values, _comparisons()[parts.base])
