"""A hand-built report shared by the report format tests: a finding with a one-line range, one
without a range, and one spanning lines inside a labelled document of a template."""

from __future__ import annotations

import pytest

from policylint.findings import Finding
from policylint.report.model import CheckReport, DocumentEntry, Summary
from policylint.source.positions import Position, Range


def span(start: tuple[int, int, int], end: tuple[int, int, int]) -> Range:
    return Range(start=Position(line=start[0], column=start[1], offset=start[2]), end=Position(line=end[0], column=end[1], offset=end[2]))


DUPLICATE = Finding(
    rule="PL005",
    name="duplicate-sid",
    severity="warning",
    message="Sid `A` is already used by statement 0",
    path="keys/app.json",
    pointer="/Statement/1/Sid",
    range=span((3, 5, 40), (3, 13, 48)),
)
UNREADABLE = Finding(
    rule="PL001",
    name="pl001",
    severity="error",
    message="cannot read the file: permission denied",
    path="keys/locked.json",
    pointer="",
)
IN_TEMPLATE = Finding(
    rule="PL990",
    name="example-rule",
    severity="info",
    message="statement `Admin` allows `kms:*`",
    path="stacks/key.yaml",
    pointer="/Statement/0",
    range=span((12, 9, 301), (14, 10, 377)),
    context={"document": "Resources/AppKey/Properties/KeyPolicy", "logical_id": "AppKey"},
)


def make_report(*findings: Finding) -> CheckReport:
    paths = list(dict.fromkeys(f.path for f in findings))
    counts = {"error": 0, "warning": 0, "info": 0}
    for finding in findings:
        counts[finding.severity] += 1
    return CheckReport(
        files=tuple(DocumentEntry(path=path, kind="key-policy") for path in paths),
        findings=findings,
        summary=Summary(files=len(paths), documents=len(paths), **counts),
    )


@pytest.fixture
def findings() -> dict[str, Finding]:
    return {"duplicate": DUPLICATE, "unreadable": UNREADABLE, "in_template": IN_TEMPLATE}


@pytest.fixture
def report_of():
    return make_report


@pytest.fixture
def sample_report() -> CheckReport:
    return make_report(DUPLICATE, UNREADABLE, IN_TEMPLATE)


@pytest.fixture
def empty_report() -> CheckReport:
    return CheckReport(files=(DocumentEntry(path="keys/ok.json", kind="key-policy"),), findings=(), summary=Summary(files=1, documents=1, error=0, warning=0, info=0))
