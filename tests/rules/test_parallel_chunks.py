"""How a parallel run splits its files into chunks (policylint.rules.parallel.chunk_sizes)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from policylint.rules.parallel import MIN_CHUNK, chunk_sizes


@given(count=st.integers(0, 50_000), jobs=st.integers(1, 64))
def test_chunks_cover_every_file_largest_first(count: int, jobs: int) -> None:
    sizes = chunk_sizes(count, jobs)
    assert sum(sizes) == count
    assert all(size >= 1 for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    # Only the very last chunk may be smaller than MIN_CHUNK (it holds what is left).
    assert all(size >= MIN_CHUNK for size in sizes[:-1])
    if count >= jobs * 8 * MIN_CHUNK:
        # The run ends with several small chunks per worker, so that workers finish close together.
        assert all(size <= MIN_CHUNK for size in sizes[-jobs * 4 :])


def test_managed_policies_sized_run() -> None:
    """1,645 files on 2 workers: 55 chunks, from 103 files down to 8 (instead of 206 chunks of 8)."""
    sizes = chunk_sizes(1645, 2)
    assert (len(sizes), sizes[:4], sizes[-3:]) == (55, [103, 97, 91, 85], [8, 8, 6])


def test_small_runs() -> None:
    assert chunk_sizes(0, 2) == []
    assert chunk_sizes(5, 2) == [5]
    assert chunk_sizes(20, 4) == [8, 8, 4]
