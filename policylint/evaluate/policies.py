"""One policy against one request: allow, deny or no match, with the statements that decided it
and the closest statements that did not.

Within one policy an applicable `Deny` statement wins over any `Allow`; with neither, the
policy does not match (an implicit deny as far as this policy goes).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html

KMS grants (`evaluate_grant`): a grant names a grantee principal, the operations it allows
and, optionally, an encryption context constraint: `encryption_context_equals` (the
request's encryption context must be exactly these pairs) or `encryption_context_subset` (it
must include these pairs); keys and values compare case-sensitively. A grant to a role covers
the role's sessions. The constraint does not apply
to operations that take no encryption context (`DescribeKey`, `RetireGrant`).
https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html

The request's encryption context is read from its `kms:EncryptionContext:KEY` context keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from policylint.catalog.kms import grant_operation_action
from policylint.evaluate.request import Request
from policylint.evaluate.snapshot import Grant
from policylint.evaluate.statement import StatementResult, evaluate_statement
from policylint.model.policy import PolicyDocument

PolicyKind = Literal[
    "key-policy",
    "identity-policy",
    "scp",
    "rcp",
    "permissions-boundary",
    "session-policy",
    "vpc-endpoint-policy",
    "resource-policy",
    "trust-policy",
    "grant",
]

# Policy kinds whose statements name principals.
PRINCIPAL_KINDS: frozenset[str] = frozenset(
    {"key-policy", "resource-policy", "trust-policy", "rcp", "vpc-endpoint-policy"}
)

# How many near misses a policy reports for an implicit deny.
CLOSEST = 3


class PolicyResult(BaseModel):
    """The outcome of one policy: `allow`, `deny` or `none` (no statement applies)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    kind: PolicyKind
    document: PolicyDocument
    outcome: Literal["allow", "deny", "none"]
    allows: tuple[StatementResult, ...] = ()
    denies: tuple[StatementResult, ...] = ()
    # Allow statements that cover the action but did not apply, closest first.
    closest: tuple[StatementResult, ...] = ()


def evaluate_policy(document: PolicyDocument, kind: PolicyKind, request: Request, *, has_boundary: bool = False) -> PolicyResult:
    """Evaluate every statement of `document` (a policy of kind `kind`) against `request`."""
    allows: list[StatementResult] = []
    denies: list[StatementResult] = []
    misses: list[StatementResult] = []
    with_principal = kind in PRINCIPAL_KINDS
    for statement in document.statements:
        result = evaluate_statement(document, statement, request, with_principal=with_principal, has_boundary=has_boundary)
        if result.matched:
            (denies if result.effect == "Deny" else allows).append(result)
        elif result.effect == "Allow" and result.closeness > 0:
            misses.append(result)
    misses.sort(key=lambda item: (-item.closeness, item.statement.index))
    outcome: Literal["allow", "deny", "none"] = "deny" if denies else "allow" if allows else "none"
    return PolicyResult(
        kind=kind,
        document=document,
        outcome=outcome,
        allows=tuple(allows),
        denies=tuple(denies),
        closest=tuple(misses[:CLOSEST]),
    )


# -- KMS grants --------------------------------------------------------------------------------

_CONTEXT_PREFIX = "kms:encryptioncontext:"
# Operations a grant may allow that take no encryption context.
_WITHOUT_CONTEXT = frozenset({"kms:describekey", "kms:retiregrant"})


class GrantResult(BaseModel):
    """Whether a grant applies; `near` when its grantee and operations fit but not the rest."""

    model_config = ConfigDict(frozen=True)

    grant: Grant
    matched: bool
    near: bool
    detail: str


def encryption_context(request: Request) -> dict[str, str]:
    """The request's encryption context, from its `kms:EncryptionContext:KEY` keys."""
    found: dict[str, str] = {}
    for name, values in request.context.keys.items():
        if name.lower().startswith(_CONTEXT_PREFIX) and len(name) > len(_CONTEXT_PREFIX):
            items = (values,) if isinstance(values, str) else tuple(values)
            if len(items) == 1:
                found[name[len(_CONTEXT_PREFIX) :]] = items[0]
    return found


def _pairs(pairs: Mapping[str, str]) -> str:
    if not pairs:
        return "none"
    return ", ".join(f"`{key}={value}`" for key, value in sorted(pairs.items()))


def _grantee_matches(grant: Grant, request: Request) -> bool:
    caller = request.caller
    return grant.grantee == caller.arn or (caller.role_arn is not None and grant.grantee == caller.role_arn)


def evaluate_grant(grant: Grant, request: Request) -> GrantResult:
    """Whether `grant` allows the request (the caller, the action, the encryption context)."""
    action = request.action.lower()
    if not _grantee_matches(grant, request):
        return GrantResult(grant=grant, matched=False, near=False, detail=f"does not apply: the grantee is `{grant.grantee}`")
    allowed = {grant_operation_action(operation) or "" for operation in grant.operations}
    if action not in {name.lower() for name in allowed}:
        return GrantResult(
            grant=grant, matched=False, near=False, detail=f"does not apply: `{request.action}` is not one of its operations"
        )
    base = f"allows `{request.action}` to `{grant.grantee}`"
    if action in _WITHOUT_CONTEXT:
        return GrantResult(grant=grant, matched=True, near=False, detail=base)
    context = encryption_context(request)
    if grant.encryption_context_equals is not None:
        wanted = dict(grant.encryption_context_equals)
        if context != wanted:
            return GrantResult(
                grant=grant,
                matched=False,
                near=True,
                detail=f"does not apply: the request's encryption context ({_pairs(context)}) is not exactly {_pairs(wanted)}",
            )
        base += f" with encryption context exactly {_pairs(wanted)}"
    if grant.encryption_context_subset is not None:
        wanted = dict(grant.encryption_context_subset)
        if any(context.get(key) != value for key, value in wanted.items()):
            return GrantResult(
                grant=grant,
                matched=False,
                near=True,
                detail=f"does not apply: the request's encryption context ({_pairs(context)}) does not include {_pairs(wanted)}",
            )
        base += f" with encryption context including {_pairs(wanted)}"
    return GrantResult(grant=grant, matched=True, near=False, detail=base)
