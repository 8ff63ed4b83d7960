"""Who can do what on one resource: every principal class, every action class, every class of
context, each allowed combination backed by a witness the concrete evaluator allowed.

`analyze` runs the question; `who_can`, `is_public` and the assertions read its `Access`
entries. An entry is one principal class (a snapshot principal or group of alike principals,
an account, an organization, any account, a service principal, anonymous callers) with the
actions it can do under the same conditions, and one witness. An exploration that could not be
exhaustive (too many combinations, a condition family mix, a variable reading a free key) is
reported as `Undecided`: access "may" exist there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import product
from typing import Literal

from pydantic import BaseModel, ConfigDict

from policylint.analyze.actions import action_classes
from policylint.analyze.classes import Rep, hypothetical_arns, outside_reps
from policylint.analyze.grouping import snapshot_classes
from policylint.analyze.constants import Constants, collect
from policylint.analyze.describe import conditions
from policylint.analyze.search import DEFAULT_BUDGET, Exploration, Session
from policylint.analyze.synthetic import allow_all, with_principals
from policylint.analyze.values import Value
from policylint.analyze.witness import Witness
from policylint.evaluate.arn import account_of, parse_arn
from policylint.evaluate.snapshot import Grant, Snapshot
from policylint.model.policy import PolicyDocument

ClassKind = Literal["principal", "account", "root", "user", "arn", "organization", "anywhere", "service", "any-service", "anonymous"]
SOURCE_KEYS = ("aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths")
_ORDER: tuple[str, ...] = ("principal", "account", "user", "root", "arn", "organization", "anywhere", "service", "any-service", "anonymous")


class Access(BaseModel):
    """One principal class that can do `actions` on the resource under `conditions`."""

    model_config = ConfigDict(frozen=True)

    who: str
    kind: ClassKind
    members: tuple[str, ...] = ()
    account: str | None = None
    organization: str | None = None
    actions: tuple[str, ...]
    conditions: tuple[str, ...] = ()
    witnesses: tuple[Witness, ...]  # one per class of actions alike
    public: bool = False
    statements: tuple[int, ...] = ()  # resource-policy statements that allowed the witness requests


    @property
    def witness(self) -> Witness:
        return self.witnesses[0]


class Undecided(BaseModel):
    """A principal class and actions for which access could not be decided exactly."""

    model_config = ConfigDict(frozen=True)

    who: str
    kind: ClassKind
    actions: tuple[str, ...]
    public: bool = False
    account: str | None = None


class AccessReport(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    resource: str
    actions: tuple[str, ...]
    accesses: tuple[Access, ...]
    undecided: tuple[Undecided, ...] = ()
    named_accounts: frozenset[str] = frozenset()
    named_organizations: frozenset[str] = frozenset()


class Scope(BaseModel):
    """The question: snapshot, resource, actions, fixed context keys, the trust zone."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    snapshot: Snapshot
    resource: str
    actions: tuple[str, ...]
    given: Mapping[str, Value] = {}
    trusted_accounts: frozenset[str] = frozenset()
    organization: str | None = None
    budget: int = DEFAULT_BUDGET  # requests to decide at most


def _target_documents(snapshot: Snapshot, resource: str) -> tuple[list[PolicyDocument], list[Grant], str | None]:
    documents: list[PolicyDocument] = []
    grants: list[Grant] = []
    owner = account_of(resource)
    key = snapshot.keys.get(resource)
    if key is not None:
        owner = key.account
        grants = list(key.grants)
        if key.policy is not None:
            documents.append(key.policy)
    entry = snapshot.resources.get(resource) or snapshot.resources.get(resource.split("/", 1)[0])
    if entry is not None:
        owner = entry.account
        if entry.policy is not None:
            documents.append(entry.policy)
    role = snapshot.principals.get(resource)
    if role is not None and role.trust_policy is not None:
        documents.append(role.trust_policy)
    for account in snapshot.accounts.values():
        documents += [d for level in account.scps for d in level] + [d for level in account.rcps for d in level]
    documents += [e.policy for e in snapshot.vpc_endpoints.values() if e.policy is not None]
    return documents, grants, owner


