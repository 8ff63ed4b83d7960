"""What a document is and whose it is, when nobody said: kind and account inference.

Kind: a Principal and only `kms:` actions -> key-policy; a Principal and `sts:AssumeRole*`
actions -> trust-policy; any other Principal -> resource-policy; no Principal -> identity-policy.
SCPs and RCPs look like identity and resource policies: name them with `--kind` or config.

Account: the account whose root (or bare id) is allowed every action (`kms:*` or `*`) without a
condition (the "Enable IAM User Permissions" statement of AWS's default key policies); else the
most frequent account among user and role principals; else the most frequent root among Allow
statements. In a template the account may be a placeholder
(`arn:${AWS::Partition}:iam::${AWS::AccountId}:root` -> `${AWS::AccountId}`).
"""

from __future__ import annotations

import re
from collections import Counter

from policylint.model.policy import Statement

_ACCOUNT_ID = re.compile(r"^\d{12}$")
# A partition or account may be a template placeholder holding `:` (`${AWS::AccountId}`).
_IAM_ARN = re.compile(r"^arn:(?:\$\{[^}]*\}|[^:]*):(?:iam|sts)::(\$\{[^}]*\}|[^:]+):")
_ROOT_ARN = re.compile(r"^arn:(?:\$\{[^}]*\}|[^:]*):iam::(\$\{[^}]*\}|[^:]+):root$")


def infer_kind(statements: tuple[Statement, ...]) -> str:
    has_principal = any(s.principal is not None or s.not_principal is not None for s in statements)
    if not has_principal:
        return "identity-policy"
    services = {a.service for s in statements for a in (s.action or ()) + (s.not_action or ())}
    names = {a.lower for s in statements for a in (s.action or ())}
    if services and services <= {"kms"}:
        return "key-policy"
    if any(n.startswith("sts:assumerole") for n in names) and services <= {"sts"}:
        return "trust-policy"
    return "resource-policy"


def principal_account(value: str) -> str | None:
    """The account a principal value belongs to (bare id, IAM/STS ARN), if any."""
    if _ACCOUNT_ID.match(value):
        return value
    match = _IAM_ARN.match(value)
    return match.group(1) if match else None


def root_account(value: str) -> str | None:
    """The account when the value names an account principal (`arn:...:iam::ID:root` or `ID`)."""
    if _ACCOUNT_ID.match(value):
        return value
    match = _ROOT_ARN.match(value)
    return match.group(1) if match else None


def _allows_everything(statement: Statement) -> bool:
    """An unconditioned Allow of `kms:*` or `*` (the account delegation statement)."""
    return (
        statement.is_allow
        and not statement.conditions
        and statement.not_action is None
        and any(a.lower in ("*", "kms:*") for a in statement.action or ())
    )


def infer_account(statements: tuple[Statement, ...]) -> str | None:
    delegated: Counter[str] = Counter()
    roots: Counter[str] = Counter()
    members: Counter[str] = Counter()
    for statement in statements:
        for principal in statement.principal or ():
            if principal.type != "AWS":
                continue
            root = root_account(principal.value)
            if root is not None:
                if statement.is_allow:
                    roots[root] += 1
                    if _allows_everything(statement):
                        delegated[root] += 1
                continue
            account = principal_account(principal.value)
            if account is not None:
                members[account] += 1
    for counter in (delegated, members, roots):
        if counter:
            # Most frequent; ties broken by first appearance (Counter keeps insertion order).
            return counter.most_common(1)[0][0]
    return None
