"""Does a statement's Condition really pin the caller? The analysis behind the KMS access rules.

A statement with `"Principal": "*"` is limited to known callers only by a condition that must
hold for every request it allows: a positive operator (StringEquals, StringLike, ArnEquals,
ArnLike, their IgnoreCase form, optionally ForAnyValue) on a key that names the caller's
account, organization or ARN (or, for service principals, the source account or resource),
with values that fix that identity. These do not pin:

- `...IfExists` operators: the condition holds whenever the key is missing;
- negated operators (StringNotEquals, ArnNotLike, ...): everyone but the listed ones;
- `ForAllValues:` operators: vacuously true when the key is absent;
- `Null` checks: they test that the key exists, not whose it is;
- values that are, or start with, a wildcard (`*`, `*123`), accounts with wildcards, ARNs whose
  account field has a wildcard, and policy variables that read the caller's own identity
  (`"kms:CallerAccount": "${aws:PrincipalAccount}"` is always true).

Condition blocks and keys are ANDed, so one pinning condition pins the statement; the values of
one key are ORed, so every value must fix the identity.

References:
- https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from policylint.model.policy import ConditionKey, ConditionOperator, Statement
from policylint.trusted import record

# Keys whose value is the calling principal's account.
CALLER_ACCOUNT_KEYS = frozenset({"kms:calleraccount", "aws:principalaccount"})
# Keys whose value is the account of the resource a service acts for.
SOURCE_ACCOUNT_KEYS = frozenset({"aws:sourceaccount", "aws:sourceowner"})
CALLER_ARN_KEYS = frozenset({"aws:principalarn"})
SOURCE_ARN_KEYS = frozenset({"aws:sourcearn"})
ORG_ID_KEYS = frozenset({"aws:principalorgid", "aws:sourceorgid"})
ORG_PATH_KEYS = frozenset({"aws:principalorgpaths", "aws:sourceorgpaths"})
PINNING_KEYS = (
    CALLER_ACCOUNT_KEYS | SOURCE_ACCOUNT_KEYS | CALLER_ARN_KEYS | SOURCE_ARN_KEYS | ORG_ID_KEYS | ORG_PATH_KEYS
)

POSITIVE_MATCH = frozenset({"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"})

# Policy variables that stand for the caller itself: comparing the caller with them is a tautology.
_CALLER_VARIABLE = re.compile(
    r"\$\{\s*aws:(?:principal|userid|username|sourceaccount|sourcearn|sourceowner)", re.IGNORECASE
)
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_TRUE_OPERATORS = frozenset({"Bool", "StringEquals", "StringEqualsIgnoreCase"})


class CallerPin(BaseModel):
    """What the conditions of a statement say about who the caller is.

    `pinned`: some condition fixes the caller's account, organization or ARN.
    `accounts`: the accounts the caller must belong to, when a condition names them
    (kms:CallerAccount, aws:PrincipalAccount, account of aws:PrincipalArn); None when unknown.
    `keys`: the condition keys that pin, as written.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    pinned: bool = False
    accounts: frozenset[str] | None = None
    keys: tuple[str, ...] = ()


_caller_pin = record(CallerPin)


def is_account_id(value: str) -> bool:
    """A concrete 12-digit account id (not a placeholder)."""
    return bool(_ACCOUNT_ID.match(value))


def _wild(text: str) -> bool:
    return "*" in text or "?" in text


def _fixed_text(value: str) -> bool:
    """A value that names something: not empty, no leading wildcard, no caller variable."""
    return bool(value) and value[0] not in "*?" and not _CALLER_VARIABLE.search(value)


def _fixed_account(value: str) -> bool:
    return _fixed_text(value) and not _wild(value)


def _arn_account(value: str) -> str | None:
    """The account field of an ARN value whose identity is fixed, "" for ARNs without one
    (S3 buckets), None when the value does not fix an identity."""
    if not _fixed_text(value):
        return None
    if value.startswith("${"):
        return ""  # a template placeholder for a whole ARN: fixed, account unknown
    parts = value.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or _wild(parts[2]):
        return None
    account, resource = parts[4], parts[5]
    if "${" in account:
        return ""  # `arn:aws:iam::${AWS::AccountId}:role/x`: a fixed account, unknown here
    if account:
        return None if _wild(account) else account
    return "" if _fixed_text(resource) else None


