"""What every condition operator family shares: the result type and the set logic.

A family module turns policy values into parsed values (or reports a bad one), says how to read
a request value and when one request value satisfies one policy value (the positive test:
`StringNotEquals` uses the test of `StringEquals`). `evaluate_values` then applies the rules
that are the same for every family:

- a key missing from the request (or present with no values) makes a positive operator false,
  a negated operator true, and any `...IfExists` operator true;
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
- several policy values for one key are OR'd: a request value is a hit when it satisfies any of
  them; a negated operator is satisfied by a request value that is a hit for none of them (NOR);
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
- `ForAnyValue`: true when at least one request value is satisfied (for a negated operator: at
  least one request value is a hit for no policy value); false when the key is missing or empty;
- `ForAllValues`: true when every request value is satisfied (for a negated operator: every
  request value is a hit for no policy value); true when the key is missing or empty;
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
- no set operator but several request values: AWS says multivalued keys require a set operator
  and documents no meaning for a bare operator; reported use shows a bare positive operator
  matching nothing once the request holds several values. So a positive operator is false and a
  negated one, being its negation, true, with reason `multiple-values-without-set-operator`.

A request value that cannot be read as the family's type (`not-an-ip` for `IpAddress`) is a
hit for no policy value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from policylint.catalog.operators import OperatorParts

Reason = Literal[
    "matched",
    "value-mismatch",
    "key-missing",
    "if-exists-missing",
    "bad-policy-value",
    "bad-request-value",
    "unresolved-variable",
    "multiple-values-without-set-operator",
    "unknown-operator",
]


class ConditionResult(BaseModel):
    """The outcome of one condition (one operator and one key): whether it matches, a
    machine-readable `reason`, and a human `detail`."""

    model_config = ConfigDict(frozen=True)

    matches: bool
    reason: Reason
    detail: str


class UnresolvedValue(BaseModel):
    """A policy value whose policy variable has no usable value in the request."""

    model_config = ConfigDict(frozen=True)

    text: str
    variable: str


class PolicyItem(NamedTuple):
    """A policy value: how to show it, and its parsed form."""

    display: str
    value: Any


class Comparison(NamedTuple):
    """How one operator compares: read a request value (None when it cannot be read), test it
    against one parsed policy value, and phrases for the detail text."""

    read_request: Callable[[str], Any]
    test: Callable[[Any, Any], bool]
    holds: str  # `equals`, `is less than`, ...
    fails: str  # `does not equal`, `is not less than`, ...
    kind: str  # what a request value must be: `number`, `ip address`, ...


def quote(value: str) -> str:
    return f"`{value}`"


def quote_all(values: Sequence[str]) -> str:
    return ", ".join(quote(value) for value in values)


def operator_text(parts: OperatorParts) -> str:
    """The operator as written in a policy: `ForAllValues:StringLikeIfExists`."""
    prefix = f"{parts.qualifier}:" if parts.qualifier else ""
    suffix = "IfExists" if parts.if_exists else ""
    return f"{prefix}{parts.base}{suffix}"


def json_text(value: Any) -> str | None:
    """A JSON scalar policy value as IAM reads it (`true`, `123`, `1.5`); None for JSON null,
    arrays and objects."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return json.dumps(value)
    return None


def raw_text(value: Any) -> str:
    """A policy value as the user wrote it, for messages."""
    text = json_text(value)
    if text is not None:
        return text
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return str(value)


def read_decimal(text: str) -> Decimal | None:
    """A plain decimal number (`10`, `-1.5`, `.5`, `+3.`); None for anything else, including
    exponents, `NaN`, `Infinity` and surrounding spaces."""
    body = text[1:] if text[:1] in ("+", "-") else text
    whole, _, fraction = body.partition(".")
    if not (whole or fraction) or not all(
        part == "" or (part.isascii() and part.isdigit()) for part in (whole, fraction)
    ):
        return None
    return Decimal(text)


def result(matches: bool, reason: Reason, detail: str) -> ConditionResult:
    return ConditionResult(matches=matches, reason=reason, detail=detail)


