"""`policylint query` through a subprocess: exit codes, text and JSON output, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

KEY = "arn:aws:kms:us-east-1:111122223333:key/k1"
ROLE = "arn:aws:iam::111122223333:role/App"

SNAPSHOT = f"""\
keys:
  "{KEY}":
    policy: key.json
principals:
  "{ROLE}":
    policies: [app.json]
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
    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}
  ]
}
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "policylint", "query", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    (tmp_path / "snapshot.yaml").write_text(SNAPSHOT)
    (tmp_path / "key.json").write_text(KEY_POLICY)
    (tmp_path / "app.json").write_text(APP_POLICY)
    return tmp_path


def test_allowed_text_exits_0(tree: Path) -> None:
    done = run("--snapshot", "snapshot.yaml", "can", ROLE, "do", "kms:Decrypt", "on", KEY, cwd=tree)
    expected = (
        "ALLOWED\n"
        "because:\n"
        "  key-policy key.json:4: statement `EnableIAM` (Allow): allows `kms:Decrypt` to"
        " `arn:aws:iam::111122223333:root`, which delegates to IAM\n"
        f"  identity-policy app.json:4: statement 0 (Allow): allows `kms:Decrypt` on `{KEY}`\n"
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, expected, "")


def test_implicit_deny_text_exits_1(tree: Path) -> None:
    done = run("--snapshot", "snapshot.yaml", f"can {ROLE} do kms:Encrypt on {KEY}", cwd=tree)
    expected = (
        "DENIED (implicit)\n"
        "because:\n"
        "  key-policy key.json:4: statement `EnableIAM` (Allow): allows `kms:Encrypt` to"
        " `arn:aws:iam::111122223333:root`, which delegates to IAM\n"
        f"  identity-policy app.json: no identity policy of `{ROLE}` allows `kms:Encrypt` on `{KEY}`\n"
    )
    assert (done.returncode, done.stdout, done.stderr) == (1, expected, "")


def test_explicit_deny_exits_1(tree: Path) -> None:
    (tree / "app.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Sid": "No", "Effect": "Deny", "Action": "kms:*", "Resource": "*"}]}'
    )
    done = run("--snapshot", "snapshot.yaml", f"can {ROLE} do kms:Decrypt on {KEY}", cwd=tree)
    expected = (
        "DENIED (explicit)\n"
        "because:\n"
        f"  identity-policy app.json:1: statement `No` (Deny): denies `kms:Decrypt` on `{KEY}`\n"
    )
    assert (done.returncode, done.stdout, done.stderr) == (1, expected, "")


def test_json_output(tree: Path) -> None:
    done = run("--snapshot", "snapshot.yaml", "--format", "json", f"can {ROLE} do kms:Decrypt on {KEY}", cwd=tree)
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout) == {
        "decision": "allowed",
        "principal": ROLE,
        "action": "kms:Decrypt",
        "resource": KEY,
        "context": {
            "aws:PrincipalArn": ROLE,
            "aws:PrincipalAccount": "111122223333",
            "aws:PrincipalIsAWSService": "false",
            "aws:ViaAWSService": "false",
            "kms:CallerAccount": "111122223333",
            "aws:PrincipalType": "AssumedRole",
            "aws:ResourceAccount": "111122223333",
            "aws:RequestedRegion": "us-east-1",
        },
        "reasons": [
            {
                "policy_kind": "key-policy",
                "path": "key.json",
                "statement": 0,
                "sid": "EnableIAM",
                "range": {
                    "start": {"line": 4, "column": 5, "offset": 50},
                    "end": {"line": 10, "column": 6, "offset": 217},
                },
                "effect": "Allow",
                "matched": True,
                "detail": "allows `kms:Decrypt` to `arn:aws:iam::111122223333:root`, which delegates to IAM",
            },
            {
                "policy_kind": "identity-policy",
                "path": "app.json",
                "statement": 0,
                "sid": None,
                "range": {
                    "start": {"line": 4, "column": 5, "offset": 50},
                    "end": {"line": 4, "column": 66, "offset": 111},
                },
                "effect": "Allow",
                "matched": True,
                "detail": f"allows `kms:Decrypt` on `{KEY}`",
            },
        ],
    }


def test_syntax_error_shows_a_caret(tree: Path) -> None:
    done = run("--snapshot", "snapshot.yaml", "can", ROLE, "dox", "kms:Decrypt", "on", KEY, cwd=tree)
    query = f"can {ROLE} dox kms:Decrypt on {KEY}"
    expected = f"1:40: expected `do` after the principal\n{query}\n{' ' * 39}^\n"
    assert (done.returncode, done.stdout, done.stderr) == (2, "", expected)


