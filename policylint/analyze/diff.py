"""`policylint diff OLD NEW`: does the new policy allow any request the old one does not?

Each document is the policy of a synthetic resource in `account`: a key policy of a KMS key,
or a resource policy of every resource its `Resource` elements can name (one per class of
ARNs, `automaton`). Principals outside that account are assumed to have IAM policies that
allow everything, so that delegation to an account counts as access by "any principal of
the account whose IAM policies allow it". The principal, action and context classes are
built from the constants of both documents; each combination the new policy allows is
decided again with the old policy, and the ones the old policy does not allow are new access,
each with a witness both decisions back. When the statements that can apply to a principal
and action are the same in both documents, the decisions are the same and nothing is
enumerated.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from policylint.analyze import automaton
from policylint.analyze.access import Access, Naming, Undecided, entries_of, label, merge_entries, merge_undecided, order, suppress
from policylint.analyze.actions import action_classes, expand
from policylint.analyze.classes import hypothetical_arns, outside_reps
from policylint.analyze.constants import collect
from policylint.analyze.scope import union
from policylint.analyze.search import Exploration, Session
from policylint.analyze.synthetic import SYNTHETIC_REGION, allow_all, key_arn, with_principals
from policylint.analyze.values import Value
from policylint.analyze.witness import Witness
from policylint.catalog.kms import ACCOUNT_LEVEL_ACTIONS
from policylint.evaluate.arn import parse_arn
from policylint.evaluate.decision import Decision, DecisionValue
from policylint.evaluate.match import GlobPattern
from policylint.evaluate.snapshot import KeyEntry, ResourceEntry, Snapshot
from policylint.model.policy import PolicyDocument

DiffKind = Literal["key-policy", "resource-policy"]
DIFF_KINDS: tuple[str, ...] = ("key-policy", "resource-policy")


class DiffError(ValueError):
    """Documents that cannot be compared."""


class DiffReport(BaseModel):
    """New access: requests the new document allows and the old one does not."""

    model_config = ConfigDict(frozen=True)

    kind: DiffKind
    account: str
    old: str
    new: str
    accesses: tuple[Access, ...]
    undecided: tuple[Undecided, ...] = ()


def _resources(documents: Iterable[PolicyDocument], kind: DiffKind, account: str) -> list[str]:
    """One resource per class of ARNs the documents' `Resource` elements tell apart."""
    automata: list[automaton.Automaton] = []
    services: set[str] = set()
    for document in documents:
        for statement in document.statements:
            for entry in (statement.resource or ()) + (statement.not_resource or ()):
                made = automaton.arn_pattern(GlobPattern.parse(entry.value)) if "${" not in entry.value else None
                if made is not None:
                    automata.append(made)
            for action in (statement.action or ()) + (statement.not_action or ()):
                service = action.service
                if service and "*" not in service and "?" not in service:
                    services.add(service)
    if kind == "key-policy":
        found = [key_arn(account)]
        prefix = f"arn:aws:kms:{SYNTHETIC_REGION}:{account}:key/"
    else:
        found = [f"arn:aws:{s}:{SYNTHETIC_REGION}:{account}:example" for s in sorted(services)]
        prefix = "arn:"
    if automata:
        found += automaton.witnesses(automata, prefix=prefix, required=[automaton.arn_shape()]).strings
    resources = list(dict.fromkeys(found))
    if kind == "resource-policy":
        resources = [r for r in resources if parse_arn(r) is not None]
    return resources or [key_arn(account)]


def _actions(documents: Iterable[PolicyDocument], kind: DiffKind, resources: Iterable[str]) -> tuple[str, ...]:
    if kind == "key-policy":
        return tuple(a for a in expand("kms:*") if a not in ACCOUNT_LEVEL_ACTIONS)
    services: set[str] = set()
    for document in documents:
        for statement in document.statements:
            for action in (statement.action or ()) + (statement.not_action or ()):
                if action.service and "*" not in action.service and "?" not in action.service:
                    services.add(action.service)
    for resource in resources:
        parsed = parse_arn(resource)
        if parsed is not None and "*" not in parsed.service:
            services.add(parsed.service)
    found: list[str] = []
    for service in sorted(services):
        try:
            found.extend(expand(f"{service}:*"))
        except ValueError:
            continue
    return tuple(dict.fromkeys(found))


def _snapshot(document: PolicyDocument, kind: DiffKind, account: str, resources: Iterable[str]) -> Snapshot:
    if kind == "key-policy":
        keys = {}
        for arn in resources:
            parsed = parse_arn(arn)
            keys[arn] = KeyEntry(arn=arn, account=parsed.account if parsed is not None else account, policy=document)
        return Snapshot(path="<diff>", keys=keys)
    return Snapshot(path="<diff>", resources={arn: ResourceEntry(arn=arn, account=account, policy=document) for arn in resources})


