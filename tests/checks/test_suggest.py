"""`closest` gives difflib's first close match (same candidate, same cutoff), only faster."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.catalog.actions import service_actions, service_prefixes
from policylint.checks.suggest import closest

WORDS = ("apple", "ape", "peach", "puppy", "applet", "apply", "", "a", "pear")


@pytest.mark.parametrize(
    ("name", "word", "candidates", "cutoff", "expected"),
    [
        ("exact", "apple", WORDS, 0.6, "apple"),
        ("closest wins", "peaches", WORDS, 0.6, "peach"),
        ("equal scores: the larger candidate, as difflib", "appel", WORDS, 0.6, "apply"),
        ("equal scores again", "ab", ("ax", "ay"), 0.5, "ay"),
        ("nothing above the cutoff", "zzz", WORDS, 0.6, None),
        ("no candidates", "apple", (), 0.6, None),
        ("empty word", "", ("", "a"), 0.6, ""),
        ("zero cutoff takes strangers", "zzz", ("abc",), 0.0, "abc"),
        ("a service prefix", "ec3", tuple(sorted(service_prefixes())), 0.85, None),
        ("an action name", "describeinstance", tuple(service_actions("ec2") or ()), 0.8, "describeinstances"),
    ],
)
def test_closest(name: str, word: str, candidates: tuple[str, ...], cutoff: float, expected: str | None) -> None:
    assert closest(word, candidates, cutoff) == expected


def _difflib(word: str, candidates: tuple[str, ...], cutoff: float) -> str | None:
    found = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
    return found[0] if found else None


@settings(max_examples=400, deadline=None)
@given(
    word=st.text(alphabet="abcde", max_size=8),
    candidates=st.lists(st.text(alphabet="abcde", max_size=8), max_size=12).map(tuple),
    cutoff=st.sampled_from((0.0, 0.3, 0.6, 0.8, 0.85, 1.0)),
)
def test_closest_is_difflib(word: str, candidates: tuple[str, ...], cutoff: float) -> None:
    assert closest(word, candidates, cutoff) == _difflib(word, candidates, cutoff)


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(service_actions("ec2") or ())), data=st.data())
def test_closest_is_difflib_on_action_names(name: str, data: st.DataObject) -> None:
    candidates = tuple(service_actions("ec2") or ())
    cut = data.draw(st.integers(0, len(name)))
    typo = name[:cut] + data.draw(st.text(alphabet="aeiostxz", max_size=2)) + name[cut + 1 :]
    assert closest(typo, candidates, 0.8) == _difflib(typo, candidates, 0.8)
