"""KMS key-policy access rules PL201-PL209: who can use, manage and re-configure a key.

The key policy is the primary control of a KMS key: no IAM policy can grant access to a key
unless its key policy lets the account do so. These rules read every Allow statement as
(principals, KMS actions, conditions) and report what the document makes possible. Actions are
expanded with the action catalog (`kms:Create*`, `*`, `NotAction` as "every KMS action but");
conditions are read by `policylint.checks.pinning`. Only documents of kind `key-policy` are checked.

References:
- https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
- https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
- https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
- https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import NamedTuple

from policylint.catalog.actions import action_pattern_matches, expand_action_pattern, has_wildcard, service_actions
from policylint.catalog.kms import CRYPTOGRAPHIC_ACTIONS, KEY_ADMIN_ACTIONS, KEY_READ_ACTIONS
from policylint.checks.base import CheckContext, implements
from policylint.checks.pinning import caller_pin, grants_limited, is_account_id, only_pins_account
from policylint.findings import Violation
from policylint.model.infer import principal_account as _infer_principal_account
from policylint.model.infer import root_account as _infer_root_account
from policylint.model.policy import Action, PolicyDocument, Principal, Statement

PUT_KEY_POLICY = "kms:PutKeyPolicy"
CREATE_GRANT = "kms:CreateGrant"
GRANT_ACTIONS = frozenset({"kms:CreateGrant", "kms:RetireGrant", "kms:RevokeGrant"})
# PL205 names management permissions most dangerous first, then alphabetically.
_ADMIN_ORDER = ("kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:CreateGrant")


@cache
def all_kms_actions() -> frozenset[str]:
    """Every KMS action, as canonical `kms:Action`."""
    return frozenset(f"kms:{name}" for name in (service_actions("kms") or {}).values())


@cache
def pattern_actions(pattern: str) -> frozenset[str]:
    """The KMS actions one Action entry covers (`kms:Create*`, `kms:Decrypt`, `*`, `*:Get*`)."""
    service, sep, _ = pattern.partition(":")
    if sep and not has_wildcard(service):
        return frozenset(a for a in expand_action_pattern(pattern) if a.startswith("kms:"))
    return frozenset(a for a in all_kms_actions() if action_pattern_matches(pattern, a))


def statement_actions(statement: Statement) -> frozenset[str]:
    """The KMS actions a statement allows or denies; `NotAction` means every other KMS action."""
    if statement.action is not None:
        return frozenset().union(*(pattern_actions(a.value) for a in statement.action))
    if statement.not_action is not None:
        return all_kms_actions() - frozenset().union(*(pattern_actions(a.value) for a in statement.not_action))
    return frozenset()


class Access(NamedTuple):
    """One Allow statement with the KMS actions it allows."""

    statement: Statement
    actions: frozenset[str]
    grants_limited: bool

    @property
    def crypto(self) -> frozenset[str]:
        return self.actions & CRYPTOGRAPHIC_ACTIONS

    @property
    def uses(self) -> bool:
        """Cryptographic use, directly or through grants for AWS resources."""
        return bool(self.crypto) or (self.grants_limited and CREATE_GRANT in self.actions)

    @property
    def management(self) -> frozenset[str]:
        admin = self.actions & KEY_ADMIN_ACTIONS
        return admin - GRANT_ACTIONS if self.grants_limited else admin

    @property
    def verb(self) -> str | None:
        manages = bool(self.management)
        if self.uses:
            return "use and manage" if manages else "use"
        if manages:
            return "manage"
        return "inspect" if self.actions & KEY_READ_ACTIONS else None


def _allows(document: PolicyDocument) -> list[Access]:
    return [
        Access(s, statement_actions(s), grants_limited(s)) for s in document.statements if s.is_allow
    ]


def _applies(document: PolicyDocument) -> bool:
    return document.kind == "key-policy"


def _statements_pointer(document: PolicyDocument) -> str:
    return "/Statement" if isinstance(document.raw, dict) and "Statement" in document.raw else ""


def _template_account(value: str) -> str | None:
    """The account field of an IAM/STS ARN whose account is a template placeholder
    (`arn:${AWS::Partition}:iam::${AWS::AccountId}:root` -> `${AWS::AccountId}`)."""
    for marker in (":iam::", ":sts::"):
        index = value.find(marker)
        if value.startswith("arn:") and index > 0:
            rest = value[index + len(marker):]
            end = rest.find("}") + 1 if rest.startswith("${") else rest.find(":")
            return (rest[:end] or None) if end > 0 else None
    return None


def principal_account(value: str) -> str | None:
    """The account a principal value belongs to, template placeholders included."""
    return _template_account(value) if "${" in value else _infer_principal_account(value)


def root_account(value: str) -> str | None:
    """The account an account principal (`arn:...:iam::ID:root`, bare id) names, placeholders included."""
    if "${" not in value:
        return _infer_root_account(value)
    account = _template_account(value)
    return account if account is not None and value.endswith(f":iam::{account}:root") else None


def _account_of(principal: Principal) -> str | None:
    """The account of an AWS principal; None for other types and unique ids."""
    return principal_account(principal.value) if principal.type == "AWS" else None


def _is_other(account: str | None, own: str) -> bool:
    """Certainly another account: two different account ids (a placeholder may be either)."""
    return account is not None and is_account_id(account) and is_account_id(own) and account != own


def _is_own_root(principal: Principal, own: str | None) -> bool:
    """The account principal of the key's account (or of an account that may be it)."""
    if principal.type != "AWS" or own is None:
        return False
    account = root_account(principal.value)
    return account is not None and not _is_other(account, own)


