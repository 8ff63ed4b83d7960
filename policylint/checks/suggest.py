"""Did-you-mean suggestions: difflib's closest candidate, without scoring every candidate.

`closest(word, candidates, cutoff)` is the first item of
`difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)`, or None. difflib scores a
candidate only when two cheap upper bounds of its similarity reach `cutoff`: one from the
lengths (`real_quick_ratio`) and one from the character counts (`quick_ratio`). Here both bounds
are applied from an index of the candidates built once per candidate tuple (lengths and
character counts computed ahead), with difflib's own arithmetic; difflib then ranks the few
candidates left. The answer is therefore the same, for a fraction of the work.
"""

from __future__ import annotations

import difflib
from collections import Counter
from functools import cache


@cache
def _index(candidates: tuple[str, ...]) -> dict[int, tuple[tuple[str, Counter[str]], ...]]:
    """Candidates grouped by length, each with its character counts."""
    groups: dict[int, list[tuple[str, Counter[str]]]] = {}
    for candidate in candidates:
        groups.setdefault(len(candidate), []).append((candidate, Counter(candidate)))
    return {length: tuple(group) for length, group in groups.items()}


def _ratio(matches: int, length: int) -> float:
    """difflib's `_calculate_ratio`."""
    return 2.0 * matches / length if length else 1.0


def closest(word: str, candidates: tuple[str, ...], cutoff: float) -> str | None:
    """The candidate most similar to `word` with a similarity of at least `cutoff` (as difflib)."""
    counts = Counter(word)
    size = len(word)
    reachable = [
        candidate
        for length, group in _index(candidates).items()
        if _ratio(min(size, length), size + length) >= cutoff
        for candidate, other in group
        if _ratio(sum(min(n, other[c]) for c, n in counts.items()), size + length) >= cutoff
    ]
    found = difflib.get_close_matches(word, reachable, n=1, cutoff=cutoff)
    return found[0] if found else None
