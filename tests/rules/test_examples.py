"""Every example of every rule file: flagged ones are flagged exactly at their pointers, clean
ones are not flagged. Also: every rule has both kinds of example, and rules and checks match."""

from __future__ import annotations

import pytest

from policylint.rules.examples import run_example
from policylint.rules.registry import checks, rules

# Codes produced by the reading stage rather than by a check function over the model.
SOURCE_STAGE_CODES = {"PL001"}

ALL = rules()


def _cases(which: str):
    for code, rule in ALL.items():
        for index, example in enumerate(getattr(rule.examples, which)):
            yield pytest.param(rule, example, id=f"{code}-{which}-{index}")


@pytest.mark.parametrize(("rule", "example"), list(_cases("flagged")))
def test_flagged_example(rule, example):
    findings = run_example(rule, example)
    assert sorted(f.pointer for f in findings) == sorted(example.pointers)
    assert all(f.range is not None for f in findings)


@pytest.mark.parametrize(("rule", "example"), list(_cases("clean")))
def test_clean_example(rule, example):
    assert run_example(rule, example) == []


@pytest.mark.parametrize("code", list(ALL))
def test_rule_has_flagged_and_clean_examples(code):
    rule = ALL[code]
    assert rule.examples.flagged, f"{code} has no example that must be flagged"
    assert rule.examples.clean, f"{code} has no example that must stay clean"


def test_every_rule_has_a_check_and_every_check_a_rule():
    bound = set(checks())
    assert set(ALL) - bound - SOURCE_STAGE_CODES == set()
    assert bound - set(ALL) == set()
