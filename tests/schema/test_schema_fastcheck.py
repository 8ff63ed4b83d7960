"""The fast structural pass never accepts a document that jsonschema rejects."""

from __future__ import annotations

import copy
import json
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from policylint.schema.fastcheck import structurally_valid
from policylint.schema.validate import KINDS, _jsonschema_violations

# --- generated documents ------------------------------------------------------------------------

ELEMENT_NAMES = (
    "Version", "Id", "Statement", "Sid", "Effect", "Principal", "NotPrincipal", "Action",
    "NotAction", "Resource", "NotResource", "Condition", "AWS", "Service", "Federated",
    "CanonicalUser", "Actions", "effect", "",
)
WORDS = ("*", "Allow", "Deny", "allow", "s3:GetObject", "arn:aws:s3:::bucket/*", "2012-10-17", "")

names = st.sampled_from(ELEMENT_NAMES)
text = st.sampled_from(WORDS) | st.text(max_size=4)
nonempty_text = text.filter(bool)
scalars = st.none() | st.booleans() | st.integers(-2, 2) | st.floats(-1, 1) | text
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names | text, inner, max_size=3),
    max_leaves=6,
)

principal = st.just("*") | st.dictionaries(
    st.sampled_from(("AWS", "Service", "Federated", "CanonicalUser")),
    text | st.lists(text, min_size=1, max_size=2),
    min_size=1,
    max_size=2,
)
condition_scalar = text | st.integers(-5, 5) | st.floats(-1, 1) | st.booleans()
condition = st.dictionaries(
    st.sampled_from(("StringEquals", "Bool", "ForAnyValue:StringLike", "NumericLessThan")),
    st.dictionaries(
        st.sampled_from(("aws:SourceIp", "kms:ViaService", "aws:PrincipalTag/team")),
        condition_scalar | st.lists(condition_scalar, min_size=1, max_size=3),
        min_size=1,
        max_size=2,
    ),
    min_size=1,
    max_size=2,
)
string_list = nonempty_text | st.lists(nonempty_text, min_size=1, max_size=3)

# Values one edit away from valid ones: empties, wrong scalars, one level too deep.
NEAR_MISSES = ("", [], {}, [""], [1], [None], [[]], None, 0, 1.5, True, "allow", "*", {"AWS": []})
WELL_FORMED = (
    "*", ["*"], "Deny", "s3:GetObject", {"AWS": "*"}, {"Bool": {"aws:SecureTransport": "false"}},
)