def _explore(new: Session, old: Session, principal: str, action: str) -> tuple[Exploration, dict[tuple[int, ...], DecisionValue]] | None:
    """The combinations `new` allows and `old` does not, with the old decisions."""
    request_new, request_old = new.request(principal, action), old.request(principal, action)
    if request_new is None or request_old is None:
        return None
    scope_new = new.scoper.scope(request_new)
    if not scope_new.can_allow:
        return Exploration(principal, action, (), (), {}, {}, True, 0), {}
    scope_old = old.scoper.scope(request_old)
    if scope_new.contents == scope_old.contents:
        return Exploration(principal, action, (), (), {}, {}, True, 0), {}
    joint = union(scope_new, scope_old)
    dimensions, exhaustive = new.dimensions(request_new, joint)
    allowed: list[tuple[int, ...]] = []
    given: dict[tuple[int, ...], dict[str, Value]] = {}
    decisions: dict[tuple[int, ...], Decision] = {}
    before: dict[tuple[int, ...], DecisionValue] = {}
    count = 0
    for picks, keys, decision in new.enumerate(principal, action, dimensions, joint):
        count += 1
        if decision.decision != "allowed":
            continue
        previous = old.decide(principal, action, keys)
        if previous.decision == "allowed":
            continue
        allowed.append(picks)
        given[picks] = dict(keys)
        decisions[picks] = decision
        before[picks] = previous.decision
    exhaustive = exhaustive and not new.truncated
    return Exploration(principal, action, dimensions, tuple(allowed), given, decisions, exhaustive, count), before


def diff_documents(
    old: PolicyDocument,
    new: PolicyDocument,
    *,
    kind: str,
    account: str,
    trusted_accounts: Iterable[str] = (),
    old_label: str | None = None,
    new_label: str | None = None,
) -> DiffReport:
    """New access the `new` document gives over the `old` one (see the module docstring)."""
    if kind not in DIFF_KINDS:
        raise DiffError(f"`diff` compares key policies and resource policies, not `{kind}`")
    chosen: DiffKind = kind  # type: ignore[assignment]
    documents = [old, new]
    resources = _resources(documents, chosen, account)
    actions = _actions(documents, chosen, resources)
    constants = collect(documents)
    accounts = {account, *trusted_accounts}
    reps, exact = outside_reps(Snapshot(path="<diff>"), constants, accounts, anonymous=chosen != "key-policy")
    added = hypothetical_arns(reps)
    sessions = any(":assumed-role/" in r.principal for r in reps)
    new_snapshot = with_principals(_snapshot(new, chosen, account, resources), added, sessions=sessions)
    old_snapshot = with_principals(_snapshot(old, chosen, account, resources), added, sessions=sessions)
    classes = action_classes(actions, [*documents, allow_all()])
    naming = Naming(constants=constants, named_accounts=frozenset(accounts | set(constants.accounts)), named_orgs=constants.organizations)
    entries: list[Access] = []
    undecided: list[Undecided] = []
    for resource in resources:
        new_session = Session(new_snapshot, resource, hypothetical=frozenset(added))
        old_session = Session(old_snapshot, resource, hypothetical=frozenset(added))
        old_session.caches = new_session.caches
        for rep in reps:
            for members in classes:
                found = _explore(new_session, old_session, rep.principal, members[0])
                if found is None:
                    continue
                exploration, before = found
                if exploration.allowed:
                    for entry in entries_of(rep, members, exploration, naming, resource):
                        witnesses = tuple(_before(w, exploration, before) for w in entry.witnesses)
                        entries.append(entry.model_copy(update={"witnesses": witnesses}))
                if not (exploration.exhaustive and exact):
                    who, what = label(rep)
                    undecided.append(Undecided(who=who, kind=what, actions=members))

    def rewitness(witness: Witness, action: str) -> Witness | None:
        session_new = Session(new_snapshot, witness.resource, hypothetical=frozenset(added))
        session_old = Session(old_snapshot, witness.resource, hypothetical=frozenset(added))
        now = session_new.decide(witness.principal, action, witness.context).decision
        then = session_old.decide(witness.principal, action, witness.context).decision
        if now != "allowed" or then == "allowed":
            return None
        return witness.model_copy(update={"action": action, "before": then})

    merged = suppress(merge_entries(entries), rewitness)
    merged.sort(key=order)
    return DiffReport(
        kind=chosen,
        account=account,
        old=old_label or old.path,
        new=new_label or new.path,
        accesses=tuple(merged),
        undecided=tuple(merge_undecided(undecided)),
    )


def _before(witness: Witness, exploration: Exploration, before: dict[tuple[int, ...], DecisionValue]) -> Witness:
    for picks, keys in exploration.given.items():
        if dict(keys) == dict(witness.context):
            return witness.model_copy(update={"before": before[picks]})
    return witness
