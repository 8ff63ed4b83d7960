"""`check -o FILE` writes the report whole or not at all, and never replaces what is not a file.

(A device such as `/dev/null` must stay a device: the tests use a FIFO and a device node of their
own, never the real `/dev/null`.)
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from policylint import cli as policylint_cli

POLICY = '{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}'
REPORT = [
    "policy.json:1:27: warning PL003 duplicate key `Version`: parsers disagree on which value wins (here the last one)",
    "policy.json:1:65: error PL014 `Statement` is empty",
    "checked 1 file (1 document): 1 error, 1 warning, 0 info",
]


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "policy.json").write_text(POLICY)
    return tmp_path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".policylint-"))


def test_report_file_is_the_standard_output(folder: Path, cli) -> None:
    done = cli("check", "policy.json", "-o", "report.txt", cwd=folder)
    report = folder / "report.txt"
    assert (done.returncode, done.stdout, done.stderr, report.read_text().splitlines()) == (1, b"", b"", REPORT)
    assert (stat.S_IMODE(report.stat().st_mode), _leftovers(folder)) == (0o666 & ~_umask(), [])


def test_existing_report_is_replaced_and_keeps_its_mode(folder: Path, cli) -> None:
    report = folder / "report.txt"
    report.write_text("old report\n" * 1000)
    report.chmod(0o640)
    done = cli("check", "policy.json", "-o", "report.txt", cwd=folder)
    assert (done.returncode, report.read_text().splitlines(), stat.S_IMODE(report.stat().st_mode), _leftovers(folder)) == (1, REPORT, 0o640, [])


def test_symlink_is_written_through(folder: Path, cli) -> None:
    (folder / "reports").mkdir()
    (folder / "reports" / "latest.txt").write_text("old\n")
    (folder / "link.txt").symlink_to(folder / "reports" / "latest.txt")
    done = cli("check", "policy.json", "-o", "link.txt", cwd=folder)
    assert (done.returncode, (folder / "link.txt").is_symlink(), (folder / "reports" / "latest.txt").read_text().splitlines()) == (1, True, REPORT)


def test_fifo_is_written_not_replaced(folder: Path, cli) -> None:
    fifo = folder / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    done = cli("check", "policy.json", "-o", "pipe", cwd=folder)
    reader.join(timeout=30)
    assert (done.returncode, done.stderr, b"".join(received).decode().splitlines(), stat.S_ISFIFO(fifo.stat().st_mode)) == (1, b"", REPORT, True)


def test_device_is_written_not_replaced(folder: Path, cli) -> None:
    """A null device node of the test's own: written to, still a device afterwards."""
    device = folder / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError):
        pytest.skip("cannot create a device node here")
    done = cli("check", "policy.json", "-o", "null", cwd=folder)
    # A filesystem mounted `nodev` refuses to open the node: then the run must say so in one line.
    assert (done.returncode, stat.S_ISCHR(device.stat().st_mode), _leftovers(folder)) in ((1, True, []), (2, True, []))
    assert done.stdout == b""


@pytest.mark.parametrize(
    ("name", "target", "message"),
    [
        ("missing folder", "missing/report.txt", "policylint: error: cannot write `missing/report.txt`: no such file or directory"),
        ("a directory", "policy-dir", "policylint: error: cannot write `policy-dir`: is a directory"),
    ],
)
def test_unwritable_target_is_one_line_and_leaves_nothing(name: str, target: str, message: str, folder: Path, cli) -> None:
    (folder / "policy-dir").mkdir()
    done = cli("check", "policy.json", "-o", target, cwd=folder)
    assert (done.returncode, done.stdout, done.stderr.decode().splitlines(), _leftovers(folder), _leftovers(folder / "policy-dir")) == (
        2,
        b"",
        [message],
        [],
        [],
    )


def test_failed_write_keeps_the_old_report(folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The rename is the last step: when it fails, the old report is untouched and no temporary stays."""
    report = folder / "report.txt"
    report.write_text("old report\n")

    def refuse(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.chdir(folder)
    monkeypatch.setattr(os, "replace", refuse)
    code = policylint_cli.main(["check", "policy.json", "-o", "report.txt"])
    assert (code, report.read_text(), capsys.readouterr().err, _leftovers(folder)) == (
        2,
        "old report\n",
        "policylint: error: cannot write `report.txt`: no space left on device\n",
        [],
    )
