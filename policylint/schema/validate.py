"""Validate a parsed policy document against the shipped IAM policy grammar.

`schema_violations(value, kind)` returns one `Violation` per structural problem: PL002
`invalid-policy-structure` (unknown or missing elements, wrong types, `X` with `NotX`, bad
`Effect`, bad `Principal` or `Condition` shape) and PL014 `empty-element` (empty lists, objects
and strings where AWS expects values). Documents that `fastcheck.structurally_valid` accepts
skip jsonschema entirely.

The grammar is `policy.schema.json` (draft 2020-12) beside this module, one `$defs` entry per
document kind. Each subschema that can fail carries `x-messages`: per jsonschema keyword, the
message template, rule code and whether the member's key is at fault. This module fills the
templates in and removes follow-on noise; no jsonschema text reaches a user.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, NamedTuple

from policylint.findings import Violation
from policylint.kinds import KINDS
from policylint.schema.fastcheck import structurally_valid
from policylint.source.positions import escape_pointer_token

if TYPE_CHECKING:  # jsonschema is imported only when the fast path cannot decide (`_validator`)
    from jsonschema import Draft202012Validator, ValidationError


_DEFAULT_CODE = "PL002"
_MAX_SHOWN = 60


class _Problem(NamedTuple):
    """A violation plus what the clean-up passes need to know about it."""

    violation: Violation
    removes_member: bool  # an unknown or not-allowed member: problems inside it are noise
    suggestion: str | None  # the element an unknown member name probably meant
    wants: frozenset[str]  # for a missing element: the names that would satisfy it


def schema_violations(value: object, kind: str) -> list[Violation]:
    """Return the structural problems of the parsed policy `value` of document `kind`."""
    _check_kind(kind)
    if structurally_valid(value, kind):
        return []
    return _jsonschema_violations(value, kind)


def _jsonschema_violations(value: object, kind: str) -> list[Violation]:
    """Validate with jsonschema alone (no fast path) and rewrite every error."""
    _check_kind(kind)
    problems = [_problem(error) for error in _validator(kind).iter_errors(value)]
    problems = _without_explained(_without_nested(problems))
    violations = list(dict.fromkeys(p.violation for p in problems))
    return _ordered(violations, value)


@cache
def policy_schema() -> Mapping[str, Any]:
    """The shipped schema document (read once, on first use)."""
    text = resources.files("policylint.schema").joinpath("policy.schema.json").read_text("utf-8")
    return json.loads(text)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}; expected one of {', '.join(KINDS)}")


@cache
def _validator(kind: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    schema = dict(policy_schema())
    schema["$ref"] = f"#/$defs/{kind}"
    # The schema is ours and fixed: tests/schema/test_schema_valid.py checks it against the
    # metaschema, so that runs do not pay for it (a tenth of a second per process).
    return Draft202012Validator(schema)


def _problem(error: ValidationError) -> _Problem:
    keyword = str(error.validator)
    spec = _message_spec(error.schema, keyword)
    path = list(error.absolute_path)
    template = str(spec["message"])
    suggestion: str | None = None
    member_name = _is_property_name_error(error)
    if member_name:
        # The failing instance is a member name: point at that member's key.
        path.append(error.instance)
        known = spec.get("known", {})
        if error.instance in known:
            template = str(known[error.instance])
        else:
            suggestion = _suggest(error)
    message = template.format(
        key=_nearest_name(path, 0),
        owner=_nearest_name(path, 1),
        value=_clip(str(error.instance)),
        shown=_shown(error.instance),
        type=_type_name(error.instance),
        missing=_missing(error),
        hint=f"; did you mean `{suggestion}`?" if suggestion else str(spec.get("otherwise", "")),
    )
    violation = Violation(
        code=str(spec.get("code", _DEFAULT_CODE)),
        pointer=_pointer(path),
        message=message,
        at_key=member_name or bool(spec.get("at_key", False)),
    )
    return _Problem(violation, member_name, suggestion, _wanted_names(error))


def _message_spec(schema: object, keyword: str) -> Mapping[str, Any]:
    messages = schema.get("x-messages", {}) if isinstance(schema, Mapping) else {}
    spec = messages.get(keyword)
    if spec is None:
        # A schema edit left a keyword without a message: fail loudly (the tests walk the
        # schema for this) rather than show jsonschema text to users.
        raise LookupError(f"policy.schema.json has no x-messages entry for {keyword!r}")
    return spec


def _is_property_name_error(error: ValidationError) -> bool:
    # jsonschema reports a propertyNames failure as the inner keyword (`enum`) whose instance
    # is the member name, one step below `propertyNames` in the schema path.
    schema_path = list(error.schema_path)
    return len(schema_path) >= 2 and schema_path[-2] == "propertyNames"


def _suggest(error: ValidationError) -> str | None:
    if error.validator != "enum" or not isinstance(error.instance, str):
        return None
    by_lower = {c.lower(): c for c in error.validator_value if isinstance(c, str)}
    name = error.instance.lower()
    if name in by_lower:
        return by_lower[name]
    close = difflib.get_close_matches(name, list(by_lower), n=1, cutoff=0.75)
    return by_lower[close[0]] if close else None


def _wanted_names(error: ValidationError) -> frozenset[str]:
    """Names whose presence would have satisfied a failed `required` / `anyOf` of required."""
    if error.validator == "required":
        return frozenset(str(name) for name in error.validator_value)
    if error.validator == "anyOf":
        return frozenset(
            str(name)
            for branch in error.validator_value
            if isinstance(branch, Mapping)
            for name in branch.get("required", ())
        )
    return frozenset()


def _missing(error: ValidationError) -> str:
    if error.validator != "required" or not isinstance(error.instance, Mapping):
        return ""
    absent = [name for name in error.validator_value if name not in error.instance]
    return absent[0] if absent else ""


def _pointer(path: Sequence[object]) -> str:
    return "".join(
        "/" + escape_pointer_token(t if isinstance(t, (str, int)) else str(t)) for t in path
    )


def _parent(pointer: str) -> str:
    return pointer[: pointer.rfind("/")]


def _nearest_name(path: Sequence[object], skip: int) -> str:
    names = [t for t in reversed(path) if isinstance(t, str)]
    return _clip(names[skip]) if len(names) > skip else ""


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def _shown(value: object) -> str:
    if isinstance(value, str):
        return f"`{_clip(value)}`"
    if value is None or isinstance(value, (bool, int, float)):
        return f"`{json.dumps(value)}`"
    return _type_name(value)


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _without_nested(problems: list[_Problem]) -> list[_Problem]:
    """Drop problems inside a member already reported as not belonging there."""
    removed = [p.violation.pointer for p in problems if p.removes_member]
    if not removed:
        return problems
    return [
        p
        for p in problems
        if p.removes_member
        or not any(
            p.violation.pointer == r or p.violation.pointer.startswith(r + "/") for r in removed
        )
    ]


def _without_explained(problems: list[_Problem]) -> list[_Problem]:
    """Drop "X is missing" where a misspelt member beside it was taken to mean X."""
    meant = {(_parent(p.violation.pointer), p.suggestion) for p in problems if p.suggestion}
    if not meant:
        return problems
    return [
        p
        for p in problems
        if not any((p.violation.pointer, name) in meant for name in p.wants)
    ]


def _ordered(violations: list[Violation], value: object) -> list[Violation]:
    """Sort by where the element appears in the document (stable for equal positions)."""
    if len(violations) < 2:
        return violations
    rank = {pointer: index for index, pointer in enumerate(_pointers(value, ""))}
    return sorted(violations, key=lambda v: rank.get(v.pointer, len(rank)))


def _pointers(value: object, base: str) -> Iterator[str]:
    """Every pointer in `value`, in document order (iterative: input depth is unbounded)."""
    stack: list[tuple[object, str]] = [(value, base)]
    while stack:
        node, pointer = stack.pop()
        yield pointer
        if isinstance(node, Mapping):
            children = [
                (item, pointer + "/" + escape_pointer_token(str(key))) for key, item in node.items()
            ]
        elif isinstance(node, list):
            children = [(item, f"{pointer}/{index}") for index, item in enumerate(node)]
        else:
            continue
        stack.extend(reversed(children))
