"""What can matter for one request, short of its context: the statements and grants that can
apply, their atoms, and the context keys that are free.

1. A statement whose effect, action or principal does not fit the request never applies
   (those checks read no context key), nor one whose resource does not fit unless its
   `Resource` holds a policy variable. `Scoper.can_apply` makes these checks the way
   `evaluate_statement` does, erring towards "can apply" (a `NotPrincipal` always can).
2. The atoms of the statements that can apply (and of the grants whose grantee and operation
   fit) name the context keys that matter. Keys the request builder fills in from the
   principal, the resource and the snapshot are fixed; so are keys that never come with this
   kind of caller (`aws:SourceArn` and the other `aws:Source...` keys only come with service
   principals; `aws:PrincipalArn`, `kms:CallerAccount`, ... never with them or anonymous
   callers; the tags of a principal the snapshot knows are its tags). The rest are free.
   `aws:ViaAWSService` is filled in from `kms:ViaService`, so reading it frees
   `kms:ViaService`.
3. When a key policy (or trust policy) is required, the request can only be allowed through
   a grant that fits, a statement that names the caller (with identity permissions too across
   accounts), or a statement naming the caller's account with identity permissions
   (`decision._permission`); when none of these can apply, no context allows it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import NamedTuple

from policylint.analyze.atoms import Atom, grant_atoms, resource_variables, statement_atoms
from policylint.evaluate.arn import account_of, is_account_root, resource_matches
from policylint.evaluate.match import action_matches
from policylint.evaluate.policies import PRINCIPAL_KINDS, PolicyKind, evaluate_grant
from policylint.evaluate.request import Request
from policylint.evaluate.snapshot import Grant, Snapshot
from policylint.model.policy import PolicyDocument, Principal, Statement

IAM_IDENTITY_KEYS = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principaltype",
        "aws:username",
        "aws:userid",
        "kms:calleraccount",
    }
)
SERVICE_KEYS = frozenset(
    {
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:principalservicename",
        "aws:principalservicenameslist",
    }
)
VIA_KEY = "aws:viaawsservice"
_ORG_IDS = {"aws:principalorgid": "aws:PrincipalOrgID", "aws:sourceorgid": "aws:SourceOrgID"}
_TAG_PREFIX = "aws:principaltag/"
_IAM_KINDS = frozenset({"user", "role", "session", "federated", "root"})
_RESOURCE_KINDS = frozenset({"key-policy", "trust-policy", "resource-policy"})


class Scope(NamedTuple):
    atoms: tuple[Atom, ...]
    keys: dict[str, str]  # free keys: lower -> as named
    can_allow: bool
    unsolved: bool  # a variable in a fixed element reads a free key
    # (policy path, statement index) -> the keys a Deny statement reads; None when ambiguous
    denies: dict[tuple[str, int], frozenset[str] | None]
    applied: tuple[int, ...]  # ids of the statements and grants that can apply
    contents: tuple[str, ...]  # what they say (their JSON), sorted


def _action_fits(statement: Statement, action: str) -> bool:
    if statement.action is not None:
        return any(action_matches(e.value, action) for e in statement.action)
    if statement.not_action is not None:
        return not any(action_matches(e.value, action) for e in statement.not_action)
    return False


def _resource_fits(document: PolicyDocument, statement: Statement, resource: str) -> bool:
    if statement.resource is not None:
        return any("${" in e.value or resource_matches(e.value, resource) for e in statement.resource)
    if statement.not_resource is not None:
        return not any("${" not in e.value and resource_matches(e.value, resource) for e in statement.not_resource)
    return document.kind == "trust-policy"


@lru_cache(maxsize=8192)
def _root_account(value: str) -> str | None:
    """The account a `Principal` value names as a whole (`arn:...:root`, a bare id), or None."""
    return account_of(value) if is_account_root(value) else None


def _names(principal: Principal, request: Request) -> bool:
    caller = request.caller
    value = principal.value
    if value == "*":
        return True
    if principal.type == "Service":
        return caller.kind == "service" and value == caller.arn
    if principal.type != "AWS" or not caller.is_iam:
        return False
    if value in (caller.arn, caller.role_arn):
        return True
    account = _root_account(value)
    return account is not None and account == caller.account


def _delegates_only(statement: Statement, request: Request) -> bool:
    """The statement can name the caller only through its account (`arn:aws:iam::ID:root`,
    or the bare id), and the caller is not that account's root user."""
    if request.caller.kind == "root" or statement.principal is None or statement.not_principal is not None:
        return False
    return not any(_names(p, request) and _root_account(p.value) is None for p in statement.principal)


