"""Did-you-mean suggestions: difflib's closest candidate, without scoring every candidate.

`closest(word, candidates, cutoff)` answers what `difflib.get_close_matches(word, candidates,
n=1, cutoff=cutoff)` answers first (or None), with the same scores. difflib computes, for every
candidate, an upper bound of its similarity from the characters both strings share
(`quick_ratio`), and scores the candidates whose bound reaches `cutoff`. Here the shared
character counts of all candidates come at once from an index kept per candidate tuple and
character, built the first time a word holds that character (which candidates hold it at least
1, 2, ... times), and candidates are scored best bound first, stopping as soon as no bound left
can reach the best score found.
"""

from __future__ import annotations

import difflib
from collections import Counter
from functools import cache, lru_cache
from itertools import chain, compress, repeat


@cache
def _distinct(candidates: tuple[str, ...]) -> tuple[str, ...]:
    """The candidates without repeats, in their order."""
    return tuple(dict.fromkeys(candidates))


@lru_cache(maxsize=4096)
def _holders(candidates: tuple[str, ...], char: str) -> tuple[tuple[str, ...], ...]:
    """The candidates holding `char` at least once, at least twice, ... (each in candidate order)."""
    distinct = _distinct(candidates)
    counts = list(map(str.count, distinct, repeat(char)))
    return tuple(
        tuple(compress(distinct, [count > level for count in counts])) for level in range(max(counts, default=0))
    )


def closest(word: str, candidates: tuple[str, ...], cutoff: float) -> str | None:
    """The candidate most similar to `word`, if its similarity is at least `cutoff` (as difflib)."""
    if not word or cutoff <= 0.0:  # candidates sharing no character with `word` may qualify
        found = difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)
        return found[0] if found else None
    # shared[c]: how many characters `c` and `word` have in common, counted as multisets.
    shared = Counter(chain.from_iterable(level for char, count in Counter(word).items() for level in _holders(candidates, char)[:count]))
    # Each candidate's upper bound: difflib's similarity, 2 * matches / both lengths added.
    size = len(word)
    bounds = [(bound, c) for c, matches in shared.items() if (bound := 2.0 * matches / (size + len(c))) >= cutoff]
    best: tuple[float, str] | None = None
    for bound, candidate in sorted(bounds, reverse=True):
        if best is not None and bound < best[0]:
            break
        score = difflib.SequenceMatcher(None, candidate, word).ratio()
        if score >= cutoff and (best is None or (score, candidate) > best):
            best = (score, candidate)
    return best[1] if best is not None else None
