"""`policylint query --expect FILE` through a subprocess: passing and failing files, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

KEY = "arn:aws:kms:us-east-1:111122223333:key/k1"
ROLE = "arn:aws:iam::111122223333:role/App"
OTHER = "arn:aws:iam::111122223333:role/Other"

SNAPSHOT = f"""\
keys:
  "{KEY}":
    policy: key.json
principals:
  "{ROLE}":
    policies: [app.json]
  "{OTHER}":
    policies: [deny.json]
"""

KEY_POLICY = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnableIAM",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "kms:*",
      "Resource": "*"
    }
  ]
}
"""

APP_POLICY = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Use", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}
  ]
}
"""

DENY_POLICY = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "All", "Effect": "Allow", "Action": "kms:*", "Resource": "*"},
    {"Sid": "NoDecrypt", "Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}
  ]
}
"""

PASSING = f"""\
# every kind of outcome
can {ROLE} do kms:Decrypt on {KEY} => allowed

can {ROLE} do kms:Encrypt on {KEY} => implicitly-denied
can {ROLE} do kms:Encrypt on {KEY} => denied
can {OTHER} do kms:Decrypt on {KEY} => explicitly-denied
can {OTHER} do kms:Decrypt on {KEY} => DENIED
"""

FAILING = f"""\
can {ROLE} do kms:Decrypt on {KEY} => allowed
can {ROLE} do kms:Encrypt on {KEY} => allowed
# a comment between
can {OTHER} do kms:Decrypt on {KEY} => implicitly-denied
can {ROLE} do kms:Decrypt on {KEY} => denied
"""

