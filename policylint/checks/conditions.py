"""Condition validity: PL010 unknown operators, PL011 unknown keys, PL012 operators and values of
the wrong type.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"""

from __future__ import annotations

import base64
import binascii
import difflib
import ipaddress
import re
from collections.abc import Iterator
from functools import cache, lru_cache

from policylint.catalog.actions import action_info, ascii_lower, expand_action_pattern, has_wildcard, service_prefixes
from policylint.catalog.condition_keys import condition_key_info, global_key_types
from policylint.catalog.global_keys import GLOBAL_CONDITION_KEYS
from policylint.catalog.operators import BASE_OPERATORS
from policylint.checks.base import CheckContext, implements
from policylint.findings import Violation
from policylint.model.policy import ConditionKey, ConditionOperator, PolicyDocument, Statement

_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$|^\d{4}-\d{2}-\d{2}T\d{2}Z?$"
)
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_EPOCH = re.compile(r"^\d{1,11}$")

# What each operator family compares, and which key types it accepts (PL012).
_FAMILY_NOUN = {
    "string": "strings",
    "numeric": "numbers",
    "date": "dates",
    "bool": "booleans",
    "ip": "IP addresses",
}
_FAMILY_TYPES = {
    "numeric": frozenset({"Numeric"}),
    "date": frozenset({"Date"}),
    "bool": frozenset({"Bool"}),
    "ip": frozenset({"IPAddress"}),
}
# Key types a String operator cannot compare (ARN and Bool keys hold text String operators can match).
_NOT_STRING_TYPES = frozenset({"IPAddress", "Date", "Numeric"})
_TYPE_NOUN = {
    "String": "a string",
    "ARN": "an ARN",
    "Bool": "a boolean",
    "Date": "a date",
    "IPAddress": "an IP address",
    "Numeric": "a number",
    "Binary": "binary data",
}


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
    prefix = f"{qualifier}:" if qualifier else ""
    hint = f"; did you mean `{prefix}{close[0]}`?" if close else ""
    return f"unknown condition operator `{text}`{hint}"


