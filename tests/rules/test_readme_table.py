"""README.md's rule table is generated from the rule files; this fails when it is stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint.rules.docs import END_MARKER, REGENERATE_COMMAND, START_MARKER, current_rule_table, readme_rule_table, with_rule_table
from policylint.rules.registry import Rule, RuleDocs

README = Path(__file__).resolve().parents[2] / "README.md"

DOCS = RuleDocs(what_it_does="Does.", why_bad="Bad.", example="Ex.", use_instead="Other.")
FIRST = Rule(code="PL991", name="pipe-rule", severity="info", summary="A `a|b` pattern\n  wraps", docs=DOCS)
SECOND = Rule(code="PL990", name="example-rule", severity="error", summary="A statement allows every KMS action", docs=DOCS)
TABLE = (
    "| Code | Name | Severity | Summary |\n"
    "| --- | --- | --- | --- |\n"
    "| PL990 | `example-rule` | error | A statement allows every KMS action |\n"
    "| PL991 | `pipe-rule` | info | A `a\\|b` pattern wraps |\n"
)


def test_readme_table_is_current():
    assert README.is_file(), f"README.md is missing; run `{REGENERATE_COMMAND}`"
    current = current_rule_table(README.read_text(encoding="utf-8"))
    assert current == readme_rule_table(), f"the rule table in README.md is stale; run `{REGENERATE_COMMAND}`"


def test_table_of_given_rules():
    assert readme_rule_table([FIRST, SECOND]) == TABLE


@pytest.mark.parametrize(
    ("name", "readme", "expected"),
    [
        ("no readme", None, f"## Rules\n\n{START_MARKER}\n{TABLE}{END_MARKER}\n"),
        ("empty readme", "\n", f"## Rules\n\n{START_MARKER}\n{TABLE}{END_MARKER}\n"),
        ("no markers", "# policylint\n\nText.\n\n", f"# policylint\n\nText.\n\n## Rules\n\n{START_MARKER}\n{TABLE}{END_MARKER}\n"),
        (
            "stale table",
            f"# policylint\n\n## Rules\n\n{START_MARKER}\n| old |\n{END_MARKER}\n\n## After\n",
            f"# policylint\n\n## Rules\n\n{START_MARKER}\n{TABLE}{END_MARKER}\n\n## After\n",
        ),
    ],
)
def test_with_rule_table(name, readme, expected):
    assert with_rule_table(readme, TABLE) == expected


@pytest.mark.parametrize(
    ("name", "readme"),
    [
        ("only a start marker", f"# x\n{START_MARKER}\n"),
        ("only an end marker", f"# x\n{END_MARKER}\n"),
        ("end before start", f"{END_MARKER}\n| t |\n{START_MARKER}\n"),
    ],
)
def test_with_rule_table_refuses_broken_markers(name, readme):
    with pytest.raises(ValueError) as raised:
        with_rule_table(readme, TABLE)
    assert str(raised.value) == f"README must have `{START_MARKER}` followed by `{END_MARKER}`, or neither"


@pytest.mark.parametrize(
    ("name", "readme", "expected"),
    [
        ("present", f"a\n{START_MARKER}\n| t |\n{END_MARKER}\nb", "| t |\n"),
        ("empty", f"{START_MARKER}\n{END_MARKER}", ""),
        ("no markers", "# policylint\n", None),
        ("end before start", f"{END_MARKER}\n{START_MARKER}\n", None),
    ],
)
def test_current_rule_table(name, readme, expected):
    assert current_rule_table(readme) == expected