def _fixed_org_path(value: str) -> bool:
    head = value.split("/", 1)[0]
    return _fixed_text(value) and bool(head) and not _wild(head)


def is_positive_match(operator: ConditionOperator) -> bool:
    """A known operator that holds only when the key is present and matches a listed value."""
    parts = operator.parts
    return (
        parts is not None
        and parts.base in POSITIVE_MATCH
        and not parts.if_exists
        and parts.qualifier != "ForAllValues"
    )


def key_pins(operator: ConditionOperator, key: ConditionKey) -> bool:
    """Tell whether this (operator, key) pair limits the caller to a fixed identity."""
    if key.lower not in PINNING_KEYS or not is_positive_match(operator) or not key.values:
        return False
    # Objects are template functions (`{"Ref": "AWS::AccountId"}`): fixed values, unknown here.
    values = [v.value for v in key.values if v.json_type != "other"]
    if key.lower in CALLER_ACCOUNT_KEYS or key.lower in SOURCE_ACCOUNT_KEYS:
        return all(_fixed_account(v) for v in values)
    if key.lower in CALLER_ARN_KEYS or key.lower in SOURCE_ARN_KEYS:
        return all(_arn_account(v) is not None for v in values)
    if key.lower in ORG_ID_KEYS:
        return all(_fixed_account(v) for v in values)
    return all(_fixed_org_path(v) for v in values)


def _key_accounts(key: ConditionKey) -> frozenset[str] | None:
    """Accounts a pinning caller key allows, or None when it does not name them."""
    if any(v.json_type == "other" for v in key.values):
        return None
    if key.lower in CALLER_ACCOUNT_KEYS:
        return frozenset(v.value for v in key.values)
    if key.lower in CALLER_ARN_KEYS:
        accounts = [_arn_account(v.value) for v in key.values]
        if all(accounts):
            return frozenset(a for a in accounts if a)
    return None


def caller_pin(statement: Statement) -> CallerPin:
    """What the statement's conditions fix about the caller (see CallerPin)."""
    accounts: frozenset[str] | None = None
    keys: list[str] = []
    for operator, key in statement.condition_keys():
        if not key_pins(operator, key):
            continue
        keys.append(key.key)
        found = _key_accounts(key)
        if found is not None:
            accounts = found if accounts is None else accounts & found
    return _caller_pin(pinned=bool(keys), accounts=accounts, keys=tuple(keys))


def only_pins_account(statement: Statement, account: str) -> bool:
    """Every condition of the statement only requires the caller to be in `account`
    (no condition at all counts too): such conditions never restrict that account's principals."""
    for operator, key in statement.condition_keys():
        if key.lower not in CALLER_ACCOUNT_KEYS or not is_positive_match(operator):
            return False
        if any(v.value != account for v in key.values):
            return False
    return True


def grants_limited(statement: Statement) -> bool:
    """The statement allows kms:CreateGrant only for AWS services or for fixed grantees.

    `Bool` (or `StringEquals`) `kms:GrantIsForAWSResource` `true`; or a positive, fixed
    `kms:ViaService` (the pattern of AWS managed keys); or a positive, fixed `kms:GranteePrincipal`.
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource
    """
    for operator, key in statement.condition_keys():
        parts = operator.parts
        if parts is None or parts.if_exists or parts.qualifier == "ForAllValues" or not key.values:
            continue
        if key.lower == "kms:grantisforawsresource" and parts.base in _TRUE_OPERATORS:
            if all(v.value.lower() == "true" for v in key.values):
                return True
        elif key.lower in ("kms:viaservice", "kms:granteeprincipal") and parts.base in POSITIVE_MATCH:
            if all(v.json_type == "other" or _fixed_text(v.value) for v in key.values):
                return True
    return False
