"""Condition atoms: one (operator, key, policy values) of a statement, the unit the analysis
reasons with.

A request's decision depends on its context keys only through atoms (and through policy
variables in `Resource` elements, which `resource_variables` lists). An atom is tested with the
concrete condition evaluator (`policylint.evaluate.conditions.evaluate_condition`), never with
a re-implementation. KMS grant constraints become `StringEquals` atoms on
`kms:EncryptionContext:KEY`, which is how `evaluate_grant` compares them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from policylint.catalog.operators import OperatorParts, parse_operator
from policylint.evaluate.conditions import evaluate_condition
from policylint.evaluate.context import RequestContext
from policylint.evaluate.snapshot import Grant
from policylint.evaluate.statement import multivalued, raw_condition
from policylint.model.policy import PolicyDocument, Statement

_SPECIAL_VARIABLES = frozenset({"*", "?", "$"})
_EC_PREFIX = "kms:EncryptionContext:"


class Atom(NamedTuple):
    """One condition: `operator` on `key` with the policy's `values` (as written in JSON)."""

    operator: str
    key: str
    values: tuple[Any, ...]
    parts: OperatorParts | None
    enabled: bool  # whether policy variables are resolved (Version 2012-10-17)
    variables: frozenset[str]  # lower-case keys its values read through policy variables

    @property
    def lower(self) -> str:
        return self.key.lower()


def variable_keys(text: str) -> frozenset[str]:
    """The lower-case context keys that `${...}` variables in `text` read (a linear scan)."""
    found: set[str] = set()
    start = text.find("${")
    while start >= 0:
        end = text.find("}", start + 2)
        if end < 0:
            break
        body = text[start + 2 : end]
        name = body.split(",", 1)[0].strip()
        if name and name not in _SPECIAL_VARIABLES and "${" not in name:
            found.add(name.lower())
        start = text.find("${", start + 2)
    return frozenset(found)


def _values(raw: Any) -> tuple[Any, ...]:
    return tuple(raw) if isinstance(raw, (list, tuple)) else (raw,)


def statement_atoms(document: PolicyDocument, statement: Statement) -> tuple[Atom, ...]:
    """Every (operator, key) of the statement's `Condition`, values as written."""
    enabled = document.variables_enabled
    atoms: list[Atom] = []
    for operator, keys in raw_condition(document, statement).items():
        if not isinstance(keys, Mapping):
            continue
        parts = parse_operator(operator)
        for key, raw in keys.items():
            values = _values(raw)
            variables: frozenset[str] = frozenset()
            if enabled and parts is not None and parts.family in ("string", "arn"):
                variables = frozenset().union(*(variable_keys(v) for v in values if isinstance(v, str)))
            atoms.append(Atom(operator, str(key), values, parts, enabled, variables))
    return tuple(atoms)


def resource_variables(document: PolicyDocument, statement: Statement) -> frozenset[str]:
    """Keys read by policy variables in the statement's `Resource` / `NotResource`."""
    if not document.variables_enabled:
        return frozenset()
    entries = (statement.resource or ()) + (statement.not_resource or ())
    return frozenset().union(*(variable_keys(entry.value) for entry in entries))


def grant_atoms(grant: Grant) -> tuple[Atom, ...]:
    """A grant's encryption context constraint as `StringEquals` atoms."""
    parts = parse_operator("StringEquals")
    pairs: dict[str, str] = {}
    for constraint in (grant.encryption_context_equals, grant.encryption_context_subset):
        pairs.update(constraint or {})
    return tuple(
        Atom("StringEquals", _EC_PREFIX + name, (value,), parts, False, frozenset()) for name, value in sorted(pairs.items())
    )


def holds(atom: Atom, context: RequestContext) -> bool:
    """Whether the atom holds in `context`, by the concrete condition evaluator."""
    return evaluate_condition(
        atom.operator,
        atom.key,
        list(atom.values),
        context,
        multivalued=multivalued(atom.key),
        variables_enabled=atom.enabled,
    ).matches


class Memo:
    """Results of atoms that read no policy variable: they depend only on their key's value.
    Atoms are held so that their ids stay theirs."""

    def __init__(self) -> None:
        self._results: dict[tuple[int, object], bool] = {}
        self._atoms: dict[int, Atom] = {}

    def holds(self, atom: Atom, context: RequestContext) -> bool:
        if atom.variables:
            return holds(atom, context)
        self._atoms.setdefault(id(atom), atom)
        key = (id(atom), context.get(atom.key))
        found = self._results.get(key)
        if found is None:
            found = self._results[key] = holds(atom, context)
        return found

    def holds_value(self, atom: Atom, value: object, context_of: Callable[[], RequestContext]) -> bool:
        """`holds` for an atom without variables whose key has `value` (None: absent)."""
        self._atoms.setdefault(id(atom), atom)
        folded = (value,) if isinstance(value, str) else value
        key = (id(atom), folded)
        found = self._results.get(key)
        if found is None:
            found = self._results[key] = holds(atom, context_of())
        return found


def lazy_vector(
    atoms: Iterable[Atom], assignment: Mapping[str, object], context_of: Callable[[], RequestContext], memo: Memo
) -> tuple[bool, ...]:
    """`vector`, building the context only when an atom needs more than its own key's value
    from `assignment`."""
    folded = {name.lower(): value for name, value in assignment.items()}
    context: RequestContext | None = None
    found: list[bool] = []
    for atom in atoms:
        lower = atom.lower
        if not atom.variables and lower in folded:
            found.append(memo.holds_value(atom, folded[lower], context_of))
            continue
        if context is None:
            context = context_of()
        found.append(memo.holds(atom, context))
    return tuple(found)


def vector(atoms: Iterable[Atom], context: RequestContext, memo: Memo | None = None) -> tuple[bool, ...]:
    if memo is None:
        return tuple(holds(atom, context) for atom in atoms)
    return tuple(memo.holds(atom, context) for atom in atoms)
