"""Locate the data folders (`grammar/`, `rules/`) the package reads at run time.

In a source checkout they are the top-level folders beside the package; in an installed wheel
they are packed as `policylint/_data/grammar` and `policylint/_data/rules`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def data_dir(name: str) -> Path:
    """Return the folder holding the shipped data set `name` (`grammar` or `rules`)."""
    package = Path(__file__).resolve().parent
    packed = package / "_data" / name
    if packed.is_dir():
        return packed
    return package.parent / name
