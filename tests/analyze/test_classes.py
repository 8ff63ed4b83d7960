"""The value classes the analysis is built on: pattern witnesses, representative values,
witness query text."""

from __future__ import annotations

import pytest

from policylint.analyze import automaton
from policylint.analyze.atoms import Atom
from policylint.analyze.values import scalar_candidates
from policylint.analyze.witness import Witness
from policylint.catalog.operators import parse_operator
from policylint.evaluate.arn import arn_like
from policylint.evaluate.context import RequestContext
from policylint.evaluate.match import GlobPattern, wildcard_match

CONTEXT = RequestContext(principal="anonymous", action="kms:Decrypt", resource="*")


def _glob(text: str) -> automaton.Automaton:
    return automaton.glob(GlobPattern.parse(text))


@pytest.mark.parametrize(
    ("name", "patterns", "expected"),
    [
        ("one literal: it and something else", ["ab"], {(True,), (False,)}),
        ("a prefix and a suffix meet in one string", ["a*", "*b"], {(True, True), (True, False), (False, True), (False, False)}),
        ("disjoint literals never both", ["ab", "cd"], {(True, False), (False, True), (False, False)}),
        ("* covers everything", ["*", "x?"], {(True, True), (True, False)}),
        ("? is one character", ["a?c", "a*c"], {(True, True), (False, True), (False, False)}),
    ],
)
def test_glob_combinations(name: str, patterns: list[str], expected: set[tuple[bool, ...]]) -> None:
    found = automaton.witnesses([_glob(p) for p in patterns])
    assert found.exhaustive
    vectors = {tuple(wildcard_match(p, s) for p in patterns) for s in found.strings}
    assert vectors == expected
    assert len(found.strings) == len(expected)


def test_arn_wildcards_stop_at_colons() -> None:
    pattern = GlobPattern.parse("arn:aws:iam::*:role/Reader")
    made = automaton.arn_pattern(pattern)
    assert made is not None
    found = automaton.witnesses([made], prefix="arn:aws:iam::999999999999:role/", required=[automaton.arn_shape()])
    assert {(s, arn_like("arn:aws:iam::*:role/Reader", s)) for s in found.strings} == {
        ("arn:aws:iam::999999999999:role/Reader", True),
        ("arn:aws:iam::999999999999:role/", False),
    }
    assert automaton.arn_pattern(GlobPattern.parse("arn:aws:iam::*")) is None  # five parts: matches nothing
    assert not automaton.accepts(made, "arn:aws:iam::1:2:role/Reader")


def _atom(operator: str, key: str, *values: object) -> Atom:
    return Atom(operator, key, values, parse_operator(operator), True, frozenset())


@pytest.mark.parametrize(
    ("name", "atoms", "expected"),
    [
        ("strings: the friendly value, the constant", [_atom("StringEquals", "kms:ViaService", "s3.us-east-1.amazonaws.com")], ("example", "s3.us-east-1.amazonaws.com", "")),
        ("accounts: a fresh account first", [_atom("StringEquals", "kms:CallerAccount", "111122223333")], ("999999999999", "example", "111122223333", "")),
        ("numbers: each side of each constant", [_atom("NumericLessThan", "kms:RotationPeriodInDays", 90)], ("example", "89", "90", "91")),
        ("dates: a second before and after", [_atom("DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z")], ("example", "2019-12-31T23:59:59Z", "2020-01-01T00:00:00Z", "2020-01-01T00:00:01Z")),
        (
            "addresses: the ends of the range and just outside",
            [_atom("IpAddress", "aws:SourceIp", "203.0.113.0/24")],
            ("example", "192.0.2.10", "2001:db8::10", "203.0.113.0", "203.0.113.255", "203.0.112.255", "203.0.114.0"),
        ),
        ("booleans", [_atom("Bool", "aws:SecureTransport", "false")], ("example", "true", "false")),
    ],
)
def test_representative_values(name: str, atoms: list[Atom], expected: tuple[str, ...]) -> None:
    found = scalar_candidates(atoms[0].key, atoms, CONTEXT)
    assert (found.values, found.exhaustive) == (expected, True)


def test_different_families_on_one_key_are_not_exhaustive() -> None:
    atoms = [_atom("StringEquals", "aws:SourceIp", "10.0.0.1"), _atom("IpAddress", "aws:SourceIp", "10.0.0.0/8")]
    assert scalar_candidates("aws:SourceIp", atoms, CONTEXT).exhaustive is False


@pytest.mark.parametrize(
    ("name", "witness", "query"),
    [
        ("plain", Witness(principal="arn:aws:iam::111122223333:role/App", action="kms:Decrypt", resource="*", decision="allowed"), "can arn:aws:iam::111122223333:role/App do kms:Decrypt on *"),
        (
            "keys sorted, lists, quoting",
            Witness(
                principal="anonymous",
                action="s3:GetObject",
                resource="arn:aws:s3:::b/a b",
                context={"aws:SourceIp": "10.0.0.1", "aws:PrincipalOrgPaths": ("o-1/r-2/", "o x"), "aws:Referer": "with"},
                decision="allowed",
            ),
            'can anonymous do s3:GetObject on "arn:aws:s3:::b/a b" with aws:PrincipalOrgPaths = [o-1/r-2/, "o x"], aws:Referer = "with", aws:SourceIp = 10.0.0.1',
        ),
    ],
)
def test_witness_query(name: str, witness: Witness, query: str) -> None:
    assert witness.query == query
