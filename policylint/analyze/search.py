"""Explore one (principal, action) of a question: every class of requests, each decided by the
concrete evaluator.

1. A statement whose effect, action or principal does not fit the request never applies
   (those checks read no context key), nor one whose resource does not fit unless its
   `Resource` holds a policy variable. `can_apply` makes these checks the way
   `evaluate_statement` does, erring towards "can apply" (a `NotPrincipal` always can).
2. The atoms of the statements that can apply (and of the grants whose grantee and operation
   fit) name the context keys that matter. Keys the request builder fills in from the
   principal, the resource and the snapshot are fixed; so are keys that never come with this
   kind of caller (`aws:SourceArn` and the other `aws:Source...` keys only come with service
   principals; `aws:PrincipalArn`, `kms:CallerAccount`, ... never with them or anonymous
   callers). The rest are free.
3. `dimensions` gives the classes of each free key; every combination is built into a request
   (`build_request`) and decided (`evaluate`). An allowed combination is a witness.
When a key policy (or trust policy) is required and no statement of it can allow, and no grant
fits, the request is denied whatever the context: nothing is enumerated.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import product
from math import prod
from typing import NamedTuple

from policylint.analyze.atoms import Atom, grant_atoms, resource_variables, statement_atoms
from policylint.analyze.dimensions import Caches, Dimension, build_dimensions
from policylint.analyze.values import Value
from policylint.evaluate.context import RequestContext
from policylint.evaluate.decision import Decision, evaluate
from policylint.evaluate.policies import PRINCIPAL_KINDS, PolicyKind, evaluate_grant
from policylint.evaluate.request import EvaluationError, Request, build_request
from policylint.evaluate.snapshot import Grant, Snapshot
from policylint.catalog.kms import CROSS_ACCOUNT_ACTIONS
from policylint.evaluate.arn import account_of, is_account_root, resource_matches
from policylint.evaluate.match import action_matches
from policylint.model.policy import PolicyDocument, Principal, Statement

MAX_COMBINATIONS = 4096

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
_TAG_PREFIX = "aws:principaltag/"
_CROSS = frozenset(a.lower() for a in CROSS_ACCOUNT_ACTIONS)
_WITHOUT_CONTEXT = frozenset({"kms:describekey", "kms:retiregrant"})
_IAM_KINDS = frozenset({"user", "role", "session", "federated", "root"})


class Exploration(NamedTuple):
    """What one (principal, action) allows: the dimensions, the allowed combinations (an
    index into each dimension) with their context keys and decisions."""

    principal: str
    action: str
    dimensions: tuple[Dimension, ...]
    allowed: tuple[tuple[int, ...], ...]
    given: Mapping[tuple[int, ...], Mapping[str, Value]]
    decisions: Mapping[tuple[int, ...], Decision]
    exhaustive: bool
    evaluated: int


def merge(keys: Mapping[str, Value], assignment: Mapping[str, Value]) -> dict[str, tuple[str, ...] | str]:
    """`keys` with `assignment` laid over them (names compare case-insensitively; None removes)."""
    result: dict[str, tuple[str, ...] | str] = {}
    folded: dict[str, str] = {}
    for name, value in list(keys.items()) + list(assignment.items()):
        previous = folded.pop(name.lower(), None)
        if previous is not None:
            del result[previous]
        if value is not None:
            result[name] = value
            folded[name.lower()] = name
    return result


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
    return is_account_root(value) and account_of(value) == caller.account


def can_apply(document: PolicyDocument, statement: Statement, request: Request, with_principal: bool) -> bool:
    """Whether the statement may apply to the request for some context keys."""
    if statement.effect is None or statement.effect.value not in ("Allow", "Deny"):
        return False
    if not _action_fits(statement, request.action) or not _resource_fits(document, statement, request.context.resource):
        return False
    if not with_principal or statement.not_principal is not None:
        return True
    return statement.principal is not None and any(_names(p, request) for p in statement.principal)


def _delegates_only(statement: Statement, request: Request) -> bool:
    """The statement can name the caller only through its account (`arn:aws:iam::ID:root`,
    or the bare id), and the caller is not that account's root user."""
    if request.caller.kind == "root" or statement.principal is None or statement.not_principal is not None:
        return False
    return not any(_names(p, request) and not is_account_root(p.value) for p in statement.principal)


