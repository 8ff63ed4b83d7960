"""`policylint rules`: the rule list and one rule's docs as text, markdown and JSON."""

from __future__ import annotations

import json

import pytest

from policylint.cli import main
from policylint.rules import describe
from policylint.rules.docs import readme_rule_table
from policylint.rules.registry import Rule, RuleDocs, rules

EXAMPLE = Rule(
    code="PL990",
    name="example-rule",
    severity="error",
    kinds=("key-policy", "scp"),
    summary="A statement allows every KMS action",
    docs=RuleDocs(
        what_it_does="\nReports `kms:*` in an Allow statement.\n",
        why_bad="It grants key administration\ntoo.\n",
        example='```json\n{"Action": "kms:*"}\n```\n',
        use_instead='List the actions:\n\n```json\n{"Action": [\n  "kms:Decrypt"\n]}\n```\n',
    ),
    references=("https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html",),
)
BARE = Rule(
    code="PL991",
    name="bare-rule",
    severity="info",
    summary="Nothing else",
    docs=RuleDocs(what_it_does="Does.", why_bad="Bad.", example="Ex.", use_instead="Other."),
)


def test_rule_text():
    assert describe.rule_text(EXAMPLE) == (
        "PL990 example-rule (error)\n"
        "\n"
        "  A statement allows every KMS action\n"
        "\n"
        "  kinds: key-policy, scp\n"
        "\n"
        "What it does\n"
        "\n"
        "  Reports `kms:*` in an Allow statement.\n"
        "\n"
        "Why is this bad?\n"
        "\n"
        "  It grants key administration\n"
        "  too.\n"
        "\n"
        "Example\n"
        "\n"
        '      {"Action": "kms:*"}\n'
        "\n"
        "Use instead\n"
        "\n"
        "  List the actions:\n"
        "\n"
        '      {"Action": [\n'
        '        "kms:Decrypt"\n'
        "      ]}\n"
        "\n"
        "References\n"
        "\n"
        "  - https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html\n"
    )


def test_rule_text_without_kinds_or_references():
    assert describe.rule_text(BARE) == (
        "PL991 bare-rule (info)\n\n  Nothing else\n\n"
        "What it does\n\n  Does.\n\nWhy is this bad?\n\n  Bad.\n\nExample\n\n  Ex.\n\nUse instead\n\n  Other.\n"
    )


def test_rule_markdown():
    assert describe.rule_markdown(EXAMPLE) == (
        "# PL990 example-rule (error)\n"
        "\n"
        "A statement allows every KMS action\n"
        "\n"
        "Kinds: `key-policy`, `scp`\n"
        "\n"
        "## What it does\n"
        "\n"
        "Reports `kms:*` in an Allow statement.\n"
        "\n"
        "## Why is this bad?\n"
        "\n"
        "It grants key administration\n"
        "too.\n"
        "\n"
        "## Example\n"
        "\n"
        "```json\n"
        '{"Action": "kms:*"}\n'
        "```\n"
        "\n"
        "## Use instead\n"
        "\n"
        "List the actions:\n"
        "\n"
        "```json\n"
        '{"Action": [\n'
        '  "kms:Decrypt"\n'
        "]}\n"
        "```\n"
        "\n"
        "## References\n"
        "\n"
        "- <https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html>\n"
    )


def test_rule_data():
    assert describe.rule_data(EXAMPLE) == {
        "code": "PL990",
        "name": "example-rule",
        "severity": "error",
        "kinds": ["key-policy", "scp"],
        "summary": "A statement allows every KMS action",
        "docs": {
            "what_it_does": "Reports `kms:*` in an Allow statement.",
            "why_bad": "It grants key administration\ntoo.",
            "example": '```json\n{"Action": "kms:*"}\n```',
            "use_instead": 'List the actions:\n\n```json\n{"Action": [\n  "kms:Decrypt"\n]}\n```',
        },
        "references": ["https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html"],
    }


def test_rules_table():
    assert describe.rules_table([EXAMPLE, BARE]) == (
        "code    name          severity    kinds            summary\n"
        "------  ------------  ----------  ---------------  -----------------------------------\n"
        "PL990   example-rule  error       key-policy, scp  A statement allows every KMS action\n"
        "PL991   bare-rule     info        -                Nothing else\n"
    )


# Through render(), with the shipped rules (only PL005 is known to exist).
@pytest.mark.parametrize(
    ("name", "code", "fmt", "expected"),
    [
        ("text", "PL005", "table", lambda: describe.rule_text(rules()["PL005"])),
        ("lower case code", "pl005", "table", lambda: describe.rule_text(rules()["PL005"])),
        ("spaces around", " Pl005 ", "markdown", lambda: describe.rule_markdown(rules()["PL005"])),
        ("markdown", "PL005", "markdown", lambda: describe.rule_markdown(rules()["PL005"])),
        ("json", "pl005", "json", lambda: json.dumps(describe.rule_data(rules()["PL005"]), indent=2, ensure_ascii=False) + "\n"),
        ("list as table", None, "table", lambda: describe.rules_table(rules().values())),
        ("list as markdown", None, "markdown", lambda: readme_rule_table()),
    ],
)
def test_render(name, code, fmt, expected):
    assert describe.render(code, fmt) == expected()


def test_render_pl005_title():
    assert describe.render("pl005", "table").splitlines()[0] == f"PL005 duplicate-sid ({rules()['PL005'].severity})"


def test_render_list_as_json():
    listed = json.loads(describe.render(None, "json"))
    assert ([entry["code"] for entry in listed], listed[[e["code"] for e in listed].index("PL005")]) == (
        list(rules()),
        describe.rule_data(rules()["PL005"]),
    )


def test_render_list_as_table_has_a_row_per_rule():
    rows = describe.render(None, "table").splitlines()[2:]
    assert [row.split()[0] for row in rows] == list(rules())


@pytest.mark.parametrize(("name", "code"), [("unknown", "PL999"), ("empty", ""), ("name instead of code", "duplicate-sid")])
def test_unknown_code(name, code):
    with pytest.raises(KeyError):
        describe.render(code, "table")


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown format `yaml`"):
        describe.render(None, "yaml")


@pytest.mark.parametrize(
    ("name", "argv", "code", "stdout", "stderr"),
    [
        ("one rule", ["rules", "pl005"], 0, lambda: describe.rule_text(rules()["PL005"]), ""),
        ("unknown rule", ["rules", "PL999"], 2, lambda: "", "policylint: error: no rule `PL999`; `policylint rules` lists them\n"),
    ],
)
def test_cli(name, argv, code, stdout, stderr, capsys):
    returned = main(argv)
    captured = capsys.readouterr()
    assert (returned, captured.out, captured.err) == (code, stdout(), stderr)
