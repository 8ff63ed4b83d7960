"""`policylint query "who can ..."` and `"is ... public"`: output, formats and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylint.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SNAPSHOT = str(SAMPLES / "snapshot" / "snapshot.yaml")
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
WHO_CAN_DECRYPT = f"""who can kms:Decrypt on {KEY}
4 principals of the snapshot and 2 classes of principals outside it

arn:aws:iam::111122223333:role/App
  kms:Decrypt
    witness: can arn:aws:iam::111122223333:role/App do kms:Decrypt on {KEY}

arn:aws:iam::111122223333:role/Batch
  kms:Decrypt
    only when `kms:EncryptionContext:Department` = `IT`
    witness: can arn:aws:iam::111122223333:role/Batch do kms:Decrypt on {KEY} with kms:EncryptionContext:Department = IT

arn:aws:iam::111122223333:user/alice
  kms:Decrypt
    only when `kms:ViaService` = `s3.us-east-1.amazonaws.com`
    witness: can arn:aws:iam::111122223333:user/alice do kms:Decrypt on {KEY} with kms:ViaService = s3.us-east-1.amazonaws.com

arn:aws:iam::444455556666:role/Partner
  kms:Decrypt
    witness: can arn:aws:iam::444455556666:role/Partner do kms:Decrypt on {KEY}

any principal of account `111122223333` whose IAM policies allow it
  kms:Decrypt
    witness: can arn:aws:iam::111122223333:role/ExampleRole do kms:Decrypt on {KEY}
    (a principal outside the snapshot, assumed to have IAM policies that allow it)

any principal of account `444455556666` whose IAM policies allow it
  kms:Decrypt
    witness: can arn:aws:iam::444455556666:role/ExampleRole do kms:Decrypt on {KEY}
    (a principal outside the snapshot, assumed to have IAM policies that allow it)
"""


def _query(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["query", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_who_can_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert _query(capsys, "--snapshot", SNAPSHOT, f"who can kms:Decrypt on {KEY}") == (0, WHO_CAN_DECRYPT, "")


def test_who_can_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _query(capsys, "--snapshot", SNAPSHOT, f"who can kms:Decrypt on {KEY}", "--format", "json")
    data = json.loads(out)
    assert (code, data["actions"], [a["who"] for a in data["accesses"]][:2]) == (
        0,
        ["kms:Decrypt"],
        ["arn:aws:iam::111122223333:role/App", "arn:aws:iam::111122223333:role/Batch"],
    )
    assert data["accesses"][1]["witnesses"][0]["query"].endswith("with kms:EncryptionContext:Department = IT")


def test_who_can_nobody(capsys: pytest.CaptureFixture[str]) -> None:
    resource = "arn:aws:kms:us-east-1:111122223333:key/not-in-the-snapshot"
    assert _query(capsys, "--snapshot", SNAPSHOT, f"who can kms:Decrypt on {resource}") == (
        1,
        f"who can kms:Decrypt on {resource}\nNOBODY\n",
        "",
    )


def test_is_public_sample_snapshot(capsys: pytest.CaptureFixture[str]) -> None:
    assert _query(capsys, "--snapshot", SNAPSHOT, f"is {KEY} public") == (
        0,
        f"NOT PUBLIC: {KEY}\nzone of trust: `111122223333`, `o-a1b2c3d4e5`\n",
        "",
    )


def test_is_public_key_policy_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _query(capsys, "--key-policy", str(SAMPLES / "key-policies" / "public-key-policy.json"), "--key", KEY, f"is {KEY} public")
    assert (code, err, out.splitlines()[:4]) == (
        1,
        "",
        [f"PUBLIC: {KEY}", "zone of trust: `111122223333`", "", "principals nobody named can:"],
    )
    assert "      only when `aws:PrincipalOrgID` is absent and `kms:EncryptionContext:report` is present" in out


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("an action pattern that matches nothing", ["--snapshot", SNAPSHOT, f"who can kms:Nope* on {KEY}"], "no action matches `kms:Nope*`"),
        ("a key policy without its key", ["--key-policy", str(SAMPLES / "key-policies" / "public-key-policy.json"), f"is {KEY} public"], "`--key-policy` needs `--key ARN`, the key the policy belongs to"),
    ],
)
def test_errors(capsys: pytest.CaptureFixture[str], name: str, args: list[str], message: str) -> None:
    assert _query(capsys, *args) == (2, "", f"policylint: error: {message}\n")
