"""A run over a folder of bad files: every file is reported, the bad ones and the others alike.

Includes what a directory walk can meet besides files: a named pipe with no writer (must not
hang), a dangling symlink, a symlink loop, a socket, and unreadable entries.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
from pathlib import Path

import pytest

from policylint.rules.parallel import MIN_FILES_FOR_WORKERS

CLEAN = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-reports/*"}]},
    indent=2,
)
DUPLICATE = CLEAN.replace('"Version": "2012-10-17"', '"Version": "2012-10-17", "Version": "2012-10-17"')


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """A folder where every kind of trouble sits between good files (names sort in this order)."""
    root = tmp_path / "policies"
    root.mkdir()
    (root / "a-clean.json").write_text(CLEAN)
    (root / "b-binary.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (root / "c-dangling.json").symlink_to(root / "no-such-file.json")
    (root / "d-deep.json").write_bytes(b"[" * 100_000)
    (root / "e-duplicate.json").write_text(DUPLICATE)
    (root / "f-empty.json").write_bytes(b"")
    os.mkfifo(root / "g-fifo.json")
    (root / "h-loop").symlink_to(root, target_is_directory=True)
    (root / "i-utf16.json").write_bytes(CLEAN.encode("utf-16"))
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(root / "j-socket.json"))
    (root / "k-clean.json").write_text(CLEAN)
    return root


EXPECTED = [
    "policies/b-binary.json:1:1: error PL001 file is not valid UTF-8: byte 0x89 cannot start or continue a character",
    "policies/c-dangling.json:1:1: error PL001 cannot read file: no such file or directory",
    "policies/d-deep.json:1:901: error PL001 nesting is too deep",
    "policies/e-duplicate.json:2:28: warning PL003 duplicate key `Version`: parsers disagree on which value wins (here the last one)",
    "policies/f-empty.json:1:1: error PL001 file is empty",
    "policies/g-fifo.json:1:1: error PL001 file is empty",
    "policies/i-utf16.json:1:1: error PL001 file is UTF-16 encoded; policies must be UTF-8",
    "policies/j-socket.json:1:1: error PL001 cannot read file: no such device or address",
]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_every_file_is_reported(tree: Path, jobs: str, cli) -> None:
    done = cli("check", "policies", "--jobs", jobs, cwd=tree.parent)
    assert (done.returncode, done.stdout.decode("utf-8").splitlines(), done.stderr) == (
        1,
        [*EXPECTED, "checked 10 files (10 documents): 7 errors, 1 warning, 0 info"],
        b"",
    )


def test_same_report_with_worker_processes(tree: Path, cli) -> None:
    """Enough files for worker processes: the report is the one a single process writes."""
    for index in range(MIN_FILES_FOR_WORKERS):
        (tree / f"z-{index:03d}.json").write_text(CLEAN)
    serial = cli("check", "policies", "--jobs", "1", "--format", "json", cwd=tree.parent)
    parallel = cli("check", "policies", "--jobs", "2", "--format", "json", cwd=tree.parent)
    assert (parallel.returncode, parallel.stdout, parallel.stderr) == (serial.returncode, serial.stdout, serial.stderr)
    assert json.loads(serial.stdout)["summary"]["files"] == 10 + MIN_FILES_FOR_WORKERS


def test_worker_that_dies_costs_only_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed mid-run (out of memory, a crash): that file gets a finding, the rest a check."""
    import policylint.rules.runner as runner
    from policylint.rules.parallel import map_in_processes
    from policylint.settings import Settings

    paths = []
    for index in range(MIN_FILES_FOR_WORKERS + 4):
        path = tmp_path / f"p-{index:03d}.json"
        path.write_text(DUPLICATE)
        paths.append(str(path))
    doomed = paths[13]
    check = runner.check_file

    def dies_on_one_file(item, settings):
        if item == doomed:
            os._exit(9)
        return check(item, settings)

    monkeypatch.setattr(runner, "check_file", dies_on_one_file)  # workers are forked: they see it
    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("needs the fork start method")
    outcomes = list(map_in_processes(paths, Settings(), jobs=2))
    assert [(o.path, [(f.rule, f.message) for f in o.findings]) for o in outcomes] == [
        (
            path,
            [("PL000", "the process checking this file stopped unexpectedly (out of memory?)")]
            if path == doomed
            else [("PL003", "duplicate key `Version`: parsers disagree on which value wins (here the last one)")],
        )
        for path in paths
    ]


def test_unreadable_file_and_directory(cli, nobody) -> None:
    # Not under tmp_path: the folders above it are root-only, which `nobody` cannot search.
    with tempfile.TemporaryDirectory() as temporary:
        top = Path(temporary)
        root = top / "policies"
        (root / "locked").mkdir(parents=True)
        (root / "a.json").write_text(CLEAN)
        (root / "b.json").write_text(CLEAN)
        os.chmod(top, 0o755)
        os.chmod(root / "b.json", 0)
        os.chmod(root / "locked", 0)
        if os.geteuid() == 0:  # root reads whatever the mode: check as `nobody`
            found = nobody(["check", "policies", "--jobs", "1"], top)
        else:
            done = cli("check", "policies", cwd=top)
            found = (done.returncode, done.stdout.decode().splitlines())
        os.chmod(root / "locked", 0o755)
    assert found == (
        1,
        [
            "policies/b.json:1:1: error PL001 cannot read file: permission denied",
            "policies/locked:1:1: error PL001 cannot read directory: permission denied",
            "checked 3 files (3 documents): 2 errors, 0 warnings, 0 info",
        ],
    )
