"""The model builder makes nodes without validating them (policylint.trusted): every node it
makes, from the shipped samples and from generated and damaged policies, must be exactly what
pydantic's validation of the same field values gives back (same types: tuples, not lists; the
kinds and literals the fields allow; every field given)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import ValidationError

from policylint.model.build import build_document
from policylint.model.policy import Node, PolicyDocument, Statement, Text
from policylint.trusted import maker
from policylint.source.loader import discover, load_bytes, load_file
from tests.robustness.strategies import mutated_policies, policies
from tests.validated import assert_as_validated, records

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def assert_valid(document: PolicyDocument) -> None:
    """Each node equals the validation of its own field values, field by field and in type."""
    for node in records(document):
        cls = type(node)
        assert list(node.__dict__)[: len(cls.model_fields)] == list(cls.model_fields), cls.__name__
        assert node.model_fields_set == set(cls.model_fields)
        assert_as_validated(node)


def _documents_of(path: str) -> list[PolicyDocument]:
    result = load_file(path)
    return [build_document(source) for source in result.documents]


SAMPLE_FILES = sorted(discover([str(SAMPLES)], ()))


def test_every_sample_is_covered() -> None:
    assert len(SAMPLE_FILES) >= 30


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: str(Path(p).relative_to(SAMPLES)))
def test_nodes_built_from_samples_are_valid(path: str) -> None:
    for document in _documents_of(path):
        assert_valid(document)


@given(policies())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_nodes_built_from_generated_policies_are_valid(policy: dict) -> None:
    assert_valid(_build(policy))


@given(mutated_policies())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_nodes_built_from_damaged_policies_are_valid(policy: object) -> None:
    assert_valid(_build(policy))


def _build(value: object) -> PolicyDocument:
    """The document of `value` written as a JSON file and loaded as policylint loads files."""
    data = json.dumps(value, ensure_ascii=True).encode("ascii")
    [source] = load_bytes("policy.json", data).documents
    return build_document(source)


def test_the_check_catches_a_list_where_a_tuple_belongs() -> None:
    """The property above can fail: a node made with a list for a tuple field is caught."""
    make = maker(Statement)
    text = maker(Text)({"pointer": "/Statement/0/Sid", "locator": None, "value": "A"})
    fields = {name: None for name in Statement.model_fields}
    bad = make({**fields, "pointer": "/Statement/0", "index": 0, "sid": text, "resource": [text], "members": {}})
    with pytest.raises(AssertionError):
        assert_valid(maker(PolicyDocument)({**_build({}).__dict__, "statements": (bad,)}))


def test_the_check_catches_a_value_validation_refuses() -> None:
    bad = maker(Text)({"pointer": "/Id", "locator": None, "value": 3})
    with pytest.raises(ValidationError):
        assert_valid(maker(PolicyDocument)({**_build({}).__dict__, "id": bad}))


def test_made_nodes_behave_as_validated_ones() -> None:
    """Frozen, equal and hashable like validated nodes, and their fields set is their own."""
    made = maker(Text)({"pointer": "/Sid", "locator": None, "value": "A"})
    validated = Text(pointer="/Sid", value="A")
    assert made == validated and repr(made) == repr(validated)
    assert made.model_dump() == validated.model_dump()
    with pytest.raises(ValidationError):
        made.value = "B"  # type: ignore[misc]
    other = maker(Text)({"pointer": "/Id", "locator": None, "value": "B"})
    other.model_fields_set.discard("value")
    assert made.model_fields_set == {"pointer", "locator", "value"}
    assert isinstance(made, Node)


def test_attributes_are_set_even_without_slot_descriptors() -> None:
    """A pydantic that keeps an attribute elsewhere than BaseModel's slots gets it through
    object.__setattr__, the way model_construct sets it."""
    from policylint import trusted

    node = maker(Text)({"pointer": "/Sid", "locator": None, "value": "A"})
    setter = trusted._setter("__not_a_slot__")
    setter(node, 5)
    assert node.__dict__["__not_a_slot__"] == 5
    assert trusted._setter("__pydantic_extra__") is not setter
