"""Did-you-mean suggestions: difflib's closest candidate, without scoring every candidate.

`closest(word, candidates, cutoff)` answers what `difflib.get_close_matches(word, candidates,
n=1, cutoff=cutoff)` answers first (or None), with the same scores. difflib computes, for every
candidate, an upper bound of its similarity from the characters both strings share
(`quick_ratio`), and scores the candidates whose bound reaches `cutoff`. Here the shared
character counts of all candidates come at once from an index built once per candidate tuple
(which candidates hold each character at least 1, 2, ... times), and candidates are scored
best bound first, stopping as soon as no bound left can reach the best score found.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping
from functools import cache
from itertools import chain
from types import MappingProxyType


@cache
def _holders(candidates: tuple[str, ...]) -> Mapping[str, tuple[tuple[str, ...], ...]]:
    """For each character, the candidates holding it at least once, at least twice, ..."""
    levels: dict[str, list[list[str]]] = {}
    for candidate in dict.fromkeys(candidates):
        for char, count in Counter(candidate).items():
            found = levels.setdefault(char, [])
            found.extend([] for _ in range(count - len(found)))
            for level in found[:count]:
                level.append(candidate)
    return MappingProxyType({char: tuple(map(tuple, found)) for char, found in levels.items()})


def _ratio(matches: int, length: int) -> float:
    """difflib's similarity from a match count and the two lengths added."""
    return 2.0 * matches / length if length else 1.0


def closest(word: str, candidates: tuple[str, ...], cutoff: float) -> str | None:
    """The candidate most similar to `word`, if its similarity is at least `cutoff` (as difflib)."""
    if not word or cutoff <= 0.0:  # candidates sharing no character with `word` may qualify
        found = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
        return found[0] if found else None
    holders = _holders(candidates)
    # shared[c]: how many characters `c` and `word` have in common, counted as multisets.
    shared = Counter(chain.from_iterable(level for char, count in Counter(word).items() for level in holders.get(char, ())[:count]))
    bounds = [(_ratio(matches, len(word) + len(c)), c) for c, matches in shared.items()]
    best: tuple[float, str] | None = None
    for bound, candidate in sorted((b for b in bounds if b[0] >= cutoff), reverse=True):
        if best is not None and bound < best[0]:
            break
        score = difflib.SequenceMatcher(None, candidate, word).ratio()
        if score >= cutoff and (best is None or (score, candidate) > best):
            best = (score, candidate)
    return best[1] if best is not None else None
