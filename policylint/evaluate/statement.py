"""Does one statement apply to a request? Effect, action, resource, principal and conditions,
each with a reason when it does not.

A statement applies when its `Action` (or `NotAction`) covers the action, its `Resource` (or
`NotResource`) covers the resource, its `Principal` (or `NotPrincipal`, in policies that have
one) covers the caller, and every condition holds.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html

- Action names compare case-insensitively, with `*` and `?` wildcards.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
- Resource entries are ARN patterns matched part by part (policy variables resolved under
  `Version` 2012-10-17). A trust policy has no `Resource`: it is the role itself.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
- A `Principal` value names a caller when it is `*`, the caller's own ARN, the role behind a
  role session, or the caller's account (`arn:aws:iam::ACCOUNT:root` or the bare id); wildcards
  in other values match nothing; `Federated` and `CanonicalUser` values never match a caller
  of a query. How a statement named the caller matters to the evaluation logic, so the result
  says it (`PrincipalMatch`).
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
- `NotPrincipal` excludes a caller only when every name of the caller is listed: the session,
  its role and its account. With `Deny`, it denies every principal that has a permissions
  boundary, whatever it lists.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
- Conditions go through `policylint.evaluate.conditions.evaluate_condition_block`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from policylint.catalog.condition_keys import condition_key_info
from policylint.evaluate.arn import account_of, is_account_id, is_account_root, resource_matches
from policylint.evaluate.conditions import evaluate_condition_block
from policylint.evaluate.match import GlobPattern, glob_match
from policylint.evaluate.request import Request
from policylint.evaluate.variables import resolve_pattern
from policylint.model.policy import PolicyDocument, Principal, Statement
from policylint.source.positions import split_pointer

# How a statement's principal element covered the caller:
# `direct`: the caller's own ARN (user, role session, federated user, service, account root user);
# `role`: the role behind a role session; `account`: the caller's account; `everyone`: `*`
# or a `NotPrincipal` that does not exclude the caller.
PrincipalMatch = Literal["direct", "role", "account", "everyone"]
Failure = Literal["effect", "action", "resource", "principal", "condition"]


class StatementResult(BaseModel):
    """Whether one statement applies, how its principal named the caller, and why (not)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    statement: Statement
    effect: str
    matched: bool
    principal_match: PrincipalMatch | None = None
    principal_value: str | None = None
    failure: Failure | None = None
    detail: str
    # Which of action, resource, principal (counting twice) and conditions held, to rank near misses.
    closeness: int = 0


@cache
def multivalued(key: str) -> bool:
    """Whether the catalog lists condition key `key` as multivalued."""
    info = condition_key_info(key)
    return info is not None and info.multivalued


@lru_cache(maxsize=65536)
def _glob(text: str) -> GlobPattern:
    """A policy pattern without variables, parsed once."""
    return GlobPattern.parse(text)


def _action_matches(pattern: str, action: str) -> bool:
    """`Action` entries match case-insensitively (`match.action_matches`, with parsed patterns
    cached)."""
    return glob_match(_glob(pattern), action, ignore_case=True)


def _root(value: str) -> str:
    return f"arn:aws:iam::{value}:root" if is_account_id(value) else value


def _principal_match(principal: Principal, request: Request) -> PrincipalMatch | None:
    caller = request.caller
    if principal.is_wildcard:
        return "everyone"
    if principal.type == "Service":
        return "direct" if caller.kind == "service" and principal.value == caller.arn else None
    if principal.type != "AWS" or not caller.is_iam:
        return None
    value = principal.value
    if is_account_root(value):
        if account_of(value) != caller.account:
            return None
        return "direct" if caller.kind == "root" else "account"
    if value == caller.arn:
        return "role" if caller.kind == "role" else "direct"
    if caller.role_arn is not None and value == caller.role_arn:
        return "role"
    return None


def _names_caller(principal: Principal, name: str, request: Request) -> bool:
    """Whether a `NotPrincipal` value lists `name`, one of the caller's names."""
    if principal.is_wildcard:
        return True
    if principal.type == "Service":
        return request.caller.kind == "service" and principal.value == name
    return principal.type == "AWS" and _root(principal.value) == name


def _check_principal(statement: Statement, request: Request, has_boundary: bool) -> tuple[PrincipalMatch | None, str | None, str]:
    """(match, the value that matched, failure text)."""
    caller = request.caller
    if statement.principal is not None:
        best: tuple[PrincipalMatch, str] | None = None
        order = ("direct", "role", "everyone", "account")
        for principal in statement.principal:
            found = _principal_match(principal, request)
            if found is not None and (best is None or order.index(found) < order.index(best[0])):
                best = (found, principal.value)
        if best is not None:
            return best[0], best[1], ""
        return None, None, f"`{caller.arn}` is not a principal of the statement"
    if statement.not_principal is not None:
        if statement.is_deny and has_boundary:
            return "everyone", None, ""
        names = caller.identities if caller.kind != "anonymous" else (caller.arn,)
        if all(any(_names_caller(p, name, request) for p in statement.not_principal) for name in names):
            return None, None, f"`{caller.arn}` is excluded by `NotPrincipal`"
        return "everyone", None, ""
    return None, None, "the statement has no `Principal` element"


