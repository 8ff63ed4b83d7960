"""CloudFormation templates (JSON and YAML): the policies found, intrinsics resolved, findings at
their place in the template, bad YAML (and YAML that tries to run code) reported, not run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from policylint.model.build import build_document
from policylint.model.infer import principal_account, root_account
from policylint.rules.engine import check_loaded
from policylint.settings import Settings
from policylint.source.loader import load_file, load_text

DATA = Path(__file__).parent / "data" / "cloudformation"
REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"


def _finding(f) -> tuple:
    """A finding as (rule, severity, message, pointer, start, end, document label)."""
    start = (f.range.start.line, f.range.start.column) if f.range else None
    end = (f.range.end.line, f.range.end.column) if f.range else None
    return (f.rule, f.severity, f.message, f.pointer, start, end, (f.context or {}).get("document"))


def _findings(path: Path, *codes: str, account: str | None = None) -> list[tuple]:
    result = load_file(str(path), account=account)
    return [_finding(f) for f in check_loaded(result, Settings(select=codes, account=account)).findings]


LOCKOUT = "`BypassPolicyLockoutSafetyCheck` is true, so KMS does not check that this key policy still lets the caller manage the key"
DUPLICATE = "duplicate key `{}`: parsers disagree on which value wins (here the last one)"

FINDING_CASES = [
    (
        "yaml: lockout check bypassed, at the property beside the key policy",
        "key.yaml",
        ("PL215",),
        [("PL215", "warning", LOCKOUT, "1/BypassPolicyLockoutSafetyCheck", (12, 7), (12, 37), "Resources/AppKey/Properties/KeyPolicy [HasAudit]")],
    ),
    (
        "yaml: a rule's finding inside an inline role policy",
        "key.yaml",
        ("PL005",),
        [("PL005", "warning", "Sid `Use` is already used by statement 0", "/Statement/1/Sid", (55, 22), (55, 25), "Resources/AppRole/Properties/Policies/0/PolicyDocument")],
    ),
    (
        "json: duplicate keys in an object policy (once for both Fn::If branches) and in a JSON string policy; a broken JSON string policy",
        "key.json",
        ("PL001", "PL003"),
        [
            ("PL003", "warning", DUPLICATE.format("Resource"), "/Statement/2/Resource", (33, 15), (33, 25), "Resources/AppKey/Properties/KeyPolicy [IsProd]"),
            ("PL003", "warning", DUPLICATE.format("Action"), "/Statement/0/Action", (42, 199), (42, 209), "Resources/LegacyKey/Properties/KeyPolicy"),
            ("PL001", "error", "embedded policy: expected a JSON value, found `,`", "/Resources/BrokenKey/Properties/KeyPolicy", (48, 69), (48, 69), None),
        ],
    ),
]


@pytest.mark.parametrize(("name", "file", "codes", "expected"), FINDING_CASES, ids=[c[0] for c in FINDING_CASES])
def test_findings_point_into_the_template(name, file, codes, expected):
    assert _findings(DATA / file, *codes) == expected


def _documents(text: str, path: str = "template.yaml", account: str | None = None) -> list[tuple]:
    result = load_text(path, text, account=account)
    assert result.problems == ()
    return [(d.label, d.kind, d.account, d.value) for d in result.documents]


def _key(policy: str, properties: str = "") -> str:
    """A YAML template with one key whose policy is `policy` (indented under KeyPolicy)."""
    body = "\n".join("        " + line for line in policy.strip("\n").splitlines())
    return f"""AWSTemplateFormatVersion: "2010-09-09"
