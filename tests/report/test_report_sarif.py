"""SARIF 2.1.0 report: valid against the official schema, and the fields code scanning reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from policylint import __version__
from policylint.report import sarif
from policylint.rules.registry import Rule, RuleDocs, rules
from policylint.source.positions import Position, Range

SCHEMA_NAME = "sarif-schema-2.1.0.json"
SCHEMA_PLACES = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "schemas" / SCHEMA_NAME,
    Path("/work/shared/schemas") / SCHEMA_NAME,
)

EXAMPLE_RULE = Rule(
    code="PL990",
    name="example-rule",
    severity="warning",
    kinds=("key-policy", "resource-policy"),
    summary="A statement allows every KMS action",
    docs=RuleDocs(
        what_it_does="\nReports `kms:*` in an Allow statement.\n",
        why_bad="It grants key administration too.\n",
        example="```json\n{\"Action\": \"kms:*\"}\n```\n",
        use_instead="List the actions:\n\n```json\n{\"Action\": [\"kms:Decrypt\"]}\n```\n",
    ),
    references=("https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html", "https://example.com/second"),
)


def _schema_validator() -> Draft4Validator:
    for place in SCHEMA_PLACES:
        if place.is_file():
            schema = json.loads(place.read_text(encoding="utf-8"))
            return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    pytest.skip(f"{SCHEMA_NAME} is not present in ../shared/schemas")


def _schema_errors(log: dict) -> list[str]:
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _schema_validator().iter_errors(log))


def test_valid_against_the_schema(sample_report):
    assert _schema_errors(json.loads(sarif.render(sample_report))) == []


def test_valid_against_the_schema_with_the_shipped_rules(findings, report_of):
    # The PL005 finding gets the full descriptor from rules/PL005-duplicate-sid.toml.
    log = sarif.as_data(report_of(findings["duplicate"]))
    assert _schema_errors(log) == []
    descriptor = log["runs"][0]["tool"]["driver"]["rules"][0]
    rule = rules()["PL005"]
    assert (descriptor["id"], descriptor["name"], descriptor["shortDescription"], descriptor["helpUri"]) == (
        "PL005",
        "duplicate-sid",
        {"text": rule.summary},
        rule.references[0],
    )


def test_the_schema_check_catches_a_broken_log(sample_report):
    log = sarif.as_data(sample_report)
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    log["runs"][0]["results"][1]["level"] = "info"
    assert _schema_errors(log) == [
        "runs/0/results/0/locations/0/physicalLocation/region/startLine: 0 is less than the minimum of 1",
        "runs/0/results/1/level: 'info' is not one of ['none', 'note', 'warning', 'error']",
    ]


def test_empty_report_is_valid(empty_report):
    log = sarif.as_data(empty_report)
    assert _schema_errors(log) == []
    assert (log["runs"][0]["results"], log["runs"][0]["tool"]["driver"]["rules"]) == ([], [])


def test_run_and_driver(sample_report):
    log = sarif.as_data(sample_report, catalog={"PL990": EXAMPLE_RULE})
    run = log["runs"][0]
    driver = dict(run["tool"]["driver"])
    listed = driver.pop("rules")
    assert (log["version"], log["$schema"], len(log["runs"]), run["columnKind"]) == (
        "2.1.0",
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        1,
        "unicodeCodePoints",
    )
    assert driver == {
        "name": "policylint",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": "https://pypi.org/project/policylint/",
    }
    # Only the rules that appear in the results, in code order; codes without a rule file get
    # their id and name only.
    assert listed == [
        {"id": "PL001", "name": "pl001"},
        {"id": "PL005", "name": "duplicate-sid"},
        {
            "id": "PL990",
            "name": "example-rule",
            "shortDescription": {"text": "A statement allows every KMS action"},
            "fullDescription": {"text": "Reports `kms:*` in an Allow statement."},
            "help": {
                "text": "It grants key administration too.\n\nUse instead:\n\nList the actions:\n\n```json\n{\"Action\": [\"kms:Decrypt\"]}\n```",
                "markdown": "## Why is this bad?\n\nIt grants key administration too.\n\n## Use instead\n\nList the actions:\n\n```json\n{\"Action\": [\"kms:Decrypt\"]}\n```",
            },
            "defaultConfiguration": {"level": "warning"},
            "properties": {"tags": ["key-policy", "resource-policy"]},
            "helpUri": "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html",
        },
    ]


def test_results(sample_report):
    results = sarif.as_data(sample_report, catalog={})["runs"][0]["results"]
    assert results == [
        {
            "ruleId": "PL005",
            "ruleIndex": 1,
            "level": "warning",
            "message": {"text": "Sid `A` is already used by statement 0"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "keys/app.json", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 13, "charOffset": 40, "charLength": 8},
                    },
                    "logicalLocations": [{"name": "Sid", "fullyQualifiedName": "/Statement/1/Sid"}],
                }
            ],
            "partialFingerprints": {"policylintFingerprint/v1": "e76b561195a641a2a603ac8e03755cb8092d8a930f35921448651e21ebd46979"},
        },
        {
            "ruleId": "PL001",
            "ruleIndex": 0,
            "level": "error",
            "message": {"text": "cannot read the file: permission denied"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "keys/locked.json", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 1},
                    }
                }
            ],
            "partialFingerprints": {"policylintFingerprint/v1": "dc551b847a9ab6938aca247a1bbf1d2aa3a8b6bafa3662276e16cc59c00e1415"},
        },
        {
            "ruleId": "PL990",
            "ruleIndex": 2,
            "level": "note",
            "message": {"text": "statement `Admin` allows `kms:*`"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "stacks/key.yaml", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 12, "startColumn": 9, "endLine": 14, "endColumn": 10, "charOffset": 301, "charLength": 76},
                    },
                    "logicalLocations": [
                        {"name": "Resources/AppKey/Properties/KeyPolicy", "fullyQualifiedName": "Resources/AppKey/Properties/KeyPolicy", "kind": "object"},
                        {"name": "0", "fullyQualifiedName": "/Statement/0"},
                    ],
                }
            ],
            "partialFingerprints": {"policylintFingerprint/v1": "460f0189287b41306bd4fdad3d86bf7dd57c5cca546ff1e466ecb11799d90d9a"},
            "properties": {"context": {"logical_id": "AppKey"}},
        },
    ]


def test_render_is_the_data_as_json(sample_report):
    text = sarif.render(sample_report)
    assert (json.loads(text), text.endswith("}\n")) == (sarif.as_data(sample_report), True)


@pytest.mark.parametrize(
    ("name", "path", "expected"),
    [
        ("relative", "keys/app.json", {"uri": "keys/app.json", "uriBaseId": "%SRCROOT%"}),
        ("dot prefix", "./keys/app.json", {"uri": "keys/app.json", "uriBaseId": "%SRCROOT%"}),
        ("backslashes", "keys\\app.json", {"uri": "keys/app.json", "uriBaseId": "%SRCROOT%"}),
        ("parent", "../other/app.json", {"uri": "../other/app.json", "uriBaseId": "%SRCROOT%"}),
        ("space and non-ascii", "my keys/clé.json", {"uri": "my%20keys/cl%C3%A9.json", "uriBaseId": "%SRCROOT%"}),
        ("reserved characters", "a#b?c%d.json", {"uri": "a%23b%3Fc%25d.json", "uriBaseId": "%SRCROOT%"}),
        ("absolute posix", "/srv/keys/app.json", {"uri": "file:///srv/keys/app.json"}),
        ("absolute windows", "C:\\work\\keys\\app.json", {"uri": "file:///C:/work/keys/app.json"}),
        ("unc", "\\\\server\\share\\app.json", {"uri": "file://server/share/app.json"}),
    ],
)
def test_artifact_location(name, path, expected):
    assert sarif.artifact_location(path) == expected


def _moved(finding, line: int):
    where = Range(start=Position(line=line, column=1, offset=line * 10), end=Position(line=line, column=4, offset=line * 10 + 3))
    return finding.model_copy(update={"range": where})


@pytest.mark.parametrize(
    ("name", "change", "same"),
    [
        ("lines added above", lambda f: _moved(f, 40), True),
        ("range lost", lambda f: f.model_copy(update={"range": None}), True),
        ("severity overridden", lambda f: f.model_copy(update={"severity": "error"}), True),
        ("other message", lambda f: f.model_copy(update={"message": "Sid `B` is already used by statement 0"}), False),
        ("other pointer", lambda f: f.model_copy(update={"pointer": "/Statement/2/Sid"}), False),
        ("other file", lambda f: f.model_copy(update={"path": "keys/other.json"}), False),
        ("other rule", lambda f: f.model_copy(update={"rule": "PL006"}), False),
        ("other document in the file", lambda f: f.model_copy(update={"context": {"document": "Resources/Other"}}), False),
        ("windows separators", lambda f: f.model_copy(update={"path": "keys\\app.json"}), True),
    ],
)
def test_fingerprint_identity(name, change, same, findings):
    original = findings["duplicate"]
    assert (sarif.fingerprint(change(original)) == sarif.fingerprint(original)) is same
