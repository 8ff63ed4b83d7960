"""PL009 invalid-principal: principals AWS rejects or that cannot mean what they say.

Unknown principal types (`{"IAM": ...}`) are reported by the schema check (policylint/checks/structure.py).

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from policylint.checks.arnformat import arn_problem
from policylint.checks.base import CheckContext, implements
from policylint.findings import Violation
from policylint.model.policy import PolicyDocument, Principal

_NEEDS_PRINCIPAL = frozenset({"key-policy", "resource-policy", "trust-policy"})
_NO_PRINCIPAL = frozenset({"identity-policy", "scp"})
_ACCOUNT = re.compile(r"^\d{12}$")
_UNIQUE_ID = re.compile(r"^A[A-Z0-9]{3}[A-Z0-9]{12,124}$")
# Service principals: `<name>.amazonaws.com` (`.com.cn` in China), a few `<name>.amazon.com`, and
# the domains of the isolated partitions (`.c2s.ic.gov`, `.sc2s.sgov.gov`).
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.(?:amazonaws\.com(?:\.cn)?|amazon\.com|c2s\.ic\.gov|sc2s\.sgov\.gov)$")
_CANONICAL = re.compile(r"^[0-9a-f]{64}$")


@implements("PL009")
def invalid_principal(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    kind_name = {"identity-policy": "an identity policy", "scp": "an SCP"}.get(document.kind, "")
    for statement in document.statements:
        members = statement.members
        has_principal = "Principal" in members or "NotPrincipal" in members
        if document.kind in _NO_PRINCIPAL and has_principal:
            element = "Principal" if "Principal" in members else "NotPrincipal"
            yield Violation(
                code="PL009",
                pointer=members[element],
                message=f"`{element}` is not allowed in {kind_name}: it applies to whoever it is attached to",
                at_key=True,
            )
            continue
        if document.kind in _NEEDS_PRINCIPAL and not has_principal:
            noun = {"key-policy": "a key policy", "trust-policy": "a trust policy"}.get(document.kind, "a resource policy")
            yield Violation(
                code="PL009",
                pointer=statement.pointer,
                message=f"{statement.label} has no `Principal`: every statement of {noun} must name who it applies to",
            )
            continue
        for principal in (statement.principal or ()) + (statement.not_principal or ()):
            problem = principal_problem(principal)
            if problem is not None:
                yield Violation(code="PL009", pointer=principal.pointer, message=problem)


def principal_problem(principal: Principal) -> str | None:
    """Why one principal value is invalid, or None."""
    value = principal.value
    if principal.type == "*":
        return None
    if "${" in value or "{{" in value:
        return None  # a placeholder from a template; checked when known
    if principal.type == "AWS":
        if value == "*" or _ACCOUNT.match(value) or _UNIQUE_ID.match(value):
            return None
        if not value.startswith("arn:"):
            return f"`{value}` is not a valid AWS principal: expected an ARN, a 12-digit account id or `*`"
        if "*" in value or "?" in value:
            return f"wildcards are not allowed in a principal ARN: `{value}`"
        problem = arn_problem(value)
        if problem is not None:
            return f"principal `{value}` is not a valid ARN: it {problem}"
        parts = value.split(":", 5)
        if parts[2] == "iam" and parts[5].startswith("group/"):
            return f"an IAM group cannot be a principal: `{value}`"
        return None
    if "*" in value or "?" in value:
        return f"wildcards are not allowed in a `{principal.type}` principal: `{value}`"
    if principal.type == "Service" and not _SERVICE.match(value):
        return f"`{value}` is not a service principal (expected a name like `cloudtrail.amazonaws.com`)"
    if principal.type == "CanonicalUser" and not _CANONICAL.match(value):
        return f"`{value}` is not a canonical user id (64 hexadecimal characters)"
    if principal.type == "Federated" and not value:
        return "a `Federated` principal cannot be empty"
    return None
