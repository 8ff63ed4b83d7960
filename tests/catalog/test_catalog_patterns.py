"""Action pattern helpers that answer without expanding: `matches_any_action`, `matched_actions`."""

from __future__ import annotations

import pytest

from policylint.catalog.actions import expand_action_pattern, literal_prefix, matched_actions, matches_any_action

PATTERNS = [
    # (name, pattern): every answer must be `bool(expand_action_pattern(pattern))`
    ("literal", "kms:Decrypt"),
    ("literal, any case", "KMS:decrypt"),
    ("unknown action", "kms:Decrypts"),
    ("unknown service", "kmz:Decrypt"),
    ("prefix", "ec2:Describe*"),
    ("prefix matching nothing", "ec2:Describx*"),
    ("question mark", "s3:GetObjec?"),
    ("wildcard first", "s3:*Object"),
    ("wildcard service", "*:Describe*"),
    ("service wildcard matching nothing", "zz*:Get*"),
    ("no colon", "*"),
    ("no colon, a prefix", "kms*"),
    ("no colon, nothing", "zzz*"),
    ("two colons", "kms:Decrypt:x"),
    ("empty action part", "kms:"),
    ("empty", ""),
]


@pytest.mark.parametrize(("name", "pattern"), PATTERNS, ids=[p[0] for p in PATTERNS])
def test_matches_any_action_agrees_with_expansion(name: str, pattern: str) -> None:
    assert matches_any_action(pattern) == bool(expand_action_pattern(pattern))


@pytest.mark.parametrize(
    ("name", "pattern", "expected"),
    [("literal", "abc", "abc"), ("star", "ab*c", "ab"), ("question", "a?c", "a"), ("leading", "*a", ""), ("empty", "", "")],
)
def test_literal_prefix(name: str, pattern: str, expected: str) -> None:
    assert literal_prefix(pattern) == expected


TARGETS = ("kms:Decrypt", "kms:GenerateDataKey", "s3:GetObject")


@pytest.mark.parametrize(
    ("name", "patterns", "expected"),
    [
        ("literal", ["kms:Decrypt"], {"kms:Decrypt"}),
        ("other services only", ["s3:PutObject", "ec2:*"], set()),
        ("service wildcard", ["*:Get*"], {"s3:GetObject"}),
        ("everything", ["*"], set(TARGETS)),
        ("any case", ["KMS:gen*"], {"kms:GenerateDataKey"}),
        ("no colon", ["kms*"], {"kms:Decrypt", "kms:GenerateDataKey"}),
        ("several", ["kms:Decrypt", "s3:Get*"], {"kms:Decrypt", "s3:GetObject"}),
        ("none", [], set()),
    ],
)
def test_matched_actions(name: str, patterns: list[str], expected: set[str]) -> None:
    assert matched_actions(patterns, TARGETS) == frozenset(expected)
