"""`diff`: new access between two policies, each witness allowed by the new policy and not by
the old one; the command line (files, `--git`, JSON, exit codes, errors)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from policylint.analyze.diff import DiffError, diff_documents
from policylint.analyze.synthetic import document_from_value, key_snapshot, resource_snapshot
from policylint.analyze.witness import verify
from policylint.cli import main
from tests.analyze.documents import policy, statement

OWN = "111122223333"
PARTNER = "444455556666"
ROOT = f"arn:aws:iam::{OWN}:root"
VIA_S3 = {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "analysis"


ENABLE_IAM = statement({"AWS": ROOT}, "kms:*")
PARTNER_VIA_S3 = statement({"AWS": f"arn:aws:iam::{PARTNER}:root"}, ["kms:Decrypt"], condition=VIA_S3)
PARTNER_ACCOUNT = f"any principal of account `{PARTNER}` whose IAM policies allow it"

CASES = [
    (
        "adding a principal",
        policy(ENABLE_IAM, PARTNER_VIA_S3),
        policy(ENABLE_IAM, statement({"AWS": [f"arn:aws:iam::{PARTNER}:root", "arn:aws:iam::777788889999:role/Reader"]}, ["kms:Decrypt"], condition=VIA_S3)),
        [
            (
                "`arn:aws:iam::777788889999:role/Reader`, if its IAM policies allow it",
                ("kms:Decrypt",),
                ("`kms:ViaService` = `s3.us-east-1.amazonaws.com`",),
            )
        ],
    ),
    (
        "widening an action wildcard",
        policy(ENABLE_IAM, PARTNER_VIA_S3),
        policy(ENABLE_IAM, statement({"AWS": f"arn:aws:iam::{PARTNER}:root"}, ["kms:Decrypt", "kms:ReEncrypt*"], condition=VIA_S3)),
        [(PARTNER_ACCOUNT, ("kms:ReEncryptFrom", "kms:ReEncryptTo"), ("`kms:ViaService` = `s3.us-east-1.amazonaws.com`",))],
    ),
    (
        "dropping a condition",
        policy(ENABLE_IAM, PARTNER_VIA_S3),
        policy(ENABLE_IAM, statement({"AWS": f"arn:aws:iam::{PARTNER}:root"}, ["kms:Decrypt"])),
        [(PARTNER_ACCOUNT, ("kms:Decrypt",), ("`kms:ViaService` is absent or not `s3.us-east-1.amazonaws.com`",))],
    ),
    (
        "adding a Deny gives nothing",
        policy(ENABLE_IAM, PARTNER_VIA_S3),
        policy(ENABLE_IAM, PARTNER_VIA_S3, statement("*", "kms:*", "Deny", {"Bool": {"aws:SecureTransport": "false"}})),
        [],
    ),
    ("reordering statements gives nothing", policy(ENABLE_IAM, PARTNER_VIA_S3), policy(PARTNER_VIA_S3, ENABLE_IAM), []),
    (
        "removing the delegation to IAM gives nothing, naming a role of the account does not either",
        policy(ENABLE_IAM),
        policy(statement({"AWS": f"arn:aws:iam::{OWN}:role/App"}, "kms:*")),
        [],
    ),
]


def _documents(old: dict, new: dict, kind: str = "key-policy"):
    return document_from_value(old, kind, "old.json"), document_from_value(new, kind, "new.json")


@pytest.mark.parametrize(("name", "old", "new", "expected"), CASES, ids=[c[0] for c in CASES])
def test_new_access(name: str, old: dict, new: dict, expected: list) -> None:
    before, after = _documents(old, new)
    report = diff_documents(before, after, kind="key-policy", account=OWN)
    assert [(a.who, a.actions, a.conditions) for a in report.accesses] == expected
    assert report.undecided == ()
    new_snapshot, _ = key_snapshot(after, OWN)
    old_snapshot, _ = key_snapshot(before, OWN)
    for witness in (w for a in report.accesses for w in a.witnesses):
        assert (verify(new_snapshot, witness), verify(old_snapshot, witness)) == ("allowed", witness.before)
        assert witness.before != "allowed"


def test_bucket_policy_made_public() -> None:
    old = policy(statement({"AWS": f"arn:aws:iam::{PARTNER}:root"}, "s3:GetObject", resource="arn:aws:s3:::my-bucket/reports/*"))
    new = policy(
        statement("*", "s3:GetObject", resource="arn:aws:s3:::my-bucket/public/*"),
        statement({"AWS": f"arn:aws:iam::{PARTNER}:root"}, "s3:GetObject", resource="arn:aws:s3:::my-bucket/reports/*"),
    )
    before, after = _documents(old, new, "resource-policy")
    report = diff_documents(before, after, kind="resource-policy", account=OWN)
    assert [(a.who, a.actions, a.conditions, a.witness.query) for a in report.accesses] == [
        (
            "any AWS principal in any other account whose IAM policies allow it",
            ("s3:GetObject",),
            (),
            "can arn:aws:iam::999999999999:role/ExampleRole do s3:GetObject on arn:aws:s3:::my-bucket/public/",
        ),
        ("any other service principal (e.g. `example.amazonaws.com`)", ("s3:GetObject",), (), "can example.amazonaws.com do s3:GetObject on arn:aws:s3:::my-bucket/public/"),
        ("anonymous callers", ("s3:GetObject",), (), "can anonymous do s3:GetObject on arn:aws:s3:::my-bucket/public/"),
    ]
    resources = {w.resource: None for a in report.accesses for w in a.witnesses}
    new_snapshot = resource_snapshot(after, OWN, resources)
    old_snapshot = resource_snapshot(before, OWN, resources)
    for witness in (w for a in report.accesses for w in a.witnesses):
        assert (verify(new_snapshot, witness), verify(old_snapshot, witness)) == ("allowed", "implicitly-denied")


def test_other_kinds_are_refused() -> None:
    before, after = _documents(policy(ENABLE_IAM), policy(ENABLE_IAM), "identity-policy")
    with pytest.raises(DiffError, match="`diff` compares key policies and resource policies, not `identity-policy`"):
        diff_documents(before, after, kind="identity-policy", account=OWN)


# -- the command line ---------------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["diff", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_sample_pair_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, str(SAMPLES / "old-key-policy.json"), str(SAMPLES / "new-key-policy.json"))
    assert (code, err) == (1, "")
    headers = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert headers[1:] == [
        f"any principal of account `{PARTNER}` whose IAM policies allow it",
        "any principal of account `777788889999` whose IAM policies allow it",
        "any principal of organization `o-a1b2c3d4e5` whose IAM policies allow it",
    ]
    assert headers[0].startswith("new access: ")


def test_sample_pair_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(SAMPLES / "old-key-policy.json"), str(SAMPLES / "new-key-policy.json"), "--format", "json")
    data = json.loads(out)
    assert (code, data["kind"], data["account"], len(data["new_access"])) == (1, "key-policy", OWN, 4)
    assert all(w["decision"] == "allowed" and w["before"] == "implicitly-denied" for a in data["new_access"] for w in a["witnesses"])


def test_same_policy_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(SAMPLES / "old-key-policy.json")
    assert _run(capsys, path, path) == (0, f"no new access: `{path}` allows nothing that `{path}` does not\n", "")


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("one file", ["a.json"], "`diff` takes two files, OLD and NEW (or `--git REV PATH`)"),
        ("missing file", ["missing.json", "missing.json"], "`missing.json`: cannot read file: no such file or directory"),
        ("bad revision", ["--git=-x", "new.json"], "`-x` is not a git revision"),
        ("bad account", ["old.json", "new.json", "--account", "12"], "`--account` must be a 12-digit AWS account id, not `12`"),
    ],
)
def test_errors_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, args: list[str], message: str) -> None:
    for file in ("old.json", "new.json"):
        (tmp_path / file).write_text(json.dumps(policy(ENABLE_IAM)), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert _run(capsys, *args) == (2, "", f"policylint: error: {message}\n")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_revision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "test@example.com")
    git("config", "user.name", "test")
    key = tmp_path / "keys" / "key.json"
    key.parent.mkdir()
    key.write_text(json.dumps(policy(ENABLE_IAM, PARTNER_VIA_S3)), encoding="utf-8")
    git("add", "keys/key.json")
    git("commit", "-q", "-m", "key")
    key.write_text(json.dumps(policy(ENABLE_IAM, statement({"AWS": f"arn:aws:iam::{PARTNER}:root"}, ["kms:Decrypt"]))), encoding="utf-8")
    code, out, err = _run(capsys, "--git", "HEAD", str(key))
    assert (code, err) == (1, "")
    assert f"new access: `{key}` allows what `HEAD:{key}` does not" in out
    assert _run(capsys, "--git", "nosuchrev", str(key))[0] == 2
