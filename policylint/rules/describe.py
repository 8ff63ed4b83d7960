"""`policylint rules [CODE] [--format table|json|markdown]`: list the rules or show one rule's docs.

Without a code: a table of every rule (`table`), the README rule table (`markdown`) or a JSON
array (`json`). With a code (any case): the rule's documentation as text, markdown or a JSON
object. An unknown code raises KeyError.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from tabulate import tabulate

from policylint.rules.docs import readme_rule_table
from policylint.rules.registry import Rule, rules

FORMATS = ("table", "json", "markdown")
TABLE_HEADERS = ("code", "name", "severity", "kinds", "summary")


def _sections(rule: Rule) -> tuple[tuple[str, str], ...]:
    docs = rule.docs
    return (
        ("What it does", docs.what_it_does.strip()),
        ("Why is this bad?", docs.why_bad.strip()),
        ("Example", docs.example.strip()),
        ("Use instead", docs.use_instead.strip()),
    )


def title(rule: Rule) -> str:
    return f"{rule.code} {rule.name} ({rule.severity})"


def rules_table(listed: Iterable[Rule]) -> str:
    rows = [(r.code, r.name, r.severity, ", ".join(r.kinds) or "-", r.summary) for r in listed]
    return tabulate(rows, headers=TABLE_HEADERS, tablefmt="simple", disable_numparse=True) + "\n"


def _indent_text(markdown: str) -> list[str]:
    """Markdown body for a terminal: indented two spaces, code fences dropped and code indented."""
    lines = []
    in_code = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if not line.strip():
            lines.append("")
        else:
            lines.append(("      " if in_code else "  ") + line)
    return lines


def rule_text(rule: Rule) -> str:
    lines = [title(rule), "", f"  {rule.summary}"]
    if rule.kinds:
        lines += ["", f"  kinds: {', '.join(rule.kinds)}"]
    for heading, body in _sections(rule):
        lines += ["", heading, "", *_indent_text(body)]
    if rule.references:
        lines += ["", "References", "", *(f"  - {url}" for url in rule.references)]
    return "\n".join(lines) + "\n"


def rule_markdown(rule: Rule) -> str:
    parts = [f"# {title(rule)}", rule.summary]
    if rule.kinds:
        parts.append("Kinds: " + ", ".join(f"`{kind}`" for kind in rule.kinds))
    parts += [f"## {heading}\n\n{body}" for heading, body in _sections(rule)]
    if rule.references:
        parts.append("## References\n\n" + "\n".join(f"- <{url}>" for url in rule.references))
    return "\n\n".join(parts) + "\n"


def rule_data(rule: Rule) -> dict:
    """A rule's metadata and docs (not its examples), for tools."""
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity,
        "kinds": list(rule.kinds),
        "summary": rule.summary,
        "docs": {
            "what_it_does": rule.docs.what_it_does.strip(),
            "why_bad": rule.docs.why_bad.strip(),
            "example": rule.docs.example.strip(),
            "use_instead": rule.docs.use_instead.strip(),
        },
        "references": list(rule.references),
    }


def find_rule(code: str) -> Rule:
    """The rule with `code` (any case); KeyError when there is none."""
    return rules()[code.strip().upper()]


def render(code: str | None, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format `{fmt}`")
    if code is None:
        listed = list(rules().values())
        if fmt == "table":
            return rules_table(listed)
        if fmt == "markdown":
            return readme_rule_table(listed)
        return json.dumps([rule_data(r) for r in listed], indent=2, ensure_ascii=False) + "\n"
    rule = find_rule(code)
    if fmt == "table":
        return rule_text(rule)
    if fmt == "markdown":
        return rule_markdown(rule)
    return json.dumps(rule_data(rule), indent=2, ensure_ascii=False) + "\n"