def _check_action(statement: Statement, action: str) -> str | None:
    """None when the statement covers `action`, else why not."""
    if statement.action is not None:
        if any(_action_matches(entry.value, action) for entry in statement.action):
            return None
        return f"action `{action}` is not in `Action`"
    if statement.not_action is not None:
        if any(_action_matches(entry.value, action) for entry in statement.not_action):
            return f"action `{action}` is excluded by `NotAction`"
        return None
    return "the statement has no `Action` element"


def _covers(text: str, request: Request, enabled: bool) -> bool:
    if "${" in text and enabled:
        pattern = resolve_pattern(text, request.context, enabled=enabled)
    else:
        pattern = _glob(text)
    return pattern is not None and resource_matches(pattern, request.context.resource)


def _check_resource(statement: Statement, request: Request, enabled: bool, implicit: bool) -> str | None:
    resource = request.context.resource
    if statement.resource is not None:
        if any(_covers(entry.value, request, enabled) for entry in statement.resource):
            return None
        return f"resource `{resource}` is not in `Resource`"
    if statement.not_resource is not None:
        if any(_covers(entry.value, request, enabled) for entry in statement.not_resource):
            return f"resource `{resource}` is excluded by `NotResource`"
        return None
    return None if implicit else "the statement has no `Resource` element"


def raw_condition(document: PolicyDocument, statement: Statement) -> Mapping[str, Any]:
    """The statement's `Condition` element as written (values untouched), or `{}`."""
    value: Any = document.raw
    for token in split_pointer(statement.pointer):
        if isinstance(value, dict):
            value = value.get(token)
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return {}
    condition = value.get("Condition") if isinstance(value, dict) else None
    return condition if isinstance(condition, dict) else {}


def _subject(statement: Statement, match: PrincipalMatch | None, value: str | None, action: str, resource: str) -> str:
    verb = "allows" if statement.is_allow else "denies"
    if match is None:
        return f"{verb} `{action}` on `{resource}`"
    if match == "everyone":
        whom = "every principal (`*`)" if statement.principal is not None else "every principal not excluded by `NotPrincipal`"
        return f"{verb} `{action}` to {whom}"
    if match == "account" and statement.is_allow:
        return f"{verb} `{action}` to `{value}`, which delegates to IAM"
    return f"{verb} `{action}` to `{value}`"


def evaluate_statement(
    document: PolicyDocument,
    statement: Statement,
    request: Request,
    *,
    with_principal: bool,
    has_boundary: bool = False,
) -> StatementResult:
    """Whether `statement` of `document` applies to `request`.

    `with_principal` says whether the policy kind names principals (resource-based policies,
    RCPs, VPC endpoint policies); `has_boundary` whether the caller has a permissions boundary
    (for the `NotPrincipal` rule above).
    """
    effect = statement.effect.value if statement.effect is not None else ""

    def miss(failure: Failure, text: str, closeness: int) -> StatementResult:
        return StatementResult(
            statement=statement, effect=effect, matched=False, failure=failure, detail=f"does not apply: {text}", closeness=closeness
        )

    if effect not in ("Allow", "Deny"):
        return miss("effect", "`Effect` is neither `Allow` nor `Deny`", 0)
    action_problem = _check_action(statement, request.action)
    if action_problem is not None:
        return miss("action", action_problem, 0)
    closeness = 1
    enabled = document.variables_enabled
    resource_problem = _check_resource(statement, request, enabled, implicit=document.kind == "trust-policy")
    if resource_problem is None:
        closeness += 1
    match: PrincipalMatch | None = None
    value: str | None = None
    principal_problem: str | None = None
    if with_principal:
        match, value, text = _check_principal(statement, request, has_boundary)
        if match is None:
            principal_problem = text
        else:
            closeness += 2  # a statement that names the caller is the nearest miss
    block = evaluate_condition_block(
        raw_condition(document, statement), request.context, multivalued=multivalued, variables_enabled=enabled
    )
    failed = [item.result.detail for item in block.conditions if not item.result.matches]
    if not failed:
        closeness += 1
    if principal_problem is not None:
        return miss("principal", principal_problem, closeness)
    if resource_problem is not None:
        return miss("resource", resource_problem, closeness)
    if failed:
        return miss("condition", failed[0], closeness)
    detail = _subject(statement, match, value, request.action, request.context.resource)
    held = [item.result.detail for item in block.conditions]
    if held:
        detail += "; " + "; ".join(held)
    return StatementResult(
        statement=statement,
        effect=effect,
        matched=True,
        principal_match=match,
        principal_value=value,
        detail=detail,
        closeness=closeness,
    )
