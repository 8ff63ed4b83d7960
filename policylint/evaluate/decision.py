"""The evaluation logic: from a request and the policies that apply to it, a `Decision`.

1. An explicit `Deny` in any applicable policy wins: identity policies, the permissions
   boundary, the session policy, SCPs of the caller's account, RCPs of the resource owner's
   account, the resource's policy (key policy, trust policy, bucket policy, ...) and the VPC
   endpoint policy.
   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
2. Guardrails must allow: every level of SCPs from the root to the caller's account (SCPs do
   not apply to service principals, anonymous callers or service-linked roles); the VPC
   endpoint policy when `aws:SourceVpce` names an endpoint of the snapshot. RCPs can only deny
   here, since `RCPFullAWSAccess` is attached at every level; they do not apply to service
   principals or service-linked roles, and only to the services that support them.
   https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
   https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
   https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
3. Then the policies that grant permissions. Identity-based permissions count only when the
   permissions boundary and the session policy (when there are any) allow too.
   https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
   https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
   - A resource with no policy, or no resource: identity-based permissions decide.
   - A resource with a resource-based policy, same account: identity-based permissions or the
     resource policy allow. A resource policy statement naming the user or the role session
     allows whatever the boundary and session policy say; one naming the role (or `*`, for a
     role session) is limited by them; one naming the account delegates to identity policies.
     Cross-account: the resource policy (naming the caller or its account) and identity-based
     permissions must both allow.
     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
   - KMS keys and role trust policies: the key or trust policy is required. Same account: a
     statement naming the caller allows on its own; one naming the account delegates, and
     identity-based permissions must then allow. Cross-account: the key policy must allow
     (naming the caller or its account) and identity-based permissions too; some KMS
     operations cannot be called on a key of another account at all. A KMS grant whose grantee,
     operations and constraints fit allows without key policy or identity policy statements.
     https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
     https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
     https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies.html
     https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
     https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html
   - The account root user has every identity-based permission in its account; an anonymous
     caller or a service principal none: only resource policies naming it (or `*`) allow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from policylint.catalog.kms import CROSS_ACCOUNT_ACTIONS
from policylint.evaluate.arn import parse_arn
from policylint.evaluate.policies import GrantResult, PolicyKind, PolicyResult, evaluate_grant, evaluate_policy
from policylint.evaluate.request import Request, build_request
from policylint.evaluate.snapshot import Snapshot
from policylint.evaluate.statement import StatementResult
from policylint.model.policy import PolicyDocument
from policylint.source.positions import Range

DecisionValue = Literal["allowed", "explicitly-denied", "implicitly-denied"]

# Services whose resources RCPs apply to.
# https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-supported-services
RCP_SERVICES: frozenset[str] = frozenset(
    {"s3", "sts", "kms", "sqs", "secretsmanager", "cognito-idp", "logs", "dynamodb", "ecr", "aoss"}
)
_CROSS_ACCOUNT_KMS = frozenset(action.lower() for action in CROSS_ACCOUNT_ACTIONS)

# The order reasons are listed in: the resource side, then the caller's side, then guardrails.
_KIND_ORDER: tuple[PolicyKind, ...] = (
    "key-policy",
    "trust-policy",
    "resource-policy",
    "grant",
    "identity-policy",
    "permissions-boundary",
    "session-policy",
    "scp",
    "rcp",
    "vpc-endpoint-policy",
)


class Reason(BaseModel):
    """A statement (or grant) that decided, or a required policy that had no allow
    (`statement` None)."""

    model_config = ConfigDict(frozen=True)

    policy_kind: PolicyKind
    path: str | None = None
    statement: int | None = None
    sid: str | None = None
    range: Range | None = None
    effect: Literal["Allow", "Deny"] | None = None
    matched: bool
    detail: str


class Decision(BaseModel):
    """The answer to `can PRINCIPAL do ACTION on RESOURCE`, with the reasons."""

    model_config = ConfigDict(frozen=True)

    decision: DecisionValue
    principal: str
    action: str
    resource: str
    context: Mapping[str, tuple[str, ...] | str]
    reasons: tuple[Reason, ...]


def statement_reason(kind: PolicyKind, document: PolicyDocument, result: StatementResult) -> Reason:
    statement = result.statement
    return Reason(
        policy_kind=kind,
        path=document.path,
        statement=statement.index,
        sid=statement.sid.value if statement.sid is not None and statement.sid.value else None,
        range=statement.range,
        effect="Deny" if result.effect == "Deny" else "Allow",
        matched=result.matched,
        detail=result.detail,
    )


def _grant_reason(result: GrantResult) -> Reason:
    grant = result.grant
    return Reason(
        policy_kind="grant",
        path=grant.path,
        statement=grant.index,
        sid=grant.name,
        range=grant.range,
        effect="Allow",
        matched=result.matched,
        detail=result.detail,
    )


def _allows(results: Iterable[PolicyResult]) -> list[Reason]:
    return [statement_reason(r.kind, r.document, item) for r in results for item in r.allows]


def _missing(kind: PolicyKind, detail: str, results: Iterable[PolicyResult] = (), path: str | None = None) -> list[Reason]:
    """A required policy without an allow, then its closest statements."""
    results = list(results)
    if path is None and len(results) == 1:
        path = results[0].document.path
    reasons = [Reason(policy_kind=kind, path=path, matched=False, detail=detail)]
    misses = sorted(
        ((r, item) for r in results for item in r.closest), key=lambda pair: (-pair[1].closeness, pair[1].statement.index)
    )
    reasons.extend(statement_reason(r.kind, r.document, item) for r, item in misses[:3])
    return reasons


class _Evaluation:
    """Every policy that applies to one request, evaluated once."""

    def __init__(self, snapshot: Snapshot, request: Request) -> None:
        self.snapshot = snapshot
        self.request = request
        caller = request.caller
        self.caller = caller
        entry = caller.entry
        self.service_linked = caller.role_arn is not None and "/aws-service-role/" in caller.role_arn
        self.has_boundary = entry is not None and entry.permissions_boundary is not None and caller.kind in ("user", "role", "session")

        def run(document: PolicyDocument | None, kind: PolicyKind) -> PolicyResult | None:
            if document is None:
                return None
            return evaluate_policy(document, kind, request, has_boundary=self.has_boundary)

        with_identity = entry is not None and caller.kind in ("user", "role", "session", "federated")
        self.identity = [
            evaluate_policy(doc, "identity-policy", request, has_boundary=self.has_boundary)
            for doc in (entry.policies if with_identity and entry is not None else ())
        ]
        self.boundary = run(entry.permissions_boundary, "permissions-boundary") if self.has_boundary and entry else None
        self.session = (
            run(entry.session_policy, "session-policy") if entry is not None and caller.kind in ("role", "session") else None
        )
        self.scp_levels: list[list[PolicyResult]] = []
        account = snapshot.accounts.get(caller.account or "") if caller.is_iam else None
        if account is not None and not self.service_linked:
            self.scp_levels = [[r for doc in level if (r := run(doc, "scp")) is not None] for level in account.scps]
        target = request.target
        self.rcps: list[PolicyResult] = []
        owner = snapshot.accounts.get(target.account or "")
        parsed = parse_arn(target.arn)
        service = parsed.service if parsed is not None else request.action.split(":", 1)[0].lower()
        if owner is not None and caller.kind != "service" and not self.service_linked and service in RCP_SERVICES:
            self.rcps = [r for level in owner.rcps for doc in level if (r := run(doc, "rcp")) is not None]
        self.endpoint: PolicyResult | None = None
        self.endpoint_id: str | None = None
        vpce = request.context.get("aws:SourceVpce")
        if vpce is not None and len(vpce) == 1 and vpce[0] in snapshot.vpc_endpoints:
            self.endpoint_id = vpce[0]
            self.endpoint = run(snapshot.vpc_endpoints[vpce[0]].policy, "vpc-endpoint-policy")
        self.resource_kind: PolicyKind = (
            "key-policy" if target.kind == "key" else "trust-policy" if target.kind == "role" else "resource-policy"
        )
        document = None
        if target.key is not None:
            document = target.key.policy
        elif target.role is not None:
            document = target.role.trust_policy
        elif target.resource is not None:
            document = target.resource.policy
        self.resource = run(document, self.resource_kind)
        self.grants = [evaluate_grant(grant, request) for grant in target.key.grants] if target.key is not None else []

    def all_results(self) -> list[PolicyResult]:
        found = list(self.identity)
        found += [r for r in (self.boundary, self.session, self.resource, self.endpoint) if r is not None]
        found += [r for level in self.scp_levels for r in level]
        found += self.rcps
        return found


def _identity_side(ev: _Evaluation) -> tuple[bool, list[Reason], list[Reason]]:
    """Whether identity-based permissions allow, with the reasons either way."""
    caller, action = ev.caller, ev.request.action
    if caller.kind == "root":
        return True, [], []
    if caller.kind in ("anonymous", "service"):
        who = "an anonymous caller" if caller.kind == "anonymous" else "a service principal"
        return False, [], [Reason(policy_kind="identity-policy", matched=False, detail=f"{who} has no identity policies")]
    if caller.entry is None:
        detail = f"`{caller.arn}` is not in the snapshot, so no identity policy allows `{action}`"
        return False, [], [Reason(policy_kind="identity-policy", matched=False, detail=detail)]
    allows = _allows(ev.identity)
    if not allows:
        detail = f"no identity policy of `{caller.entry.arn}` allows `{action}` on `{ev.request.target.arn}`"
        return False, [], _missing("identity-policy", detail, ev.identity)
    limits, failures = _limits(ev)
    if failures:
        return False, allows + limits, failures
    return True, allows + limits, []


def _limits(ev: _Evaluation) -> tuple[list[Reason], list[Reason]]:
    """The permissions boundary and session policy: their allows, or why they do not allow."""
    allows: list[Reason] = []
    failures: list[Reason] = []
    action = ev.request.action
    for result, kind, name in ((ev.boundary, "permissions-boundary", "permissions boundary"), (ev.session, "session-policy", "session policy")):
        if result is None:
            continue
        if result.outcome == "allow":
            allows.extend(_allows([result]))
        else:
            failures.extend(_missing(kind, f"the {name} does not allow `{action}`", [result]))  # type: ignore[arg-type]
    return allows, failures


def _resource_side(ev: _Evaluation) -> tuple[list[Reason], list[Reason], list[Reason]]:
    """Resource-policy allows split by how they named the caller: (on their own, limited by
    the boundary and session policy, delegating to identity policies)."""
    own: list[Reason] = []
    limited: list[Reason] = []
    delegating: list[Reason] = []
    result = ev.resource
    if result is None:
        return own, limited, delegating
    session_bound = ev.caller.kind in ("role", "session")
    for item in result.allows:
        reason = statement_reason(result.kind, result.document, item)
        if item.principal_match == "account":
            delegating.append(reason)
        elif item.principal_match == "role" or (item.principal_match == "everyone" and session_bound):
            limited.append(reason)
        else:
            own.append(reason)
    return own, limited, delegating


def _resource_missing(ev: _Evaluation) -> list[Reason]:
    target, action, kind = ev.request.target, ev.request.action, ev.resource_kind
    if ev.resource is not None:
        whom = "anyone" if ev.caller.kind == "anonymous" else f"`{ev.caller.arn}`"
        name = {"key-policy": "key policy", "trust-policy": "trust policy"}.get(kind, "resource policy")
        return _missing(kind, f"the {name} does not allow `{action}` to {whom}", [ev.resource])
    if target.kind == "key":
        detail = f"key `{target.arn}` is not in the snapshot" if target.key is None else f"key `{target.arn}` has no key policy"
    elif target.kind == "role":
        detail = f"role `{target.arn}` is not in the snapshot" if target.role is None else f"role `{target.arn}` has no trust policy"
    else:
        detail = f"`{target.arn}` has no resource policy"
    return [Reason(policy_kind=kind, matched=False, detail=detail)]


def _permission(ev: _Evaluation) -> tuple[bool, list[Reason], list[Reason]]:
    """Whether the permission-granting policies allow: (allowed, reasons for, reasons against)."""
    request, caller, target = ev.request, ev.caller, ev.request.target
    identity_ok, identity_for, identity_against = _identity_side(ev)
    own, limited, delegating = _resource_side(ev)
    limits_for, limits_against = _limits(ev) if limited else ([], [])
    direct_for = own + (limited + limits_for if limited and not limits_against else [])
    cross = request.cross_account
    if target.kind == "none" or (target.kind == "resource" and ev.resource is None and not cross):
        return identity_ok, identity_for, [] if identity_ok else identity_for + identity_against
    if target.kind == "key":
        grants = [g for g in ev.grants if g.matched]
        if grants:
            return True, [_grant_reason(g) for g in grants], []
        if cross and request.action.lower() not in _CROSS_ACCOUNT_KMS:
            detail = f"`{request.action}` cannot be called on a key in another account"
            return False, [], [Reason(policy_kind="key-policy", matched=False, detail=detail)]
    near_grants = [_grant_reason(g) for g in ev.grants if g.near]
    if caller.kind in ("anonymous", "service"):
        if own:
            return True, own, []
        return False, [], _resource_missing(ev) + near_grants
    required = target.kind in ("key", "role")
    if cross:
        resource_for = own + limited + delegating
        if resource_for and identity_ok:
            return True, resource_for + identity_for, []
        against = (resource_for or _resource_missing(ev)) + identity_for + identity_against
        return False, [], against + near_grants
    if direct_for:
        return True, direct_for, []
    identity_path = delegating or not required
    if identity_path and identity_ok:
        return True, (delegating if required else []) + identity_for, []
    if limited:
        against = limited + limits_against
    elif delegating:
        against = list(delegating)
    else:
        against = _resource_missing(ev)
    if identity_path:
        against += identity_for + identity_against
    return False, [], against + near_grants


def _guardrails(ev: _Evaluation) -> tuple[list[Reason], list[Reason]]:
    """SCP levels and the VPC endpoint policy: (their allows, why they do not allow)."""
    action = ev.request.action
    allows: list[Reason] = []
    failures: list[Reason] = []
    for number, level in enumerate(ev.scp_levels, start=1):
        found = _allows(level)
        if found:
            allows.extend(found)
            continue
        where = f" at level {number} (of {len(ev.scp_levels)})" if len(ev.scp_levels) > 1 else ""
        path = level[0].document.path if len(level) == 1 else None
        failures.extend(_missing("scp", f"no SCP{where} of account `{ev.caller.account}` allows `{action}`", level, path=path))
    if ev.endpoint is not None:
        if ev.endpoint.outcome == "allow":
            allows.extend(_allows([ev.endpoint]))
        else:
            failures.extend(
                _missing("vpc-endpoint-policy", f"the policy of endpoint `{ev.endpoint_id}` does not allow `{action}`", [ev.endpoint])
            )
    return allows, failures


def _ordered(reasons: Iterable[Reason]) -> tuple[Reason, ...]:
    unique: list[Reason] = []
    for reason in reasons:
        if reason not in unique:
            unique.append(reason)
    return tuple(sorted(unique, key=lambda reason: _KIND_ORDER.index(reason.policy_kind)))


def evaluate(snapshot: Snapshot, request: Request) -> Decision:
    """Decide `request` against the policies of `snapshot`."""
    ev = _Evaluation(snapshot, request)
    denies = [
        statement_reason(r.kind, r.document, item) for r in ev.all_results() for item in r.denies
    ]
    if denies:
        value: DecisionValue = "explicitly-denied"
        reasons = _ordered(denies)
    else:
        guard_for, guard_against = _guardrails(ev)
        allowed, permit_for, permit_against = _permission(ev)
        if allowed and not guard_against:
            value, reasons = "allowed", _ordered(permit_for + guard_for)
        else:
            value, reasons = "implicitly-denied", _ordered(guard_against + permit_against)
    context = request.context
    return Decision(
        decision=value,
        principal=context.principal,
        action=context.action,
        resource=context.resource,
        context=dict(request.keys),
        reasons=reasons,
    )


def decide(
    snapshot: Snapshot,
    principal: str,
    action: str,
    resource: str,
    context: Mapping[str, tuple[str, ...] | str] | None = None,
) -> Decision:
    """Can `principal` do `action` on `resource` (with these extra context keys)?"""
    return evaluate(snapshot, build_request(snapshot, principal, action, resource, context or {}))
