from __future__ import annotations

import fnmatch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.evaluate.match import (
    GlobPattern,
    Wildcard,
    action_matches,
    fold_case,
    glob_match,
    wildcard_match,
)

WILDCARD_CASES = [
    ("empty-matches-empty", "", "", False, True),
    ("empty-rejects-text", "", "a", False, False),
    ("star-matches-empty", "*", "", False, True),
    ("star-matches-anything", "*", "arn:aws:s3:::bucket/key", False, True),
    ("literal-exact", "abc", "abc", False, True),
    ("literal-longer-subject", "abc", "abcd", False, False),
    ("literal-case-sensitive", "abc", "ABC", False, False),
    ("literal-ignore-case", "abc", "ABC", True, True),
    ("question-one-char", "a?c", "abc", False, True),
    # A middle piece longer than what is left of the subject (found by hypothesis: it once raised).
    ("middle-piece-longer-than-subject", "*]???*", "][", False, False),
    ("middle-piece-exactly-fits", "*]???*", "]abc", False, True),
    ("question-not-empty", "a?c", "ac", False, False),
    ("question-not-two", "a?c", "abbc", False, False),
    ("star-prefix", "s3:Get*", "s3:GetObject", False, True),
    ("star-prefix-empty-run", "s3:Get*", "s3:Get", False, True),
    ("star-middle", "a*c", "abbbc", False, True),
    ("star-middle-empty", "a*c", "ac", False, True),
    ("star-suffix-mismatch", "a*c", "abcd", False, False),
    ("stars-around", "*bc*", "abcd", False, True),
    ("double-star", "a**b", "ab", False, True),
    ("star-then-question", "*?", "", False, False),
    ("star-then-question-one", "*?", "x", False, True),
    ("greedy-needs-later-match", "*ab*abc", "abababc", False, True),
    ("overlap-first-and-last", "ab*ba", "aba", False, False),
    ("middle-pieces-do-not-overlap", "*ab*ab*", "xabx", False, False),
    ("middle-pieces-in-order", "*ab*ab*", "xabab", False, True),
    ("repeated-piece-needs-two", "*a*a*", "a", False, False),
    ("question-in-middle-piece", "*a?c*", "xxabcxx", False, True),
    ("question-piece-retry", "*a?c*", "acxacb", False, False),
    ("question-piece-later", "*a?c*", "aaxabc", False, True),
    ("bracket-is-literal", "[ab]", "[ab]", False, True),
    ("bracket-not-class", "[ab]", "a", False, False),
    ("newline-in-subject", "a*b", "a\nb", False, True),
    ("unicode-ignore-case", "ÄB*", "äbc", True, True),
    ("unicode-length-kept", "?", "İ", True, True),
]


@pytest.mark.parametrize(
    ("name", "pattern", "subject", "ignore_case", "expected"), WILDCARD_CASES, ids=[c[0] for c in WILDCARD_CASES]
)
def test_wildcard_match(name: str, pattern: str, subject: str, ignore_case: bool, expected: bool) -> None:
    assert wildcard_match(pattern, subject, ignore_case=ignore_case) is expected


ADVERSARIAL = [
    ("stars-then-missing-suffix", "*a*a*a*a*a*a*a*a*b"),
    ("stars-then-missing-middle", "*a*a*a*a*a*a*a*a*b*"),
    ("question-pieces", "*a?a?a?a?b*"),
    ("long-literal-piece", "*" + "a" * 50 + "b*"),
]


@pytest.mark.parametrize(("name", "pattern"), ADVERSARIAL, ids=[c[0] for c in ADVERSARIAL])
def test_adversarial_patterns_finish(name: str, pattern: str) -> None:
    assert wildcard_match(pattern, "a" * 100_000) is False


def test_adversarial_pattern_can_still_match() -> None:
    assert wildcard_match("*a*a*a*a*a*a*a*a*b", "a" * 100_000 + "b") is True


PATTERN_CASES = [
    ("parse", GlobPattern.parse("a*b?c"), ("a", Wildcard.ANY_RUN, "b", Wildcard.ANY_ONE, "c"), "a*b?c"),
    ("literal", GlobPattern.literal("a*b?"), ("a*b?",), "a*b?"),
    ("literal-empty", GlobPattern.literal(""), (), ""),
    (
        "join-merges-literals",
        GlobPattern.join(["x", GlobPattern.literal("*"), GlobPattern.parse("y*"), ""]),
        ("x*y", Wildcard.ANY_RUN),
        "x*y*",
    ),
]