def _identity(principal: Principal) -> tuple[str, str]:
    """Principals that name the same identity compare equal (`111122223333` and its root ARN)."""
    if principal.is_wildcard:
        return ("*", "*")
    account = root_account(principal.value) if principal.type == "AWS" else None
    return ("root", account) if account else (principal.type, principal.value)


def _code_list(values: Iterable[str]) -> str:
    items = [f"`{v}`" for v in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _root_actions(
    allows: list[Access], own: str, *, wildcard: bool = False
) -> tuple[frozenset[str], Statement | None]:
    """KMS actions the key's account principal gets without a real condition, and the first
    statement that gives them. With `wildcard`, `*` limited to the key's account counts too."""
    actions: frozenset[str] = frozenset()
    first = None
    for access in allows:
        statement = access.statement
        principals = statement.principal or ()
        named = any(_is_own_root(p, own) for p in principals)
        pinned = wildcard and any(p.is_wildcard for p in principals) and caller_pin(statement).pinned
        if (named or pinned) and access.actions and only_pins_account(statement, own):
            actions |= access.actions
            first = first or statement
    return actions, first


def _account_wide(access: Access, own: str | None) -> bool:
    """The statement gives the key's account principal (or `*` limited to that account) every KMS action."""
    return own is not None and _root_actions([access], own, wildcard=True)[0] >= all_kms_actions()


@implements("PL201")
def missing_root_access(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    own = document.account
    if not _applies(document) or own is None:
        return
    if _root_actions(_allows(document), own, wildcard=True)[0] >= all_kms_actions():
        return
    yield Violation(
        code="PL201",
        pointer=_statements_pointer(document),
        message=f"the key policy does not give account `{own}` (the key's own account) `kms:*` without conditions, "
        "so IAM policies in that account cannot fully control access to the key",
    )


class _Caller(NamedTuple):
    """A principal that may call kms:PutKeyPolicy: its account when known, its ARN when named."""

    account: str | None
    value: str | None


def _put_callers(access: Access, own: str) -> list[_Caller]:
    statement = access.statement
    if statement.not_principal is not None:
        return [_Caller(own, None)]
    callers = []
    pin = caller_pin(statement)
    for principal in statement.principal or ():
        if principal.is_wildcard:
            accounts = pin.accounts if pin.pinned else None
            if accounts is None or own in accounts or not all(is_account_id(a) for a in accounts):
                callers.append(_Caller(own, None))
        elif principal.type == "AWS":
            account = _account_of(principal)
            if not _is_other(account, own):
                callers.append(_Caller(account if account == own else None, principal.value))
    return callers


def _denies_to(deny: Statement, caller: _Caller) -> bool:
    """An unconditional Deny of kms:PutKeyPolicy certainly covers this caller."""
    if deny.not_principal is not None:
        listed = [_account_of(p) for p in deny.not_principal if p.type in ("AWS", "*")]
        return caller.account is not None and all(a is not None and a != caller.account for a in listed)
    for principal in deny.principal or ():
        if principal.is_wildcard:
            return True
        if principal.type == "AWS" and (
            (caller.account is not None and root_account(principal.value) == caller.account)
            or principal.value == caller.value
        ):
            return True
    return False


def _certain_put_deny(statement: Statement) -> bool:
    return (
        statement.is_deny
        and statement.condition is None
        and PUT_KEY_POLICY in statement_actions(statement)
        and statement.resource is not None
        and any(r.value == "*" or ":kms:" in r.value for r in statement.resource)
    )


@implements("PL202")
def key_lockout(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    own = document.account
    if not _applies(document) or own is None:
        return
    callers = [c for a in _allows(document) if PUT_KEY_POLICY in a.actions for c in _put_callers(a, own)]
    denies = [s for s in document.statements if _certain_put_deny(s)]
    if any(not any(_denies_to(d, c) for d in denies) for c in callers):
        return
    tail = "nobody can ever change this key policy again"
    blocking = next((d for d in denies if any(_denies_to(d, c) for c in callers)), None)
    if blocking is None:
        message = f"no principal in account `{own}` can call `kms:PutKeyPolicy`: {tail}"
        yield Violation(code="PL202", pointer=_statements_pointer(document), message=message)
    else:
        who = f"every principal in account `{own}` allowed to call it"
        message = f"{blocking.label} denies `kms:PutKeyPolicy` to {who}: {tail}"
        yield Violation(code="PL202", pointer=blocking.pointer, message=message)


def _public_statements(document: PolicyDocument, context: CheckContext) -> frozenset[int] | None:
    """The statements the access analysis finds make the key public; None when it could not
    decide (the statements are then read alone, as `caller_pin` does)."""
    from policylint.analyze.lint import public_statements

    found = public_statements(document, trusted_accounts=context.trusted_accounts, organization=context.organization_id)
    return found.statements if found.decided else None


def _could_be_public(statement: Statement) -> bool:
    """Only an Allow naming every principal (`*`, `{"AWS": "*"}`) or using NotPrincipal can."""
    return statement.is_allow and (
        statement.not_principal is not None or any(p.is_wildcard for p in statement.principal or ())
    )


@implements("PL203")
def public_key(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    if not _applies(document) or not any(_could_be_public(s) for s in document.statements):
        return
    public = _public_statements(document, context)
    for access in _allows(document):
        statement, verb = access.statement, access.verb
        if verb is None or (public is not None and statement.index not in public):
            continue
        if statement.not_principal is not None:
            yield Violation(
                code="PL203",
                pointer=statement.members["NotPrincipal"],
                message=f"{statement.label} allows with `NotPrincipal`: principals in any AWS account "
                f"except those listed can {verb} the key",
            )
        wildcards = [p for p in statement.principal or () if p.is_wildcard]
        if wildcards and (public is not None or not caller_pin(statement).pinned):
            for principal in wildcards:
                yield Violation(
                    code="PL203",
                    pointer=principal.pointer,
                    message=f"{statement.label} lets principals in any AWS account {verb} the key: "
                    "no condition limits the caller's account, organization or ARN",
                )


def _cross_account(access: Access, own: str) -> Iterator[tuple[Principal, tuple[str, ...]]]:
    """Principals of the statement in other accounts, with those accounts."""
    statement = access.statement
    pin = caller_pin(statement)
    for principal in statement.principal or ():
        if principal.is_wildcard:
            if pin.pinned and pin.accounts is not None:
                others = sorted(a for a in pin.accounts if _is_other(a, own))
                if others:
                    yield principal, tuple(others)
        else:
            account = _account_of(principal)
            if account is not None and _is_other(account, own):
                yield principal, (account,)


def _subject(principal: Principal, accounts: tuple[str, ...]) -> str:
    if principal.is_wildcard:
        plural = "s" if len(accounts) > 1 else ""
        return f"any principal of account{plural} {_code_list(accounts)}"
    if root_account(principal.value) is not None:
        return f"account `{accounts[0]}`"
    return f"`{principal.value}`"


def _untrusted_text(principal: Principal, accounts: tuple[str, ...]) -> str:
    if len(accounts) > 1:
        return "they are not trusted accounts"
    if principal.is_wildcard or root_account(principal.value) is not None:
        return "it is not a trusted account"
    return f"its account `{accounts[0]}` is not a trusted account"


@implements("PL204")
def untrusted_cross_account(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    own = document.account
    if not _applies(document) or own is None:
        return
    for access in _allows(document):
        if access.verb not in ("use", "manage", "use and manage"):
            continue
        for principal, accounts in _cross_account(access, own):
            untrusted = tuple(a for a in accounts if a not in context.trusted_accounts)
            if untrusted:
                yield Violation(
                    code="PL204",
                    pointer=principal.pointer,
                    message=f"{access.statement.label} lets {_subject(principal, untrusted)} {access.verb} the key, "
                    f"and {_untrusted_text(principal, untrusted)}",
                )


def _admin_list(actions: frozenset[str]) -> str:
    ordered = [a for a in _ADMIN_ORDER if a in actions] + sorted(actions - set(_ADMIN_ORDER))
    shown = [f"`{a}`" for a in ordered[:3]]
    rest = len(ordered) - len(shown)
    if rest:
        return ", ".join(shown) + f" and {rest} more"
    return _code_list(ordered)


@implements("PL205")
def cross_account_key_admin(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    own = document.account
    if not _applies(document) or own is None:
        return
    for access in _allows(document):
        if not access.management:
            continue
        for principal, accounts in _cross_account(access, own):
            yield Violation(
                code="PL205",
                pointer=principal.pointer,
                message=f"{access.statement.label} gives {_subject(principal, accounts)} key management "
                f"permissions: {_admin_list(access.management)}",
            )


@implements("PL206")
def cross_account_root_delegation(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    own = document.account
    if not _applies(document) or own is None:
        return
    seen: set[str] = set()
    for access in _allows(document):
        if access.verb is None:
            continue
        for principal in access.statement.principal or ():
            account = root_account(principal.value) if principal.type == "AWS" else None
            if account is None or not _is_other(account, own) or account in seen:
                continue
            seen.add(account)
            yield Violation(
                code="PL206",
                pointer=principal.pointer,
                message=f"{access.statement.label} delegates to account `{account}`: any principal there "
                f"whose IAM policies allow it can {access.verb} the key",
            )


def _first_covering(statement: Statement, wanted: frozenset[str]) -> Action | None:
    """The first Action entry of the statement covering one of `wanted` (None for NotAction)."""
    for action in statement.action or ():
        if pattern_actions(action.value) & wanted:
            return action
    return None


@implements("PL207")
def grant_without_aws_resource_condition(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    if not _applies(document):
        return
    allows = _allows(document)
    users = {_identity(p) for a in allows if a.crypto for p in a.statement.principal or ()}
    for access in allows:
        if CREATE_GRANT not in access.actions or access.grants_limited:
            continue
        statement = access.statement
        account_wide = _account_wide(access, document.account)
        who = []
        for principal in statement.principal or ():
            if principal.type not in ("AWS", "*") or _identity(principal) not in users or principal.value in who:
                continue
            # The account principal, and `*` that stands for it, have kms:* by design.
            if not _is_own_root(principal, document.account) and not (principal.is_wildcard and account_wide):
                who.append(principal.value)
        if not who:
            continue
        action = _first_covering(statement, frozenset({CREATE_GRANT}))
        pointer = action.pointer if action is not None else statement.members.get("NotAction", statement.pointer)
        noun = "key user" if len(who) == 1 else "key users"
        pronoun = "it" if len(who) == 1 else "they"
        yield Violation(
            code="PL207",
            pointer=pointer,
            message=f"{statement.label} lets {noun} {_code_list(who)} call `kms:CreateGrant` without "
            f"`kms:GrantIsForAWSResource`: {pronoun} can give use of the key to any principal",
        )


def _self_grant(access: Access) -> frozenset[str]:
    """Actions of the statement that let its principals give themselves use of the key."""
    routes = access.actions & {PUT_KEY_POLICY}
    if CREATE_GRANT in access.actions and not access.grants_limited:
        routes |= {CREATE_GRANT}
    return routes


def _route_text(access: Access, routes: frozenset[str]) -> str:
    action = _first_covering(access.statement, routes)
    if action is None:
        allowed = ", ".join(f"`{a}`" for a in sorted(routes))
        return f"the `NotAction` of {access.statement.label} lets it grant itself use (it allows {allowed})"
    if not action.has_wildcard:
        return f"`{action.value}` lets it grant itself use"
    covered = ", ".join(f"`{a}`" for a in sorted(pattern_actions(action.value), key=str.lower))
    return f"`{action.value}` lets it grant itself use (it covers {covered})"


@implements("PL208")
def admin_can_grant_self_use(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    if not _applies(document):
        return
    allows = _allows(document)
    managers: set[tuple[str, str]] = set()
    users: set[tuple[str, str]] = set()
    for access in allows:
        for principal in access.statement.principal or ():
            identity = _identity(principal)
            if access.crypto:
                users.add(identity)
            if access.management:
                managers.add(identity)
    done: set[tuple[str, str]] = set()
    for access in allows:
        routes = _self_grant(access)
        if not routes:
            continue
        for principal in access.statement.principal or ():
            identity = _identity(principal)
            if principal.type != "AWS" or principal.is_wildcard or _is_own_root(principal, document.account):
                continue
            if identity in done or identity in users or identity not in managers:
                continue
            done.add(identity)
            yield Violation(
                code="PL208",
                pointer=principal.pointer,
                message=f"`{principal.value}` can manage the key but not use it, and {_route_text(access, routes)}",
            )


@implements("PL209")
def iam_delegation_hides_key_users(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    own = document.account
    if not _applies(document) or own is None:
        return
    allows = _allows(document)
    actions, root_statement = _root_actions(allows, own)
    if root_statement is None or not actions >= all_kms_actions():
        return
    for access in allows:
        named = [
            p for p in access.statement.principal or ()
            if access.crypto and p.type == "AWS" and not p.is_wildcard and not _is_own_root(p, own)
        ]
        if named:
            statement = access.statement
            yield Violation(
                code="PL209",
                pointer=statement.members.get("Principal", statement.pointer),
                message=f"the key users named in {statement.label} are not all who can use the key: "
                f"{root_statement.label} lets IAM policies in account `{own}` allow use too",
            )
            return
