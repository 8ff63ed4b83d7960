"""Action classes: actions every policy treats alike.

Two actions fall in one class when every `Action` / `NotAction` entry of the policies matches
both or neither, every grant allows both or neither, and the evaluator's action facts agree
(same service, both usable on a key of another account or neither, both taking an encryption
context or neither). The evaluator reads nothing else about the action, so one action per
class decides for the whole class.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from policylint.catalog.actions import expand_action_pattern, has_wildcard
from policylint.catalog.kms import CROSS_ACCOUNT_ACTIONS, grant_operation_action
from policylint.evaluate.match import action_matches
from policylint.evaluate.snapshot import Grant
from policylint.model.policy import PolicyDocument

_CROSS = frozenset(a.lower() for a in CROSS_ACCOUNT_ACTIONS)
_WITHOUT_CONTEXT = frozenset({"kms:describekey", "kms:retiregrant"})


class ActionError(ValueError):
    """An action pattern that names no action."""


def expand(pattern: str) -> tuple[str, ...]:
    """The actions an action pattern stands for (a literal unknown action stands for itself)."""
    found = expand_action_pattern(pattern)
    if found:
        return found
    if not has_wildcard(pattern):
        return (pattern,)
    raise ActionError(f"no action matches `{pattern}`")


def action_classes(actions: Sequence[str], documents: Iterable[PolicyDocument], grants: Iterable[Grant] = ()) -> list[tuple[str, ...]]:
    """`actions` split into classes (in the order of `actions`)."""
    patterns: set[str] = set()
    for document in documents:
        for statement in document.statements:
            for entry in (statement.action or ()) + (statement.not_action or ()):
                patterns.add(entry.value)
    ordered = sorted(patterns)
    operations = [frozenset((grant_operation_action(o) or "").lower() for o in g.operations) for g in grants]
    classes: dict[tuple[object, ...], list[str]] = {}
    for action in actions:
        lower = action.lower()
        signature = (
            lower.split(":", 1)[0],
            lower in _CROSS,
            lower in _WITHOUT_CONTEXT,
            tuple(lower in ops for ops in operations),
            tuple(action_matches(p, action) for p in ordered),
        )
        classes.setdefault(signature, []).append(action)
    return [tuple(members) for members in classes.values()]
