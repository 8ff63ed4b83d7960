"""KMS in identity policies: key use and key administration on all keys (PL301, PL302) and alias
ARNs where a key ARN is needed (PL303).

With the default key policy, which lets the account's IAM policies grant access to the key, an
identity policy that allows an action on `*` allows it on every key of the account.

References:
- https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html
- https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
- https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache, lru_cache

from policylint.catalog.actions import action_info, action_pattern_matches, expand_action_pattern, glob_match, matched_actions
from policylint.catalog.kms import CRYPTOGRAPHIC_ACTIONS, KEY_ADMIN_ACTIONS
from policylint.checks.base import CheckContext, implements
from policylint.checks.statement import arn_parts, glob_covers, positive
from policylint.findings import Violation
from policylint.model.policy import Action, PolicyDocument, Statement

# What each rule looks for, as action patterns resolved against the catalog's KMS tables.
_USAGE_PATTERNS = ("kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey*")
_ADMIN_PATTERNS = ("kms:PutKeyPolicy", "kms:CreateGrant", "kms:ScheduleKeyDeletion")

# Conditions that tie a statement to use through an AWS service, to particular keys, or to
# particular encrypted data (an encryption context): such statements are not reported.
_NARROWING_KEYS = frozenset(
    {
        "kms:viaservice",
        "aws:calledvia",
        "aws:calledviafirst",
        "aws:calledvialast",
        "kms:requestalias",
        "kms:resourcealiases",
        "kms:encryptioncontextkeys",
    }
)
_NARROWING_PREFIXES = ("aws:resourcetag/", "kms:encryptioncontext:")


@cache
def _usage_actions() -> tuple[str, ...]:
    return tuple(sorted(a for a in CRYPTOGRAPHIC_ACTIONS if any(action_pattern_matches(p, a) for p in _USAGE_PATTERNS)))


@cache
def _admin_actions() -> tuple[str, ...]:
    return tuple(a for a in _ADMIN_PATTERNS if a in KEY_ADMIN_ACTIONS)


def allowed_actions(statement: Statement, actions: tuple[str, ...]) -> list[str]:
    """The literal `actions` the statement's Action / NotAction covers, in the order given."""
    if statement.action is not None:
        entries = _entries_for(statement.action, actions)
        if not entries:
            return []
        matched = matched_actions(entries, actions)
        return [a for a in actions if a in matched]
    if statement.not_action is not None:
        entries = _entries_for(statement.not_action, actions)
        if not entries:
            return list(actions)
        matched = matched_actions(entries, actions)
        return [a for a in actions if a not in matched]
    return []


def _entries_for(items: tuple[Action, ...], actions: tuple[str, ...]) -> list[str]:
    """The entries that may match one of `actions`: those of the same services, and those whose
    service part is missing or has a wildcard (the others are skipped without matching)."""
    services = _services_of(actions)
    return [item.value for item in items if item.service in services or "*" in item.service or "?" in item.service]


@cache
def _services_of(actions: tuple[str, ...]) -> frozenset[str]:
    """The services of `actions`, lower-case, and "" (an entry without a service part)."""
    return frozenset(a.partition(":")[0].lower() for a in actions) | {""}


@lru_cache(maxsize=4096)
def covers_all_keys(value: str) -> bool:
    """`*`, or a KMS ARN pattern whose resource part covers every key (`key/*`, `*`)."""
    if value == "*":
        return True
    parts = arn_parts(value)
    return parts is not None and glob_match(parts[2], "kms") and glob_covers(parts[5], "key/*")


def _all_keys_pointer(statement: Statement) -> tuple[str, str] | None:
    """(pointer, text) of the element that makes the statement apply to every key, if any."""
    for item in statement.resource or ():
        if covers_all_keys(item.value):
            return item.pointer, item.value
    if statement.not_resource is not None:
        excluded = any(
            item.value == "*" or ((parts := arn_parts(item.value)) is not None and glob_match(parts[2], "kms"))
            for item in statement.not_resource
        )
        if not excluded:
            return statement.members["NotResource"], "NotResource"
    return None


def _narrowed(statement: Statement) -> bool:
    for operator, key in statement.condition_keys():
        lower = key.lower
        if not (lower in _NARROWING_KEYS or lower.startswith(_NARROWING_PREFIXES)) or operator.parts is None:
            continue
        if operator.parts.family == "null":
            # `"Null": {"aws:ResourceTag/team": "false"}`: only keys (or data) that carry it.
            if all(v.value.lower() == "false" for v in key.values):
                return True
        elif positive(operator) and operator.parts.family in ("string", "arn"):
            if any(v.value.strip("*?") not in ("", "alias/") for v in key.values):
                return True
    return False