class _Scope(NamedTuple):
    atoms: tuple[Atom, ...]
    keys: dict[str, str]  # lower -> as named
    can_allow: bool
    unsolved: bool  # a variable on a fixed element reads a free key
    # (policy path, statement index) -> the keys a Deny statement reads; None when ambiguous
    denies: dict[tuple[str, int], frozenset[str] | None]
    applied: tuple[int, ...]  # ids of the statements and grants that can apply


def _deciding_dimensions(
    decision: Decision, denies: Mapping[tuple[str, int], frozenset[str] | None], dimensions: tuple[Dimension, ...] | list[Dimension]
) -> tuple[int, ...] | None:
    """The dimensions a Deny that decided reads: any request that agrees with this one on them
    is denied by it too (its principal, action and resource are the same). None when the Deny
    cannot be told apart from another statement."""
    for reason in decision.reasons:
        if reason.effect != "Deny" or reason.path is None or reason.statement is None:
            continue
        keys = denies.get((reason.path, reason.statement))
        if keys is None:
            continue
        return tuple(i for i, d in enumerate(dimensions) if {k.lower() for k in d.keys} & keys or _reads_filler(d, keys))
    return None


def _reads_filler(dimension: Dimension, keys: frozenset[str]) -> bool:
    return any(name.lower() in keys for assignment in dimension.assignments for name in assignment)


