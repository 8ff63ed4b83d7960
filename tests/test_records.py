"""Records made without validation (policylint.trusted.record): settings, catalog facts, findings
and the report. Each must be exactly what pydantic's validation of the same field values gives
back (equal, and every field of the same type: a tuple where the field says tuple), and a check
run must build no pydantic validator at all (tests/cli/test_startup_imports.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from policylint.catalog.actions import _action_infos
from policylint.catalog.condition_keys import condition_key_info
from policylint.catalog.global_keys import GLOBAL_CONDITION_KEYS
from policylint.catalog.operators import BASE_OPERATORS, parse_operator
from policylint.checks.pinning import caller_pin
from policylint.config import ConfigError, resolve_settings
from policylint.model.build import build_document
from policylint.report.jsonout import plain
from policylint.report.model import Summary
from policylint.rules.runner import run_check
from policylint.settings import Settings
from policylint.source.loader import discover, load_file
from policylint.trusted import record
from tests.validated import assert_as_validated, records

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def assert_valid(value: object) -> int:
    """Each record reachable from `value` is what validation of its own field values gives."""
    found = records(value)
    for item in found:
        assert_as_validated(item)
    return len(found)


FULL_CONFIG = """
select = ["PL"]
extend-select = ["PL4"]
ignore = ["pl013"]
severity = { PL101 = "info", pl203 = "error" }
fail-on = "error"
account = "111122223333"
trusted-accounts = ["444455556666", 777788889999]
organization-id = "o-a1b2c3d4e5"
kinds = { "keys/*.json" = "key-policy", "iam/*" = "identity-policy" }
exclude = ["build/*"]

[[suppress]]
rule = "pl203"
path = "keys/*"
sid = "Public"
reason = "reviewed"

[[suppress]]
rule = "PL101"
pointer = "/Statement/0/Action"
reason = "known"

