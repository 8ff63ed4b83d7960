"""Access assertions checked against one key policy: the breaches, each with a witness and the
statement that grants the access (see `assertions` for the assertion language)."""

from __future__ import annotations

from typing import NamedTuple

from policylint.analyze.access import Access, Scope, analyze
from policylint.analyze.actions import ActionError, expand
from policylint.analyze.assertions import Assertion
from policylint.analyze.lint import UNKNOWN_ACCOUNT
from policylint.analyze.synthetic import key_snapshot, with_principals
from policylint.evaluate.arn import is_account_id, parse_arn
from policylint.evaluate.decision import decide
from policylint.evaluate.request import EvaluationError
from policylint.evaluate.snapshot import KeyEntry, Snapshot, SnapshotError, load_snapshot
from policylint.model.policy import PolicyDocument


class Breach(NamedTuple):
    pointer: str
    message: str


def _code_list(items: list[str]) -> str:
    quoted = [f"`{i}`" for i in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _statements_pointer(document: PolicyDocument) -> str:
    return "/Statement" if isinstance(document.raw, dict) and "Statement" in document.raw else ""


def _setting(assertion: Assertion, document: PolicyDocument) -> tuple[Snapshot, str]:
    """The snapshot and key the assertion is checked on."""
    if assertion.snapshot is None or assertion.key is None:
        account = document.account if document.account is not None and is_account_id(document.account) else UNKNOWN_ACCOUNT
        return key_snapshot(document, account)
    loaded = load_snapshot(assertion.snapshot)
    parsed = parse_arn(assertion.key)
    account = parsed.account if parsed is not None else None
    keys = {**loaded.keys, assertion.key: KeyEntry(arn=assertion.key, account=account, policy=document)}
    return loaded.model_copy(update={"keys": keys}), assertion.key


def _outside(access: Access, allowed: set[str], snapshot: Snapshot) -> bool:
    if access.kind in ("service", "any-service"):
        return access.witness.principal not in allowed
    if access.kind == "anonymous" or access.kind == "anywhere":
        return True
    if access.kind == "organization":
        return access.organization not in allowed
    if access.account in allowed or access.organization in allowed:
        return False
    entry = snapshot.accounts.get(access.account or "")
    return not (entry is not None and entry.organization in allowed)


def _no_access(assertion: Assertion, document: PolicyDocument, snapshot: Snapshot, key: str) -> list[Breach]:
    actions = tuple(dict.fromkeys(a for pattern in assertion.no_access for a in expand(pattern)))
    report = analyze(Scope(snapshot=snapshot, resource=key, actions=actions, given=dict(assertion.context)))
    allowed = set(assertion.outside)
    by_pointer: dict[str, list[Access]] = {}
    for access in report.accesses:
        if not _outside(access, allowed, snapshot):
            continue
        index = access.statements[0] if access.statements else None
        statement = next((s for s in document.statements if s.index == index), None)
        pointer = statement.pointer if statement is not None else _statements_pointer(document)
        by_pointer.setdefault(pointer, []).append(access)
    breaches = []
    for pointer, found in by_pointer.items():
        access = found[0]
        who = access.who if access.kind != "principal" else f"`{access.witness.principal}`"
        when = " only when " + " and ".join(access.conditions) if access.conditions else ""
        more = len(found) - 1
        tail = f" (and {more} more class{'es' if more > 1 else ''} of principals)" if more else ""
        message = (
            f"assertion `{assertion.name}` is violated: {who} can {_code_list(list(access.actions))}{when}, "
            f"as `{access.witness.query}` shows{tail}"
        )
        breaches.append(Breach(pointer, message))
    for item in report.undecided:
        if item.kind in ("service", "any-service", "principal") or item.account in allowed:
            continue
        message = (
            f"assertion `{assertion.name}` may be violated: whether {item.who} can "
            f"{_code_list(list(item.actions))} could not be decided exactly"
        )
        breaches.append(Breach(_statements_pointer(document), message))
    return breaches


def _must_allow(assertion: Assertion, document: PolicyDocument, snapshot: Snapshot, key: str) -> list[Breach]:
    principal = assertion.principal or ""
    parsed = parse_arn(principal)
    if parsed is not None and principal not in snapshot.principals and not parsed.resource == "root":
        snapshot = with_principals(snapshot, [principal])
    denied: list[str] = []
    reason = ""
    for action in dict.fromkeys(a for pattern in assertion.must_allow for a in expand(pattern)):
        decision = decide(snapshot, principal, action, key, dict(assertion.context))
        if decision.decision != "allowed":
            denied.append(action)
            missing = [r.detail for r in decision.reasons if not r.matched or r.effect == "Deny"]
            reason = reason or next(iter(missing or [r.detail for r in decision.reasons]), "")
    if not denied:
        return []
    because = f": {reason}" if reason else ""
    message = f"assertion `{assertion.name}` is violated: `{principal}` cannot {_code_list(denied)}{because}"
    return [Breach(_statements_pointer(document), message)]


def check_assertion(assertion: Assertion, document: PolicyDocument) -> list[Breach]:
    """The breaches of `assertion` by the key policy `document`."""
    try:
        snapshot, key = _setting(assertion, document)
        if assertion.no_access:
            return _no_access(assertion, document, snapshot, key)
        return _must_allow(assertion, document, snapshot, key)
    except (ActionError, SnapshotError, EvaluationError) as error:
        return [Breach(_statements_pointer(document), f"assertion `{assertion.name}` cannot be checked: {error}")]