class Session:
    """One question: a snapshot, a resource and the context keys the user fixed.

    Explorations are shared between actions: two actions for which the same statements and
    grants can apply, of the same service and alike for the evaluator (usable on a key of
    another account, taking an encryption context), get the same decision for every principal
    and context. The exploration of the first stands for the second (its witnesses name the
    first action).
    """

    def __init__(self, snapshot: Snapshot, resource: str, given: Mapping[str, Value] | None = None, *, hypothetical: frozenset[str] = frozenset()) -> None:
        self.snapshot = snapshot
        self.resource = resource
        self.given = dict(given or {})
        self.hypothetical = hypothetical
        self.caches = Caches()
        self._atoms: dict[int, tuple[Statement, tuple[Atom, ...]]] = {}
        self._grants: dict[int, tuple[Grant, tuple[Atom, ...]]] = {}
        self._actions: dict[tuple[int, str], bool] = {}
        self._resources: dict[int, bool] = {}
        self._explored: dict[tuple[object, ...], Exploration] = {}

    def grant_atoms_of(self, grant: Grant) -> tuple[Atom, ...]:
        cached = self._grants.get(id(grant))
        if cached is None:
            cached = self._grants[id(grant)] = (grant, grant_atoms(grant))
        return cached[1]

    def atoms_of(self, document: PolicyDocument, statement: Statement) -> tuple[Atom, ...]:
        cached = self._atoms.get(id(statement))
        if cached is None:
            cached = self._atoms[id(statement)] = (statement, statement_atoms(document, statement))
        return cached[1]

    def _can_apply(self, document: PolicyDocument, statement: Statement, request: Request, with_principal: bool) -> bool:
        """`can_apply`, with the action and resource checks cached per statement."""
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

    def _scope(self, request: Request) -> _Scope:
        atoms: list[Atom] = []
        names: dict[str, str] = {}
        variables: set[str] = set()
        resource_kinds = {"key-policy", "trust-policy", "resource-policy"}
        direct = delegated = granted = False
        identity = request.caller.kind == "root"
        denies: dict[tuple[str, int], frozenset[str] | None] = {}
        applied: list[int] = []
        for document, kind in self.documents(request):
            for statement in document.statements:
                if not self._can_apply(document, statement, request, kind in PRINCIPAL_KINDS):
                    continue
                if statement.is_allow and kind in resource_kinds:
                    if _delegates_only(statement, request):
                        delegated = True
                    else:
                        direct = True
                identity = identity or (statement.is_allow and kind == "identity-policy")
                applied.append(id(statement))
                read = resource_variables(document, statement)
                variables |= read
                own = self.atoms_of(document, statement)
                atoms.extend(own)
                if statement.is_deny:
                    where = (document.path, statement.index)
                    keys = frozenset(a.lower for a in own).union(read, *(a.variables for a in own))
                    if "aws:viaawsservice" in keys:
                        keys |= {"kms:viaservice"}
                    denies[where] = None if where in denies else keys
        target = request.target
        for grant in target.key.grants if target.key is not None else ():
            outcome = evaluate_grant(grant, request)
            if outcome.matched or outcome.near:
                granted = True
                applied.append(id(grant))
                atoms.extend(self.grant_atoms_of(grant))
        # What `decision._permission` needs, short of conditions: a grant, a statement naming
        # the caller (with identity permissions too across accounts), or a delegation to the
        # caller's account with identity permissions.
        can_allow = (
            target.kind not in ("key", "role")
            or granted
            or (direct and (identity or not request.cross_account))
            or (delegated and identity)
        )
        atoms = [a._replace(variables=a.variables | {"kms:viaservice"}) if a.lower == "aws:viaawsservice" else a for a in atoms]
        for atom in atoms:
            names.setdefault(atom.lower, atom.key)
            for name in atom.variables:
                names.setdefault(name, name)
        for name in variables:
            names.setdefault(name, name)
        if "aws:viaawsservice" in names:
            names.setdefault("kms:viaservice", "kms:ViaService")
        fixed = self._fixed(request)
        free = {lower: name for lower, name in names.items() if lower not in fixed and not self._excluded(request, lower)}
        unsolved = bool(variables & set(free)) or any(
            a.variables & set(free) for a in atoms if a.lower not in free and a.lower != "aws:viaawsservice"
        )
        return _Scope(tuple(atoms), free, can_allow, unsolved, denies, tuple(applied))

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

    def decide(self, principal: str, action: str, keys: Mapping[str, Value]) -> Decision:
        return evaluate(self.snapshot, build_request(self.snapshot, principal, action, self.resource, keys))

    def explore(self, principal: str, action: str) -> Exploration | None:
        """Every class of requests from `principal` doing `action`; None when the principal
        cannot make requests."""
        try:
            request = build_request(self.snapshot, principal, action, self.resource, self.given)
        except EvaluationError:
            return None
        scope = self._scope(request)
        if not scope.can_allow:
            return Exploration(principal, action, (), (), {}, {}, True, 0)
        lower = action.lower()
        grants = request.target.key is not None and any(id(g) in scope.applied for g in request.target.key.grants)
        shared = (
            principal,
            scope.applied,
            lower.split(":", 1)[0],
            request.cross_account and lower in _CROSS,
            grants and lower in _WITHOUT_CONTEXT,
        )
        known = self._explored.get(shared)
        if known is not None:
            return known
        base = {name.lower(): value for name, value in request.keys.items()}
        given_via = any(name.lower() == "aws:viaawsservice" for name in self.given)

        def context_of(assignment: Mapping[str, Value]) -> RequestContext:
            keys = merge(request.keys, assignment)
            if request.caller.is_iam and not given_via:
                via = any(name.lower() == "kms:viaservice" for name in keys)
                keys = merge(keys, {"aws:ViaAWSService": "true" if via else "false"})
            return RequestContext(principal=principal, action=action, resource=self.resource, keys=keys)

        dimensions = tuple(build_dimensions(scope.keys, scope.atoms, base, context_of, self.caches))
        exhaustive = not scope.unsolved and all(d.exhaustive for d in dimensions)
        if prod(len(d.assignments) for d in dimensions) > MAX_COMBINATIONS:
            exhaustive = False
        allowed: list[tuple[int, ...]] = []
        given: dict[tuple[int, ...], Mapping[str, Value]] = {}
        decisions: dict[tuple[int, ...], Decision] = {}
        count = 0
        denied: list[tuple[tuple[int, ...], tuple[int, ...]]] = []  # (dimension indexes, picks) always denied
        for picks in product(*(range(len(d.assignments)) for d in dimensions)):
            if any(all(picks[i] == p for i, p in zip(where, chosen)) for where, chosen in denied):
                continue
            if count >= MAX_COMBINATIONS:
                break
            count += 1
            keys = merge(self.given, _assignment(dimensions, picks))
            decision = self.decide(principal, action, keys)
            if decision.decision == "allowed":
                allowed.append(picks)
                given[picks] = keys
                decisions[picks] = decision
            elif decision.decision == "explicitly-denied":
                where = _deciding_dimensions(decision, scope.denies, dimensions)
                if where is not None:
                    denied.append((where, tuple(picks[i] for i in where)))
        found = self._explored[shared] = Exploration(principal, action, dimensions, tuple(allowed), given, decisions, exhaustive, count)
        return found


def _assignment(dimensions: tuple[Dimension, ...], picks: tuple[int, ...]) -> dict[str, Value]:
    assignment: dict[str, Value] = {}
    for dimension, pick in zip(dimensions, picks):
        assignment.update(dimension.assignments[pick])
    return assignment
