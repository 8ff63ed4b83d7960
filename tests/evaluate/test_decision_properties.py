"""Properties of the evaluation logic over generated snapshots (hypothesis, modest sizes):

- adding a Deny statement to any policy never turns a denied request into an allowed one;
- adding an Allow statement to any policy never turns an allowed request into a denied one;
- reordering statements, or the policies of a list, never changes a decision.

The snapshots and queries come from tests/evaluate/strategies.py, which bench/fuzz_evaluator.py
uses for long runs of the same properties.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.evaluate.strategies import QUERIES, additions, specs
from tests.evaluate.strategies import build_snapshot as _snapshot
from tests.evaluate.strategies import decisions as _decisions


@settings(max_examples=60, deadline=None)
@given(additions("Deny"))
def test_adding_a_deny_never_allows_more(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    before, after = (_decisions(_snapshot(spec)) for spec in pair)
    for query, old, new in zip(QUERIES, before, after, strict=True):
        if old != "allowed":
            assert new != "allowed", query


@settings(max_examples=60, deadline=None)
@given(additions("Allow"))
def test_adding_an_allow_never_denies_more(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    before, after = (_decisions(_snapshot(spec)) for spec in pair)
    for query, old, new in zip(QUERIES, before, after, strict=True):
        if old == "allowed":
            assert new == "allowed", query


@settings(max_examples=60, deadline=None)
@given(specs(), st.randoms(use_true_random=False))
def test_reordering_never_changes_a_decision(spec: dict[str, Any], random: Any) -> None:
    shuffled = copy.deepcopy(spec)
    for statements in shuffled.values():
        if statements is not None:
            random.shuffle(statements)
    assert _decisions(_snapshot(shuffled, order=(1, 0))) == _decisions(_snapshot(spec))