def _is_kms_key(resource: str) -> bool:
    parsed = parse_arn(resource)
    return parsed is not None and parsed.service == "kms"


class Naming(BaseModel):
    """What the policies and settings name: their constants, accounts and organizations."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    constants: Constants
    named_accounts: frozenset[str]
    named_orgs: frozenset[str]


def _named(value: Value, context: Naming) -> bool:
    """A value that names an account, organization or resource of the policies."""
    for text in (value,) if isinstance(value, str) else value or ():
        if text in context.constants.literals or text in context.named_accounts or text in context.named_orgs:
            return True
        parts = text.split(":", 5)
        if len(parts) == 6 and parts[4] in context.named_accounts:
            return True
        if text.split("/", 1)[0] in context.named_orgs:
            return True
    return False


def _group(rep: Rep, assignment: Mapping[str, Value], context: Naming) -> tuple[str | None, bool]:
    """(organization the class is split by, whether the requests come from the public)."""
    folded = {k.lower(): v for k, v in assignment.items()}
    if rep.kind == "anonymous":
        return None, True
    if rep.kind == "service":
        return None, not rep.named and not any(_named(folded.get(k), context) for k in SOURCE_KEYS)
    if rep.kind == "snapshot":
        return None, False
    org = folded.get("aws:principalorgid")
    named = org if isinstance(org, str) and org in context.named_orgs else None
    return named, rep.account_kind in ("fresh", "pattern") and named is None


def _label(rep: Rep, organization: str | None) -> tuple[str, ClassKind]:
    account = rep.account or ""
    if rep.kind == "snapshot":
        if len(rep.members) == 1:
            return rep.principal, "principal"
        return f"{len(rep.members)} principals alike: " + ", ".join(f"`{m}`" for m in rep.members), "principal"
    if rep.kind == "service":
        if rep.named:
            return f"service principal `{rep.principal}`", "service"
        return f"any other service principal (e.g. `{rep.principal}`)", "any-service"
    if rep.kind == "anonymous":
        return "anonymous callers", "anonymous"
    if organization is not None and rep.account_kind == "fresh":
        return f"any principal of organization `{organization}` whose IAM policies allow it", "organization"
    where = {
        "named": f"account `{account}`",
        "pattern": f"an account matching `{rep.pattern}` (e.g. `{account}`)",
        "fresh": "any other account",
    }[rep.account_kind or "named"]
    if organization is not None:
        where += f" (in organization `{organization}`)"
    if rep.kind == "account":
        if rep.account_kind == "fresh":
            return "any AWS principal in any other account whose IAM policies allow it", "anywhere"
        return f"any principal of {where} whose IAM policies allow it", "account"
    if rep.kind == "root":
        return f"the root user of {where}", "root"
    if rep.kind == "user":
        return f"any IAM user of {where} whose IAM policies allow it", "user"
    if rep.named and rep.account_kind == "named":
        return f"`{rep.principal}`, if its IAM policies allow it", "arn"
    return f"principals like `{rep.principal}` in {where}, if their IAM policies allow it", "arn"


def _statements(exploration: Exploration, picks: Iterable[tuple[int, ...]]) -> set[int]:
    found: set[int] = set()
    for pick in picks:
        for reason in exploration.decisions[pick].reasons:
            if reason.policy_kind in ("key-policy", "resource-policy", "trust-policy") and reason.statement is not None and reason.effect == "Allow":
                found.add(reason.statement)
    return found


def entries_of(rep: Rep, actions: tuple[str, ...], exploration: Exploration, context: Naming, resource: str) -> list[Access]:
    dims = exploration.dimensions
    universe = list(product(*(range(len(d.assignments)) for d in dims)))

    # A named account's class is split by organization only where the organization decides.
    whole = conditions(dims, exploration.allowed, context.constants.literals, universe)
    split = rep.account_kind != "named" or any("`aws:PrincipalOrgID`" in c for c in whole)

    def key_of(picks: tuple[int, ...]) -> tuple[str | None, bool]:
        merged: dict[str, Value] = {}
        for dim, pick in zip(dims, picks):
            merged.update(dim.assignments[pick])
        organization, public = _group(rep, merged, context)
        return (organization if split else None), public

    groups: dict[tuple[str | None, bool], list[tuple[int, ...]]] = {}
    for picks in exploration.allowed:
        groups.setdefault(key_of(picks), []).append(picks)
    found = []
    for (organization, public), allowed in groups.items():
        space = [p for p in universe if key_of(p) == (organization, public)]
        first = min(allowed, key=lambda p: (sum(v is not None for v in exploration.given[p].values()), p))
        decision = exploration.decisions[first]
        witness = Witness(
            principal=rep.principal,
            action=exploration.action,
            resource=resource,
            context=dict(exploration.given[first]),
            decision=decision.decision,
            assumed_identity=rep.hypothetical,
        )
        who, kind = _label(rep, organization)
        found.append(
            Access(
                who=who,
                kind=kind,
                members=rep.members,
                account=rep.account if rep.kind != "service" else None,
                organization=organization,
                actions=actions,
                conditions=conditions(dims, allowed, context.constants.literals, space),
                witnesses=(witness,),
                public=public,
                statements=tuple(sorted(_statements(exploration, allowed))),
            )
        )
    return found


def merge_entries(entries: list[Access]) -> list[Access]:
    merged: dict[tuple[object, ...], Access] = {}
    for entry in entries:
        key = (entry.who, entry.kind, entry.organization, entry.conditions, entry.public)
        if key in merged:
            previous = merged[key]
            merged[key] = previous.model_copy(
                update={
                    "actions": tuple(sorted(set(previous.actions) | set(entry.actions), key=str.lower)),
                    "witnesses": previous.witnesses + tuple(w for w in entry.witnesses if w.action not in {p.action for p in previous.witnesses}),
                    "statements": tuple(sorted(set(previous.statements) | set(entry.statements))),
                }
            )
        else:
            merged[key] = entry.model_copy(update={"actions": tuple(sorted(entry.actions, key=str.lower))})
    return list(merged.values())


def _broader(entry: Access, entries: list[Access]) -> list[Access]:
    """Entries of more general classes than `entry`'s, with the same conditions."""
    found: list[Access] = []
    if entry.kind in ("root", "user", "arn"):
        found = [e for e in entries if e.kind == "account" and e.account == entry.account and e.organization == entry.organization]
    if entry.kind in ("root", "user", "arn", "account"):
        if entry.organization is not None:
            found += [e for e in entries if e.kind == "organization" and e.organization == entry.organization]
        else:
            found += [e for e in entries if e.kind == "anywhere"]
    elif entry.kind == "organization":
        found = [e for e in entries if e.kind == "anywhere"]
    elif entry.kind == "service":
        found = [e for e in entries if e.kind == "any-service"]
    return [e for e in found if e.conditions == entry.conditions and e.public >= entry.public]


