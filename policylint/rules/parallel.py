"""Check files in worker processes; results come back in the order the files were given."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext

from policylint.catalog.actions import preload_action_names
from policylint.rules.registry import checks
from policylint.rules.transfer import Packed, pack, unpack
from policylint.settings import Settings
from policylint.source.document import LoadResult

# Below this many files, starting workers costs more than it saves.
MIN_FILES_FOR_WORKERS = 48
# The smallest chunk of files sent to a worker at once (each chunk costs a round trip).
MIN_CHUNK = 8


def _check_chunk(args: tuple[list[str | LoadResult], Settings]) -> list[Packed]:
    """In a worker: check the files of one chunk; the outcomes go back as plain data."""
    from policylint.rules.runner import check_file

    items, settings = args
    return [pack(check_file(item, settings)) for item in items]


def map_in_processes(items: list[str | LoadResult], settings: Settings, jobs: int) -> Iterator:
    if len(items) < MIN_FILES_FOR_WORKERS:
        from policylint.rules.runner import check_file

        for item in items:
            yield check_file(item, settings)
        return
    chunks = []
    start = 0
    for size in chunk_sizes(len(items), jobs):
        chunks.append((items[start : start + size], settings))
        start += size
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    # Import the check modules and load the cached action names before the workers fork, so
    # that they are loaded once, not per worker.
    checks()
    preload_action_names()
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            for outcomes in pool.map(_check_chunk, chunks):
                done += 1
                for packed in outcomes:
                    yield unpack(packed)
    except BrokenProcessPool:
        # A worker died (killed for memory, crashed): check what is left one chunk per fresh
        # process, so that only the file that kills its process is reported and the others still are.
        for chunk, _ in chunks[done:]:
            for packed in _isolate(chunk, settings, context):
                yield unpack(packed)


def chunk_sizes(count: int, jobs: int) -> list[int]:
    """Sizes of the chunks `count` files are split into, largest first (guided self-scheduling).

    Each chunk is a round trip between the parent and a worker, so chunks should be few; but the
    last ones must be small, so that workers finish close together whatever the files cost. Each
    chunk takes an eighth of what is left per worker, down to MIN_CHUNK files: 55 chunks for 1,645
    files on 2 workers (103 files first, 8 at the end), where equal chunks small enough for the end
    would be 138 chunks of 12.
    """
    sizes = []
    left = count
    while left > 0:
        size = min(left, max(MIN_CHUNK, -(-left // (jobs * 8))))
        sizes.append(size)
        left -= size
    return sizes


def _isolate(items: list[str | LoadResult], settings: Settings, context: BaseContext) -> list[Packed]:
    """Check `items` in a fresh process; when it dies, halve the list to find the file that kills it."""
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            return pool.submit(_check_chunk, (items, settings)).result()
    except BrokenProcessPool:
        if len(items) > 1:
            half = len(items) // 2
            return _isolate(items[:half], settings, context) + _isolate(items[half:], settings, context)
        from policylint.rules.runner import _internal_error

        path = items[0].path if isinstance(items[0], LoadResult) else items[0]
        return [pack(_internal_error(path, "the process checking this file stopped unexpectedly (out of memory?)"))]
