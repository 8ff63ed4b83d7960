from __future__ import annotations

from typing import Any

import pytest

from policylint.evaluate.conditions import (
    ConditionBlockResult,
    ConditionResult,
    KeyedConditionResult,
    evaluate_condition_block,
)
from policylint.evaluate.context import RequestContext

CONTEXT = RequestContext(
    principal="arn:aws:iam::111122223333:user/bob",
    action="s3:ListBucket",
    resource="arn:aws:s3:::bucket",
    keys={
        "aws:username": "bob",
        "aws:SecureTransport": "true",
        "aws:SourceIp": "203.0.113.7",
        "s3:prefix": "home/bob/",
        "aws:TagKeys": ("env", "team"),
    },
)

BLOCK_CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("empty-block", {}, True),
    ("one-condition", {"StringEquals": {"aws:username": "bob"}}, True),
    (
        "operators-and-all-hold",
        {"StringEquals": {"aws:username": "bob"}, "Bool": {"aws:SecureTransport": "true"}},
        True,
    ),
    (
        "operators-and-one-fails",
        {"StringEquals": {"aws:username": "bob"}, "Bool": {"aws:SecureTransport": "false"}},
        False,
    ),
    ("keys-and-all-hold", {"StringLike": {"aws:username": "b*", "s3:prefix": "home/${aws:username}/"}}, True),
    ("keys-and-one-fails", {"StringLike": {"aws:username": "b*", "s3:prefix": "tmp/*"}}, False),
    ("values-or", {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}}, True),
    ("values-nor-negated", {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}}, False),
    ("missing-key-fails", {"StringEquals": {"aws:PrincipalTag/team": "blue"}}, False),
    ("set-operator", {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team", "cost"]}}, True),
    ("unknown-operator-fails", {"StringEqualz": {"aws:username": "bob"}}, False),
]


@pytest.mark.parametrize(("name", "condition", "matches"), BLOCK_CASES, ids=[c[0] for c in BLOCK_CASES])
def test_block_logic(name: str, condition: dict[str, Any], matches: bool) -> None:
    assert evaluate_condition_block(condition, CONTEXT).matches is matches


def test_block_reports_every_condition() -> None:
    block = evaluate_condition_block(
        {"StringEquals": {"aws:username": "alice", "s3:prefix": "home/bob/"}, "Null": {"aws:TokenIssueTime": "true"}},
        CONTEXT,
    )
    assert block == ConditionBlockResult(
        matches=False,
        conditions=(
            KeyedConditionResult(
                operator="StringEquals",
                key="aws:username",
                result=ConditionResult(
                    matches=False,
                    reason="value-mismatch",
                    detail="condition `StringEquals` on `aws:username`: request value `bob` does not equal `alice`",
                ),
            ),
            KeyedConditionResult(
                operator="StringEquals",
                key="s3:prefix",
                result=ConditionResult(
                    matches=True,
                    reason="matched",
                    detail="condition `StringEquals` on `s3:prefix`: request value `home/bob/` equals `home/bob/`",
                ),
            ),
            KeyedConditionResult(
                operator="Null",
                key="aws:TokenIssueTime",
                result=ConditionResult(
                    matches=True,
                    reason="matched",
                    detail=(
                        "condition `Null` on `aws:TokenIssueTime`: the key is not in the request, as `true` requires"
                    ),
                ),
            ),
        ),
    )


def test_block_operator_without_key_map() -> None:
    block = evaluate_condition_block({"StringEquals": ["aws:username"]}, CONTEXT)
    assert block == ConditionBlockResult(
        matches=False,
        conditions=(
            KeyedConditionResult(
                operator="StringEquals",
                key="",
                result=ConditionResult(
                    matches=False,
                    reason="bad-policy-value",
                    detail="condition operator `StringEquals` must map keys to values",
                ),
            ),
        ),
    )


def test_block_passes_multivalued_lookup() -> None:
    block = evaluate_condition_block(
        {"StringEquals": {"aws:TagKeys": "env"}}, CONTEXT, multivalued=lambda key: key.lower() == "aws:tagkeys"
    )
    assert block.conditions[0].result.detail.endswith(
        "`aws:TagKeys` is multivalued, so use `ForAnyValue` or `ForAllValues`"
    )


VARIABLE_CASES = [("enabled", True, True), ("disabled", False, False)]


@pytest.mark.parametrize(("name", "enabled", "matches"), VARIABLE_CASES, ids=[c[0] for c in VARIABLE_CASES])
def test_block_variables_flag(name: str, enabled: bool, matches: bool) -> None:
    block = evaluate_condition_block(
        {"StringLike": {"s3:prefix": "home/${aws:username}/*"}}, CONTEXT, variables_enabled=enabled
    )
    assert block.matches is matches