ERRORS = [
    ("no-source", [f"can {ROLE} do kms:Decrypt on {KEY}"], "give `--snapshot FILE`, `--authorization-details FILE` or `--key-policy FILE --key ARN`"),
    (
        "key-policy-without-key",
        ["--key-policy", "key.json", f"can {ROLE} do kms:Decrypt on {KEY}"],
        "`--key-policy` needs `--key ARN`, the key the policy belongs to",
    ),
    ("missing-snapshot", ["--snapshot", "nope.yaml", f"can {ROLE} do kms:Decrypt on {KEY}"], "nope.yaml: cannot read snapshot: no such file or directory"),
    (
        "group-principal",
        ["--snapshot", "snapshot.yaml", f"can arn:aws:iam::111122223333:group/G do kms:Decrypt on {KEY}"],
        "`arn:aws:iam::111122223333:group/G` cannot make requests: name a user, a role, a role session or an account",
    ),
]


@pytest.mark.parametrize(("name", "args", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_exit_2(tree: Path, name: str, args: list[str], message: str) -> None:
    done = run(*args, cwd=tree)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"policylint: error: {message}\n")


SNAPSHOT_ERRORS = [
    ("unknown-field", {"bad.yaml": f'keys:\n  "{KEY}":\n    policy: key.json\n    polcy: x\n'}, f"bad.yaml:4: unknown field `polcy` in key `{KEY}`"),
    ("missing-file", {"bad.yaml": f'keys:\n  "{KEY}":\n    policy: missing.json\n'}, "bad.yaml:3: cannot read `missing.json`: no such file"),
    (
        "broken-policy",
        {"bad.yaml": f'keys:\n  "{KEY}":\n    policy: broken.json\n', "broken.json": '{\n  "Statement": [,]\n}\n'},
        "broken.json:2: expected a JSON value, found `,`",
    ),
    ("bad-yaml", {"bad.yaml": "keys: [\n"}, "bad.yaml:2: not valid YAML: expected the node content, but found the end of the file"),
    ("bad-account", {"bad.yaml": 'accounts:\n  "12345":\n    organization: o-x\n'}, "bad.yaml:2: `12345` is not a 12-digit account id"),
    ("json-snapshot", {"bad.json": '{\n  "keys": {},\n  "users": {}\n}\n'}, "bad.json:3: unknown field `users` in a snapshot"),
]


@pytest.mark.parametrize(("name", "files", "message"), SNAPSHOT_ERRORS, ids=[e[0] for e in SNAPSHOT_ERRORS])
def test_snapshot_errors_are_one_line(tree: Path, name: str, files: dict[str, str], message: str) -> None:
    for file_name, text in files.items():
        (tree / file_name).write_text(text)
    snapshot = next(iter(files))
    done = run("--snapshot", snapshot, f"can {ROLE} do kms:Decrypt on {KEY}", cwd=tree)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"policylint: error: {message}\n")


def test_key_policy_mode(tree: Path) -> None:
    session = "arn:aws:sts::111122223333:assumed-role/App/x"
    args = ["--key-policy", "key.json", "--key", KEY, f"can {session} do kms:Decrypt on {KEY}"]
    allowed = run(*args[:4], "--identity-policy", "app.json", args[4], cwd=tree)
    denied = run(*args, cwd=tree)
    assert (allowed.returncode, allowed.stdout.splitlines()[0]) == (0, "ALLOWED")
    assert (denied.returncode, denied.stdout) == (
        1,
        "DENIED (implicit)\n"
        "because:\n"
        "  key-policy key.json:4: statement `EnableIAM` (Allow): allows `kms:Decrypt` to"
        " `arn:aws:iam::111122223333:root`, which delegates to IAM\n"
        f"  identity-policy: no identity policy of `{ROLE}` allows `kms:Decrypt` on `{KEY}`\n",
    )


def test_sample_snapshot_answers(tree: Path) -> None:
    sample = Path(__file__).parents[2] / "samples" / "snapshot" / "snapshot.yaml"
    done = run("--snapshot", str(sample), f"can {ROLE} do kms:Decrypt on arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", cwd=tree)
    assert (done.returncode, done.stdout.splitlines()[0], done.stderr) == (0, "ALLOWED", "")
