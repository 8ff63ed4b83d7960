"""Snapshot principals grouped by everything the evaluator reads about a caller.

Two principals are in one group when they have the same kind (user, role, federated user),
account and service-linked-ness; identity policies, permissions boundary and session policy
with the same statements that can matter for the question (compared by content: `Action` or
`NotAction` covering one of the actions, `Resource` covering the resource); the same values of
the tags a statement that can reach them reads; the same principal ARNs and grantees naming
them; the same results for every `aws:PrincipalArn` / `aws:username` condition value; and,
when a policy variable reads the ARN or user name, the same ARN. The evaluator then makes the
same decision for both on every request, so one representative decides for the group.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from policylint.analyze.atoms import Atom, resource_variables, statement_atoms
from policylint.analyze.classes import Rep
from policylint.analyze.constants import Constants
from policylint.evaluate.arn import account_of, arn_like, parse_arn, resource_matches
from policylint.evaluate.conditions.base import json_text
from policylint.evaluate.match import action_matches, wildcard_match
from policylint.evaluate.snapshot import PrincipalEntry, Snapshot
from policylint.model.policy import PolicyDocument, Statement

_TAG = "aws:principaltag/"
_EXACT = frozenset({"StringEquals", "StringNotEquals"})
_FOLD = frozenset({"StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"})
_IDENTITY_VARIABLES = frozenset({"aws:principalarn", "aws:username", "aws:userid"})


def _relevant(statement: Statement, actions: Sequence[str], resource: str) -> bool:
    if statement.action is not None:
        if not any(action_matches(e.value, a) for e in statement.action for a in actions):
            return False
    elif statement.not_action is not None:
        if all(any(action_matches(e.value, a) for e in statement.not_action) for a in actions):
            return False
    if statement.resource is not None:
        return any("${" in e.value or resource_matches(e.value, resource) for e in statement.resource)
    return True


def _reads(document: PolicyDocument, statement: Statement) -> tuple[tuple[Atom, ...], frozenset[str]]:
    atoms = statement_atoms(document, statement)
    keys = frozenset(a.lower for a in atoms).union(resource_variables(document, statement), *(a.variables for a in atoms))
    return atoms, keys


class _Info:
    __slots__ = ("document", "relevant", "content", "atoms", "keys")

    def __init__(self, document: PolicyDocument, statements: list[Statement]) -> None:
        self.document = document
        self.relevant = bool(statements)
        raw = document.raw if isinstance(document.raw, dict) else {}
        chosen = [raw["Statement"][s.index] if isinstance(raw.get("Statement"), list) else raw.get("Statement") for s in statements]
        self.content = json.dumps([document.version_value, chosen], sort_keys=True, default=str)
        read = [_reads(document, s) for s in statements]
        self.atoms = tuple(a for atoms, _ in read for a in atoms)
        self.keys = frozenset().union(*(keys for _, keys in read))


class _Documents:
    """Identity-side documents: what can matter in each (cached per document)."""

    def __init__(self, actions: Sequence[str], resource: str) -> None:
        self.actions = actions
        self.resource = resource
        self._seen: dict[int, _Info] = {}

    def get(self, document: PolicyDocument) -> _Info:
        info = self._seen.get(id(document))
        if info is None:
            statements = [s for s in document.statements if _relevant(s, self.actions, self.resource)]
            info = self._seen[id(document)] = _Info(document, statements)
        return info


def _reach(statement: Statement, kind: str) -> frozenset[str] | None:
    """The accounts whose principals a statement can apply to (None: any)."""
    if kind not in ("key-policy", "resource-policy", "trust-policy") or statement.not_principal is not None:
        return None
    accounts: set[str] = set()
    for principal in statement.principal or ():
        if principal.value == "*":
            return None
        if principal.type == "AWS":
            account = account_of(principal.value)
            if account is not None:
                accounts.add(account)
    return frozenset(accounts)


def _global_tags(documents: Iterable[PolicyDocument]) -> tuple[set[str], dict[str, set[str]]]:
    """Tags read by statements that can reach any account, and by account."""
    anywhere: set[str] = set()
    by_account: dict[str, set[str]] = {}
    for document in documents:
        for statement in document.statements:
            tags = {k[len(_TAG):] for k in _reads(document, statement)[1] if k.startswith(_TAG)}
            if not tags:
                continue
            reach = _reach(statement, document.kind)
            if reach is None:
                anywhere |= tags
            else:
                for account in reach:
                    by_account.setdefault(account, set()).update(tags)
    return anywhere, by_account


def _test(atom: Atom, value: str, subject: str) -> bool:
    parts = atom.parts
    if parts is None:
        return False
    if parts.family == "arn":
        return arn_like(value, subject)
    if parts.base in _EXACT:
        return value == subject
    if parts.base in _FOLD:
        return value.casefold() == subject.casefold()
    return wildcard_match(value, subject)


def snapshot_classes(
    snapshot: Snapshot, documents: Sequence[PolicyDocument], constants: Constants, actions: Sequence[str], resource: str
) -> list[Rep]:
    """The snapshot's principals, grouped (see the module docstring). `documents` are the
    policies outside identity policies that apply (resource policy, SCPs, RCPs, ...)."""
    infos = _Documents(actions, resource)
    arn_atoms = list(constants.arn_atoms)
    name_atoms: list[Atom] = []
    variables = set(constants.variables)
    for entry in snapshot.principals.values():
        for document in entry.policies + tuple(d for d in (entry.permissions_boundary, entry.session_policy) if d):
            info = infos.get(document)
            for atom in info.atoms:
                variables |= atom.variables
                if atom.lower == "aws:principalarn" and atom not in arn_atoms:
                    arn_atoms.append(atom)
                elif atom.lower == "aws:username" and atom not in name_atoms:
                    name_atoms.append(atom)
    raw_identity = bool(variables & _IDENTITY_VARIABLES)
    anywhere, by_account = _global_tags(documents)
    arn_values = [(a, t) for a in arn_atoms for t in (json_text(v) for v in a.values) if t is not None]
    name_values = [(a, t) for a in name_atoms for t in (json_text(v) for v in a.values) if t is not None]
    named = frozenset(constants.principal_arns)
    groups: dict[tuple[object, ...], list[str]] = {}
    for arn, entry in snapshot.principals.items():
        parts = arn.split(":", 5)
        if len(parts) != 6:
            continue
        tags = anywhere | by_account.get(parts[4], set())
        signature = _signature(parts, entry, infos, tags, named, arn_values, name_values, raw_identity)
        if signature is not None:
            groups.setdefault(signature, []).append(arn)
    reps = []
    for members in groups.values():
        members.sort()
        parsed = parse_arn(members[0])
        reps.append(Rep(principal=members[0], kind="snapshot", account=parsed.account if parsed else None, members=tuple(members)))
    return sorted(reps, key=lambda r: r.principal)


def _signature(
    parts: list[str],
    entry: PrincipalEntry,
    infos: _Documents,
    tags: set[str],
    named: frozenset[str],
    arn_values: list[tuple[Atom, str]],
    name_values: list[tuple[Atom, str]],
    raw_identity: bool,
) -> tuple[object, ...] | None:
    service, account, resource = parts[2], parts[4], parts[5]
    arn = ":".join(parts)
    kind = resource.split("/", 1)[0]
    if (service, kind) not in (("iam", "user"), ("iam", "role"), ("sts", "federated-user")):
        return None
    own = [infos.get(d) for d in entry.policies]
    documents = tuple(sorted(i.content for i in own if i.relevant))
    limits = tuple(None if d is None else infos.get(d).content for d in (entry.permissions_boundary, entry.session_policy))
    read = set(tags)
    for info in own + [infos.get(d) for d in (entry.permissions_boundary, entry.session_policy) if d is not None]:
        read.update(k[len(_TAG):] for k in info.keys if k.startswith(_TAG))
    folded = {t.lower() for t in read}
    tagged = tuple(sorted((k, v) for k, v in entry.tags.items() if k.lower() in folded)) if folded else ()
    names = arn if arn in named else None
    arn_vector = tuple(_test(a, v, arn) for a, v in arn_values) if arn_values else ()
    user = resource.rsplit("/", 1)[-1] if kind == "user" else None
    name_vector = tuple(user is not None and _test(a, v, user) for a, v in name_values) if name_values else ()
    linked = "/aws-service-role/" in resource
    return (service, kind, account, linked, documents, limits, tagged, names, arn_vector, name_vector, arn if raw_identity else None)
