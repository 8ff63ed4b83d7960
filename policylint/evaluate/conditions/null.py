"""The `Null` condition operator: whether a key is absent from the request.

`true` holds when the key is absent (null), `false` when it is present; several policy values
are OR'd. A key present with no values counts as absent. `Null` ignores `ForAnyValue` and
`ForAllValues`, and takes no `IfExists` (that operator does not exist).
Reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null
"""

from __future__ import annotations

from typing import Any

from policylint.catalog.operators import OperatorParts
from policylint.evaluate.conditions.base import (
    ConditionResult,
    bad_policy_value,
    no_policy_values,
    quote,
    raw_text,
    result,
)
from policylint.evaluate.conditions.boolean import policy_bool


def evaluate(
    parts: OperatorParts, policy_values: tuple[Any, ...], request_values: tuple[str, ...] | None
) -> ConditionResult:
    absent = not request_values
    wanted: list[tuple[str, bool]] = []
    for value in policy_values:
        flag = policy_bool(value)
        if flag is None:
            return bad_policy_value(raw_text(value), "boolean")
        wanted.append((raw_text(value), flag))
    state = "the key is not in the request" if absent else "the key is in the request"
    for display, flag in wanted:
        if flag == absent:
            return result(True, "matched", f"{state}, as {quote(display)} requires")
    if not wanted:
        return no_policy_values()
    display, flag = wanted[0]
    need = "absent" if flag else "present"
    return result(False, "value-mismatch", f"{state}, but {quote(display)} requires it to be {need}")
