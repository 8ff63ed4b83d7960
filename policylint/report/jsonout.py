"""The editor-style JSON report.

Shape: `{"tool": {"name", "version"}, "files": [{"path", "kind", "account", "account_inferred",
...}], "findings": [{"rule", "name", "severity", "message", "path", "pointer", "range"}],
"summary": {"files", "error", "warning", "info", ...}}`.
"""

from __future__ import annotations

from policylint import __version__
from policylint.report import jsonlines
from policylint.report.model import CheckReport


def as_data(report: CheckReport) -> dict:
    return {
        "tool": {"name": "policylint", "version": __version__},
        "files": [entry.model_dump() for entry in report.files],
        "findings": [finding.model_dump(exclude_none=True) for finding in report.findings],
        "summary": report.summary.model_dump(),
    }


def render(report: CheckReport) -> str:
    """Indented JSON with one file entry and one finding per line."""
    return jsonlines.dumps(as_data(report), depth=2)