@pytest.mark.parametrize(("name", "pattern", "items", "text"), PATTERN_CASES, ids=[c[0] for c in PATTERN_CASES])
def test_glob_pattern_building(name: str, pattern: GlobPattern, items: tuple, text: str) -> None:
    assert (pattern.items, pattern.text) == (items, text)


LITERAL_CASES = [
    ("literal-star-matches-star", GlobPattern.literal("a*"), "a*", True),
    ("literal-star-is-not-wildcard", GlobPattern.literal("a*"), "abc", False),
    ("literal-question-is-not-wildcard", GlobPattern.literal("?"), "x", False),
    ("mixed", GlobPattern.join([GlobPattern.literal("home/*/"), Wildcard.ANY_RUN]), "home/*/file", True),
    ("mixed-rejects", GlobPattern.join([GlobPattern.literal("home/*/"), Wildcard.ANY_RUN]), "home/bob/file", False),
]


@pytest.mark.parametrize(("name", "pattern", "subject", "expected"), LITERAL_CASES, ids=[c[0] for c in LITERAL_CASES])
def test_literal_parts_never_act_as_wildcards(name: str, pattern: GlobPattern, subject: str, expected: bool) -> None:
    assert glob_match(pattern, subject) is expected


SPLIT_CASES = [
    ("splits-at-first-five", GlobPattern.parse("arn:aws:s3:::b/k:x"), 5, ("arn", "aws", "s3", "", "", "b/k:x")),
    ("fewer-separators", GlobPattern.parse("a:*"), 5, ("a", "*")),
    ("literal-from-variable-splits-too", GlobPattern.join(["a", GlobPattern.literal("b:c")]), 5, ("ab", "c")),
]


@pytest.mark.parametrize(("name", "pattern", "maxsplit", "texts"), SPLIT_CASES, ids=[c[0] for c in SPLIT_CASES])
def test_split_literal(name: str, pattern: GlobPattern, maxsplit: int, texts: tuple[str, ...]) -> None:
    assert tuple(part.text for part in pattern.split_literal(":", maxsplit)) == texts


ACTION_CASES = [
    ("exact", "s3:GetObject", "s3:GetObject", True),
    ("case-insensitive", "S3:getobject", "s3:GetObject", True),
    ("prefix-wildcard", "s3:Get*", "s3:GetObjectAcl", True),
    ("other-service", "s3:Get*", "s3express:GetObject", False),
    ("everything", "*", "kms:Decrypt", True),
    ("service-wildcard", "kms:*", "KMS:Decrypt", True),
    ("question", "kms:?ecrypt", "kms:Decrypt", True),
    ("no-partial", "kms:Decrypt", "kms:DecryptData", False),
]


@pytest.mark.parametrize(("name", "pattern", "action", "expected"), ACTION_CASES, ids=[c[0] for c in ACTION_CASES])
def test_action_matches(name: str, pattern: str, action: str, expected: bool) -> None:
    assert action_matches(pattern, action) is expected


FOLD_CASES = [
    ("ascii", "AbC", "abc"),
    ("unicode", "ÄÖ", "äö"),
    ("length-changing-char-kept", "İx", "İx"),
]


@pytest.mark.parametrize(("name", "text", "expected"), FOLD_CASES, ids=[c[0] for c in FOLD_CASES])
def test_fold_case(name: str, text: str, expected: str) -> None:
    assert fold_case(text) == expected


def _reference(pattern: str, subject: str) -> bool:
    return fnmatch.fnmatchcase(subject, pattern.replace("[", "[[]"))


@settings(max_examples=500)
@given(pattern=st.text(alphabet="ab*?[]", max_size=8), subject=st.text(alphabet="ab[]", max_size=10))
def test_agrees_with_fnmatch(pattern: str, subject: str) -> None:
    assert wildcard_match(pattern, subject) is _reference(pattern, subject)


@settings(max_examples=500)
@given(
    pattern=st.lists(st.sampled_from(["a", "b", "ab", "*", "?", "["]), max_size=7).map("".join),
    subject=st.text(alphabet="ab[", max_size=8),
)
def test_token_patterns_agree_with_fnmatch(pattern: str, subject: str) -> None:
    assert wildcard_match(pattern, subject) is _reference(pattern, subject)


@settings(max_examples=300)
@given(pattern=st.text(alphabet="aAbB*?", max_size=8), subject=st.text(alphabet="aAbB", max_size=10))
def test_ignore_case_agrees_with_fnmatch(pattern: str, subject: str) -> None:
    assert wildcard_match(pattern, subject, ignore_case=True) is _reference(pattern.lower(), subject.lower())
