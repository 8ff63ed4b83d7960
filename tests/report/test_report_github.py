"""GitHub Actions workflow commands: whole output for a hand-built report, and the escaping."""

from __future__ import annotations

import pytest

from policylint.findings import Finding
from policylint.report import github


def test_whole_output(sample_report):
    assert github.render(sample_report) == (
        "::warning file=keys/app.json,line=3,col=5,endLine=3,endColumn=13,title=PL005 duplicate-sid::Sid `A` is already used by statement 0\n"
        "::error file=keys/locked.json,title=PL001 pl001::cannot read the file: permission denied\n"
        "::notice file=stacks/key.yaml,line=12,endLine=14,title=PL990 example-rule::statement `Admin` allows `kms:*`\n"
        "checked 3 files (3 documents): 1 error, 1 warning, 1 info\n"
    )


def test_no_findings(empty_report):
    assert github.render(empty_report) == "checked 1 file (1 document): 0 errors, 0 warnings, 0 info\n"


@pytest.mark.parametrize(
    ("name", "text", "data", "prop"),
    [
        ("plain", "statement `A`", "statement `A`", "statement `A`"),
        ("percent first", "100%0A", "100%250A", "100%250A"),
        ("line breaks", "a\r\nb\nc", "a%0D%0Ab%0Ac", "a%0D%0Ab%0Ac"),
        ("colon and comma", "a:b,c", "a:b,c", "a%3Ab%2Cc"),
        ("command lookalike", "::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
    ],
)
def test_escaping(name, text, data, prop):
    assert (github.escape_data(text), github.escape_property(text)) == (data, prop)


def test_escapes_path_and_message(findings):
    odd = findings["duplicate"].model_copy(update={"path": "keys\\a,b:c%.json", "message": "first line\nsecond, 50%"})
    assert github.command(odd) == (
        "::warning file=keys/a%2Cb%3Ac%25.json,line=3,col=5,endLine=3,endColumn=13,title=PL005 duplicate-sid"
        "::first line%0Asecond, 50%25"
    )


@pytest.mark.parametrize(
    ("name", "severity", "command"),
    [("error", "error", "error"), ("warning", "warning", "warning"), ("info", "info", "notice")],
)
def test_severity_to_command(name, severity, command, findings):
    finding: Finding = findings["unreadable"].model_copy(update={"severity": severity})
    assert github.command(finding) == f"::{command} file=keys/locked.json,title=PL001 pl001::cannot read the file: permission denied"