def _identity(entry: Access) -> tuple[object, ...]:
    return (entry.who, entry.kind, entry.organization, entry.conditions, entry.public)


def suppress(entries: list[Access], rewitness: Callable[[Witness, str], Witness | None]) -> list[Access]:
    """Keep only what no more general entry already says: the actions left, if any. A
    witness whose action is gone is made again for an action that is left. The statements of
    an entry left out go to the entry that covers it."""
    kept: list[Access] = []
    extra: dict[tuple[object, ...], set[int]] = {}
    for entry in entries:
        broader = _broader(entry, entries)
        covered = {a for b in broader for a in b.actions}
        left = tuple(a for a in entry.actions if a not in covered)
        if len(left) == len(entry.actions):
            kept.append(entry)
            continue
        if not left:
            extra.setdefault(_identity(broader[0]), set()).update(entry.statements)
            continue
        witnesses = tuple(w for w in entry.witnesses if w.action in left)
        if not witnesses:
            again = rewitness(entry.witness, left[0])
            if again is None:
                kept.append(entry)
                continue
            witnesses = (again,)
        kept.append(entry.model_copy(update={"actions": left, "witnesses": witnesses}))
    result = []
    for entry in kept:
        more = extra.get(_identity(entry))
        if more:
            entry = entry.model_copy(update={"statements": tuple(sorted(set(entry.statements) | more))})
        result.append(entry)
    return result


