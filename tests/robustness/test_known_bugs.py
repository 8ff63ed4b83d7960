"""Reproducers of robustness bugs found by fuzzing and by these tests, in modules owned elsewhere.

An open bug is a strict xfail: once it is fixed the test passes, pytest reports XPASS as a
failure, and the marker comes off, so the case stays as a regression test.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from policylint.rules.runner import check_file
from policylint.settings import Settings
from policylint.source.loader import load_bytes


def _policy(statement: dict) -> bytes:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}).encode()


# Found by bench/fuzz.py: checks/arnformat.py took a NUL in an ARN for its mask character (fixed).
@pytest.mark.parametrize(
    ("name", "statement"),
    [
        ("principal", {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:ro\x00ot"}, "Action": "kms:*", "Resource": "*"}),
        ("resource", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/\x00"}),
    ],
)
def test_nul_inside_an_arn_is_not_an_internal_error(name: str, statement: dict) -> None:
    outcome = check_file(load_bytes("policy.json", _policy(statement)), Settings())
    assert [f.rule for f in outcome.findings if f.rule == "PL000"] == []


def test_text_report_keeps_one_finding_per_line(tmp_path: Path, cli) -> None:
    (tmp_path / "policy.json").write_bytes(_policy({"Effect": "Allow", "Action": "s3:Get\nObject", "Resource": "*"}))
    done = cli("check", "policy.json", cwd=tmp_path)
    assert len(done.stdout.decode("utf-8").splitlines()) == 2  # one finding (unknown action), the summary


def test_config_search_passes_over_folders_it_cannot_read(tmp_path: Path, nobody) -> None:
    """Run from a folder whose parents the user cannot search (here tmp_path's root-only parents)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to become another user")
    (tmp_path / "policy.json").write_bytes(_policy({"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-reports/*"}))
    os.chmod(tmp_path, 0o755)
    assert nobody(["check", "policy.json"], tmp_path) == (0, ["checked 1 file (1 document): 0 errors, 0 warnings, 0 info"])
