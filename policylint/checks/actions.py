"""PL007 unknown-action: Action / NotAction entries that name no IAM action.

An entry is `service:Action` (case-insensitive) where either part may hold `*` / `?` wildcards.
It is at fault when its service prefix is unknown, when its literal action name is not an action
of that service, or when its pattern matches no action at all.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache, lru_cache

from policylint.catalog.actions import (
    ascii_lower,
    has_wildcard,
    matches_any_action,
    service_actions,
    service_prefixes,
)
from policylint.checks.base import CheckContext, implements
from policylint.checks.suggest import closest
from policylint.findings import Violation
from policylint.model.policy import Action, PolicyDocument


@implements("PL007")
def unknown_action(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    for statement in document.statements:
        for items in (statement.action, statement.not_action):
            for action in items or ():
                problem = _value_problem(action.value)
                if problem is not None:
                    yield Violation(code="PL007", pointer=action.pointer, message=problem)


def action_problem(action: Action) -> str | None:
    """Why one Action / NotAction entry names no action, or None when it names some."""
    return _value_problem(action.value)


@cache
def _service_candidates() -> tuple[str, ...]:
    return tuple(sorted(service_prefixes()))


# An unknown service usually comes with several of its actions: suggest once per service.
@lru_cache(maxsize=1024)
def _service_hint(service: str) -> str | None:
    """The known service prefix closest to an unknown one (`service` lower-case), if any."""
    return closest(service, _service_candidates(), 0.85)


@cache
def _action_candidates(service: str) -> tuple[str, ...]:
    """Lower-case action names of a known service (`service` lower-case)."""
    return tuple(service_actions(service) or ())


# The same entries recur across the files of a run (`s3:GetObject`, ...): answer each once.
@lru_cache(maxsize=65536)
def _value_problem(value: str) -> str | None:
    if value == "*" or value == "" or "${" in value or "{{" in value:
        return None  # everything, an empty element (PL014), or a template placeholder
    if value != value.strip():
        return f"`{value}` starts or ends with whitespace, so it matches no action"
    service, colon, name = value.partition(":")
    if not colon:
        if has_wildcard(value):
            return None if matches_any_action(value) else f"`{value}` matches no action"
        return f"`{value}` has no service prefix (expected `service:Action`, such as `kms:Decrypt`)"
    if has_wildcard(service):
        return None if matches_any_action(value) else f"`{value}` matches no action"
    names = service_actions(service)
    if names is None:
        close = _service_hint(ascii_lower(service))
        hint = f"; did you mean `{close}`?" if close is not None else ""
        return f"unknown service prefix `{service}` in `{value}`{hint}"
    if not name:
        return f"`{value}` has no action name after the service prefix"
    if has_wildcard(name):
        return None if matches_any_action(value) else f"`{value}` matches no action"
    if ascii_lower(name) in names:
        return None
    close = closest(ascii_lower(name), _action_candidates(ascii_lower(service)), 0.8)
    hint = f"; did you mean `{ascii_lower(service)}:{names[close]}`?" if close is not None else ""
    return f"unknown action `{value}`{hint}"