[[assert]]
name = "admins-keep-control"
must-allow = ["kms:PutKeyPolicy"]
principal = "arn:aws:iam::111122223333:role/KeyAdmin"
"""


def test_settings_from_a_config_and_the_command_line(tmp_path: Path) -> None:
    config = tmp_path / "policylint.toml"
    config.write_text(FULL_CONFIG, encoding="utf-8")
    overrides = {
        "select": ("PL1", "PL2"),
        "extend_select": ["PL3"],  # a list from a caller becomes the field's tuple
        "ignore": None,
        "fail_on": "info",
        "account": None,
        "trusted_accounts": ["123456789012"],
        "organization_id": None,
        "kind": "key-policy",
    }
    settings = resolve_settings(overrides, config_path=str(config), cwd=str(tmp_path))
    assert assert_valid(settings) == 4  # the settings, two suppressions, one assertion
    assert settings.select == ("PL1", "PL2")
    assert settings.extend_select == ("PL3",)
    assert settings.ignore == ("PL013",)
    assert settings.severity == {"PL101": "info", "PL203": "error"}
    assert settings.trusted_accounts == frozenset({"444455556666", "777788889999", "123456789012"})
    assert settings.kinds == (("keys/*.json", "key-policy"), ("iam/*", "identity-policy"))
    assert [s.origin for s in settings.suppressions] == [f"{config}:suppression 1", f"{config}:suppression 2"]
    assert settings.model_fields_set == set(Settings.model_fields)


def test_default_settings_equal_the_validated_defaults(tmp_path: Path) -> None:
    settings = resolve_settings({"select": None, "kind": None}, config_path=None, cwd=str(tmp_path))
    assert assert_valid(settings) == 1
    assert settings == Settings()
    other = resolve_settings({}, config_path=None, cwd=str(tmp_path))
    assert other.severity is not settings.severity  # a new dict from the default factory each time


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"fail_on": "fatal"}, "--fail-on must be error, warning, info or never, not `fatal`"),
        ({"kind": "bucket-policy"}, "--kind must be one of key-policy, identity-policy, resource-policy, trust-policy, scp, rcp, not `bucket-policy`"),
        ({"organization_id": 5}, "--organization-id must be text"),
        ({"select": ["PL1", 7]}, "`7` is not a rule code or prefix like `PL2` or `PL203`"),
    ],
)
def test_command_line_values_are_checked_before_the_settings_are_made(tmp_path: Path, overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        resolve_settings(overrides, config_path=None, cwd=str(tmp_path))
    assert str(error.value) == message


def test_record_refuses_unknown_and_missing_fields() -> None:
    make = record(Summary)
    with pytest.raises(TypeError, match="Summary has no field 'errors'"):
        make(files=1, documents=1, error=0, warning=0, info=0, errors=1)
    with pytest.raises(TypeError, match="Summary needs 'info'"):
        make(files=1, documents=1, error=0, warning=0)
    made = make(files=1, documents=2, error=3, warning=4, info=5)
    assert made == Summary(files=1, documents=2, error=3, warning=4, info=5, suppressed=0)


def test_global_condition_keys() -> None:
    assert assert_valid(GLOBAL_CONDITION_KEYS) == len(GLOBAL_CONDITION_KEYS) > 50


def test_every_condition_operator() -> None:
    texts = [
        f"{qualifier}{base}{suffix}"
        for base in BASE_OPERATORS
        for qualifier in ("", "ForAllValues:", "ForAnyValue:")
        for suffix in ("", "IfExists")
    ]
    parsed = [parts for parts in map(parse_operator, texts) if parts is not None]
    assert len(parsed) > 100
    assert assert_valid(parsed) == len(parsed)


@pytest.mark.parametrize("service", ["kms", "s3", "iam", "ec2", "sts"])
def test_action_facts_of_a_service(service: str) -> None:
    infos = list(_action_infos(service).values())
    assert len(infos) > 5
    assert assert_valid(infos) > len(infos)  # with their resource types


def test_condition_key_facts() -> None:
    keys = [
        ("kms:EncryptionContext:Department", ("kms",)),  # a template
        ("kms:ViaService", ("kms",)),
        ("s3:x-amz-acl", ("s3",)),
        ("aws:PrincipalTag/team", ()),
        ("accounts.google.com:aud", ()),  # an OIDC claim
        *((key.name, ()) for key in GLOBAL_CONDITION_KEYS),
    ]
    infos = [condition_key_info(key, services) for key, services in keys]
    assert all(info is not None for info in infos[:5])
    assert assert_valid([info for info in infos if info is not None]) > 50


SAMPLE_FILES = sorted(discover([str(SAMPLES)], ()))


def test_caller_pins_of_every_sample_statement() -> None:
    pins = [
        caller_pin(statement)
        for path in SAMPLE_FILES
        for source in load_file(path).documents
        for statement in build_document(source).statements
    ]
    assert len(pins) > 80
    assert any(pin.pinned for pin in pins)
    assert assert_valid(pins) == len(pins)


def test_the_report_of_the_samples() -> None:
    """Findings, their ranges, the file entries and the summary of a whole check run; the JSON
    report's `plain` gives what model_dump gives."""
    report = run_check([str(SAMPLES)], Settings(), jobs=1)
    assert len(report.findings) > 50 and any(f.context for f in report.findings)
    assert assert_valid(report) > 3 * len(report.findings)
    for entry in report.files:
        assert plain(entry) == entry.model_dump()
    for finding in report.findings:
        assert plain(finding, exclude_none=True) == finding.model_dump(exclude_none=True)
        assert list(plain(finding, exclude_none=True)) == list(finding.model_dump(exclude_none=True))
    assert plain(report.summary) == report.summary.model_dump()


def test_findings_show_each_rule_as_its_validated_file_says() -> None:
    from policylint.rules import registry

    rules = registry.rules()
    assert len(rules) > 30
    assert {code: registry.name_and_severity(code) for code in rules} == {code: (rule.name, rule.severity) for code, rule in rules.items()}
    assert registry.name_and_severity("PL999") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('code = "PL101"\nseverity = "fatal"\nname = "x"\n', "PL101-x.toml: a rule needs a `name` and a `severity` (error, warning or info)"),
        ('code = "PL101"\nseverity = "error"\n', "PL101-x.toml: a rule needs a `name` and a `severity` (error, warning or info)"),
        ('code = "PL101"\nseverity = ["error"]\nname = "x"\n', "PL101-x.toml: a rule needs a `name` and a `severity` (error, warning or info)"),
        ("code = \n", "PL101-x.toml: Invalid value (at line 1, column 8)"),
    ],
)
def test_a_broken_rule_file_is_an_error_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str) -> None:
    from policylint.rules import registry

    path = tmp_path / "PL101-x.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(registry, "_rule_paths", lambda: {"PL101": path})
    with pytest.raises(registry.RuleFileError) as error:
        registry.name_and_severity.__wrapped__("PL101")
    assert str(error.value) == message
