"""GitHub Actions report: one workflow command per finding, which the runner turns into an
annotation on the file, then the summary line as plain text.

`::error file=PATH,line=L,col=C,endLine=L2,endColumn=C2,title=PL203 public-key::message`
(`warning` for warnings, `notice` for info). Columns are only given for a range on one line
(GitHub ignores them otherwise); a finding without a range annotates the whole file.
"""

from __future__ import annotations

from policylint.findings import Finding
from policylint.report.model import CheckReport
from policylint.report.text import summary_line

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message (`%`, carriage return and line feed)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property value: as data, plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def properties(finding: Finding) -> list[tuple[str, str]]:
    found = [("file", finding.path.replace("\\", "/"))]
    if finding.range is not None:
        start, end = finding.range.start, finding.range.end
        found.append(("line", str(start.line)))
        if start.line == end.line:
            found.append(("col", str(start.column)))
        found.append(("endLine", str(end.line)))
        if start.line == end.line:
            found.append(("endColumn", str(end.column)))
    found.append(("title", f"{finding.rule} {finding.name}"))
    return found


def command(finding: Finding) -> str:
    listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties(finding))
    return f"::{COMMANDS[finding.severity]} {listed}::{escape_data(finding.message)}"


def render(report: CheckReport) -> str:
    lines = [command(finding) for finding in report.findings]
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
