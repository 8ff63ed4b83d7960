from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from policylint.evaluate.context import RequestContext, lookup
from policylint.evaluate.match import glob_match
from policylint.evaluate.variables import (
    resolve_pattern,
    substitute,
    unresolved_variable,
    variables_enabled,
)

CONTEXT = RequestContext(
    principal="arn:aws:iam::111122223333:user/bob",
    action="s3:GetObject",
    resource="arn:aws:s3:::bucket/home/bob/file",
    keys={
        "aws:username": "bob",
        "aws:PrincipalTag/Team": "blue",
        "aws:TagKeys": ("a", "b"),
        "aws:PrincipalTag/Empty": (),
        "aws:userid": "AIDA*?",
    },
)

SUBSTITUTE_CASES = [
    ("no-variables", "home/*", "home/*"),
    ("username", "home/${aws:username}/*", "home/bob/*"),
    ("key-case-insensitive", "${AWS:UserName}", "bob"),
    ("tag-key-case-insensitive", "${aws:principaltag/team}", "blue"),
    ("spaces-inside", "${ aws:username }", "bob"),
    ("default-unused", "${aws:username, 'nobody'}", "bob"),
    ("default-used", "${aws:PrincipalTag/cost, 'none'}", "none"),
    ("default-no-space", "${aws:PrincipalTag/cost,'none'}", "none"),
    ("default-with-brace", "${aws:PrincipalTag/cost, 'a}b'}", "a}b"),
    ("default-for-empty-values", "${aws:PrincipalTag/Empty, 'x'}", "x"),
    ("specials", "${*}${?}${$}", "*?$"),
    ("two-variables", "${aws:username}-${aws:PrincipalTag/Team}", "bob-blue"),
    ("missing-key", "home/${aws:PrincipalTag/cost}", None),
    ("empty-values", "${aws:PrincipalTag/Empty}", None),
    ("multivalued-key", "${aws:TagKeys}", None),
    ("multivalued-with-default", "${aws:TagKeys, 'x'}", None),
    ("unclosed-kept", "${aws:username", "${aws:username"),
    ("empty-name-kept", "${}", "${}"),
    ("unquoted-default-kept", "${aws:username, none}", "${aws:username, none}"),
    ("dollar-alone", "$5 ${aws:username}", "$5 bob"),
    ("nested-start-kept", "${${aws:username}", "${bob"),
    ("value-with-wildcards", "${aws:userid}", "AIDA*?"),
]


@pytest.mark.parametrize(("name", "text", "expected"), SUBSTITUTE_CASES, ids=[c[0] for c in SUBSTITUTE_CASES])
def test_substitute(name: str, text: str, expected: str | None) -> None:
    assert substitute(text, CONTEXT) == expected


def test_substitute_disabled_keeps_text() -> None:
    assert substitute("home/${aws:username}/${*}", CONTEXT, enabled=False) == "home/${aws:username}/${*}"


def test_substitute_with_plain_mapping() -> None:
    keys: dict[str, Any] = {"AWS:Username": "alice", "aws:TagKeys": ["x", "y"]}
    assert (substitute("${aws:username}", keys), substitute("${aws:tagkeys}", keys)) == ("alice", None)


PATTERN_CASES = [
    ("wildcard-from-policy", "home/${aws:username}/*", "home/bob/anything", True),
    ("escaped-star-is-literal", "home/${*}", "home/*", True),
    ("escaped-star-not-wildcard", "home/${*}", "home/bob", False),
    ("escaped-question-not-wildcard", "a${?}", "ab", False),
    ("escaped-question-literal", "a${?}", "a?", True),
    ("value-star-is-literal", "${aws:userid}", "AIDA*?", True),
    ("value-star-not-wildcard", "${aws:userid}", "AIDAXYZ", False),
]


@pytest.mark.parametrize(("name", "text", "subject", "expected"), PATTERN_CASES, ids=[c[0] for c in PATTERN_CASES])
def test_resolve_pattern_matching(name: str, text: str, subject: str, expected: bool) -> None:
    pattern = resolve_pattern(text, CONTEXT)
    assert pattern is not None
    assert glob_match(pattern, subject) is expected


def test_resolve_pattern_disabled_treats_all_as_written() -> None:
    pattern = resolve_pattern("${*}", CONTEXT, enabled=False)
    assert pattern is not None
    assert (glob_match(pattern, "${anything}"), glob_match(pattern, "*")) == (True, False)


def test_resolve_pattern_unresolved() -> None:
    assert resolve_pattern("${aws:PrincipalTag/cost}/*", CONTEXT) is None


UNRESOLVED_CASES = [
    ("all-resolved", "${aws:username}/${aws:PrincipalTag/x, 'd'}", None),
    ("first-missing", "${aws:username}/${aws:PrincipalTag/x}/${aws:TagKeys}", "${aws:PrincipalTag/x}"),
    ("multivalued", "${aws:TagKeys}", "${aws:TagKeys}"),
]


@pytest.mark.parametrize(("name", "text", "expected"), UNRESOLVED_CASES, ids=[c[0] for c in UNRESOLVED_CASES])
def test_unresolved_variable(name: str, text: str, expected: str | None) -> None:
    assert unresolved_variable(text, CONTEXT) == expected


VERSION_CASES = [("current", "2012-10-17", True), ("old", "2008-10-17", False), ("absent", None, False)]


@pytest.mark.parametrize(("name", "version", "expected"), VERSION_CASES, ids=[c[0] for c in VERSION_CASES])
def test_variables_enabled(name: str, version: str | None, expected: bool) -> None:
    assert variables_enabled(version) is expected


def test_adversarial_variable_text_is_fast() -> None:
    text = "${" * 50_000 + "${aws:username}"
    assert substitute(text, CONTEXT) == "${" * 50_000 + "bob"


# Request context lookups (the variables above depend on them).

LOOKUP_CASES = [
    ("exact", "aws:username", ("bob",), True),
    ("folded", "AWS:USERNAME", ("bob",), True),
    ("tag-key-folded", "aws:PrincipalTag/team", ("blue",), True),
    ("multivalued", "aws:tagkeys", ("a", "b"), True),
    ("present-but-empty", "aws:PrincipalTag/Empty", (), True),
    ("absent", "aws:SourceIp", None, False),
]


@pytest.mark.parametrize(("name", "key", "values", "present"), LOOKUP_CASES, ids=[c[0] for c in LOOKUP_CASES])
def test_context_lookup(name: str, key: str, values: tuple[str, ...] | None, present: bool) -> None:
    assert (CONTEXT.get(key), CONTEXT.present(key), lookup(CONTEXT, key)) == (values, present, values)


def test_context_keeps_normalised_values() -> None:
    keys: dict[str, Any] = {"k": ["x", "y"], "one": "z"}
    context = RequestContext(principal="anonymous", action="s3:GetObject", resource="*", keys=keys)
    assert (dict(context.keys), context.is_anonymous) == ({"k": ("x", "y"), "one": ("z",)}, True)


def test_context_rejects_keys_differing_only_in_case() -> None:
    with pytest.raises(ValidationError, match="context key `AWS:username` is given twice with different case"):
        RequestContext(
            principal="anonymous", action="a:b", resource="*", keys={"aws:username": "a", "AWS:username": "b"}
        )


def test_context_is_frozen() -> None:
    with pytest.raises(ValidationError):
        CONTEXT.action = "s3:PutObject"  # type: ignore[misc]