def _grant_for_aws_resource(statement: Statement) -> bool:
    return any(
        key.lower == "kms:grantisforawsresource"
        and positive(operator)
        and operator.parts.family == "bool"
        and all(v.value.lower() == "true" for v in key.values)
        for operator, key in statement.condition_keys()
    )


def _names(actions: list[str]) -> str:
    generate = [a for a in _usage_actions() if a.startswith("kms:GenerateDataKey")]
    shown = list(actions)
    if len(generate) > 1 and all(a in shown for a in generate):
        shown = [a for a in shown if a not in generate] + ["kms:GenerateDataKey*"]
    items = [f"`{a}`" for a in shown]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _all_keys_violation(statement: Statement, where: tuple[str, str], code: str, targets: tuple[str, ...], grant_guard: bool) -> Violation | None:
    """The finding of rule `code` for a statement that applies to every key, if it allows one of `targets`."""
    allowed = allowed_actions(statement, targets)
    if grant_guard and _grant_for_aws_resource(statement):
        allowed = [a for a in allowed if a != "kms:CreateGrant"]
    if not allowed:
        return None
    shown = "every resource outside `NotResource`" if where[1] == "NotResource" else f"`{where[1]}`"
    return Violation(
        code=code,
        pointer=where[0],
        message=f"{statement.label} allows {_names(allowed)} on every KMS key ({shown})",
        at_key=where[1] == "NotResource",
    )


def _may_allow_kms(statement: Statement) -> bool:
    """False when the statement's Action has no entry that may match a PL301 or PL302 action
    (the usual case), so that neither rule needs to match its entries."""
    return statement.action is None or bool(_entries_for(statement.action, _all_keys_actions()))


@cache
def _all_keys_actions() -> tuple[str, ...]:
    return _usage_actions() + _admin_actions()


@implements("PL301", "PL302")
def kms_on_all_keys(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    """PL301 key use and PL302 key administration on every key: both look at the same statements
    (allowed, not narrowed by a condition, on every key), found in one pass."""
    if document.kind != "identity-policy":
        return
    for statement in document.statements:
        if not statement.is_allow or _narrowed(statement):
            continue
        where = _all_keys_pointer(statement)
        if where is None or not _may_allow_kms(statement):
            continue
        for code, targets, grant_guard in (("PL301", _usage_actions(), False), ("PL302", _admin_actions(), True)):
            found = _all_keys_violation(statement, where, code, targets, grant_guard)
            if found is not None:
                yield found


# --- PL303 ----------------------------------------------------------------------------------


@cache
def _key_only_actions() -> tuple[str, ...]:
    """KMS actions authorised on a key that do not accept an alias resource."""
    found = []
    for name in expand_action_pattern("kms:*"):
        info = action_info(name)
        types = {r.name for r in info.resource_types} if info is not None else set()
        if "key" in types and "alias" not in types:
            found.append(name)
    return tuple(found)


def _is_alias_arn(value: str) -> bool:
    if "alias/" not in value:
        return False  # `${...}` placeholders become `x`, so the resource part's `alias/` is written out
    parts = arn_parts(value)
    return parts is not None and parts[2] == "kms" and parts[5].startswith("alias/")


def _key_operations(statement: Statement) -> list[str]:
    """How to name the key operations the statement covers: its literal actions, or the key
    operations of its wildcard entries; empty when it covers none."""
    covered = allowed_actions(statement, _key_only_actions())
    if not covered:
        return []
    if statement.action is None:
        return ["key operations"]
    names: list[str] = []
    for item in statement.action:
        matched = [a for a in covered if action_pattern_matches(item.value, a)]
        if matched:
            names.append(f"the key operations of `{item.value}`" if item.has_wildcard else f"`{matched[0]}`")
    return names


@implements("PL303")
def kms_alias_as_resource(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    if document.kind != "identity-policy":
        return
    for statement in document.statements:
        aliases = [item for item in statement.resource or () if _is_alias_arn(item.value)]
        names = _key_operations(statement) if aliases else []
        if not names:
            continue
        what = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        verb = "deny" if statement.is_deny else "allow"
        for item in aliases:
            yield Violation(
                code="PL303",
                pointer=item.pointer,
                message=f"`{item.value}` is an alias ARN, not the key behind the alias, so {statement.label} does not {verb} {what} on that key",
            )
