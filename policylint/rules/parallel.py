"""Check files in worker processes; results come back in the order the files were given."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

from policylint.settings import Settings
from policylint.source.document import LoadResult

# Below this many files, starting workers costs more than it saves.
MIN_FILES_FOR_WORKERS = 48


def _check_chunk(args: tuple[list[str | LoadResult], Settings]) -> list:
    from policylint.rules.runner import check_file

    items, settings = args
    return [check_file(item, settings) for item in items]


def map_in_processes(items: list[str | LoadResult], settings: Settings, jobs: int) -> Iterator:
    if len(items) < MIN_FILES_FOR_WORKERS:
        from policylint.rules.runner import check_file

        for item in items:
            yield check_file(item, settings)
        return
    size = max(8, len(items) // (jobs * 4))
    chunks = [(items[i : i + size], settings) for i in range(0, len(items), size)]
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for outcomes in pool.map(_check_chunk, chunks):
            yield from outcomes
