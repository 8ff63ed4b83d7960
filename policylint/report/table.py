"""Table report for people reading a terminal: findings grouped per file, a per-rule count, and
the summary line of the text report.
"""

from __future__ import annotations

from tabulate import tabulate

from policylint.report.oneline import one_line
from policylint.findings import SEVERITY_ORDER, Finding
from policylint.report.model import CheckReport
from policylint.report.text import summary_line

FINDING_HEADERS = ("line:col", "severity", "code", "name", "message")
RULE_HEADERS = ("code", "name", "severity", "count")


def _table(rows: list[tuple], headers: tuple[str, ...], align: tuple[str, ...]) -> str:
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True, colalign=align)


def _where(finding: Finding) -> str:
    if finding.range is None:
        return "-"
    return f"{finding.range.start.line}:{finding.range.start.column}"


def by_file(findings: tuple[Finding, ...]) -> dict[str, list[Finding]]:
    """Findings per path, files in the order they first appear, findings in report order."""
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.path, []).append(finding)
    return grouped


def file_table(findings: list[Finding]) -> str:
    rows = [(_where(f), f.severity, f.rule, f.name, one_line(f.message)) for f in findings]
    return _table(rows, FINDING_HEADERS, ("left",) * len(FINDING_HEADERS))


def rule_table(findings: tuple[Finding, ...]) -> str:
    """How many findings each rule produced, by code (then by severity, most severe first)."""
    counts: dict[tuple[str, str, str], int] = {}
    for finding in findings:
        key = (finding.rule, finding.name, finding.severity)
        counts[key] = counts.get(key, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (item[0][0], -SEVERITY_ORDER[item[0][2]], item[0][1]))
    rows = [(code, name, severity, count) for (code, name, severity), count in ordered]
    return _table(rows, RULE_HEADERS, ("left", "left", "left", "right"))


def render(report: CheckReport) -> str:
    blocks = [f"{path}\n\n{file_table(findings)}" for path, findings in by_file(report.findings).items()]
    if report.findings:
        blocks.append(f"findings per rule\n\n{rule_table(report.findings)}")
    blocks.append(summary_line(report))
    return "\n\n".join(blocks) + "\n"
