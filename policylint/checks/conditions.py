"""Condition validity: PL010 unknown operators, PL011 unknown keys, PL012 values of the wrong type.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

import base64
import binascii
import difflib
import ipaddress
import re
from collections.abc import Iterator

from policylint.catalog.operators import BASE_OPERATORS
from policylint.checks.base import CheckContext, implements
from policylint.findings import Violation
from policylint.model.policy import ConditionKey, ConditionOperator, PolicyDocument

_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$|^\d{4}-\d{2}-\d{2}T\d{2}Z?$"
)
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_EPOCH = re.compile(r"^\d{1,11}$")


def _operator_names() -> list[str]:
    names = list(BASE_OPERATORS)
    names += [n + "IfExists" for n in BASE_OPERATORS if n != "Null"]
    return names


@implements("PL010")
def unknown_operator(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    for statement in document.statements:
        for operator in statement.conditions:
            if operator.parts is not None:
                continue
            yield Violation(code="PL010", pointer=operator.pointer, message=_operator_message(operator.operator), at_key=True)


def _operator_message(text: str) -> str:
    qualifier, _, rest = text.rpartition(":")
    if qualifier and qualifier not in ("ForAllValues", "ForAnyValue"):
        close = difflib.get_close_matches(qualifier, ["ForAllValues", "ForAnyValue"], n=1)
        hint = f"; did you mean `{close[0]}`?" if close else "; expected `ForAllValues` or `ForAnyValue`"
        return f"unknown set operator `{qualifier}`{hint}"
    if rest == "NullIfExists":
        return "`Null` cannot take `IfExists`: it already tests whether the key exists"
    close = difflib.get_close_matches(rest, _operator_names(), n=1, cutoff=0.75)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    return f"unknown condition operator `{text}`{hint}"


@implements("PL012")
def type_mismatch(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    for statement in document.statements:
        for operator, key in statement.condition_keys():
            yield from _value_problems(operator, key)


def _value_problems(operator: ConditionOperator, key: ConditionKey) -> Iterator[Violation]:
    parts = operator.parts
    if parts is None:
        return
    base = parts.base
    for item in key.values:
        value = item.value
        if "${" in value and parts.family in ("string", "arn"):
            continue
        problem = None
        if parts.family in ("bool", "null"):
            if value.lower() not in ("true", "false"):
                problem = f"`{base}` compares `true` or `false`, not `{value}`"
        elif parts.family == "numeric":
            if not _NUMBER.match(value):
                problem = f"`{base}` needs a number, not `{value}`"
        elif parts.family == "date":
            if not (_DATE.match(value) or _EPOCH.match(value)):
                problem = f"`{base}` needs a date like `2026-01-31T00:00:00Z` or epoch seconds, not `{value}`"
        elif parts.family == "ip":
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                problem = f"`{base}` needs an IP address or CIDR block, not `{value}`"
        elif parts.family == "arn":
            if not value.startswith("arn:") and value != "*":
                problem = f"`{base}` compares ARNs, and `{value}` is not one"
        elif parts.family == "binary":
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                problem = f"`{base}` needs base64-encoded bytes, not `{value}`"
        if item.json_type in ("null", "other"):
            problem = f"condition values must be strings, numbers or booleans, not {item.json_type if item.json_type == 'null' else 'an object'}"
        if problem is not None:
            yield Violation(code="PL012", pointer=item.pointer, message=problem)
