"""`glob_covers(outer, inner)`: whatever `inner` matches, `outer` matches too (sound answers)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.catalog.actions import glob_match
from policylint.checks.statement import glob_covers


@pytest.mark.parametrize(
    ("name", "outer", "inner", "expected"),
    [
        ("same literal", "s3:getobject", "s3:getobject", True),
        ("prefix covers literal", "s3:get*", "s3:getobject", True),
        ("prefix covers narrower prefix", "s3:get*", "s3:getobject*", True),
        ("different prefixes", "s3:get*", "s3:list*", False),
        ("narrower does not cover wider", "s3:getobject*", "s3:get*", False),
        ("question mark in inner before the star", "s3:get*", "s3:ge?object", False),
        ("question mark in inner after the prefix", "s3:get*", "s3:get?", True),
        ("star covers all", "*", "*", True),
        ("inner star needs an outer star", "s3:get?", "s3:get*", False),
        ("inner question mark absorbed by outer", "s3:ge?", "s3:ge?", True),
        ("suffix pattern", "*object", "s3:getobject", True),
        ("suffix pattern, other suffix", "*object", "s3:getbucket", False),
        ("middle star", "s3:*object*", "s3:get*object*", True),
        ("ignore case", "S3:Get*", "s3:GETOBJECT", None),
    ],
)
def test_glob_covers(name: str, outer: str, inner: str, expected: bool | None) -> None:
    if expected is None:
        assert glob_covers(outer, inner) is False
        assert glob_covers(outer, inner, ignore_case=True) is True
    else:
        assert glob_covers(outer, inner) is expected


def _instances(pattern: str) -> list[str]:
    """Texts `pattern` matches, with each `*` standing for 0 to 2 letters and `?` for one."""
    choices = [["", "a", "b", "ab"] if c == "*" else (["a", "b"] if c == "?" else [c]) for c in pattern]
    return ["".join(parts) for parts in itertools.product(*choices)]


@settings(max_examples=500, deadline=None)
@given(outer=st.text(alphabet="ab*?", max_size=6), inner=st.text(alphabet="ab*?", max_size=5))
def test_a_covered_pattern_matches_nothing_outside(outer: str, inner: str) -> None:
    if glob_covers(outer, inner):
        assert all(glob_match(outer, text) for text in _instances(inner))


@settings(max_examples=500, deadline=None)
@given(head=st.text(alphabet="ab", max_size=3), inner=st.text(alphabet="ab*?", max_size=5))
def test_prefix_patterns_are_decided_exactly(head: str, inner: str) -> None:
    """`head*` covers `inner` exactly when every text `inner` matches starts with `head`."""
    texts = _instances(inner)
    assert glob_covers(head + "*", inner) == all(text.startswith(head) for text in texts)
