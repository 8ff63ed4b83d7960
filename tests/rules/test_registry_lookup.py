"""`rule(code)` reads one rule file and gives what `rules()` gives for that code."""

from __future__ import annotations

import pytest

from policylint.rules.registry import rule, rules


@pytest.mark.parametrize("code", sorted(rules()))
def test_rule_is_the_catalog_entry(code: str) -> None:
    assert rule(code) == rules()[code]


@pytest.mark.parametrize("code", ["PL999", "PL00", "", "pl001"])
def test_unknown_code(code: str) -> None:
    assert rule(code) is None