@implements("PL011")
def unknown_key(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    """PL011: keys that are neither global nor keys of the statement's services."""
    for statement in document.statements:
        pairs = statement.condition_keys()
        if not pairs:
            continue
        services = _statement_services(statement)
        for _operator, key in pairs:
            problem = _key_problem(key.key, services)
            if problem is not None:
                yield Violation(code="PL011", pointer=key.pointer, message=problem, at_key=True)


def _statement_services(statement: Statement) -> frozenset[str] | None:
    """Lower-case service prefixes of the statement's Action; None when it may be any service."""
    if statement.not_action is not None or statement.action is None:
        return None
    services = frozenset({action.service for action in statement.action})
    if "" in services:  # an entry without a service part, or with an empty one
        if any(":" not in action.value for action in statement.action):
            return None  # `*`, ...: actions of any service
    if any(has_wildcard(service) for service in services):
        return None  # `*:Get*`, `s3*:Get*`, ...: actions of any service
    return services


# Policies repeat the same keys with the same services: each answer is worked out once.
@lru_cache(maxsize=8192)
def _key_problem(key: str, services: frozenset[str] | None) -> str | None:
    """Why a condition key never applies to the statement, or None."""
    info = condition_key_info(key, sorted(services or ()))
    if info is None and services is None:
        # Some keys are defined by another service than their prefix (`ec2:osuser`).
        info = condition_key_info(key, sorted(service_prefixes()))
    if info is None:
        if "${" in key or "{{" in key:
            return None  # a template placeholder: checked once it is filled in
        if services is not None and ascii_lower(key.partition(":")[0]) in services - service_prefixes():
            return None  # the statement's actions are of an unknown service: PL007 reports it
        return f"unknown condition key `{key}`{_key_hint(key, services)}"
    if info.global_key or services is None:
        return None
    prefix = ascii_lower(key.partition(":")[0])
    if prefix in services or prefix not in service_prefixes():
        return None  # identity-provider keys (`saml:aud`, `<issuer>:sub`) are not service keys
    if any(prefix in _action_key_prefixes(service) for service in services):
        return None  # a service whose actions take keys of another prefix (`iam:` keys of `sts:`)
    return f"condition key `{key}` is not available for the actions of this statement"


def _key_hint(key: str, services: frozenset[str] | None) -> str:
    lowered = ascii_lower(key)
    candidates = {ascii_lower(k.name): k.name for k in GLOBAL_CONDITION_KEYS if "${" not in k.name}
    for service in sorted(services or ()):
        candidates.update((ascii_lower(k), k) for k in _action_keys(service) if "${" not in k)
    close = difflib.get_close_matches(lowered, list(candidates), n=1, cutoff=0.8)
    return f"; did you mean `{candidates[close[0]]}`?" if close else ""


@cache
def _action_keys(service: str) -> frozenset[str]:
    """Every condition key the actions of `service` list (action and resource-type keys)."""
    keys: set[str] = set()
    for name in expand_action_pattern(f"{service}:*"):
        info = action_info(name)
        if info is None:
            continue
        keys.update(info.condition_keys)
        for resource_type in info.resource_types:
            keys.update(resource_type.condition_keys)
    return frozenset(keys)


@cache
def _action_key_prefixes(service: str) -> frozenset[str]:
    return frozenset(ascii_lower(key.partition(":")[0]) for key in _action_keys(service))


@implements("PL012")
def type_mismatch(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    """PL012: an operator of one type on a key of another, and values the operator cannot read."""
    for statement in document.statements:
        pairs = statement.condition_keys()
        if not pairs:
            continue
        services = tuple(sorted(_statement_services(statement) or ()))
        for operator, key in pairs:
            problem = _key_type_problem(operator, key, services)
            if problem is not None:
                yield Violation(code="PL012", pointer=key.pointer, message=problem, at_key=True)
            if operator.parts is not None and operator.parts.family in _VALUE_FAMILIES:
                yield from _value_problems(operator, key)


# Operator families whose values PL012 reads (any text is a string).
_VALUE_FAMILIES = frozenset({"bool", "null", "numeric", "date", "ip", "arn", "binary"})


@lru_cache(maxsize=8192)
def _key_types(key: str, services: tuple[str, ...]) -> tuple[str, ...] | None:
    """Every data type `key` accepts, its main type first (aws:EpochTime: Date, Numeric)."""
    types = global_key_types(key)
    if types is not None:
        return types
    info = condition_key_info(key, services)
    return (info.type,) if info is not None else None


def _key_type_problem(operator: ConditionOperator, key: ConditionKey, services: tuple[str, ...]) -> str | None:
    parts = operator.parts
    if parts is None or parts.family not in _FAMILY_NOUN:
        return None
    types = _key_types(key.key, services)
    if types is None:
        return None
    accepted = _FAMILY_TYPES.get(parts.family)
    if accepted is None:  # a String operator: it cannot compare numbers, dates or IP addresses
        # ... except against a policy variable, which only String operators accept: AWS compares
        # `aws:Ec2InstanceSourcePrivateIPv4` with `${aws:VpcSourceIp}` this way.
        variables = bool(key.values) and all("${" in item.value for item in key.values)
        fits = variables or not set(types) <= _NOT_STRING_TYPES
    else:
        fits = not accepted.isdisjoint(types)
    if fits:
        return None
    return f"`{operator.operator}` compares {_FAMILY_NOUN[parts.family]}, but `{key.key}` holds {_TYPE_NOUN[types[0]]}"


def _value_problems(operator: ConditionOperator, key: ConditionKey) -> Iterator[Violation]:
    parts = operator.parts
    if parts is None:
        return
    base = parts.base
    for item in key.values:
        if item.json_type in ("null", "other"):
            continue  # not a scalar: the schema reports it (PL002)
        value = item.value
        if ("${" in value or "{{" in value) and parts.family in ("string", "arn"):
            continue  # a policy variable or a template placeholder
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
        if problem is not None:
            yield Violation(code="PL012", pointer=item.pointer, message=problem)
