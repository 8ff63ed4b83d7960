"""Principal classes: finitely many representatives that stand for every possible caller.

Snapshot principals are grouped by `grouping`. Callers outside the snapshot are represented, per account the policies or the snapshot name
(and per account matched by an account pattern, and one account nobody names), by: the
account root user, a role of that account (`ExampleRole`), a user when the policies can tell
users from roles, and one role or user per class of the `aws:PrincipalArn` conditions and the
principal ARNs written in policies (witnesses of `automaton`). These are assumed to have IAM
policies that allow everything (`synthetic.allow_all`): the answer for them is "allowed if
their IAM policies allow it". Service principals: each one named, plus one nobody names.
Anonymous callers: one representative (not for KMS keys: KMS only accepts signed requests).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from policylint.analyze import automaton
from policylint.analyze.atoms import Atom
from policylint.analyze.constants import Constants
from policylint.analyze.values import FRESH_ACCOUNT
from policylint.evaluate.arn import is_account_id, parse_arn
from policylint.evaluate.conditions.base import json_text
from policylint.evaluate.context import ANONYMOUS
from policylint.evaluate.match import wildcard_match
from policylint.evaluate.snapshot import Snapshot
from policylint.evaluate.variables import resolve_pattern

RepKind = Literal["snapshot", "account", "root", "user", "arn", "service", "anonymous"]
AccountKind = Literal["named", "pattern", "fresh"]
FRESH_SERVICE = "example.amazonaws.com"
_FOLD = frozenset({"StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"})
_EXACT = frozenset({"StringEquals", "StringNotEquals"})


class Rep(BaseModel):
    """A representative caller. `members`: the snapshot principals it stands for."""

    model_config = ConfigDict(frozen=True)

    principal: str
    kind: RepKind
    account: str | None = None
    account_kind: AccountKind | None = None
    members: tuple[str, ...] = ()
    hypothetical: bool = False
    pattern: str | None = None  # the account pattern a `pattern` account was made from
    named: bool = False  # a service or ARN written in the policies


# -- callers outside the snapshot ----------------------------------------------------------------


def _automata(atoms: Sequence[Atom], account: str) -> tuple[list[automaton.Automaton], bool]:
    context = {"aws:PrincipalAccount": account, "kms:CallerAccount": account}
    found: list[automaton.Automaton] = []
    exact = True
    for atom in atoms:
        if atom.parts is None:
            continue
        for value in atom.values:
            text = json_text(value)
            pattern = None if text is None else resolve_pattern(text, context, enabled=atom.enabled)
            if pattern is None:
                exact = exact and text is None
                continue
            if atom.parts.family == "arn":
                made = automaton.arn_pattern(pattern)
                if made is not None:
                    found.append(made)
            elif atom.parts.base in _EXACT:
                found.append(automaton.literal(pattern.text))
            elif atom.parts.base in _FOLD:
                found.append(automaton.literal(pattern.text, fold=True))
            else:
                found.append(automaton.glob(pattern))
    return found, exact


def _shaped(prefix: str, automata: list[automaton.Automaton], friendly: str) -> tuple[list[str], bool]:
    """One ARN per class, starting with `prefix` and a non-empty name; `friendly` first."""
    shape = automaton.literal(prefix) + (automaton.Item("one", cls=automaton.NO_COLON), automaton.Item("run", cls=automaton.NO_COLON))
    found = automaton.witnesses(automata, prefix=prefix, required=[shape])
    kept: dict[tuple[bool, ...], str] = {}
    for text in (prefix + friendly, *found.strings):
        kept.setdefault(tuple(automaton.accepts(a, text) for a in automata), text)
    return list(kept.values()), found.exhaustive


# How many account ids `fresh_account` tries before settling for one that only avoids `taken`.
_FRESH_TRIES = 4096


def fresh_account(taken: Iterable[str], patterns: Iterable[str]) -> str:
    """An account id nobody names: not taken and, where possible, matching no pattern.

    A pattern such as `*` (a `StringLike` on `kms:CallerAccount` with `*`) matches every account;
    it cannot be avoided, so the search is bounded and then ignores the patterns.
    """
    used = set(taken)
    narrowing = [p for p in patterns if set(p) - {"*"}]
    candidate = int(FRESH_ACCOUNT)
    first_unused = None
    for _ in range(_FRESH_TRIES):
        text = f"{candidate:012d}"
        if text not in used:
            if first_unused is None:
                first_unused = text
            if not any(wildcard_match(p, text) for p in narrowing):
                return text
        candidate -= 1
    while first_unused is None:
        text = f"{candidate:012d}"
        first_unused = text if text not in used else None
        candidate -= 1
    return first_unused


def pattern_account(pattern: str) -> str | None:
    """An account id matching an account pattern (`1111*`), or None."""
    stars = pattern.count("*")
    fixed = len(pattern) - stars
    if fixed > 12 or (stars == 0 and fixed != 12):
        return None
    fill = 12 - fixed
    text, first = "", True
    for char in pattern:
        if char == "*":
            text += "9" * fill if first else ""
            first = False
        else:
            text += "9" if char == "?" else char
    return text if is_account_id(text) and wildcard_match(pattern, text) else None


def outside_reps(
    snapshot: Snapshot,
    constants: Constants,
    accounts: Iterable[str],
    *,
    anonymous: bool,
) -> tuple[list[Rep], bool]:
    """Representatives of callers outside the snapshot; and whether they are exhaustive."""
    named = sorted(set(accounts) | set(constants.accounts))
    exact = len(constants.account_patterns) <= 1
    plan: list[tuple[str, AccountKind, str | None]] = [(a, "named", None) for a in named]
    for pattern in sorted(constants.account_patterns):
        made = pattern_account(pattern)
        if made is None:
            exact = False
        elif made not in named:
            plan.append((made, "pattern", pattern))
    plan.append((fresh_account(named, constants.account_patterns), "fresh", None))
    users = bool(constants.keys & {"aws:username", "aws:principaltype", "aws:principalarn"}) or any(
        ":user/" in a for a in constants.principal_arns
    )
    reps: list[Rep] = []
    for account, kind, pattern in plan:
        common = {"account": account, "account_kind": kind, "pattern": pattern}
        automata, exact_atoms = _automata(constants.arn_atoms, account)
        automata += [automaton.literal(a) for a in sorted(constants.principal_arns)]
        exact = exact and exact_atoms
        shapes = [("role", "ExampleRole", "account")] + ([("user", "ExampleUser", "user")] if users else [])
        for shape, friendly, generic in shapes:
            arns, complete = _shaped(f"arn:aws:iam::{account}:{shape}/", automata, friendly)
            exact = exact and complete
            for index, arn in enumerate(arns):
                if arn in snapshot.principals:
                    continue
                rep_kind: RepKind = generic if index == 0 else "arn"  # type: ignore[assignment]
                named_arn = arn in constants.principal_arns or arn in constants.literals
                reps.append(Rep(principal=arn, kind=rep_kind, hypothetical=True, named=named_arn, **common))
        reps.append(Rep(principal=f"arn:aws:iam::{account}:root", kind="root", **common))
        for arn in sorted(constants.principal_arns):
            parsed = parse_arn(arn)
            if parsed is not None and parsed.account == account and parsed.service == "sts" and arn not in snapshot.principals:
                reps.append(Rep(principal=arn, kind="arn", hypothetical=True, named=True, **common))
    for service in sorted(constants.services):
        reps.append(Rep(principal=service, kind="service", named=True))
    generic = FRESH_SERVICE
    while generic in constants.services:
        generic = "x" + generic
    reps.append(Rep(principal=generic, kind="service"))
    if anonymous:
        reps.append(Rep(principal=ANONYMOUS, kind="anonymous"))
    return reps, exact


def hypothetical_arns(reps: Iterable[Rep]) -> list[str]:
    """ARNs to add to the snapshot (with an allow-all identity policy): roles, users and the
    roles behind sessions of representatives outside the snapshot."""
    found: list[str] = []
    for rep in reps:
        if not rep.hypothetical:
            continue
        parsed = parse_arn(rep.principal)
        if parsed is None:
            continue
        if parsed.service == "sts" and parsed.resource.startswith("assumed-role/"):
            role = parsed.resource.split("/")[1]
            found.append(f"arn:{parsed.partition}:iam::{parsed.account}:role/{role}")
        else:
            found.append(rep.principal)
    return found
