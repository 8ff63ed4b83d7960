"""Explore one (principal, action) of a question: every class of requests, each decided by the
concrete evaluator.

`scope` says which atoms can matter and which keys are free; `dimensions` gives the classes of
each free key; every combination is built into a request (`build_request`) and decided
(`evaluate`). An allowed combination is a witness. When the scope shows that nothing can allow
the request, nothing is enumerated. A combination that agrees with an explicitly denied one on
every key the deciding `Deny` reads is denied by it too, so it is not decided again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import product
from math import prod
from typing import NamedTuple

from policylint.analyze.dimensions import Caches, Dimension, build_dimensions
from policylint.analyze.values import Value
from policylint.evaluate.context import RequestContext
from policylint.evaluate.decision import Decision, evaluate
from policylint.evaluate.request import EvaluationError, Request, build_request
from policylint.evaluate.snapshot import Snapshot
from policylint.catalog.kms import CROSS_ACCOUNT_ACTIONS
from policylint.analyze.scope import VIA_KEY, Scope, Scoper

MAX_COMBINATIONS = 4096
# Requests one question may decide in all; past it, explorations stop and say so.
DEFAULT_BUDGET = 50_000
_CROSS = frozenset(a.lower() for a in CROSS_ACCOUNT_ACTIONS)
_WITHOUT_CONTEXT = frozenset({"kms:describekey", "kms:retiregrant"})


class Exploration(NamedTuple):
    """What one (principal, action) allows: the dimensions, the allowed combinations (an
    index into each dimension) with their context keys and decisions."""

    principal: str
    action: str
    dimensions: tuple[Dimension, ...]
    allowed: tuple[tuple[int, ...], ...]
    given: Mapping[tuple[int, ...], Mapping[str, Value]]
    decisions: Mapping[tuple[int, ...], Decision]
    exhaustive: bool
    evaluated: int


def merge(keys: Mapping[str, Value], assignment: Mapping[str, Value]) -> dict[str, tuple[str, ...] | str]:
    """`keys` with `assignment` laid over them (names compare case-insensitively; None removes)."""
    result: dict[str, tuple[str, ...] | str] = {}
    folded: dict[str, str] = {}
    for name, value in list(keys.items()) + list(assignment.items()):
        previous = folded.pop(name.lower(), None)
        if previous is not None:
            del result[previous]
        if value is not None:
            result[name] = value
            folded[name.lower()] = name
    return result


def _deciding_dimensions(
    decision: Decision, denies: Mapping[tuple[str, int], frozenset[str] | None], dimensions: tuple[Dimension, ...] | list[Dimension]
) -> tuple[int, ...] | None:
    """The dimensions a Deny that decided reads: any request that agrees with this one on them
    is denied by it too (its principal, action and resource are the same). None when the Deny
    cannot be told apart from another statement."""
    for reason in decision.reasons:
        if reason.effect != "Deny" or reason.path is None or reason.statement is None:
            continue
        keys = denies.get((reason.path, reason.statement))
        if keys is None:
            continue
        return tuple(i for i, d in enumerate(dimensions) if {k.lower() for k in d.keys} & keys or _reads_filler(d, keys))
    return None


def _reads_filler(dimension: Dimension, keys: frozenset[str]) -> bool:
    return any(name.lower() in keys for assignment in dimension.assignments for name in assignment)


class Session:
    """One question: a snapshot, a resource and the context keys the user fixed.

    Explorations are shared between actions: two actions for which the same statements and
    grants can apply, of the same service and alike for the evaluator (usable on a key of
    another account when the request crosses accounts, taking an encryption context when a
    grant can apply), get the same decision for every principal and context. The exploration
    of the first stands for the second (its witnesses name the first action).
    """

    def __init__(
        self,
        snapshot: Snapshot,
        resource: str,
        given: Mapping[str, Value] | None = None,
        *,
        hypothetical: frozenset[str] = frozenset(),
        budget: int = DEFAULT_BUDGET,
    ) -> None:
        self.snapshot = snapshot
        self.budget = budget
        self.truncated = False  # whether the last enumeration stopped early
        self.resource = resource
        self.given = dict(given or {})
        self.scoper = Scoper(snapshot, resource, hypothetical)
        self.caches = Caches()
        self._explored: dict[tuple[object, ...], Exploration] = {}
        self._requests: dict[tuple[str, str], Request | None] = {}

    def request(self, principal: str, action: str) -> Request | None:
        """The request without free keys; None when the principal cannot make requests.

        Requests of one principal for actions of one service differ in the action alone (the
        builder reads only the service of the action), so one is built per service and the
        others are copies with their own action."""
        service = action.split(":", 1)[0].lower()
        key = (principal, service)
        if key not in self._requests:
            try:
                self._requests[key] = build_request(self.snapshot, principal, action, self.resource, self.given)
            except EvaluationError:
                self._requests[key] = None
        built = self._requests[key]
        if built is None or built.action == action:
            return built
        return built.model_copy(update={"context": built.context.model_copy(update={"action": action})})

    def dimensions(self, request: Request, scope: Scope) -> tuple[tuple[Dimension, ...], bool]:
        """The dimensions of the scope's free keys; and whether they are exhaustive."""
        given_via = any(name.lower() == VIA_KEY for name in self.given)

        def context_of(assignment: Mapping[str, Value]) -> RequestContext:
            keys = merge(request.keys, assignment)
            if request.caller.is_iam and not given_via:
                via = any(name.lower() == "kms:viaservice" for name in keys)
                keys = merge(keys, {"aws:ViaAWSService": "true" if via else "false"})
            return RequestContext(principal=request.context.principal, action=request.action, resource=self.resource, keys=keys)

        base = {name.lower(): value for name, value in request.keys.items()}
        dimensions = tuple(build_dimensions(scope.keys, scope.atoms, base, context_of, self.caches))
        exhaustive = not scope.unsolved and all(d.exhaustive for d in dimensions)
        if prod(len(d.assignments) for d in dimensions) > MAX_COMBINATIONS:
            exhaustive = False
        return dimensions, exhaustive

    def decide(self, principal: str, action: str, keys: Mapping[str, Value]) -> Decision:
        return evaluate(self.snapshot, build_request(self.snapshot, principal, action, self.resource, keys))

    def explore(self, principal: str, action: str) -> Exploration | None:
        """Every class of requests from `principal` doing `action`; None when the principal
        cannot make requests."""
        request = self.request(principal, action)
        if request is None:
            return None
        scope = self.scoper.scope(request)
        if not scope.can_allow:
            return Exploration(principal, action, (), (), {}, {}, True, 0)
        lower = action.lower()
        grants = request.target.key is not None and any(id(g) in scope.applied for g in request.target.key.grants)
        shared = (
            principal,
            scope.applied,
            lower.split(":", 1)[0],
            request.cross_account and lower in _CROSS,
            grants and lower in _WITHOUT_CONTEXT,
        )
        known = self._explored.get(shared)
        if known is not None:
            return known
        dimensions, exhaustive = self.dimensions(request, scope)
        allowed: list[tuple[int, ...]] = []
        given: dict[tuple[int, ...], Mapping[str, Value]] = {}
        decisions: dict[tuple[int, ...], Decision] = {}
        count = 0
        for picks, keys, decision in self.enumerate(principal, action, dimensions, scope):
            count += 1
            if decision.decision == "allowed":
                allowed.append(picks)
                given[picks] = keys
                decisions[picks] = decision
        exhaustive = exhaustive and not self.truncated
        found = self._explored[shared] = Exploration(principal, action, dimensions, tuple(allowed), given, decisions, exhaustive, count)
        return found

    def enumerate(
        self, principal: str, action: str, dimensions: tuple[Dimension, ...], scope: Scope
    ) -> Iterator[tuple[tuple[int, ...], dict[str, tuple[str, ...] | str], Decision]]:
        """Every combination of the dimensions with its context keys and decision, leaving out
        (without deciding) combinations a Deny already decided (see `_deciding_dimensions`)."""
        denied: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        count = 0
        self.truncated = False
        for picks in product(*(range(len(d.assignments)) for d in dimensions)):
            if any(all(picks[i] == p for i, p in zip(where, chosen)) for where, chosen in denied):
                continue
            if count >= MAX_COMBINATIONS or self.budget <= 0:
                self.truncated = True
                return
            count += 1
            self.budget -= 1
            keys = merge(self.given, _assignment(dimensions, picks))
            decision = self.decide(principal, action, keys)
            if decision.decision == "explicitly-denied":
                where = _deciding_dimensions(decision, scope.denies, dimensions)
                if where is not None:
                    denied.append((where, tuple(picks[i] for i in where)))
            yield picks, keys, decision


def _assignment(dimensions: tuple[Dimension, ...], picks: tuple[int, ...]) -> dict[str, Value]:
    assignment: dict[str, Value] = {}
    for dimension, pick in zip(dimensions, picks):
        assignment.update(dimension.assignments[pick])
    return assignment