DELEGATES = "allows `kms:{action}` to `arn:aws:iam::111122223333:root`, which delegates to IAM"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "policylint", "query", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    files = {
        "snapshot.yaml": SNAPSHOT,
        "key.json": KEY_POLICY,
        "app.json": APP_POLICY,
        "deny.json": DENY_POLICY,
        "pass.txt": PASSING,
        "fail.txt": FAILING,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_passing_file_exits_0(tree: Path) -> None:
    done = run("--snapshot", "snapshot.yaml", "--expect", "pass.txt", cwd=tree)
    assert (done.returncode, done.stdout, done.stderr) == (0, "5 passed, 0 failed\n", "")


def test_failing_file_reports_each_mismatch_with_reasons(tree: Path) -> None:
    done = run("--snapshot", "snapshot.yaml", "--expect", "fail.txt", cwd=tree)
    expected = (
        f"fail.txt:2: expected allowed, got implicitly-denied: can {ROLE} do kms:Encrypt on {KEY}\n"
        f"  key-policy key.json:4: statement `EnableIAM` (Allow): {DELEGATES.format(action='Encrypt')}\n"
        f"  identity-policy app.json: no identity policy of `{ROLE}` allows `kms:Encrypt` on `{KEY}`\n"
        f"fail.txt:4: expected implicitly-denied, got explicitly-denied: can {OTHER} do kms:Decrypt on {KEY}\n"
        f"  identity-policy deny.json:5: statement `NoDecrypt` (Deny): denies `kms:Decrypt` on `{KEY}`\n"
        f"fail.txt:5: expected denied, got allowed: can {ROLE} do kms:Decrypt on {KEY}\n"
        f"  key-policy key.json:4: statement `EnableIAM` (Allow): {DELEGATES.format(action='Decrypt')}\n"
        f"  identity-policy app.json:4: statement `Use` (Allow): allows `kms:Decrypt` on `{KEY}`\n"
        "1 passed, 3 failed\n"
    )
    assert (done.returncode, done.stdout, done.stderr) == (1, expected, "")


def test_json_format(tree: Path) -> None:
    (tree / "one.txt").write_text(f"can {ROLE} do kms:Encrypt on {KEY} => allowed\n")
    done = run("--snapshot", "snapshot.yaml", "--expect", "one.txt", "--format", "json", cwd=tree)
    data = json.loads(done.stdout)
    summary = {key: data[key] for key in ("file", "passed", "failed")}
    result = data["results"][0]
    assert (done.returncode, summary, {k: result[k] for k in ("line", "query", "expected", "passed")}, result["decision"]["decision"]) == (
        1,
        {"file": "one.txt", "passed": 0, "failed": 1},
        {"line": 1, "query": f"can {ROLE} do kms:Encrypt on {KEY}", "expected": "allowed", "passed": False},
        "implicitly-denied",
    )


def test_syntax_error_shows_the_file_line_and_caret(tree: Path) -> None:
    line = f"can {ROLE} do kms:Decrypt on {KEY} => maybe"
    (tree / "bad.txt").write_text(f"# first\n{line}\n")
    done = run("--snapshot", "snapshot.yaml", "--expect", "bad.txt", cwd=tree)
    column = line.index("maybe") + 1
    message = "expected an outcome after `=>`: `allowed`, `denied`, `explicitly-denied` or `implicitly-denied`"
    expected = f"bad.txt:2:{column}: {message}\n{line}\n{' ' * (column - 1)}^\n"
    assert (done.returncode, done.stdout, done.stderr) == (2, "", expected)


def test_key_policy_mode_builds_a_snapshot_per_query(tree: Path) -> None:
    session = "arn:aws:sts::111122223333:assumed-role/App/s"
    (tree / "modes.txt").write_text(f"can {session} do kms:Decrypt on {KEY} => allowed\ncan {session} do kms:Encrypt on {KEY} => denied\n")
    done = run("--key-policy", "key.json", "--key", KEY, "--identity-policy", "app.json", "--expect", "modes.txt", cwd=tree)
    assert (done.returncode, done.stdout, done.stderr) == (0, "2 passed, 0 failed\n", "")


ERRORS = [
    ("no-expectations", {"empty.txt": "# nothing\n\n"}, ["--expect", "empty.txt"], "`empty.txt` holds no expectations (`QUERY => allowed|denied|...` lines)"),
    ("missing-file", {}, ["--expect", "nope.txt"], "cannot read `nope.txt`: no such file or directory"),
    (
        "who-can",
        {"who.txt": f"can {ROLE} do kms:Decrypt on {KEY} => allowed\nwho can kms:Decrypt on {KEY} => denied\n"},
        ["--expect", "who.txt"],
        "who.txt:2: `who can` queries are not supported yet",
    ),
    (
        "group-principal",
        {"group.txt": f"can arn:aws:iam::111122223333:group/G do kms:Decrypt on {KEY} => denied\n"},
        ["--expect", "group.txt"],
        "group.txt:1: `arn:aws:iam::111122223333:group/G` cannot make requests: name a user, a role, a role session or an account",
    ),
    ("query-and-expect", {}, ["--expect", "pass.txt", f"can {ROLE} do kms:Decrypt on {KEY}"], "give either a query or `--expect FILE`, not both"),
]


@pytest.mark.parametrize(("name", "files", "args", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_exit_2(tree: Path, name: str, files: dict[str, str], args: list[str], message: str) -> None:
    for file_name, text in files.items():
        (tree / file_name).write_text(text)
    done = run("--snapshot", "snapshot.yaml", *args, cwd=tree)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"policylint: error: {message}\n")


def test_no_query_and_no_expect(tree: Path) -> None:
    done = run("--snapshot", "snapshot.yaml", cwd=tree)
    expected = "policylint: error: give a query (`can PRINCIPAL do ACTION on RESOURCE`) or `--expect FILE`\n"
    assert (done.returncode, done.stdout, done.stderr) == (2, "", expected)


def test_sample_expectations_pass(tree: Path) -> None:
    samples = Path(__file__).parents[2] / "samples" / "snapshot"
    done = run("--snapshot", "snapshot.yaml", "--expect", "expectations.txt", cwd=samples)
    assert (done.returncode, done.stdout, done.stderr) == (0, "17 passed, 0 failed\n", "")
