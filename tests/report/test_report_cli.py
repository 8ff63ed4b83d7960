"""`policylint check --format sarif|github|table` through a subprocess: exit codes and output
that parses. Only PL001 (unreadable JSON) and PL005 (duplicate Sid) are selected, so the output
does not change as other rules are added."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

DUPLICATE_SID = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt", "Resource": "*"}
  ]
}
"""
VALID = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}
  ]
}
"""
BROKEN = '{\n  "Version": "2012-10-17",\n  "Statement": [,]\n}\n'


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(REPO), os.environ.get("PYTHONPATH"))))}
    return subprocess.run(
        [sys.executable, "-m", "policylint", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "valid.json").write_text(VALID)
    (tmp_path / "keys" / "duplicate.json").write_text(DUPLICATE_SID)
    (tmp_path / "keys" / "broken.json").write_text(BROKEN)
    return tmp_path


def _check(fmt: str, cwd: Path, *paths: str) -> subprocess.CompletedProcess:
    return run("check", "--select", "PL001,PL005", "--format", fmt, *paths, cwd=cwd)


def _located(result: dict) -> tuple[str, str, int]:
    location = result["locations"][0]["physicalLocation"]
    return result["ruleId"], location["artifactLocation"]["uri"], location["region"]["startLine"]


def test_sarif(tree):
    done = _check("sarif", tree, "keys")
    log = json.loads(done.stdout)
    run_ = log["runs"][0]
    assert (done.returncode, done.stderr, log["version"]) == (1, "", "2.1.0")
    assert sorted(_located(r) for r in run_["results"]) == [("PL001", "keys/broken.json", 3), ("PL005", "keys/duplicate.json", 5)]
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == ["PL001", "PL005"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] for r in run_["results"]} == {"%SRCROOT%"}


def test_sarif_without_findings(tree):
    done = _check("sarif", tree, "keys/valid.json")
    log = json.loads(done.stdout)
    assert (done.returncode, done.stderr, log["runs"][0]["results"], log["runs"][0]["tool"]["driver"]["rules"]) == (0, "", [], [])


def _findings(tree: Path, *paths: str) -> list[dict]:
    """The findings as the JSON report gives them (messages are the checks' business, not ours)."""
    return json.loads(_check("json", tree, *paths).stdout)["findings"]


def test_github(tree):
    done = _check("github", tree, "keys/duplicate.json", "keys/broken.json")
    duplicate, broken = _findings(tree, "keys/duplicate.json", "keys/broken.json")
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.splitlines() == [
        f"::warning file=keys/duplicate.json,line=5,col=13,endLine=5,endColumn=19,title=PL005 duplicate-sid::{duplicate['message']}",
        f"::error file=keys/broken.json,line=3,col=17,endLine=3,endColumn=18,title=PL001 {broken['name']}::{broken['message']}",
        "checked 2 files (2 documents): 1 error, 1 warning, 0 info",
    ]


def test_github_without_findings(tree):
    done = _check("github", tree, "keys/valid.json")
    assert (done.returncode, done.stdout, done.stderr) == (0, "checked 1 file (1 document): 0 errors, 0 warnings, 0 info\n", "")


def test_table(tree):
    done = _check("table", tree, "keys/duplicate.json")
    (duplicate,) = _findings(tree, "keys/duplicate.json")
    message = duplicate["message"]
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.splitlines() == [
        "keys/duplicate.json",
        "",
        "line:col    severity    code    name           message",
        "----------  ----------  ------  -------------  " + "-" * max(len("message"), len(message)),
        f"5:13        warning     PL005   duplicate-sid  {message}",
        "",
        "findings per rule",
        "",
        "code    name           severity      count",
        "------  -------------  ----------  -------",
        "PL005   duplicate-sid  warning           1",
        "",
        "checked 1 file (1 document): 0 errors, 1 warning, 0 info",
    ]


def test_fail_on_never_exits_0(tree):
    done = run("check", "--select", "PL001,PL005", "--format", "sarif", "--fail-on", "never", "keys", cwd=tree)
    assert (done.returncode, len(json.loads(done.stdout)["runs"][0]["results"])) == (0, 2)
