"""`policylint shell`: piped sessions through a subprocess, the completion table, history."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from policylint.evaluate.snapshot import KeyEntry, PrincipalEntry, ResourceEntry, Snapshot
from policylint.shell import complete, history_path

KEY = "arn:aws:kms:us-east-1:111122223333:key/k1"
ROLE = "arn:aws:iam::111122223333:role/App"
USER = "arn:aws:iam::111122223333:user/alice"

SNAPSHOT = f"""\
keys:
  "{KEY}":
    policy: key.json
principals:
  "{ROLE}":
    policies: [app.json]
  "{USER}": {{}}
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
    {"Sid": "Use", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"},
    {"Sid": "Tagged", "Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "payments"}}},
    {"Sid": "Logs", "Effect": "Allow", "Action": "logs:GetLogEvents", "Resource": "*"}
  ]
}
"""

ALLOWED = (
    "ALLOWED\n"
    "because:\n"
    "  key-policy key.json:4: statement `EnableIAM` (Allow): allows `kms:Decrypt` to"
    " `arn:aws:iam::111122223333:root`, which delegates to IAM\n"
    f"  identity-policy app.json:4: statement `Use` (Allow): allows `kms:Decrypt` on `{KEY}`\n"
)
DENIED = (
    "DENIED (implicit)\n"
    "because:\n"
    "  key-policy key.json:4: statement `EnableIAM` (Allow): allows `kms:Encrypt` to"
    " `arn:aws:iam::111122223333:root`, which delegates to IAM\n"
    f"  identity-policy app.json: no identity policy of `{ROLE}` allows `kms:Encrypt` on `{KEY}`\n"
    f"  identity-policy app.json:5: statement `Tagged` (Allow): does not apply: condition `StringEquals` on"
    " `aws:PrincipalTag/team`: the key is not in the request\n"
)


def shell(*args: str, stdin: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "policylint", "shell", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    (tmp_path / "snapshot.yaml").write_text(SNAPSHOT)
    (tmp_path / "key.json").write_text(KEY_POLICY)
    (tmp_path / "app.json").write_text(APP_POLICY)
    return tmp_path


def test_piped_session_answers_like_query(tree: Path) -> None:
    lines = [
        "keys",
        "principals",
        "# a comment, then a blank line",
        "",
        f"can {ROLE} do kms:Decrypt on {KEY}",
        f"CAN {ROLE} DO kms:Encrypt ON {KEY}",
    ]
    done = shell("--snapshot", "snapshot.yaml", stdin="\n".join(lines) + "\n", cwd=tree)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"{KEY}\n{ROLE}\n{USER}\n" + ALLOWED + DENIED, "")


def test_answers_match_the_query_command(tree: Path) -> None:
    query = f"can {ROLE} do kms:Encrypt on {KEY}"
    answered = subprocess.run(
        [sys.executable, "-m", "policylint", "query", "--snapshot", "snapshot.yaml", query],
        cwd=tree, capture_output=True, text=True, timeout=120,
    )
    done = shell("--snapshot", "snapshot.yaml", stdin=query + "\n", cwd=tree)
    assert (done.stdout, answered.stdout) == (DENIED, DENIED)


@pytest.mark.parametrize("query", [f"who can kms:Decrypt on {KEY}", f"is {KEY} public"], ids=["who-can", "is-public"])
def test_analysis_queries_answer_like_query(tree: Path, query: str) -> None:
    answered = subprocess.run(
        [sys.executable, "-m", "policylint", "query", "--snapshot", "snapshot.yaml", query],
        cwd=tree, capture_output=True, text=True, timeout=120,
    )
    done = shell("--snapshot", "snapshot.yaml", stdin=query + "\n", cwd=tree)
    assert answered.stdout.startswith(("who can", "NOT PUBLIC", "PUBLIC"))
    assert (done.returncode, done.stdout, done.stderr) == (0, answered.stdout, "")


def test_errors_go_on_and_make_the_exit_code_2(tree: Path) -> None:
    bad = f"can {ROLE} dox kms:Decrypt on {KEY}"
    analysis = f"who can kms:Decrypt on {KEY} with"
    lines = [
        f"can {ROLE} do kms:Decrypt on {KEY}",
        bad,
        "frobnicate now",
        analysis,
        "keys please",
        "quit",
        "keys",
    ]
    done = shell("--snapshot", "snapshot.yaml", stdin="\n".join(lines) + "\n", cwd=tree)
    column = bad.index("dox") + 1
    errors = (
        f"2:{column}: expected `do` after the principal\n{bad}\n{' ' * (column - 1)}^\n"
        "3: unknown command `frobnicate`; `help` lists the commands\n"
        f"4:70: expected a condition key like `aws:SourceIp`\n{analysis}\n{' ' * 69}^\n"
        "5: `keys` takes no argument\n"
    )
    # `quit` stops the session: the `keys` after it is not run.
    assert (done.returncode, done.stdout, done.stderr) == (2, ALLOWED, errors)


def test_explain_shows_context_policies_and_closest_statements(tree: Path) -> None:
    stdin = f"can {ROLE} do kms:Encrypt on {KEY}\nexplain\n"
    done = shell("--snapshot", "snapshot.yaml", stdin=stdin, cwd=tree)
    explained = DENIED + (
        "request context:\n"
        f"  aws:PrincipalArn = {ROLE}\n"
        "  aws:PrincipalAccount = 111122223333\n"
        "  aws:PrincipalIsAWSService = false\n"
        "  aws:ViaAWSService = false\n"
        "  kms:CallerAccount = 111122223333\n"
        "  aws:PrincipalType = AssumedRole\n"
        "  aws:ResourceAccount = 111122223333\n"
        "  aws:RequestedRegion = us-east-1\n"
        "policies evaluated:\n"
        "  key-policy key.json: allows\n"
        "    key.json:4: statement `EnableIAM` (Allow): allows `kms:Encrypt` to"
        " `arn:aws:iam::111122223333:root`, which delegates to IAM\n"
        "  identity-policy app.json: no statement applies\n"
        "    app.json:5: statement `Tagged` (Allow): does not apply: condition `StringEquals` on"
        " `aws:PrincipalTag/team`: the key is not in the request\n"
        "    (2 other statements further from the request)\n"
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, DENIED + explained, "")


def test_load_replaces_the_snapshot(tree: Path) -> None:
    other = tree / "other"
    other.mkdir()
    (other / "snapshot.yaml").write_text(f'principals:\n  "{USER}": {{}}\n')
    stdin = "keys\nload other/snapshot.yaml\nkeys\nprincipals\nload missing.yaml\nload\n"
    done = shell("--snapshot", "snapshot.yaml", stdin=stdin, cwd=tree)
    stdout = f"{KEY}\nloaded `other/snapshot.yaml`: 0 keys, 1 principals\n{USER}\n"
    stderr = "5: missing.yaml: cannot read snapshot: no such file or directory\n6: `load` needs a snapshot file: `load FILE`\n"
    assert (done.returncode, done.stdout, done.stderr) == (2, stdout, stderr)


def test_without_a_snapshot(tree: Path) -> None:
    stdin = f"can {ROLE} do kms:Decrypt on {KEY}\nkeys\nexplain\nload snapshot.yaml\ncan {ROLE} do kms:Decrypt on {KEY}\n"
    done = shell(stdin=stdin, cwd=tree)
    stderr = (
        "1: no snapshot loaded: `load FILE` first\n"
        "2: no snapshot loaded: `load FILE` first\n"
        "3: nothing to explain yet: ask a query first\n"
    )
    stdout = "loaded `snapshot.yaml`: 1 keys, 2 principals\n" + ALLOWED
    assert (done.returncode, done.stdout, done.stderr) == (2, stdout, stderr)


def test_unusable_snapshot_exits_2_before_reading(tree: Path) -> None:
    done = shell("--snapshot", "nope.yaml", stdin="keys\n", cwd=tree)
    assert (done.returncode, done.stdout, done.stderr) == (
        2,
        "",
        "policylint: error: nope.yaml: cannot read snapshot: no such file or directory\n",
    )


def test_help_lists_the_commands(tree: Path) -> None:
    done = shell(stdin="help\n", cwd=tree)
    assert (done.returncode, [line.split()[0] for line in done.stdout.splitlines()[3:]], done.stderr) == (
        0,
        ["load", "keys", "principals", "explain", "help", "quit,"],
        "",
    )


def test_terminal_session_keeps_history(tree: Path, tmp_path: Path) -> None:
    """On a terminal: prompt, banner, and the history file (a history that cannot be written
    is no failure)."""
    pty = pytest.importorskip("pty")
    state = tmp_path / "state"
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the history folder would go\n")
    for xdg, history in ((state, state / "policylint" / "history"), (blocked, None)):
        env = {**os.environ, "XDG_STATE_HOME": str(xdg), "TERM": "dumb"}
        primary, secondary = pty.openpty()
        process = subprocess.Popen(
            [sys.executable, "-m", "policylint", "shell", "--snapshot", "snapshot.yaml"],
            cwd=tree, stdin=secondary, stdout=secondary, stderr=secondary, env=env,
        )
        os.close(secondary)
        os.write(primary, b"keys\nquit\n")
        output = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        code = process.wait(timeout=120)
        os.close(primary)
        text = output.decode("utf-8", "replace")
        saved = history.read_text().split() if history is not None else None
        assert (code, "policylint shell (1 keys, 2 principals)" in text, "policylint> " in text, KEY in text, saved) == (
            0,
            True,
            True,
            True,
            ["keys", "quit"] if history is not None else None,
        )


HISTORY = [
    ("xdg", {"XDG_STATE_HOME": "/state", "HOME": "/home/u"}, "/state/policylint/history"),
    ("home", {"HOME": "/home/u"}, "/home/u/.policylint_history"),
    ("empty-xdg", {"XDG_STATE_HOME": "", "HOME": "/home/u"}, "/home/u/.policylint_history"),
]


@pytest.mark.parametrize(("name", "env", "expected"), HISTORY, ids=[h[0] for h in HISTORY])
def test_history_path(monkeypatch: pytest.MonkeyPatch, name: str, env: dict[str, str], expected: str) -> None:
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert history_path() == expected


# -- completion ------------------------------------------------------------------------------

K1 = "arn:aws:kms:us-east-1:111122223333:key/k1"
K2 = "arn:aws:kms:us-east-1:111122223333:key/k2"
BUCKET = "arn:aws:s3:::reports"
DEPLOYER = "arn:aws:iam::111122223333:role/Deployer"
TABLE_SNAPSHOT = Snapshot(
    path="test",
    keys={K1: KeyEntry(arn=K1, account="111122223333"), K2: KeyEntry(arn=K2, account="111122223333")},
    resources={BUCKET: ResourceEntry(arn=BUCKET, account="111122223333")},
    principals={
        USER: PrincipalEntry(arn=USER, tags={"team": "payments"}),
        DEPLOYER: PrincipalEntry(arn=DEPLOYER),
    },
)
CAN = f"can {USER} do kms:Decrypt on {K1}"

COMPLETIONS = [
    ("first-word", "", ["can", "who", "is", "load", "keys", "principals", "explain", "help", "quit", "exit"]),
    ("first-word-prefix", "e", ["explain", "exit"]),
    ("first-word-any-case", "C", ["can"]),
    ("principal", "can ", [USER, DEPLOYER, "anonymous"]),
    ("principal-prefix", "can arn:aws:iam::111122223333:r", [DEPLOYER]),
    ("principal-quoted", 'can "arn:aws:iam::111122223333:u', [USER]),
    ("do", f"can {USER} ", ["do"]),
    ("do-prefix", f"can {USER} D", ["do"]),
    ("service-prefix", f"can {USER} do km", ["kms:"]),
    ("service-prefixes", f"can {USER} do EC2", ["ec2:", "ec2-instance-connect:", "ec2messages:"]),
    ("kms-actions", f"can {USER} do kms:Dec", ["kms:Decapsulate", "kms:Decrypt"]),
    ("kms-actions-any-case", f"can {USER} do KMS:generatedatakeyp", ["kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext"]),
    ("unknown-service", f"can {USER} do nosuch:Get", []),
    ("on", f"can {USER} do kms:Decrypt ", ["on"]),
    ("resource", f"can {USER} do kms:Decrypt on ", [K1, K2, BUCKET]),
    ("resource-prefix", f"can {USER} do kms:Decrypt on arn:aws:kms", [K1, K2]),
    ("role-for-assume-role", f"can {USER} do sts:AssumeRole on arn:aws:i", [DEPLOYER]),
    ("with", f"{CAN} ", ["with"]),
    ("key-prefixes", f"{CAN} with ", ["aws:", "ec2:", "glue:", "identitystore:", "kms:", "lambda:", "ssm:"]),
    (
        "kms-keys",
        f"{CAN} with kms:Encr",
        ["kms:EncryptionAlgorithm", "kms:EncryptionContext:", "kms:EncryptionContextKeys"],
    ),
    ("global-keys", f"{CAN} with aws:SourceV", ["aws:SourceVpc", "aws:SourceVpcArn", "aws:SourceVpce"]),
    ("tag-keys-from-snapshot", f"{CAN} with aws:PrincipalTa", ["aws:PrincipalTag/", "aws:PrincipalTag/team"]),
    ("equals-after-key", f"{CAN} with aws:SourceIp ", ["="]),
    ("no-value-completion", f"{CAN} with aws:SourceIp = ", []),
    ("no-value-completion-tight", f"{CAN} with aws:SourceIp=", []),
    ("second-key", f"{CAN} with aws:SourceIp = 10.0.0.1, aws:SourceVpce", ["aws:SourceVpce"]),
    ("second-key-tight", f"{CAN} with aws:SourceIp=10.0.0.1,kms:ViaS", ["kms:ViaService"]),
    ("who-can", "who ", ["can"]),
    ("who-can-action", "who can kms:Decr", ["kms:Decrypt"]),
    ("who-can-on", "who can kms:Decrypt ", ["on"]),
    ("who-can-resource", "who can kms:Decrypt on arn:aws:s3", [BUCKET]),
    ("who-can-with-key", f"who can kms:Decrypt on {K1} with kms:ViaS", ["kms:ViaService"]),
    ("is-resource", "is arn:aws:kms:us-east-1:111122223333:key/k", [K1, K2]),
    ("is-public", f"is {K1} ", ["public"]),
    ("past-the-end", f"is {K1} public ", []),
    ("after-a-command", "keys ", []),
    ("unknown-start", "frobnicate ", []),
]


@pytest.mark.parametrize(("name", "text", "expected"), COMPLETIONS, ids=[c[0] for c in COMPLETIONS])
def test_complete(name: str, text: str, expected: list[str]) -> None:
    assert complete(text, TABLE_SNAPSHOT) == expected


def test_complete_without_a_snapshot() -> None:
    assert (complete("can ", None), complete(f"can {USER} do kms:Decrypt on ", None)) == (["anonymous"], [])