def bad_policy_value(display: str, kind: str) -> ConditionResult:
    return result(False, "bad-policy-value", f"policy value {quote(display)} is not a valid {kind}")


def no_policy_values() -> ConditionResult:
    return result(False, "bad-policy-value", "the condition gives no policy value")


def unresolved(value: UnresolvedValue) -> ConditionResult:
    where = "" if value.variable == value.text else f" in {quote(value.text)}"
    return result(
        False,
        "unresolved-variable",
        f"policy variable {quote(value.variable)}{where} has no single value in the request",
    )


class _Outcome(NamedTuple):
    satisfied: bool
    unreadable: bool
    detail: str


def _outcome(
    parts: OperatorParts,
    policy: Sequence[PolicyItem],
    comparison: Comparison,
    request_value: str,
) -> _Outcome:
    read = comparison.read_request(request_value)
    if read is None:
        return _Outcome(parts.negated, True, f"request value {quote(request_value)} is not a valid {comparison.kind}")
    for item in policy:
        if comparison.test(item.value, read):
            detail = f"request value {quote(request_value)} {comparison.holds} {quote(item.display)}"
            return _Outcome(not parts.negated, False, detail)
    displays = [item.display for item in policy]
    target = quote_all(displays) if len(displays) == 1 else f"any of {quote_all(displays)}"
    return _Outcome(parts.negated, False, f"request value {quote(request_value)} {comparison.fails} {target}")


def _missing(parts: OperatorParts, request_values: tuple[str, ...] | None) -> ConditionResult:
    what = "the key is not in the request" if request_values is None else "the key has no values in the request"
    operator = quote(operator_text(parts))
    if parts.if_exists:
        return result(True, "if-exists-missing", f"{what}, and {operator} matches a missing key")
    if parts.qualifier == "ForAllValues":
        return result(True, "key-missing", f"{what}, and {operator} matches an empty set")
    if parts.qualifier == "ForAnyValue":
        return result(False, "key-missing", f"{what}, and {operator} needs at least one value")
    if parts.negated:
        return result(True, "key-missing", f"{what}, and a negated operator matches a missing key")
    return result(False, "key-missing", what)


def _reason(outcome: _Outcome) -> Reason:
    if outcome.unreadable:
        return "bad-request-value"
    return "matched" if outcome.satisfied else "value-mismatch"


def evaluate_values(
    parts: OperatorParts,
    policy: Sequence[PolicyItem],
    request_values: tuple[str, ...] | None,
    comparison: Comparison,
) -> ConditionResult:
    """Apply missing-key, negation and set-operator rules (see the module docstring)."""
    if not policy:
        return no_policy_values()
    if not request_values:
        return _missing(parts, request_values)
    operator = quote(operator_text(parts))
    if parts.qualifier is None and len(request_values) > 1:
        return result(
            parts.negated,
            "multiple-values-without-set-operator",
            f"the key has {len(request_values)} values in the request ({quote_all(request_values)}) "
            f"and {operator} has no `ForAnyValue` or `ForAllValues` set operator",
        )
    outcomes = [_outcome(parts, policy, comparison, value) for value in request_values]
    if parts.qualifier is None:
        only = outcomes[0]
        return result(only.satisfied, _reason(only), only.detail)
    if parts.qualifier == "ForAnyValue":
        witness = next((outcome for outcome in outcomes if outcome.satisfied), None)
        if witness is not None:
            return result(True, _reason(witness), witness.detail)
        reason: Reason = "bad-request-value" if any(o.unreadable for o in outcomes) else "value-mismatch"
        if len(outcomes) == 1:
            return result(False, reason, outcomes[0].detail)
        return result(False, reason, f"no request value of {quote_all(request_values)} satisfies {operator}")
    failure = next((outcome for outcome in outcomes if not outcome.satisfied), None)
    if failure is not None:
        return result(False, _reason(failure), failure.detail)
    return result(True, "matched", f"every request value of {quote_all(request_values)} satisfies {operator}")
