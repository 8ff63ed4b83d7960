"""Text report: `path:line:col: severity CODE message`, then a summary line."""

from __future__ import annotations

from policylint.findings import Finding
from policylint.report.oneline import one_line
from policylint.report.model import CheckReport


def location(finding: Finding) -> tuple[int, int]:
    if finding.range is None:
        return 1, 1
    return finding.range.start.line, finding.range.start.column


def finding_line(finding: Finding) -> str:
    line, column = location(finding)
    return f"{finding.path}:{line}:{column}: {finding.severity} {finding.rule} {one_line(finding.message)}"


def summary_line(report: CheckReport) -> str:
    s = report.summary
    files = "file" if s.files == 1 else "files"
    parts = [f"{s.error} error{'s' if s.error != 1 else ''}", f"{s.warning} warning{'s' if s.warning != 1 else ''}", f"{s.info} info"]
    text = f"checked {s.files} {files} ({s.documents} document{'s' if s.documents != 1 else ''}): " + ", ".join(parts)
    if s.suppressed:
        text += f" ({s.suppressed} suppressed)"
    return text


def render(report: CheckReport) -> str:
    lines = [finding_line(f) for f in report.findings]
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
