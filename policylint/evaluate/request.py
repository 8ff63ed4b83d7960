"""From a query and a snapshot to the request to evaluate: who calls, what they call it on, and
the context keys AWS would put in the request.

Keys filled in from the request itself:
`aws:PrincipalArn` (the role ARN for a role session), `aws:PrincipalAccount`,
`aws:PrincipalOrgID` (the caller account's `organization` in the snapshot), `aws:PrincipalTag/*`
(the snapshot's tags of the user, or of the role behind a session), `aws:username` (users),
`aws:PrincipalType`, `aws:PrincipalIsAWSService` and `aws:PrincipalServiceName` (service
principals), `aws:ViaAWSService`, `aws:ResourceAccount`, `aws:ResourceOrgID`,
`aws:RequestedRegion` (the region of the resource ARN), and for `kms:` actions
`kms:CallerAccount`.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-caller-account
Keys given in the query's `with` clause replace filled-in keys of the same name (names compare
case-insensitively) or add to them. Keys that depend on facts a snapshot does not hold
(`aws:userid`, `aws:CurrentTime`, `aws:SourceIp`, `aws:PrincipalOrgPaths`, session tags, ...)
are only present when the query gives them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from policylint.evaluate.arn import account_of, parse_arn, session_role_arn
from policylint.evaluate.context import ANONYMOUS, RequestContext
from policylint.evaluate.snapshot import KeyEntry, PrincipalEntry, ResourceEntry, Snapshot

CallerKind = Literal["user", "role", "session", "federated", "root", "service", "anonymous"]
TargetKind = Literal["key", "role", "resource", "none"]

# `aws:PrincipalType` by caller kind (a role named without a session is one of its sessions).
_PRINCIPAL_TYPES: Mapping[str, str] = {
    "user": "User",
    "role": "AssumedRole",
    "session": "AssumedRole",
    "federated": "FederatedUser",
    "root": "Account",
    "anonymous": "Anonymous",
}


class EvaluationError(ValueError):
    """A query that names something that cannot make requests (a group, a policy ARN, ...)."""


class Caller(BaseModel):
    """The principal making the request.

    `entry` is the snapshot entry holding its policies: the user, or the role behind a role
    session. `role_arn` is that role's ARN (with its path when the snapshot knows the role).
    """

    model_config = ConfigDict(frozen=True)

    arn: str
    kind: CallerKind
    account: str | None = None
    role_arn: str | None = None
    entry: PrincipalEntry | None = None

    @property
    def is_iam(self) -> bool:
        """An IAM identity of an account (not anonymous, not a service principal)."""
        return self.kind not in ("service", "anonymous")

    @property
    def identities(self) -> tuple[str, ...]:
        """Every principal value that names this caller: itself, its role, its account root."""
        names = [self.arn]
        if self.role_arn is not None and self.role_arn != self.arn:
            names.append(self.role_arn)
        if self.account is not None and self.kind != "root":
            names.append(f"arn:{_partition(self.arn)}:iam::{self.account}:root")
        return tuple(names)


class Target(BaseModel):
    """What the request acts on, and the snapshot entry that holds its policy."""

    model_config = ConfigDict(frozen=True)

    kind: TargetKind
    arn: str
    account: str | None
    key: KeyEntry | None = None
    role: PrincipalEntry | None = None
    resource: ResourceEntry | None = None


class Request(BaseModel):
    """A request ready for evaluation."""

    model_config = ConfigDict(frozen=True)

    caller: Caller
    target: Target
    context: RequestContext
    # The context keys as given (a single value stays a string), for showing them.
    keys: Mapping[str, tuple[str, ...] | str]

    @property
    def action(self) -> str:
        return self.context.action

    @property
    def cross_account(self) -> bool:
        """The caller's account is not the resource owner's (never for anonymous or services)."""
        return (
            self.caller.is_iam
            and self.caller.account is not None
            and self.target.account is not None
            and self.caller.account != self.target.account
        )


def _partition(arn: str) -> str:
    parsed = parse_arn(arn)
    return parsed.partition if parsed is not None else "aws"


def build_caller(snapshot: Snapshot, principal: str) -> Caller:
    """Classify `principal` (as the query parser normalised it) and find its snapshot entry."""
    if principal == ANONYMOUS:
        return Caller(arn=principal, kind="anonymous")
    parsed = parse_arn(principal)
    if parsed is None:
        return Caller(arn=principal, kind="service")
    account = parsed.account
    if parsed.service == "iam" and parsed.resource == "root":
        return Caller(arn=principal, kind="root", account=account)
    kind_text, _, rest = parsed.resource.partition("/")
    if parsed.service == "iam" and kind_text == "user":
        return Caller(arn=principal, kind="user", account=account, entry=snapshot.principals.get(principal))
    if parsed.service == "iam" and kind_text == "role":
        return Caller(
            arn=principal, kind="role", account=account, role_arn=principal, entry=snapshot.principals.get(principal)
        )
    if parsed.service == "sts" and kind_text == "assumed-role":
        derived = session_role_arn(principal)
        if derived is not None:
            role = snapshot.role(account, rest.split("/", 1)[0])
            role_arn = role.arn if role is not None else derived
            return Caller(arn=principal, kind="session", account=account, role_arn=role_arn, entry=role)
    if parsed.service == "sts" and kind_text == "federated-user":
        return Caller(arn=principal, kind="federated", account=account, entry=snapshot.principals.get(principal))
    raise EvaluationError(f"`{principal}` cannot make requests: name a user, a role, a role session or an account")


_ROLE_ACTIONS_SERVICE = "sts"


def resolve_target(snapshot: Snapshot, action: str, resource: str, caller: Caller) -> Target:
    """Find the key, role or resource the request acts on, and who owns it.

    A resource that is neither in the snapshot nor names an account (an S3 object of an unknown
    bucket, `*`) is taken to belong to the caller's account.
    """
    key = snapshot.keys.get(resource)
    if key is not None:
        return Target(kind="key", arn=resource, account=key.account, key=key)
    parsed = parse_arn(resource)
    if parsed is not None and parsed.service == "kms" and parsed.resource.startswith("key/"):
        return Target(kind="key", arn=resource, account=parsed.account or caller.account)
    if (
        parsed is not None
        and action.lower().startswith(_ROLE_ACTIONS_SERVICE + ":")
        and parsed.service == "iam"
        and parsed.resource.startswith("role/")
    ):
        return Target(kind="role", arn=resource, account=parsed.account, role=snapshot.principals.get(resource))
    entry = snapshot.resources.get(resource)
    if entry is None and parsed is not None and parsed.service == "s3" and "/" in parsed.resource:
        # An object is governed by its bucket's policy.
        bucket = resource.split("/", 1)[0]
        entry = snapshot.resources.get(bucket)
    if entry is not None:
        return Target(kind="resource", arn=resource, account=entry.account, resource=entry)
    return Target(kind="none", arn=resource, account=account_of(resource) or caller.account)


def filled_keys(snapshot: Snapshot, caller: Caller, target: Target, action: str, given: Mapping[str, tuple[str, ...] | str]) -> dict[str, tuple[str, ...] | str]:
    """The context keys of the request: those AWS fills in, then the `given` ones."""
    keys: dict[str, tuple[str, ...] | str] = {}
    if caller.kind == "service":
        keys["aws:PrincipalIsAWSService"] = "true"
        keys["aws:PrincipalServiceName"] = caller.arn
    elif caller.kind != "anonymous":
        keys["aws:PrincipalArn"] = caller.role_arn or caller.arn
        if caller.account is not None:
            keys["aws:PrincipalAccount"] = caller.account
            account = snapshot.accounts.get(caller.account)
            if account is not None and account.organization is not None:
                keys["aws:PrincipalOrgID"] = account.organization
        if caller.kind == "user":
            keys["aws:username"] = caller.arn.rsplit("/", 1)[-1]
        if caller.entry is not None:
            for tag, value in caller.entry.tags.items():
                keys[f"aws:PrincipalTag/{tag}"] = value
        keys["aws:PrincipalIsAWSService"] = "false"
        keys["aws:ViaAWSService"] = "true" if any(name.lower() == "kms:viaservice" for name in given) else "false"
        if action.lower().startswith("kms:") and caller.account is not None:
            keys["kms:CallerAccount"] = caller.account
    if caller.kind in _PRINCIPAL_TYPES:
        keys["aws:PrincipalType"] = _PRINCIPAL_TYPES[caller.kind]
    if target.account is not None:
        keys["aws:ResourceAccount"] = target.account
        owner = snapshot.accounts.get(target.account)
        if owner is not None and owner.organization is not None:
            keys["aws:ResourceOrgID"] = owner.organization
    parsed = parse_arn(target.arn)
    if parsed is not None and parsed.region:
        keys["aws:RequestedRegion"] = parsed.region
    folded = {name.lower(): name for name in keys}
    for name, values in given.items():
        previous = folded.get(name.lower())
        if previous is not None:
            del keys[previous]
        keys[name] = values
    return keys


def build_request(
    snapshot: Snapshot,
    principal: str,
    action: str,
    resource: str,
    given: Mapping[str, tuple[str, ...] | str] | Sequence[tuple[str, tuple[str, ...] | str]] = (),
) -> Request:
    """The request for `principal` doing `action` on `resource` with the `given` context keys."""
    given_map = dict(given.items() if isinstance(given, Mapping) else given)
    caller = build_caller(snapshot, principal)
    target = resolve_target(snapshot, action, resource, caller)
    keys = filled_keys(snapshot, caller, target, action, given_map)
    context = RequestContext(principal=principal, action=action, resource=resource, keys=keys)
    return Request(caller=caller, target=target, context=context, keys=keys)
