"""A fast, hand-written pass that recognises structurally valid policy documents.

`structurally_valid(value, kind)` walks the parsed document once with plain type checks. It
returns True only for documents that `policy.schema.json` accepts for `kind`, so a True answer
lets `schema_violations` skip jsonschema (about a hundred times slower). It may answer False for
a valid document (the caller then runs jsonschema, which finds nothing); it must never answer
True for an invalid one. Types are checked exactly (`type(x) is str`, not subclasses), which is
stricter than jsonschema and therefore safe.

Keep this module in step with `policy.schema.json`: the tests compare both on generated and
real documents.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple

_POLICY_KEYS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
_EFFECTS = frozenset({"Allow", "Deny"})
_PRINCIPAL_TYPES = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_CONDITION_SCALARS = (str, int, float, bool)


class _KindRules(NamedTuple):
    statement_keys: frozenset[str]  # elements a statement of this kind may hold
    resource_required: bool  # whether Resource or NotResource must be present


_RULES = MappingProxyType(
    {
        "key-policy": _KindRules(_STATEMENT_KEYS, True),
        "identity-policy": _KindRules(_STATEMENT_KEYS, True),
        # Some services imply the resource of a resource-based policy (ECR repositories).
        "resource-policy": _KindRules(_STATEMENT_KEYS, False),
        "trust-policy": _KindRules(_STATEMENT_KEYS - {"Resource", "NotResource"}, False),
        "scp": _KindRules(_STATEMENT_KEYS, True),
        "rcp": _KindRules(_STATEMENT_KEYS - {"NotAction"}, True),
    }
)


def structurally_valid(value: object, kind: str) -> bool:
    """True only if `value` is a structurally valid policy of `kind` (False may be a miss)."""
    rules = _RULES.get(kind)
    if rules is None or type(value) is not dict:
        return False
    for key in value:
        if key not in _POLICY_KEYS:
            return False
    for key in ("Version", "Id"):
        if key in value and type(value[key]) is not str:
            return False
    if "Statement" not in value:
        return False
    statements = value["Statement"]
    if type(statements) is dict:
        return _statement_valid(statements, rules)
    if type(statements) is not list or not statements:
        return False
    for statement in statements:
        if not _statement_valid(statement, rules):
            return False
    return True


def _statement_valid(statement: object, rules: _KindRules) -> bool:
    if type(statement) is not dict:
        return False
    allowed = rules.statement_keys
    for key in statement:
        if key not in allowed:
            return False
    effect = statement.get("Effect")
    if type(effect) is not str or effect not in _EFFECTS:
        return False
    if "Sid" in statement and type(statement["Sid"]) is not str:
        return False
    if not _one_of(statement, "Action", "NotAction", required=True):
        return False
    if not _one_of(statement, "Resource", "NotResource", required=rules.resource_required):
        return False
    if "Principal" in statement and "NotPrincipal" in statement:
        return False
    for key in ("Principal", "NotPrincipal"):
        if key in statement and not _principal_valid(statement[key]):
            return False
    if "Condition" in statement and not _condition_valid(statement["Condition"]):
        return False
    return True


def _one_of(statement: dict[object, object], key: str, not_key: str, *, required: bool) -> bool:
    """Exactly one of `key` / `not_key` (or neither, when not required), each a string list."""
    has_key = key in statement
    has_not_key = not_key in statement
    if has_key and has_not_key:
        return False
    if not has_key and not has_not_key:
        return not required
    return _string_list_valid(statement[key] if has_key else statement[not_key])


def _string_list_valid(value: object) -> bool:
    if type(value) is str:
        return value != ""
    if type(value) is not list or not value:
        return False
    for item in value:
        if type(item) is not str or item == "":
            return False
    return True


def _principal_valid(value: object) -> bool:
    if type(value) is str:
        return value == "*"
    if type(value) is not dict or not value:
        return False
    for principal_type, principals in value.items():
        if principal_type not in _PRINCIPAL_TYPES:
            return False
        if type(principals) is str:
            continue
        if type(principals) is not list or not principals:
            return False
        for item in principals:
            if type(item) is not str:
                return False
    return True


def _condition_valid(value: object) -> bool:
    if type(value) is not dict or not value:
        return False
    for block in value.values():
        if type(block) is not dict or not block:
            return False
        for values in block.values():
            if type(values) in _CONDITION_SCALARS:
                continue
            if type(values) is not list or not values:
                return False
            for item in values:
                if type(item) not in _CONDITION_SCALARS:
                    return False
    return True
