"""Statement-level pitfalls of any policy kind: negated elements with Allow (PL101, PL102),
set operators that hold vacuously (PL103), wildcards where they are literal or missing (PL104,
PL105), redundant actions (PL106), policy variables (PL107) and service principals without a
source condition (PL108).

References:
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
"""

from __future__ import annotations

import re

import difflib
from collections.abc import Iterator
from functools import cache, lru_cache

from policylint.catalog.actions import action_pattern_matches, canonical_action, glob_match, literal_prefix
from policylint.catalog.condition_keys import condition_key_info
from policylint.catalog.global_keys import GLOBAL_CONDITION_KEYS, SPECIAL_POLICY_VARIABLES, policy_variable_known
from policylint.catalog.kms import KEY_READ_ACTIONS, is_encryption_context_key
from policylint.checks.base import CheckContext, implements
from policylint.findings import Violation
from policylint.model.policy import Action, ConditionKey, ConditionOperator, PolicyDocument, Statement

_EXACT_STRING = frozenset({"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"})
_LIKE = frozenset({"StringLike", "StringNotLike", "ArnLike", "ArnNotLike"})
_PRINCIPAL_KINDS = frozenset({"key-policy", "resource-policy", "trust-policy"})
_SOURCE_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"})
# Multivalued keys present in every request of these actions (a required request parameter):
# `ForAllValues` on them cannot hold vacuously. CreateGrant's `Operations` is required.
# https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html
_ALWAYS_PRESENT = {"kms:grantoperations": ("kms:CreateGrant",)}


# --- shared helpers -------------------------------------------------------------------------


def replace_variables(value: str, replacement: str = "") -> str:
    """`value` with each `${...}` (policy variable or template placeholder) replaced."""
    if "${" not in value:
        return value
    out: list[str] = []
    index = 0
    while True:
        start = value.find("${", index)
        end = value.find("}", start + 2) if start >= 0 else -1
        if start < 0 or end < 0:
            out.append(value[index:])
            return "".join(out)
        out.append(value[index:start] + replacement)
        index = end + 1


def arn_parts(value: str) -> list[str] | None:
    """The six `:`-separated parts of an ARN (pattern); None when `value` is not an ARN.

    Each `${...}` (a policy variable or template placeholder, which may hold `:` as in
    `${AWS::Region}`) becomes the letter `x`: it stands for one particular text, not a wildcard.
    """
    parts = replace_variables(value, "x").split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def glob_covers(outer: str, inner: str, *, ignore_case: bool = False) -> bool:
    """Whether every text the glob `inner` matches is also matched by the glob `outer`.

    Sound, linear-space dynamic programming over both patterns (O(len * len) time): a `*` of
    `inner` can only be absorbed by a `*` of `outer`, a `?` of `inner` by `?` or `*`.
    """
    if ignore_case:
        outer, inner = outer.lower(), inner.lower()
    # Up to the first wildcard of either pattern both match literally: a difference there means
    # that what `inner` matches is never matched by `outer` (the common case, `s3:Get*` / `s3:List*`).
    for mine, theirs in zip(outer, inner):
        if mine in "*?" or theirs in "*?":
            break
        if mine != theirs:
            return False
    head = outer[:-1]
    if outer.endswith("*") and "*" not in head and "?" not in head:
        # `head*` (the usual form) covers what the table below finds: the patterns that spell
        # out `head` before their first wildcard.
        return literal_prefix(inner).startswith(head)
    if not _may_cover(outer, inner):
        return False
    width = len(inner)
    # row[j]: outer[i:] covers inner[j:], computed from the last row of `outer` backwards.
    row = [False] * width + [True]
    for i in range(len(outer) - 1, -1, -1):
        char = outer[i]
        new = [False] * (width + 1)
        if char == "*":
            new[width] = row[width]
            for j in range(width - 1, -1, -1):
                new[j] = row[j] or new[j + 1]
        else:
            for j in range(width - 1, -1, -1):
                other = inner[j]
                if other == "*":
                    continue
                if char == "?" or (other != "?" and other == char):
                    new[j] = row[j + 1]
        row = new
    return row[0]


def _may_cover(outer: str, inner: str) -> bool:
    """False when some text `inner` matches is surely not matched by `outer` (so the table of
    `glob_covers` would answer False too), in linear time: the literal ends of the patterns
    differ, or `outer` rejects `inner` read with each `*` empty and each `?` as itself."""
    for mine, theirs in zip(reversed(outer), reversed(inner)):
        if mine in "*?" or theirs in "*?":
            break
        if mine != theirs:
            return False
    return glob_match(outer, inner.replace("*", ""))


