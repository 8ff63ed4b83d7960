"""`policylint check` through a subprocess: exit codes, text and JSON output, usage errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CLEAN = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadReports",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::example-reports/*",
        }
    ],
}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "policylint", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    (tmp_path / "clean.json").write_text(json.dumps(CLEAN, indent=2))
    (tmp_path / "broken.json").write_text('{\n  "Version": "2012-10-17",\n  "Statement": [,]\n}\n')
    return tmp_path


def test_clean_file_exits_0(tree):
    done = run("check", "clean.json", cwd=tree)
    assert (done.returncode, done.stdout, done.stderr) == (0, "checked 1 file (1 document): 0 errors, 0 warnings, 0 info\n", "")


def test_findings_exit_1_and_other_files_are_still_checked(tree):
    done = run("check", ".", cwd=tree)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "broken.json:3:17: error PL001 expected a JSON value, found `,`",
        "checked 2 files (2 documents): 1 error, 0 warnings, 0 info",
    ]


def test_json_report_shape(tree):
    done = run("check", "--format", "json", "broken.json", "clean.json", cwd=tree)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["tool"]["name"] == "policylint"
    assert report["files"][1] == {
        "path": "clean.json",
        "kind": "identity-policy",
        "kind_inferred": True,
        "account": None,
        "account_inferred": False,
        "label": None,
        "format": "policy",
    }
    assert report["findings"] == [
        {
            "rule": "PL001",
            "name": "invalid-json",
            "severity": "error",
            "message": "expected a JSON value, found `,`",
            "path": "broken.json",
            "pointer": "",
            "range": {"start": {"line": 3, "column": 17, "offset": 45}, "end": {"line": 3, "column": 18, "offset": 46}},
        }
    ]
    assert report["summary"] == {"files": 2, "documents": 2, "error": 1, "warning": 0, "info": 0, "suppressed": 0}


def test_fail_on_never_exits_0(tree):
    assert run("check", "--fail-on", "never", ".", cwd=tree).returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("check", "missing.json"), "policylint: error: no such file or directory: `missing.json`\n"),
        (("check", "--bogus", "."), "policylint: error: unrecognized arguments: --bogus\n"),
        (("check", "--account", "12", "."), "policylint: error: command line: `--account` must be a 12-digit AWS account id, not `12`\n"),
    ],
)
def test_unusable_invocation_is_one_line_and_exit_2(tree, args, message):
    done = run(*args, cwd=tree)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", message)


def test_bad_choice_is_one_line(tree):
    done = run("check", "--format", "xml", ".", cwd=tree)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("policylint: error: argument --format: invalid choice: 'xml'")
    assert done.stderr.count("\n") == 1


def test_version():
    done = run("--version", cwd=Path.cwd())
    assert done.returncode == 0 and done.stdout.startswith("policylint ")


def test_output_file_is_written_whole(tree):
    done = run("check", "--format", "json", "-o", "report.json", ".", cwd=tree)
    assert done.returncode == 1 and done.stdout == ""
    assert json.loads((tree / "report.json").read_text())["summary"]["files"] == 2
    assert [p.name for p in tree.iterdir() if p.name.startswith(".policylint-")] == []


def test_whole_output_and_exit_code_survive_the_quick_exit(tmp_path: Path):
    """The command ends with os._exit once its output is flushed: a report far larger than a pipe's
    buffer still arrives whole, and the exit code is the run's."""
    for index in range(300):
        (tmp_path / f"p{index:03d}.json").write_text(json.dumps(CLEAN, indent=2).replace("s3:GetObject", "s3:GetObjekt"))
    done = run("check", ".", "--format", "json", "--jobs", "1", cwd=tmp_path)
    report = json.loads(done.stdout)
    assert (done.returncode, done.stderr, len(done.stdout) > 65536) == (1, "", True)
    assert (report["summary"]["files"], len(report["findings"])) == (300, 300)


def test_reader_that_goes_away_is_exit_1_without_noise(tmp_path: Path):
    """`policylint check ... | head -1`: the closed pipe ends the run with exit 1 and nothing on stderr."""
    for index in range(300):
        (tmp_path / f"p{index:03d}.json").write_text(json.dumps(CLEAN, indent=2).replace("s3:GetObject", "s3:GetObjekt"))
    with subprocess.Popen(
        [sys.executable, "-m", "policylint", "check", ".", "--format", "json", "--jobs", "1"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout.readline().strip() == b"{"
        process.stdout.close()
        errors = process.stderr.read()
        code = process.wait(timeout=120)
    assert (code, errors) == (1, b"")