@st.composite
def valid_statements(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """A statement that the grammar of `kind` accepts."""
    statement: dict[str, Any] = {"Effect": draw(st.sampled_from(("Allow", "Deny")))}
    if draw(st.booleans()):
        statement["Sid"] = draw(text)
    actions = ("Action",) if kind == "rcp" else ("Action", "NotAction")
    statement[draw(st.sampled_from(actions))] = draw(string_list)
    if kind != "trust-policy" and (kind != "resource-policy" or draw(st.booleans())):
        statement[draw(st.sampled_from(("Resource", "NotResource")))] = draw(string_list)
    if draw(st.booleans()):
        statement[draw(st.sampled_from(("Principal", "NotPrincipal")))] = draw(principal)
    if draw(st.booleans()):
        statement["Condition"] = draw(condition)
    return statement


@st.composite
def valid_policies(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    one = valid_statements(kind)
    document: dict[str, Any] = {"Statement": draw(one | st.lists(one, min_size=1, max_size=3))}
    if draw(st.booleans()):
        document["Version"] = "2012-10-17"
    if draw(st.booleans()):
        document["Id"] = draw(text)
    return document


def fresh(values: tuple[object, ...]) -> st.SearchStrategy[Any]:
    """One of `values`, copied: later edits must not change the shared constants."""
    return st.sampled_from(values).map(copy.deepcopy)


def _slots(value: object) -> list[tuple[Any, Any]]:
    """Every (container, key-or-index) pair inside `value`."""
    found: list[tuple[Any, Any]] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.extend((node, key) for key in node)
            stack.extend(node.values())
        elif isinstance(node, list):
            found.extend((node, index) for index in range(len(node)))
            stack.extend(node)
    return found


def _emptied(value: object) -> object:
    """The empty value of the same JSON type (an empty string for scalars)."""
    if isinstance(value, list):
        return []
    if isinstance(value, dict):
        return {}
    return ""


@st.composite
def policy_like(draw: st.DrawFn, kind: str) -> object:
    """A valid policy of `kind`, or one with up to two edits that may or may not break it."""
    document: object = draw(valid_policies(kind))
    for _ in range(draw(st.sampled_from((0, 1, 1, 1, 2)))):
        slots = _slots(document)
        operation = draw(
            st.sampled_from(
                ("empty", "empty", "miss", "miss", "element", "element", "junk", "delete", "add",
                 "whole")
            )
        )
        if operation == "whole" or not slots:
            document = draw(fresh(NEAR_MISSES) | junk)
            continue
        if operation == "element":
            # A well-formed element where it may not belong: X beside NotX, Resource in a
            # trust policy, NotAction in an RCP, Principal beside NotPrincipal, ...
            objects = [c for c, _ in slots if isinstance(c, dict)] + [document]
            target = draw(st.sampled_from([o for o in objects if isinstance(o, dict)] or [{}]))
            target[draw(names)] = draw(fresh(WELL_FORMED))
            continue
        container, key = draw(st.sampled_from(slots))
        if operation == "empty":
            container[key] = _emptied(container[key])
        elif operation == "miss":
            container[key] = draw(fresh(NEAR_MISSES))
        elif operation == "junk":
            container[key] = draw(junk)
        elif operation == "delete":
            del container[key]
        elif isinstance(container, dict):
            container[draw(names | text)] = draw(fresh(NEAR_MISSES) | junk)
        else:
            container.append(draw(fresh(NEAR_MISSES) | junk))
    return document


@st.composite
def kinds_and_documents(draw: st.DrawFn) -> tuple[str, object]:
    kind = draw(st.sampled_from(KINDS))
    return kind, draw(policy_like(kind))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=kinds_and_documents(), other_kind=st.sampled_from(KINDS))
def test_fastcheck_accepts_only_what_jsonschema_accepts(
    case: tuple[str, object], other_kind: str
) -> None:
    kind, document = case
    # Also check against another kind's grammar: a valid trust policy is not a valid SCP.
    for checked_kind in (kind, other_kind):
        fast = structurally_valid(document, checked_kind)
        event(f"fastcheck {'accepts' if fast else 'rejects'}")
        if fast:
            assert _jsonschema_violations(document, checked_kind) == []


@pytest.mark.parametrize(
    ("name", "kind", "document"),
    [
        ("version a number", "identity-policy",
         {"Statement": [{"Effect": "Allow", "Action": "a", "Resource": "*"}], "Version": 1}),
        ("dict subclass, stricter than jsonschema", "identity-policy",
         OrderedDict(Statement={"Effect": "Allow", "Action": "a", "Resource": "*"})),
        ("boolean is not a string", "identity-policy",
         {"Statement": {"Effect": "Allow", "Action": True, "Resource": "*"}}),
        ("condition value a dict", "identity-policy",
         {"Statement": {"Effect": "Allow", "Action": "a", "Resource": "*",
                        "Condition": {"Bool": {"k": {"v": 1}}}}}),
        ("principal list holds a number", "resource-policy",
         {"Statement": {"Effect": "Allow", "Action": "a", "Principal": {"AWS": ["x", 1]}}}),
        ("trust policy with resource", "trust-policy",
         {"Statement": {"Effect": "Allow", "Action": "a", "Resource": "*"}}),
        ("rcp with not-action", "rcp",
         {"Statement": {"Effect": "Deny", "NotAction": "a", "Resource": "*"}}),
        ("unknown kind", "bucket-policy",
         {"Statement": {"Effect": "Allow", "Action": "a", "Resource": "*"}}),
    ],
)
def test_fastcheck_rejects(name: str, kind: str, document: object) -> None:
    assert structurally_valid(document, kind) is False


# --- the shared corpus --------------------------------------------------------------------------


def _corpus() -> Path | None:
    here = Path(__file__).resolve()
    for candidate in (here.parents[3] / "shared" / "corpus", Path("/work/shared/corpus")):
        if candidate.is_dir():
            return candidate
    return None


CORPUS_SETS = [
    ("managed-policies", "identity-policy"),
    ("key-policies", "key-policy"),
    ("doc-policies/identity", "identity-policy"),
    ("doc-policies/resource", "resource-policy"),
]


@pytest.mark.parametrize(("folder", "kind"), CORPUS_SETS)
def test_fastcheck_agrees_with_jsonschema_on_the_corpus(folder: str, kind: str) -> None:
    corpus = _corpus()
    if corpus is None or not (corpus / folder).is_dir():
        pytest.skip(f"corpus folder {folder} is absent")
    files = sorted((corpus / folder).glob("*.json"))
    assert files, folder
    disagreements = []
    for path in files:
        document = json.loads(path.read_text(encoding="utf-8"))
        fast = structurally_valid(document, kind)
        full = _jsonschema_violations(document, kind) == []
        if fast != full:
            disagreements.append((path.name, fast, full))
    assert disagreements == []
