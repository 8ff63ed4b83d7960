"""SARIF 2.1.0 report: one run of the `policylint` tool, for code scanning services.

Choices: the driver lists only the rules that appear in the results (in code order), so the log
stays small and does not change when unrelated rules are added; columns are Unicode code points
(`columnKind`), as everywhere in policylint; a relative path becomes a relative URI against
`%SRCROOT%`, an absolute one a `file://` URI. Each result carries a fingerprint of its rule, file,
document, pointer and message, which does not depend on line numbers, so a finding keeps its
identity when lines are added above it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from urllib.parse import quote

from policylint import __version__
from policylint.findings import Finding
from policylint.report import jsonlines
from policylint.report.model import CheckReport
from policylint.rules.registry import Rule, rules
from policylint.source.positions import split_pointer

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/policylint/"
SOURCE_ROOT = "%SRCROOT%"
FINGERPRINT_KEY = "policylintFingerprint/v1"

LEVELS = {"error": "error", "warning": "warning", "info": "note"}

_DRIVE = re.compile(r"^[A-Za-z]:/")


def artifact_location(path: str) -> dict[str, str]:
    """A SARIF artifactLocation for a report path (forward slashes, percent-encoded)."""
    text = path.replace("\\", "/")
    if _DRIVE.match(text):
        return {"uri": "file:///" + quote(text, safe="/:")}
    if text.startswith("//"):
        return {"uri": "file:" + quote(text, safe="/")}
    if text.startswith("/"):
        return {"uri": "file://" + quote(text, safe="/")}
    while text.startswith("./"):
        text = text[2:]
    return {"uri": quote(text, safe="/"), "uriBaseId": SOURCE_ROOT}


def fingerprint(finding: Finding) -> str:
    """A stable identity for a finding: rule, file, document, pointer and message; no lines."""
    label = (finding.context or {}).get("document", "")
    parts = (finding.rule, finding.path.replace("\\", "/"), label, finding.pointer, finding.message)
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def region(finding: Finding) -> dict[str, int]:
    if finding.range is None:
        return {"startLine": 1}
    start, end = finding.range.start, finding.range.end
    return {
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
        "charOffset": start.offset,
        "charLength": end.offset - start.offset,
    }


def logical_locations(finding: Finding) -> list[dict[str, str]]:
    """The document's label inside its file (when it has one), then the JSON pointer."""
    found = []
    label = (finding.context or {}).get("document")
    if label:
        found.append({"name": label, "fullyQualifiedName": label, "kind": "object"})
    if finding.pointer:
        found.append({"name": split_pointer(finding.pointer)[-1], "fullyQualifiedName": finding.pointer})
    return found


def descriptor(code: str, name: str, rule: Rule | None) -> dict:
    """A reportingDescriptor; codes without a rule file (PL000, ...) get their id and name only."""
    if rule is None:
        return {"id": code, "name": name}
    data: dict = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.docs.what_it_does.strip()},
        "help": {
            "text": f"{rule.docs.why_bad.strip()}\n\nUse instead:\n\n{rule.docs.use_instead.strip()}",
            "markdown": f"## Why is this bad?\n\n{rule.docs.why_bad.strip()}\n\n## Use instead\n\n{rule.docs.use_instead.strip()}",
        },
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": list(rule.kinds)},
    }
    if rule.references:
        data["helpUri"] = rule.references[0]
    return data


def result(finding: Finding, index: int) -> dict:
    data: dict = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": artifact_location(finding.path), "region": region(finding)},
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
    }
    logical = logical_locations(finding)
    if logical:
        data["locations"][0]["logicalLocations"] = logical
    extra = {key: value for key, value in (finding.context or {}).items() if key != "document"}
    if extra:
        data["properties"] = {"context": extra}
    return data


def as_data(report: CheckReport, catalog: Mapping[str, Rule] | None = None) -> dict:
    """The SARIF log as data; `catalog` (default: the shipped rules) describes the rules."""
    catalog = rules() if catalog is None else catalog
    names: dict[str, str] = {}
    for finding in report.findings:
        names.setdefault(finding.rule, finding.name)
    codes = sorted(names)
    index = {code: position for position, code in enumerate(codes)}
    driver = {
        "name": "policylint",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": INFORMATION_URI,
        "rules": [descriptor(code, names[code], catalog.get(code)) for code in codes],
    }
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "columnKind": "unicodeCodePoints",
                "results": [result(finding, index[finding.rule]) for finding in report.findings],
            }
        ],
    }


def render(report: CheckReport) -> str:
    """Indented SARIF; each rule descriptor and each location on one line."""
    return jsonlines.dumps(as_data(report), depth=6)
