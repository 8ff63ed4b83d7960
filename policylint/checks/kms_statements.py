"""KMS statement rules: what a key policy's `Resource` and actions can mean (PL210-PL212), the
set operators KMS rejects on encryption context keys (PL213) and the form of kms:ViaService (PL214).

References:
- https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
- https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
- https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
- https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache, lru_cache
from types import MappingProxyType

from policylint.catalog.actions import action_pattern_matches, canonical_action, expand_action_pattern
from policylint.catalog.kms import ACCOUNT_LEVEL_ACTIONS, CROSS_ACCOUNT_ACTIONS, is_encryption_context_key
from policylint.checks.base import CheckContext, implements
from policylint.checks.statement import arn_parts
from policylint.findings import Violation
from policylint.model.infer import principal_account, root_account
from policylint.model.policy import Action, PolicyDocument, Statement

# How many actions a message names before it says "and N more".
_NAMED = 4
_ACCOUNT = re.compile(r"^\d{12}$")


def _names(actions: Iterable[str], limit: int = _NAMED) -> str:
    items = [f"`{a}`" for a in actions]
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    if len(items) > 1:
        return ", ".join(items[:-1]) + " and " + items[-1]
    return items[0] if items else ""


# --- PL210 ----------------------------------------------------------------------------------


def _resource_message(value: str) -> str:
    parts = arn_parts(value)
    if parts is not None and parts[2] == "kms":
        if parts[5].startswith("alias/"):
            return f"`{value}` is an alias ARN: a key policy statement applies only to its own key, so it matches nothing"
        if parts[5].startswith("key/"):
            return f"`{value}` in a key policy matches only when it names this key; `*` always means this key"
    return f"`{value}` is not this key's ARN, so in a key policy it matches nothing; `*` means this key"


@implements("PL210")
def key_policy_resource_not_star(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    if document.kind != "key-policy":
        return
    for statement in document.statements:
        for item in statement.resource or ():
            if item.value != "*":
                yield Violation(code="PL210", pointer=item.pointer, message=_resource_message(item.value))


# --- PL211 ----------------------------------------------------------------------------------


@implements("PL211")
def account_level_action_in_key_policy(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    if document.kind != "key-policy":
        return
    for statement in document.statements:
        for action in statement.action or ():
            if action.has_wildcard:
                continue
            name = canonical_action(action.value)
            if name in ACCOUNT_LEVEL_ACTIONS:
                yield Violation(
                    code="PL211",
                    pointer=action.pointer,
                    message=f"`{name}` is not an operation on a key, so a key policy cannot allow or deny it",
                )


# --- PL212 ----------------------------------------------------------------------------------


@cache
def _kms_actions() -> tuple[str, ...]:
    return expand_action_pattern("kms:*")


def _not_cross_account(action: Action) -> list[str]:
    """The key operations `action` names that KMS does not allow from another account."""
    if action.has_wildcard:
        matched = [a for a in _kms_actions() if action_pattern_matches(action.value, a)]
    else:
        name = canonical_action(action.value)
        matched = [name] if name is not None and name.startswith("kms:") else []
    return [a for a in matched if a not in CROSS_ACCOUNT_ACTIONS and a not in ACCOUNT_LEVEL_ACTIONS]


def _foreign_accounts(statement: Statement, own: str) -> list[str]:
    found: list[str] = []
    for principal in statement.principal or ():
        if principal.type != "AWS" or principal.is_wildcard:
            continue
        account = principal_account(principal.value)
        if account is not None and _ACCOUNT.match(account) and account != own and account not in found:
            found.append(account)
    return found


def _own_account(document: PolicyDocument) -> str | None:
    """The key's account. When it was inferred, prefer the one account whose root is allowed
    `kms:PutKeyPolicy`: KMS never allows that from another account."""
    if document.account_inferred:
        admins = {
            account
            for statement in document.statements
            if statement.is_allow and _allows(statement, "kms:PutKeyPolicy")
            for principal in statement.principal or ()
            if principal.type == "AWS" and (account := root_account(principal.value)) is not None
        }
        if len(admins) == 1:
            return admins.pop()
    return document.account


def _allows(statement: Statement, action: str) -> bool:
    return any(action_pattern_matches(item.value, action) for item in statement.action or ())


@implements("PL212")
def action_not_usable_cross_account(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    own = _own_account(document) if document.kind == "key-policy" else None
    if own is None or not _ACCOUNT.match(own):
        return
    for statement in document.statements:
        if not statement.is_allow:
            continue
        accounts = _foreign_accounts(statement, own)
        if not accounts:
            continue
        who = ("account " if len(accounts) == 1 else "accounts ") + _names(accounts, limit=len(accounts))
        for action in statement.action or ():
            bad = _not_cross_account(action)
            if not bad:
                continue
            if action.has_wildcard:
                message = f"`{action.value}` grants {who} actions KMS does not allow from another account: {_names(bad)}"
            else:
                message = f"KMS does not allow `{bad[0]}` from another account, so granting it to {who} has no effect"
            yield Violation(code="PL212", pointer=action.pointer, message=message)


# --- PL213 ----------------------------------------------------------------------------------


@implements("PL213")
def encryption_context_set_operator(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    for statement in document.statements:
        for operator, key in statement.condition_keys():
            parts = operator.parts
            if parts is None or parts.qualifier is None or not is_encryption_context_key(key.key):
                continue
            if parts.qualifier == "ForAllValues":
                message = f"`ForAllValues` on the single-valued key `{key.key}` is also true when the request has no such encryption context"
                if document.kind == "key-policy":
                    message += "; KMS rejects this key policy (`OverlyPermissiveCondition`)"
            elif parts.negated:
                message = f"`ForAnyValue` on the single-valued key `{key.key}` is false when the request has no such encryption context, unlike `{parts.base}`"
            else:
                continue  # positive ForAnyValue on a single value gives the plain operator's result
            yield Violation(code="PL213", pointer=key.pointer, message=message, at_key=True)


# --- PL214 ----------------------------------------------------------------------------------

# kms:ViaService values are `SERVICE.REGION.amazonaws.com` (`.amazonaws.com.cn` in China). A
# deterministic automaton for that form; transitions are (character class, next state).
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_DIGIT = "0123456789"
_SUFFIX = ".amazonaws.com"
_AFTER_DIGITS = 8  # state after the region's final digits


@cache
def _via_service_automaton() -> tuple[dict[int, tuple[tuple[str, int], ...]], frozenset[int]]:
    moves: dict[int, tuple[tuple[str, int], ...]] = {
        0: ((_LOWER + _DIGIT, 1),),  # service name
        1: ((_LOWER + _DIGIT + "-", 1), (".", 2)),
        2: ((_LOWER, 3),),  # region: two letters, then (-letters)+, then -digits
        3: ((_LOWER, 4),),
        4: (("-", 5),),
        5: ((_LOWER, 6),),
        6: ((_LOWER, 6), ("-", 7)),
        7: ((_LOWER, 6), (_DIGIT, _AFTER_DIGITS)),
        _AFTER_DIGITS: ((_DIGIT, _AFTER_DIGITS), (".", _AFTER_DIGITS + 1)),
    }
    # `amazonaws.com` after the region's dot, then optionally `.cn`.
    state = _AFTER_DIGITS + 1
    for char in _SUFFIX[1:]:
        moves[state] = ((char, state + 1),)
        state += 1
    end = state
    moves[end] = ((".", end + 1),)
    moves[end + 1] = (("c", end + 2),)
    moves[end + 2] = (("n", end + 3),)
    return moves, frozenset({end, end + 3})


_ALPHABET = _LOWER + _DIGIT + "-."


@cache
def _transitions() -> Mapping[tuple[int, str], int]:
    """(state, character) -> next state of the automaton (the first move that takes it)."""
    moves, _ = _via_service_automaton()
    table: dict[tuple[int, str], int] = {}
    for state, options in moves.items():
        for chars, target in options:
            for char in chars:
                table.setdefault((state, char), target)
    return MappingProxyType(table)


@cache
def _after_any(state: int) -> tuple[int, ...]:
    """The states one character of the value alphabet leads to from `state`."""
    table = _transitions()
    return tuple(dict.fromkeys(table[state, c] for c in _ALPHABET if (state, c) in table))


@lru_cache(maxsize=1024)
def via_service_possible(pattern: str, wildcards: bool) -> bool:
    """Whether `pattern` (a glob when `wildcards`) matches at least one well-formed value.

    Search over (pattern position, automaton state) pairs, each visited once: linear in the
    pattern's length, no regular expression built from the value.
    """
    table = _transitions()
    _, accepting = _via_service_automaton()
    start = (0, 0)
    seen = {start}
    queue = [start]
    while queue:
        position, state = queue.pop()
        if position == len(pattern):
            if state in accepting:
                return True
            continue
        char = pattern[position]
        following: list[tuple[int, int]] = []
        if wildcards and char == "*":
            following.append((position + 1, state))
            following += [(position, t) for t in _after_any(state)]
        elif wildcards and char == "?":
            following += [(position + 1, t) for t in _after_any(state)]
        else:
            target = table.get((state, char))
            if target is not None:
                following.append((position + 1, target))
        for item in following:
            if item not in seen:
                seen.add(item)
                queue.append(item)
    return False


@implements("PL214")
def via_service_format(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    for statement in document.statements:
        for operator, key in statement.condition_keys():
            parts = operator.parts
            if key.lower != "kms:viaservice" or parts is None or parts.family != "string":
                continue
            like = parts.base in ("StringLike", "StringNotLike")
            for item in key.values:
                value = item.value
                if item.json_type != "string" or "${" in value:
                    continue
                if not like and ("*" in value or "?" in value):
                    continue  # PL104 reports wildcards that are compared literally
                text = value.lower() if parts.base.endswith("IgnoreCase") else value
                if not via_service_possible(text, like):
                    yield Violation(
                        code="PL214",
                        pointer=item.pointer,
                        message=f"`{value}` is not a `kms:ViaService` value: expected `SERVICE.REGION.amazonaws.com`, such as `s3.us-east-1.amazonaws.com`",
                    )
