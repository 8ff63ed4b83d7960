"""A progress bar on standard error for long check runs.

Shown only when it helps: stderr is a terminal (or `--progress always`), and the run has taken
more than a second; redrawn at most ten times a second, on one line (`\\r`), and erased when the
run ends, so that a report written to the same terminal starts on a clean line. ASCII only.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TextIO

# A run shorter than this shows no bar at all; the bar is redrawn at most once per interval.
DELAY_S = 1.0
INTERVAL_S = 0.1


class ProgressBar:
    """`update(done, total)` after each file; `close()` at the end (erases the bar if drawn)."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._start = clock()
        self._next_draw = self._start + DELAY_S
        self._width = 0  # characters of the line drawn last (0: nothing on screen)

    def update(self, done: int, total: int) -> None:
        now = self._clock()
        if now < self._next_draw or total <= 0:
            return
        self._next_draw = now + INTERVAL_S
        self._draw(render(done, total, shutil.get_terminal_size((80, 24)).columns))

    def close(self) -> None:
        if self._width:
            self._draw("")
            self._width = 0

    def _draw(self, line: str) -> None:
        padding = " " * max(0, self._width - len(line))
        try:
            self._stream.write("\r" + line + padding + ("\r" if not line else ""))
            self._stream.flush()
        except (OSError, ValueError):  # the terminal went away: the run goes on without a bar
            self._next_draw = float("inf")
            self._width = 0
            return
        self._width = len(line)


def render(done: int, total: int, columns: int) -> str:
    """`checking 812/1,645 files [#########.........]  49%`, fitted into `columns` characters."""
    done = max(0, min(done, total))
    percent = done * 100 // total
    text = f"checking {done:,}/{total:,} files"
    tail = f" {percent:3d}%"
    room = min(40, columns - 1 - len(text) - len(tail) - 3)
    if room < 10:  # a narrow terminal: numbers only
        return (text + tail)[: max(0, columns - 1)]
    filled = done * room // total
    return f"{text} [{'#' * filled}{'.' * (room - filled)}]{tail}"
