"""Shared helpers of the condition-operator tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from policylint.evaluate.conditions import evaluate_condition
from policylint.evaluate.context import RequestContext


def _evaluate(operator: str, key: str, policy: Any, request: Any) -> tuple[bool, str]:
    """(matches, reason) of one condition for a request that has `key` = `request` (None: absent)."""
    keys = {} if request is None else {key: request}
    context = RequestContext(
        principal="arn:aws:iam::111122223333:user/bob", action="s3:ListBucket", resource="*", keys=keys
    )
    result = evaluate_condition(operator, key, policy, context)
    return result.matches, result.reason


@pytest.fixture()
def evaluate_one() -> Callable[[str, str, Any, Any], tuple[bool, str]]:
    return _evaluate
