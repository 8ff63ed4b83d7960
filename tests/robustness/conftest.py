"""Shared helpers of the robustness tests: running the CLI with a timeout, and the `slow` marker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# A hang must fail the test, not block the suite.
TIMEOUT_S = 120


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes more than 5 seconds (deselect with -m 'not slow')")


def run_cli(*args: str, cwd: Path, timeout: float = TIMEOUT_S) -> subprocess.CompletedProcess[bytes]:
    """`python -m policylint ARGS` in `cwd`; stdout and stderr as bytes (tests decode them strictly)."""
    return subprocess.run(
        [sys.executable, "-m", "policylint", *args], cwd=cwd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


@pytest.fixture()
def cli():
    return run_cli