Mappings:
  Roles:
    prod: {{Admin: KeyAdmin}}
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:{properties}
      KeyPolicy:
{body}
"""


LABEL = "Resources/Key/Properties/KeyPolicy"

RESOLUTION_CASES = [
    (
        "pseudo parameters without an account: the account stays a placeholder",
        _key("Id: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root ${AWS::Region} ${AWS::URLSuffix} ${!Literal}'"),
        None,
        [(LABEL, "key-policy", "${AWS::AccountId}", {"Id": "arn:aws:iam::${AWS::AccountId}:root ${AWS::Region} amazonaws.com ${Literal}"})],
    ),
    (
        "pseudo parameters with --account",
        _key("Id: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root"),
        "111122223333",
        [(LABEL, "key-policy", "111122223333", {"Id": "arn:aws:iam::111122223333:root"})],
    ),
    (
        "Ref and GetAtt (both forms) become placeholders",
        _key("Statement:\n  - !Ref Bucket\n  - !GetAtt Role.Arn\n  - !GetAtt [Role, RoleId]\n  - {Fn::GetAtt: Role.Arn}\n  - !Ref AWS::StackName"),
        None,
        [(LABEL, "key-policy", "${AWS::AccountId}", {"Statement": ["${Bucket}", "${Role.Arn}", "${Role.RoleId}", "${Role.Arn}", "${AWS::StackName}"]})],
    ),
    (
        "Sub with variables, Join, Select, Split, FindInMap from the template's mappings",
        _key(
            "Statement:\n"
            "  - !Sub ['arn:aws:iam::${A}:role/${Name}', {Name: !FindInMap [Roles, prod, Admin]}]\n"
            "  - !Join [':', [a, !Ref AWS::Partition, 3]]\n"
            "  - !Select [1, !Split [',', 'x,y,z']]\n"
            "  - !FindInMap [Roles, !Ref Stage, Admin]"
        ),
        None,
        [(LABEL, "key-policy", "${AWS::AccountId}", {"Statement": ["arn:aws:iam::${A}:role/KeyAdmin", "a:aws:3", "y", "${FindInMap:Roles.${Stage}.Admin}".replace("${Stage}", "Stage")]})],
    ),
    (
        "what cannot be known becomes a placeholder, and nothing crashes",
        _key(
            "Statement:\n"
            "  - !ImportValue SharedRoleArn\n"
            "  - !Base64 abc\n"
            "  - !GetAZs ''\n"
            "  - !Select [9, [a]]\n"
            "  - !Join [',', !Ref Subnets]\n"
            "  - {Fn::Sub: [1, 2, 3]}\n"
            "  - !Rain::Embed file.json"
        ),
        None,
        [
            (
                LABEL,
                "key-policy",
                "${AWS::AccountId}",
                {"Statement": ["${ImportValue:SharedRoleArn}", "${Base64}", "${GetAZs}", "${Fn::Select}", "${Subnets}", "${Fn::Sub}", "${Rain::Embed}"]},
            )
        ],
    ),
    (
        "Fn::If: one document per branch, labelled; AWS::NoValue removes the element",
        _key("Statement:\n  - a\n  - !If [IsProd, b, !Ref AWS::NoValue]\n  - c"),
        None,
        [
            (LABEL + " [IsProd]", "key-policy", "${AWS::AccountId}", {"Statement": ["a", "b", "c"]}),
            (LABEL + " [not IsProd]", "key-policy", "${AWS::AccountId}", {"Statement": ["a", "c"]}),
        ],
    ),
    (
        "two conditions: four documents",
        _key("A: !If [X, 1, 2]\nB: !If [Y, 3, 4]"),
        None,
        [
            (LABEL + " [X, Y]", "key-policy", "${AWS::AccountId}", {"A": 1, "B": 3}),
            (LABEL + " [X, not Y]", "key-policy", "${AWS::AccountId}", {"A": 1, "B": 4}),
            (LABEL + " [not X, Y]", "key-policy", "${AWS::AccountId}", {"A": 2, "B": 3}),
            (LABEL + " [not X, not Y]", "key-policy", "${AWS::AccountId}", {"A": 2, "B": 4}),
        ],
    ),
    (
        "three conditions: all true and all false",
        _key("A: !If [X, 1, 2]\nB: !If [Y, 3, 4]\nC: !If [Z, 5, 6]"),
        None,
        [
            (LABEL + " [X, Y, Z]", "key-policy", "${AWS::AccountId}", {"A": 1, "B": 3, "C": 5}),
            (LABEL + " [not X, not Y, not Z]", "key-policy", "${AWS::AccountId}", {"A": 2, "B": 4, "C": 6}),
        ],
    ),
    (
        "YAML dates, YAML null keys and booleans as CloudFormation reads them",
        _key("Version: 2012-10-17\nCondition:\n  Null: {k: 'false'}\n  Bool: {b: false}"),
        None,
        [(LABEL, "key-policy", "${AWS::AccountId}", {"Version": "2012-10-17", "Condition": {"Null": {"k": "false"}, "Bool": {"b": False}}})],
    ),
    (
        "a key policy removed by AWS::NoValue: no document",
        _key("!Ref AWS::NoValue"),
        None,
        [],
    ),
]


@pytest.mark.parametrize(("name", "text", "account", "expected"), RESOLUTION_CASES, ids=[c[0] for c in RESOLUTION_CASES])
def test_intrinsics_are_resolved(name, text, account, expected):
    assert _documents(text, account=account) == expected


def test_policy_properties_of_each_resource_type():
    text = """{"Resources": {
      "R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Id": "trust"}, "PermissionsBoundary": "arn:aws:iam::111122223333:policy/b",
            "Policies": [{"PolicyName": "a", "PolicyDocument": {"Id": "inline"}},
                         {"Fn::If": ["C", {"PolicyName": "b", "PolicyDocument": {"Id": "if"}}, {"Ref": "AWS::NoValue"}]}]}},
      "U": {"Type": "AWS::IAM::User", "Properties": {"Policies": [{"PolicyName": "u", "PolicyDocument": {"Id": "user"}}]}},
      "G": {"Type": "AWS::IAM::Group", "Properties": {"Policies": [{"PolicyName": "g", "PolicyDocument": {"Id": "group"}}]}},
      "P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Id": "managed"}}},
      "Q": {"Type": "AWS::SQS::QueuePolicy", "Properties": {"PolicyDocument": {"Id": "queue"}}},
      "T": {"Type": "AWS::SNS::TopicPolicy", "Properties": {"PolicyDocument": {"Id": "topic"}}},
      "S": {"Type": "AWS::SecretsManager::ResourcePolicy", "Properties": {"ResourcePolicy": {"Id": "secret"}}},
      "K": {"Type": "AWS::KMS::ReplicaKey", "Properties": {"KeyPolicy": {"Id": "replica"}}},
      "X": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "x"}}
    }}"""
    found = [(d.label, d.kind, d.value, d.context) for d in load_text("t.json", text).documents]
    assert found == [
        ("Resources/R/Properties/AssumeRolePolicyDocument", "trust-policy", {"Id": "trust"}, (("resource", "R"), ("property", "AssumeRolePolicyDocument"))),
        ("Resources/R/Properties/Policies/0/PolicyDocument", "identity-policy", {"Id": "inline"}, (("resource", "R"), ("property", "Policies/0/PolicyDocument"))),
        ("Resources/R/Properties/Policies/1/Fn::If/1/PolicyDocument", "identity-policy", {"Id": "if"}, (("resource", "R"), ("property", "Policies/1/Fn::If/1/PolicyDocument"))),
        ("Resources/U/Properties/Policies/0/PolicyDocument", "identity-policy", {"Id": "user"}, (("resource", "U"), ("property", "Policies/0/PolicyDocument"))),
        ("Resources/G/Properties/Policies/0/PolicyDocument", "identity-policy", {"Id": "group"}, (("resource", "G"), ("property", "Policies/0/PolicyDocument"))),
        ("Resources/P/Properties/PolicyDocument", "identity-policy", {"Id": "managed"}, (("resource", "P"), ("property", "PolicyDocument"))),
        ("Resources/Q/Properties/PolicyDocument", "resource-policy", {"Id": "queue"}, (("resource", "Q"), ("property", "PolicyDocument"))),
        ("Resources/T/Properties/PolicyDocument", "resource-policy", {"Id": "topic"}, (("resource", "T"), ("property", "PolicyDocument"))),
        ("Resources/S/Properties/ResourcePolicy", "resource-policy", {"Id": "secret"}, (("resource", "S"), ("property", "ResourcePolicy"))),
        ("Resources/K/Properties/KeyPolicy", "key-policy", {"Id": "replica"}, (("resource", "K"), ("property", "KeyPolicy"))),
    ]


LITERAL_BLOCK = """Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: |
        {
          "Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}]
        }
  Quoted:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: '{"Version": "2012-10-17"}'
  Built:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: !Sub |
        {"Version": "2012-10-17", "Id": "${AWS::AccountId}"}
