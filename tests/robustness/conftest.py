"""Shared helpers of the robustness tests: running the CLI with a timeout, and the `slow` marker."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import traceback
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


def run_as_nobody(args: list[str], cwd: Path) -> tuple[int, list[str]]:
    """`policylint ARGS` in a forked child that became user `nobody` (for tests run as root).

    policylint is imported and warmed up first: the child may no longer be able to read the
    interpreter's own files. Returns the exit code and the lines of standard output.
    """
    from policylint import cli as policylint_cli

    # Load the lazily imported modules (policylint's and the standard library's) while still root.
    warm = cwd / ".warm-up.json"
    warm.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]}')
    for fmt in ("text", "json"):
        policylint_cli.main(["check", "--jobs", "1", "--format", fmt, str(warm)])
    warm.unlink()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        try:
            os.close(read_end)
            os.chdir(cwd)
            os.setgid(65534)
            os.setuid(65534)
            sys.stdout = io.TextIOWrapper(os.fdopen(write_end, "wb"), encoding="utf-8")
            code = policylint_cli.main(args)
            sys.stdout.flush()
        except BaseException:  # noqa: BLE001 - report in the parent's captured stderr
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, encoding="utf-8") as stream:
        output = stream.read()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.splitlines()


@pytest.fixture()
def nobody():
    """`run_as_nobody`; only usable by root (tests check `os.geteuid()` first)."""
    return run_as_nobody