def _content(document: PolicyDocument, statement: Statement) -> str:
    raw = document.raw.get("Statement") if isinstance(document.raw, dict) else None
    value = raw[statement.index] if isinstance(raw, list) and statement.index < len(raw) else raw
    return json.dumps([document.version_value, value], sort_keys=True, default=str)


class Scoper:
    """Computes scopes for the requests of one question (with caches per statement)."""

    def __init__(self, snapshot: Snapshot, resource: str, hypothetical: frozenset[str]) -> None:
        self.snapshot = snapshot
        self.resource = resource
        self.hypothetical = hypothetical
        self._atoms: dict[int, tuple[Statement, tuple[Atom, ...], str]] = {}
        self._grants: dict[int, tuple[Grant, tuple[Atom, ...]]] = {}
        self._actions: dict[tuple[int, str], bool] = {}
        self._resources: dict[int, bool] = {}

    def _statement(self, document: PolicyDocument, statement: Statement) -> tuple[Statement, tuple[Atom, ...], str]:
        cached = self._atoms.get(id(statement))
        if cached is None:
            cached = self._atoms[id(statement)] = (statement, statement_atoms(document, statement), _content(document, statement))
        return cached

    def _grant_atoms(self, grant: Grant) -> tuple[Atom, ...]:
        cached = self._grants.get(id(grant))
        if cached is None:
            cached = self._grants[id(grant)] = (grant, grant_atoms(grant))
        return cached[1]

    def can_apply(self, document: PolicyDocument, statement: Statement, request: Request, with_principal: bool) -> bool:
        """Whether the statement may apply to the request for some context keys."""
        if statement.effect is None or statement.effect.value not in ("Allow", "Deny"):
            return False
        key = (id(statement), request.action)
        fits = self._actions.get(key)
        if fits is None:
            fits = self._actions[key] = _action_fits(statement, request.action)
        if not fits:
            return False
        placed = self._resources.get(id(statement))
        if placed is None:
            placed = self._resources[id(statement)] = _resource_fits(document, statement, self.resource)
        if not placed:
            return False
        if not with_principal or statement.not_principal is not None:
            return True
        return statement.principal is not None and any(_names(p, request) for p in statement.principal)

    def documents(self, request: Request) -> list[tuple[PolicyDocument, PolicyKind]]:
        """Every policy that may apply to the request (a superset of what `evaluate` reads)."""
        caller, target, snapshot = request.caller, request.target, self.snapshot
        entry = caller.entry
        found: list[tuple[PolicyDocument, PolicyKind]] = []
        if entry is not None and caller.kind in ("user", "role", "session", "federated"):
            found += [(doc, "identity-policy") for doc in entry.policies]
            if entry.permissions_boundary is not None:
                found.append((entry.permissions_boundary, "permissions-boundary"))
            if entry.session_policy is not None:
                found.append((entry.session_policy, "session-policy"))
        account = snapshot.accounts.get(caller.account or "")
        if account is not None and caller.is_iam:
            found += [(doc, "scp") for level in account.scps for doc in level]
        owner = snapshot.accounts.get(target.account or "")
        if owner is not None and caller.kind != "service":
            found += [(doc, "rcp") for level in owner.rcps for doc in level]
        found += [(e.policy, "vpc-endpoint-policy") for e in snapshot.vpc_endpoints.values() if e.policy is not None]
        if target.key is not None and target.key.policy is not None:
            found.append((target.key.policy, "key-policy"))
        elif target.role is not None and target.role.trust_policy is not None:
            found.append((target.role.trust_policy, "trust-policy"))
        elif target.resource is not None and target.resource.policy is not None:
            found.append((target.resource.policy, "resource-policy"))
        return found

    def scope(self, request: Request) -> Scope:
        atoms: list[Atom] = []
        variables: set[str] = set()
        direct = delegated = granted = False
        identity = request.caller.kind == "root"
        denies: dict[tuple[str, int], frozenset[str] | None] = {}
        applied: list[int] = []
        contents: list[str] = []
        for document, kind in self.documents(request):
            for statement in document.statements:
                if not self.can_apply(document, statement, request, kind in PRINCIPAL_KINDS):
                    continue
                _, own, content = self._statement(document, statement)
                applied.append(id(statement))
                contents.append(f"{kind} {content}")
                read = resource_variables(document, statement)
                variables |= read
                atoms.extend(own)
                if statement.is_allow and kind in _RESOURCE_KINDS:
                    if _delegates_only(statement, request):
                        delegated = True
                    else:
                        direct = True
                identity = identity or (statement.is_allow and kind == "identity-policy")
                if statement.is_deny:
                    where = (document.path, statement.index)
                    keys = frozenset(a.lower for a in own).union(read, *(a.variables for a in own))
                    if VIA_KEY in keys:
                        keys |= {"kms:viaservice"}
                    denies[where] = None if where in denies else keys
        target = request.target
        for grant in target.key.grants if target.key is not None else ():
            outcome = evaluate_grant(grant, request)
            if outcome.matched or outcome.near:
                granted = True
                applied.append(id(grant))
                contents.append("grant " + grant.model_dump_json(exclude={"path", "range", "index"}))
                atoms.extend(self._grant_atoms(grant))
        can_allow = (
            target.kind not in ("key", "role")
            or granted
            or (direct and (identity or not request.cross_account))
            or (delegated and identity)
        )
        atoms = [a._replace(variables=a.variables | {"kms:viaservice"}) if a.lower == VIA_KEY else a for a in atoms]
        names: dict[str, str] = {}
        for atom in atoms:
            names.setdefault(atom.lower, atom.key)
            for name in atom.variables:
                names.setdefault(name, name)
        for name in variables:
            names.setdefault(name, name)
        if VIA_KEY in names:
            names.setdefault("kms:viaservice", "kms:ViaService")
        fixed = self._fixed(request)
        free = {lower: name for lower, name in names.items() if lower not in fixed and not self._excluded(request, lower)}
        for id_key, name in _ORG_IDS.items():
            # An organization path starts with the organization id, which is then free too.
            path_key = id_key.replace("orgid", "orgpaths")
            if path_key in free and id_key not in free and id_key not in fixed and not self._excluded(request, id_key):
                free[id_key] = name
        unsolved = bool(variables & set(free)) or any(a.variables & set(free) for a in atoms if a.lower not in free and a.lower != VIA_KEY)
        return Scope(tuple(atoms), free, can_allow, unsolved, denies, tuple(applied), tuple(sorted(contents)))

    def _fixed(self, request: Request) -> set[str]:
        fixed = {name.lower() for name in request.keys}
        caller = request.caller
        if caller.account is not None and caller.account in self.snapshot.accounts:
            fixed.add("aws:principalorgid")
        if request.target.account is not None and request.target.account in self.snapshot.accounts:
            fixed.add("aws:resourceorgid")
        return fixed

    def _excluded(self, request: Request, lower: str) -> bool:
        kind = request.caller.kind
        identity = lower in IAM_IDENTITY_KEYS or lower.startswith(_TAG_PREFIX)
        if kind in _IAM_KINDS:
            if lower in SERVICE_KEYS:
                return True
            if lower == "aws:username" and kind != "user":
                return True
            known = request.caller.arn not in self.hypothetical and (request.caller.role_arn or "") not in self.hypothetical
            return lower.startswith(_TAG_PREFIX) and (known or kind == "root")
        if kind == "service":
            return identity
        return identity or lower in SERVICE_KEYS


def union(first: Scope, second: Scope) -> Scope:
    """The scope of a request against two versions of the policies (for `diff`): every atom
    and free key of either; `can_allow` and the Denies of `first`."""
    seen: set[int] = set()
    atoms = []
    for atom in first.atoms + second.atoms:
        if id(atom) not in seen:
            seen.add(id(atom))
            atoms.append(atom)
    keys = {**second.keys, **first.keys}
    return Scope(
        tuple(atoms),
        keys,
        first.can_allow,
        first.unsolved or second.unsolved,
        first.denies,
        first.applied,
        first.contents,
    )