"""

POSITION_CASES = [
    # (name, file or (path, text), document index, pointer, expected source text, expected (line, column))
    ("!Sub: the whole intrinsic", "key.yaml", 0, "/Statement/0/Principal/AWS", "!Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root", (19, 20)),
    ("a statement from an Fn::If branch", "key.yaml", 0, "/Statement/1/Sid", "AuditDecrypt", (24, 20)),
    ("after an element AWS::NoValue removed", "key.yaml", 1, "/Statement/1/Sid", "AppUse", (31, 18)),
    ("!GetAtt short form", "key.yaml", 0, "/Statement/2/Principal/AWS", "!GetAtt AppRole.Arn", (34, 20)),
    ("an item of a flow sequence", "key.yaml", 0, "/Statement/2/Action/1", "kms:Decrypt", (35, 35)),
    ("!Join with nested !Ref", "key.yaml", 3, "/Statement/1/Resource", '!Join ["", ["arn:", !Ref AWS::Partition, ":s3:::", !Ref Bucket, "/*"]]', (58, 27)),
    ("!Sub list form", "key.yaml", 4, "/Statement/0/Resource/1", '!Sub\n                - "arn:${AWS::Partition}:s3:::${Name}/*"\n                - Name: !Ref Bucket', (74, 17)),
    ("a YAML date stays as written", "key.yaml", 0, "/Version", "2012-10-17", (14, 18)),
    ("a pointer below a string: the string", "key.yaml", 0, "/Statement/0/Resource/0", '"*"', (21, 23)),
    ("long-form Fn::Join", "key.json", 0, "/Statement/0/Principal/AWS", '{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"]]}', (16, 36)),
    ("an Fn::If branch that is a list", "key.json", 0, "/Statement/1/Action/1", '"kms:Put*"', (24, 65)),
    ("the other branch", "key.json", 1, "/Statement/1/Action", '"kms:Describe*"', (24, 78)),
    ("inside a JSON string policy", "key.json", 2, "/Statement/0/Principal/AWS", '\\"arn:aws:iam::111122223333:root\\"', (42, 118)),
    ("inside a YAML literal block", ("t.yaml", LITERAL_BLOCK), 0, "/Statement/0/Principal/AWS", '"arn:aws:iam::111122223333:root"', (8, 66)),
    ("a quoted YAML string policy: the whole string", ("t.yaml", LITERAL_BLOCK), 1, "/Version", "'{\"Version\": \"2012-10-17\"}'", (13, 18)),
    ("JSON text built by !Sub: the whole intrinsic", ("t.yaml", LITERAL_BLOCK), 2, "/Id", '!Sub |\n        {"Version": "2012-10-17", "Id": "${AWS::AccountId}"}', (17, 18)),
]


@pytest.mark.parametrize(("name", "source", "index", "pointer", "text", "start"), POSITION_CASES, ids=[c[0] for c in POSITION_CASES])
def test_positions_in_the_template(name, source, index, pointer, text, start):
    if isinstance(source, tuple):
        path, content = source
        result = load_text(path, content)
    else:
        content = (DATA / source).read_text()
        result = load_file(str(DATA / source))
    found = result.documents[index].locator.value_range(pointer)
    assert (content[found.start.offset : found.end.offset], (found.start.line, found.start.column)) == (text, start)


def test_json_text_built_by_an_intrinsic_is_resolved_then_read():
    result = load_text("t.yaml", LITERAL_BLOCK, account="111122223333")
    assert result.documents[2].value == {"Version": "2012-10-17", "Id": "111122223333"}
    bad = LITERAL_BLOCK.replace('"Id": "${AWS::AccountId}"}', '"Id": }')
    assert [(p.code, p.message, p.pointer, p.range.start.line, p.range.start.column) for p in load_text("t.yaml", bad).problems] == [
        ("PL001", "embedded policy: expected a JSON value, found `}`", "/Resources/Built/Properties/KeyPolicy", 17, 18)
    ]


def test_duplicate_keys_in_yaml_are_reported_at_the_repeated_key():
    text = _key("Statement:\n  - Effect: Allow\n    Effect: Deny")
    result = load_text("t.yaml", text)
    findings = [_finding(f) for f in check_loaded(result, Settings(select=("PL003",))).findings]
    assert findings == [("PL003", "warning", DUPLICATE.format("Effect"), "/Statement/0/Effect", (12, 13), (12, 19), LABEL)]


BAD_YAML_CASES = [
    (
        "a python tag is an error, not code",
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy: !!python/object/apply:os.system ["touch {marker}"]\n',
        ("PL001", "not valid YAML for a template: unsupported tag `!!python/object/apply:os.system`", (6, 18)),
    ),
    (
        "python/name tag",
        'AWSTemplateFormatVersion: "2010-09-09"\nResources: !!python/name:os.system\n',
        ("PL001", "not valid YAML for a template: unsupported tag `!!python/name:os.system`", (2, 12)),
    ),
    (
        "unclosed flow sequence",
        'AWSTemplateFormatVersion: "2010-09-09"\nResources: [a\n',
        ("PL001", "not valid YAML: expected `,` or `]`, but got the end of the file", (3, 1)),
    ),
    (
        "tab indentation",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n\tK: 1\n",
        ("PL001", "not valid YAML: found character `\\t` that cannot start any token", (3, 1)),
    ),
    (
        "two documents",
        "AWSTemplateFormatVersion: '2010-09-09'\n---\nResources: {}\n",
        ("PL001", "not valid YAML: expected a single document in the stream, but found another document", (2, 1)),
    ),
    (
        "an alias bomb",
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n" for i in range(1, 8)),
        ("PL001", "not valid YAML for a template: aliases expand it too much", (2, 37)),
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), BAD_YAML_CASES, ids=[c[0] for c in BAD_YAML_CASES])
def test_bad_yaml_is_pl001_with_a_position(name, text, expected, tmp_path):
    marker = tmp_path / "executed"
    result = load_text("template.yaml", text.replace("{marker}", str(marker)))
    assert result.documents == ()
    assert [(p.code, p.message, (p.range.start.line, p.range.start.column)) for p in result.problems] == [expected]
    assert not marker.exists()


def test_yaml_that_is_not_a_template_holds_nothing():
    for text in ("name: ci\non: [push]\n", "{{ .Values.x }}: [\n", "- a\n- b\n"):
        result = load_text("config.yaml", text)
        assert (result.documents, result.problems, result.format) == ((), (), "yaml")


def test_constructors_live_on_the_template_loader_only():
    import yaml

    from policylint.source.cfn_yaml import template_loader

    loader = template_loader()
    assert yaml.load("a: !GetAtt R.Arn\nb: !Sub x\nc: 2012-10-17\n", Loader=loader) == {"a": {"Fn::GetAtt": ["R", "Arn"]}, "b": {"Fn::Sub": "x"}, "c": "2012-10-17"}
    assert "!Sub" not in yaml.SafeLoader.yaml_constructors
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.safe_load("a: !Sub x\n")


def test_the_stack_account_is_the_placeholder_and_its_root_is_the_own_account():
    result = load_file(str(DATA / "key.yaml"))
    document = build_document(result.documents[0])
    principal = document.statements[0].principal[0]
    assert (document.account, document.account_inferred) == ("${AWS::AccountId}", False)
    assert (root_account(principal.value), principal_account(principal.value)) == ("${AWS::AccountId}", "${AWS::AccountId}")
    assert principal_account("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/App") == "${AWS::AccountId}"
    assert root_account("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/App") is None


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`policylint` run in `cwd` (a folder with no configuration file above it)."""
    return subprocess.run([sys.executable, "-m", "policylint", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture()
def template(tmp_path: Path) -> Path:
    (tmp_path / "key.yaml").write_text((DATA / "key.yaml").read_text())
    return tmp_path


def test_cli_text_report(template):
    done = _cli("check", "--select", "PL001,PL005,PL215", "key.yaml", cwd=template)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.splitlines() == [
        f"key.yaml:12:7: warning PL215 {LOCKOUT}",
        "key.yaml:55:22: warning PL005 Sid `Use` is already used by statement 0",
        "checked 1 file (5 documents): 0 errors, 2 warnings, 0 info",
    ]


def test_cli_json_report_names_the_documents(template):
    done = _cli("check", "--format", "json", "--select", "PL215", "key.yaml", cwd=template)
    report = json.loads(done.stdout)
    assert [(f["label"], f["kind"], f["account"], f["format"]) for f in report["files"]] == [
        ("Resources/AppKey/Properties/KeyPolicy [HasAudit]", "key-policy", "${AWS::AccountId}", "cloudformation"),
        ("Resources/AppKey/Properties/KeyPolicy [not HasAudit]", "key-policy", "${AWS::AccountId}", "cloudformation"),
        ("Resources/AppRole/Properties/AssumeRolePolicyDocument", "trust-policy", "${AWS::AccountId}", "cloudformation"),
        ("Resources/AppRole/Properties/Policies/0/PolicyDocument", "identity-policy", "${AWS::AccountId}", "cloudformation"),
        ("Resources/BucketPolicy/Properties/PolicyDocument", "resource-policy", "${AWS::AccountId}", "cloudformation"),
    ]
    assert report["findings"] == [
        {
            "rule": "PL215",
            "name": "lockout-check-bypassed",
            "severity": "warning",
            "message": LOCKOUT,
            "path": "key.yaml",
            "pointer": "1/BypassPolicyLockoutSafetyCheck",
            "range": {"start": {"line": 12, "column": 7, "offset": 305}, "end": {"line": 12, "column": 37, "offset": 335}},
            "context": {
                "resource": "AppKey",
                "property": "KeyPolicy",
                "conditions": "HasAudit",
                "document": "Resources/AppKey/Properties/KeyPolicy [HasAudit]",
            },
        }
    ]


@pytest.mark.skipif(not (CORPUS / "cloudformation").is_dir(), reason="shared corpus not present")
def test_corpus_templates_are_read_without_internal_errors():
    done = _cli("check", "--format", "json", "--fail-on", "never", str(CORPUS / "cloudformation"), str(CORPUS / "terraform"), cwd=REPO)
    report = json.loads(done.stdout)
    assert (done.returncode, [f for f in report["findings"] if f["rule"] == "PL000"]) == (0, [])
    assert {f["format"] for f in report["files"]} <= {"cloudformation", "terraform", "terraform-plan"}
