"""Tests for the glob matcher behind action patterns (`*` and `?`, no regular expressions)."""

from __future__ import annotations

import pytest

from policylint.catalog.actions import glob_match

ADVERSARIAL = "*a*a*a*a*a*a*a*a*a*b"


@pytest.mark.parametrize(
    ("name", "pattern", "subject", "expected"),
    [
        ("empty-both", "", "", True),
        ("empty-pattern", "", "a", False),
        ("star-empty", "*", "", True),
        ("star-anything", "*", "anything at all", True),
        ("literal", "abc", "abc", True),
        ("literal-mismatch", "abc", "abd", False),
        ("literal-longer-subject", "abc", "abcd", False),
        ("question", "a?c", "abc", True),
        ("question-needs-a-char", "a?c", "ac", False),
        ("star-middle", "a*c", "abbbc", True),
        ("star-empty-run", "a*c", "ac", True),
        ("star-end", "ab*", "ab", True),
        ("stars-in-a-row", "a**b", "axb", True),
        ("backtrack", "*ab", "aab", True),
        ("backtrack-fail", "*ab", "aba", False),
        ("case-sensitive", "ABC", "abc", False),
        ("star-matches-colon", "*:Get*", "s3:GetObject", True),
        ("literal-star-in-subject", "a?c", "a*c", True),
    ],
)
def test_glob_match(name: str, pattern: str, subject: str, expected: bool) -> None:
    assert glob_match(pattern, subject) is expected


@pytest.mark.parametrize(
    ("name", "pattern", "subject", "expected"),
    [
        ("upper-pattern", "KMS:DE*", "kms:Decrypt", True),
        ("upper-subject", "kms:de*", "KMS:DECRYPT", True),
        ("still-a-mismatch", "kms:en*", "KMS:DECRYPT", False),
    ],
)
def test_glob_match_ignore_case(name: str, pattern: str, subject: str, expected: bool) -> None:
    assert glob_match(pattern, subject, ignore_case=True) is expected


@pytest.mark.parametrize(
    ("name", "pattern", "subject", "expected"),
    [
        ("no-b", ADVERSARIAL, "a" * 10_000, False),
        ("b-at-end", ADVERSARIAL, "a" * 9_999 + "b", True),
        ("b-too-early", ADVERSARIAL, "a" * 4 + "b" + "a" * 9_995, False),
        ("many-stars", "*" * 5_000 + "b", "a" * 10_000, False),
        ("question-run", "?" * 10_000, "x" * 10_000, True),
        ("question-run-short", "?" * 10_001, "x" * 10_000, False),
    ],
)
def test_glob_match_long_subjects(name: str, pattern: str, subject: str, expected: bool) -> None:
    # No timing assertion: with a backtracking regex these would not finish.
    assert glob_match(pattern, subject) is expected
