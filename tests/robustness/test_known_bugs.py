"""Reproducers of robustness bugs found by fuzzing, in modules owned elsewhere.

Each is a strict xfail: when the bug is fixed the test passes, pytest reports XPASS as a failure,
and the marker must be removed, so the case stays as a regression test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylint.rules.runner import check_file
from policylint.settings import Settings
from policylint.source.loader import load_bytes


def _policy(statement: dict) -> bytes:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}).encode()


@pytest.mark.xfail(strict=True, reason="checks/arnformat.py `_unmask`: a NUL in an ARN is taken for its mask character (StopIteration)")
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


@pytest.mark.xfail(strict=True, reason="report/text.py (or the messages): user text with a line break splits a finding over two lines")
def test_text_report_keeps_one_finding_per_line(tmp_path: Path, cli) -> None:
    (tmp_path / "policy.json").write_bytes(_policy({"Effect": "Allow", "Action": "s3:Get\nObject", "Resource": "*"}))
    done = cli("check", "policy.json", cwd=tmp_path)
    assert len(done.stdout.decode("utf-8").splitlines()) == 2  # one finding (unknown action), the summary
