"""Condition evaluation: one condition (operator, key, values) and a whole `Condition` block.

`evaluate_condition` parses the operator, resolves policy variables in the values of string and
ARN operators, looks the key up in the request context, and hands over to the module of the
operator's family (a table of family to function, see `_EVALUATORS`). In a block, all operators
must hold (AND), all keys under one operator must hold (AND), and the values of one key are
alternatives (OR; NOR for negated operators, see `base`).
References:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ConfigDict

from policylint.catalog.operators import Family, OperatorParts, parse_operator
from policylint.evaluate.conditions import arn, binary, boolean, date, ip, null, numeric, string
from policylint.evaluate.conditions.base import (
    ConditionResult,
    UnresolvedValue,
    json_text,
    operator_text,
    quote,
    result,
)
from policylint.evaluate.context import RequestContext
from policylint.evaluate.variables import resolve_pattern, unresolved_variable

__all__ = [
    "ConditionBlockResult",
    "ConditionResult",
    "KeyedConditionResult",
    "evaluate_condition",
    "evaluate_condition_block",
]

FamilyEvaluator = Callable[[OperatorParts, tuple[Any, ...], "tuple[str, ...] | None"], ConditionResult]

_EVALUATORS: Mapping[Family, FamilyEvaluator] = MappingProxyType(
    {
        "string": string.evaluate,
        "numeric": numeric.evaluate,
        "date": date.evaluate,
        "bool": boolean.evaluate,
        "binary": binary.evaluate,
        "ip": ip.evaluate,
        "arn": arn.evaluate,
        "null": null.evaluate,
    }
)

# Families whose policy values may hold policy variables.
_VARIABLE_FAMILIES: frozenset[Family] = frozenset({"string", "arn"})


class KeyedConditionResult(BaseModel):
    """The result of one operator and key of a `Condition` block."""

    model_config = ConfigDict(frozen=True)

    operator: str
    key: str
    result: ConditionResult


class ConditionBlockResult(BaseModel):
    """The result of a whole `Condition` block: true when every condition holds."""

    model_config = ConfigDict(frozen=True)

    matches: bool
    conditions: tuple[KeyedConditionResult, ...]


def _as_values(policy_values: Any) -> tuple[Any, ...]:
    if isinstance(policy_values, (list, tuple)):
        return tuple(policy_values)
    return (policy_values,)


def _resolve(value: Any, context: RequestContext, enabled: bool) -> Any:
    text = json_text(value)
    if text is None:
        return value  # the family reports it as a bad policy value
    pattern = resolve_pattern(text, context, enabled=enabled)
    if pattern is None:
        return UnresolvedValue(text=text, variable=unresolved_variable(text, context) or text)
    return pattern


def evaluate_condition(
    operator: str,
    key: str,
    policy_values: Any,
    context: RequestContext,
    *,
    multivalued: bool = False,
    variables_enabled: bool = True,
) -> ConditionResult:
    """Evaluate one condition: `operator` (`ForAnyValue:StringLike`, ...) applied to context
    key `key` with the policy's value or list of values.

    `multivalued` says whether the catalog lists `key` as multivalued (it only adds advice to
    the detail of a bare operator meeting several values); `variables_enabled` is whether the
    policy's `Version` allows policy variables.
    """
    parts = parse_operator(operator)
    if parts is None:
        return result(False, "unknown-operator", f"condition operator {quote(operator)} is not known")
    values = _as_values(policy_values)
    if parts.family in _VARIABLE_FAMILIES:
        values = tuple(_resolve(value, context, variables_enabled) for value in values)
    outcome = _EVALUATORS[parts.family](parts, values, context.get(key))
    detail = outcome.detail
    if outcome.reason == "multiple-values-without-set-operator" and multivalued:
        detail += f"; {quote(key)} is multivalued, so use `ForAnyValue` or `ForAllValues`"
    detail = f"condition {quote(operator_text(parts))} on {quote(key)}: {detail}"
    return outcome.model_copy(update={"detail": detail})


def evaluate_condition_block(
    condition: Mapping[str, Any],
    context: RequestContext,
    *,
    multivalued: Callable[[str], bool] | None = None,
    variables_enabled: bool = True,
) -> ConditionBlockResult:
    """Evaluate a statement's `Condition` element: `{operator: {key: value or [values]}}`.

    Every condition is evaluated (for explanations); the block matches when all of them do.
    `multivalued` tells whether a key is multivalued (default: none is).
    """
    results: list[KeyedConditionResult] = []
    for operator, keys in condition.items():
        if not isinstance(keys, Mapping):
            bad = result(False, "bad-policy-value", f"condition operator {quote(operator)} must map keys to values")
            results.append(KeyedConditionResult(operator=operator, key="", result=bad))
            continue
        for key, values in keys.items():
            outcome = evaluate_condition(
                operator,
                key,
                values,
                context,
                multivalued=multivalued(key) if multivalued is not None else False,
                variables_enabled=variables_enabled,
            )
            results.append(KeyedConditionResult(operator=operator, key=key, result=outcome))
    return ConditionBlockResult(matches=all(item.result.matches for item in results), conditions=tuple(results))
