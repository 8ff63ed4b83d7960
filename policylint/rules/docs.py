"""The rule table of README.md, generated from the rule files so it cannot drift from them.

README.md holds the table between `<!-- rules-table:start -->` and `<!-- rules-table:end -->`;
`python3 scripts/gen_rule_docs.py` rewrites it and `--check` tells whether it is stale.
"""

from __future__ import annotations

from collections.abc import Iterable

from policylint.rules.registry import Rule, rules

START_MARKER = "<!-- rules-table:start -->"
END_MARKER = "<!-- rules-table:end -->"
REGENERATE_COMMAND = "python3 scripts/gen_rule_docs.py"


def markdown_cell(text: str) -> str:
    """Text that stays inside one cell of a markdown table."""
    return " ".join(text.split()).replace("|", "\\|")


def readme_rule_table(selected: Iterable[Rule] | None = None) -> str:
    """A markdown table (code, name, severity, summary) of the given rules, by default all."""
    chosen = rules().values() if selected is None else selected
    lines = ["| Code | Name | Severity | Summary |", "| --- | --- | --- | --- |"]
    for rule in sorted(chosen, key=lambda r: r.code):
        lines.append(f"| {rule.code} | `{rule.name}` | {rule.severity} | {markdown_cell(rule.summary)} |")
    return "\n".join(lines) + "\n"


def current_rule_table(readme: str) -> str | None:
    """The text between the markers (without the marker lines), or None without both markers."""
    start = readme.find(START_MARKER)
    end = readme.find(END_MARKER, start + len(START_MARKER)) if start >= 0 else -1
    if start < 0 or end < 0:
        return None
    inner = readme[start + len(START_MARKER) : end]
    return inner[1:] if inner.startswith("\n") else inner


def with_rule_table(readme: str | None, table: str) -> str:
    """README text with `table` between the markers; without markers, a `## Rules` section is
    appended at the end (a README that does not exist yet gets just that section). ValueError
    when only one marker is there, or the end marker comes first."""
    block = f"{START_MARKER}\n{table}{END_MARKER}"
    if readme is not None and current_rule_table(readme) is None and (START_MARKER in readme or END_MARKER in readme):
        raise ValueError(f"README must have `{START_MARKER}` followed by `{END_MARKER}`, or neither")
    if readme is not None and current_rule_table(readme) is not None:
        start = readme.find(START_MARKER)
        end = readme.find(END_MARKER, start + len(START_MARKER)) + len(END_MARKER)
        return readme[:start] + block + readme[end:]
    section = f"## Rules\n\n{block}\n"
    if not readme or not readme.strip():
        return section
    return readme.rstrip("\n") + "\n\n" + section