def positive(operator: ConditionOperator) -> bool:
    """An operator that is false when its key is absent: not negated, no IfExists, no
    ForAllValues, not Null."""
    parts = operator.parts
    return (
        parts is not None
        and not parts.negated
        and not parts.if_exists
        and parts.qualifier != "ForAllValues"
        and parts.family != "null"
    )


def _services(statement: Statement) -> list[str]:
    return sorted({a.service for a in (statement.action or ()) + (statement.not_action or ()) if a.service})


# --- PL101 / PL102 --------------------------------------------------------------------------


@implements("PL101")
def allow_with_not_principal(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    if document.kind not in _PRINCIPAL_KINDS:
        return
    for statement in document.statements:
        if statement.is_allow and "NotPrincipal" in statement.members:
            yield Violation(
                code="PL101",
                pointer=statement.members["NotPrincipal"],
                message=f"{statement.label} allows every principal not listed in `NotPrincipal`, including anonymous ones",
                at_key=True,
            )


@implements("PL102")
def allow_with_not_action_or_resource(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    for statement in document.statements:
        if not statement.is_allow:
            continue
        if "NotAction" in statement.members:
            yield Violation(
                code="PL102",
                pointer=statement.members["NotAction"],
                message=f"{statement.label} allows every action not listed in `NotAction`, including actions added later",
                at_key=True,
            )
        if "NotResource" in statement.members:
            yield Violation(
                code="PL102",
                pointer=statement.members["NotResource"],
                message=f"{statement.label} allows access to every resource not listed in `NotResource`",
                at_key=True,
            )


# --- PL103 ----------------------------------------------------------------------------------


def _requires_key(statement: Statement, lower: str) -> bool:
    """Whether another condition of the statement is false when `lower` is absent."""
    for operator, key in statement.condition_keys():
        if key.lower != lower or operator.parts is None:
            continue
        if operator.parts.family == "null" and any(v.value.lower() == "false" for v in key.values):
            return True
        if positive(operator):
            return True
    return False


def _always_present(statement: Statement, lower: str) -> bool:
    actions = _ALWAYS_PRESENT.get(lower)
    items = statement.action or ()
    return (
        actions is not None
        and bool(items)
        and not any(i.has_wildcard for i in items)
        and all(any(action_pattern_matches(i.value, a) for a in actions) for i in items)
    )


def _for_all_values(operator: ConditionOperator) -> bool:
    """A `ForAllValues` operator that PL103 looks at (not negated, not Null)."""
    parts = operator.parts
    return parts is not None and parts.qualifier == "ForAllValues" and not parts.negated and parts.family != "null"


@implements("PL103")
def for_all_values_vacuous(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    for statement in document.statements:
        if not any(_for_all_values(operator) for operator in statement.conditions):
            continue
        services = _services(statement)
        for operator, key in statement.condition_keys():
            if not _for_all_values(operator):
                continue
            if is_encryption_context_key(key.key):
                continue  # PL213
            if _requires_key(statement, key.lower) or _always_present(statement, key.lower):
                continue
            info = condition_key_info(key.key, services)
            if info is not None and not info.multivalued:
                message = f"`{key.key}` is single-valued: `{operator.operator}` is also true when the request has no `{key.key}`"
            elif statement.is_allow:
                message = f"`{operator.operator}` is also true when the request has no `{key.key}`, so {statement.label} allows requests without it"
            else:
                continue
            yield Violation(code="PL103", pointer=key.pointer, message=message, at_key=True)


# --- PL104 / PL105 --------------------------------------------------------------------------


def _string_values(statement: Statement, bases: frozenset[str]) -> Iterator[tuple[ConditionOperator, ConditionKey, str, str]]:
    for operator in statement.conditions:
        if operator.parts is None or operator.parts.base not in bases:
            continue
        for key in operator.keys:
            for item in key.values:
                if item.json_type == "string":
                    yield operator, key, item.pointer, item.value


@implements("PL104")
def wildcard_in_exact_operator(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    for statement in document.statements:
        for operator, _key, pointer, value in _string_values(statement, _EXACT_STRING):
            if "*" not in value and "?" not in value:
                continue  # removing variables adds no wildcard
            plain = replace_variables(value)
            found = [f"`{c}`" for c in "*?" if c in plain]
            if found:
                what = f"{found[0]} matches only itself" if len(found) == 1 else f"{found[0]} and {found[1]} match only themselves"
                yield Violation(
                    code="PL104",
                    pointer=pointer,
                    message=f"`{operator.parts.base}` compares `{value}` literally: {what}",
                )


# `${...}` that is not a policy variable: a CloudFormation / Terraform value unknown until deploy
# (`${AWS::AccountId}`, `${var.prefix}`, `${coalesce(...)}`); it may well hold a wildcard.
_TEMPLATE_PLACEHOLDER = re.compile(r"\$\{(?:AWS::|var\.|local\.|data\.|[^}:]*\(|[A-Za-z0-9_.-]*\})")


@implements("PL105")
def like_without_wildcard(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    for statement in document.statements:
        for operator, _key, pointer, value in _string_values(statement, _LIKE):
            plain = replace_variables(value)
            if "*" not in plain and "?" not in plain and not _TEMPLATE_PLACEHOLDER.search(value):
                yield Violation(
                    code="PL105",
                    pointer=pointer,
                    message=f"`{value}` has no wildcard, so `{operator.parts.base}` compares it exactly",
                )


# --- PL106 ----------------------------------------------------------------------------------


def _covers(outer: Action, inner: Action) -> bool:
    if outer.value.isascii() and inner.value.isascii():
        return _lower_covers(outer.lower, inner.lower)  # `lower` is the value lower-cased
    if not inner.has_wildcard:
        return action_pattern_matches(outer.value, inner.value)
    return glob_covers(outer.value, inner.value, ignore_case=True)


# The same pairs of entries recur across the policies of a run: each is decided once.
@lru_cache(maxsize=16384)
def _lower_covers(outer: str, inner: str) -> bool:
    """`_covers` for two lower-case ASCII entries."""
    if "*" not in inner and "?" not in inner:
        return glob_match(outer, inner)  # what action_pattern_matches does
    return glob_covers(outer, inner)


def _wildcard_entries(items: tuple[Action, ...]) -> tuple[dict[str, list[int]], list[int]]:
    """Indexes of entries with wildcards: by literal service prefix, and those whose service
    part itself has a wildcard (`*`, `*:Describe*`), which may cover any entry."""
    by_service: dict[str, list[int]] = {}
    anywhere: list[int] = []
    for index, item in enumerate(items):
        value = item.value
        if "*" not in value and "?" not in value:
            continue
        prefix, colon, _ = item.lower.partition(":")
        if colon and "*" not in prefix and "?" not in prefix:
            by_service.setdefault(prefix, []).append(index)
        else:
            anywhere.append(index)
    return by_service, anywhere


def _candidates(by_service: dict[str, list[int]], anywhere: list[int], inner: Action) -> list[int]:
    """Indexes (ascending) of the wildcard entries that may cover `inner`."""
    group = by_service.get(inner.lower.partition(":")[0])
    if group is None:
        return anywhere
    return sorted(group + anywhere) if anywhere else group


def _redundant_entries(items: tuple[Action, ...]) -> Iterator[Violation]:
    """PL106 for the entries of one Action / NotAction list."""
    by_service, anywhere = _wildcard_entries(items)
    if not by_service and not anywhere:
        return  # only entries with a wildcard can cover others
    for index, inner in enumerate(items):
        for other in _candidates(by_service, anywhere, inner):
            outer = items[other]
            if other == index or not _covers(outer, inner):
                continue
            if other > index and inner.has_wildcard and _covers(inner, outer):
                continue  # the same set written twice: report the later one only
            same = inner.lower == outer.lower
            yield Violation(
                code="PL106",
                pointer=inner.pointer,
                message=f"`{inner.value}` is listed twice" if same else f"`{inner.value}` is already covered by `{outer.value}`",
            )
            break


@implements("PL106")
def redundant_action(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    for statement in document.statements:
        for items in (statement.action, statement.not_action):
            if items:
                yield from _redundant_entries(items)


# --- PL107 ----------------------------------------------------------------------------------


def _variables(value: str) -> Iterator[tuple[str, str | None]]:
    """(whole `${...}` text, variable name) for each variable; name None when malformed."""
    index = 0
    while True:
        start = value.find("${", index)
        if start < 0:
            return
        end = value.find("}", start + 2)
        if end < 0:
            yield value[start:], None
            return
        inside = value[start + 2 : end]
        name = inside.partition(",")[0].strip()
        yield value[start : end + 1], (name or None)
        index = end + 1


def _is_placeholder(name: str) -> bool:
    """Template placeholders (`${AWS::Region}`, `${var.account}`, `${ACCOUNT_ID}`): not variables."""
    return name not in SPECIAL_POLICY_VARIABLES and (":" not in name or "::" in name)


@cache
def _variable_names() -> tuple[str, ...]:
    return tuple(k.name for k in GLOBAL_CONDITION_KEYS if not k.multivalued and "${" not in k.name)


def _unknown_variable_message(text: str, name: str, services: list[str]) -> str:
    info = condition_key_info(name, services)
    if info is not None and info.multivalued:
        return f"`{text}` cannot be a policy variable: `{info.key}` is multivalued"
    lowered = {n.lower(): n for n in _variable_names()}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.8)
    hint = f"; did you mean `${{{lowered[close[0]]}}}`?" if close else ""
    return f"unknown policy variable `{text}`{hint}"


def _variable_texts(statement: Statement) -> list[tuple[str, str]]:
    """(pointer, text) of the values holding `${` where AWS substitutes policy variables."""
    found = [(item.pointer, item.value) for item in statement.resource or () if "${" in item.value]
    found += [(item.pointer, item.value) for item in statement.not_resource or () if "${" in item.value]
    for operator in statement.conditions:
        if operator.parts is not None and operator.parts.family in ("string", "arn"):
            for key in operator.keys:
                found += [(item.pointer, item.value) for item in key.values if item.json_type == "string" and "${" in item.value]
    return found


@implements("PL107")
def policy_variable_problem(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    enabled = document.variables_enabled
    version = document.version_value
    for statement in document.statements:
        texts = _variable_texts(statement)
        if not texts:
            continue
        services = _services(statement)
        for pointer, value in texts:
            for text, name in _variables(value):
                if name is None:
                    if enabled:
                        yield Violation(code="PL107", pointer=pointer, message=f"`{text}` is not a policy variable: `${{` needs a closing `}}` and a name")
                    continue
                if _is_placeholder(name):
                    continue
                if not enabled:
                    where = "missing" if version is None else f"`{version}`"
                    yield Violation(
                        code="PL107",
                        pointer=pointer,
                        message=f"`Version` is {where}, so `{text}` is literal text, not a policy variable",
                    )
                    break
                if not policy_variable_known(name, services):
                    yield Violation(code="PL107", pointer=pointer, message=_unknown_variable_message(text, name, services))


# --- PL108 ----------------------------------------------------------------------------------


def _pins_account(value: str) -> bool:
    """An ARN (pattern) whose account part is written out, such as `arn:aws:logs:*:111122223333:*`."""
    parts = arn_parts(value)
    return parts is not None and parts[4] != "" and "*" not in parts[4] and "?" not in parts[4]


def _has_source_condition(statement: Statement) -> bool:
    """aws:Source* keys, or an encryption context naming the calling resource's ARN in one account
    (`kms:EncryptionContext:aws:logs:arn`, `...aws:cloudtrail:arn`), as the services document."""
    for operator, key in statement.condition_keys():
        if not positive(operator):
            continue
        if key.lower in _SOURCE_KEYS:
            return True
        if is_encryption_context_key(key.key) and key.values and all(
            _pins_account(v.value) or v.json_type == "other" for v in key.values
        ):
            return True  # a template expression (`Fn::Join`, ...) is given the benefit of the doubt
    return False


def _only_reads_key(statement: Statement) -> bool:
    """A key policy statement that allows only reading key metadata (DescribeKey, GetPublicKey...)."""
    items = statement.action or ()
    return bool(items) and all(
        not item.has_wildcard and canonical_action(item.value) in KEY_READ_ACTIONS for item in items
    )


@implements("PL108")
def service_principal_without_source_condition(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    if document.kind not in ("key-policy", "resource-policy"):
        return
    for statement in document.statements:
        if not statement.is_allow or _has_source_condition(statement):
            continue
        if document.kind == "key-policy" and _only_reads_key(statement):
            continue
        services = [p for p in statement.principal or () if p.type == "Service"]
        if not services:
            continue
        names = [f"`{p.value}`" for p in services]
        if len(names) > 3:
            who = ", ".join(names[:2]) + f" and {len(names) - 2} more service principals"
        else:
            who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        yield Violation(
            code="PL108",
            pointer=services[0].pointer,
            message=(
                f"{statement.label} lets {who} act for any account: it has no "
                "`aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID` or `aws:SourceOrgPaths` condition"
            ),
        )