def analyze(scope: Scope, *, select: Callable[[Rep], bool] | None = None) -> AccessReport:
    """Every class of principals that can do one of `scope.actions` on `scope.resource`."""
    snapshot, resource = scope.snapshot, scope.resource
    documents, grants, owner = _target_documents(snapshot, resource)
    constants = collect(documents, grants)
    accounts = set(snapshot.accounts) | set(scope.trusted_accounts) | ({owner} if owner else set())
    reps = snapshot_classes(snapshot, documents, constants, scope.actions, resource)
    outside, exact = outside_reps(snapshot, constants, accounts, anonymous=not _is_kms_key(resource))
    reps = [r for r in reps + outside if select is None or select(r)]
    added = [a for a in hypothetical_arns(reps) if a not in snapshot.principals]
    sessions = any(r.principal.startswith("arn:aws:sts:") and ":assumed-role/" in r.principal for r in reps)
    augmented = with_principals(snapshot, added, sessions=sessions)
    session = Session(augmented, resource, scope.given, hypothetical=frozenset(added), budget=scope.budget)
    identity = {id(d): d for e in snapshot.principals.values() for d in e.policies + tuple(x for x in (e.permissions_boundary, e.session_policy) if x)}
    classes = action_classes(scope.actions, [*documents, *identity.values(), allow_all()], grants)
    orgs = set(constants.organizations) | {a.organization for a in snapshot.accounts.values() if a.organization}
    context = Naming(
        constants=constants,
        named_accounts=frozenset(accounts | set(constants.accounts)),
        named_orgs=frozenset(orgs | ({scope.organization} if scope.organization else set())),
    )
    entries: list[Access] = []
    undecided: list[Undecided] = []
    for rep in reps:
        for members in classes:
            exploration = session.explore(rep.principal, members[0])
            if exploration is None:
                continue
            if exploration.allowed:
                entries.extend(entries_of(rep, members, exploration, context, resource))
            if not (exploration.exhaustive and exact):
                who, kind = _label(rep, None)
                public = _group(rep, {}, context)[1]
                account = rep.account if rep.kind != "service" else None
                undecided.append(Undecided(who=who, kind=kind, actions=members, public=public, account=account))
    def rewitness(witness: Witness, action: str) -> Witness | None:
        decision = session.decide(witness.principal, action, witness.context)
        return witness.model_copy(update={"action": action}) if decision.decision == "allowed" else None

    entries = suppress(merge_entries(entries), rewitness)
    entries.sort(key=order)
    return AccessReport(
        resource=resource,
        actions=scope.actions,
        accesses=tuple(entries),
        undecided=tuple(merge_undecided(undecided)),
        named_accounts=context.named_accounts,
        named_organizations=context.named_orgs,
    )


def order(entry: Access) -> tuple[int, str, tuple[str, ...]]:
    return (_ORDER.index(entry.kind), entry.who, entry.actions)


def label(rep: Rep) -> tuple[str, ClassKind]:
    return _label(rep, None)


def merge_undecided(items: Sequence[Undecided]) -> list[Undecided]:
    merged: dict[tuple[str, str], Undecided] = {}
    for item in items:
        key = (item.who, item.kind)
        if key in merged:
            actions = tuple(sorted(set(merged[key].actions) | set(item.actions), key=str.lower))
            merged[key] = merged[key].model_copy(update={"actions": actions})
        else:
            merged[key] = item
    return list(merged.values())
