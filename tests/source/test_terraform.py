"""Terraform: `terraform show -json` plans and `.tf` files -> policies, with findings at their
place in the file; `aws_iam_policy_document` rendered as the provider does; syntax errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from policylint.rules.engine import check_loaded
from policylint.settings import Settings
from policylint.source.loader import load_file, load_text
from policylint.source.terraform_plan import plan_grants

DATA = Path(__file__).parent / "data" / "terraform"
LOCKOUT = "`bypass_policy_lockout_safety_check` is true, so KMS does not check that this key policy still lets the caller manage the key"
DUPLICATE = "duplicate key `{}`: parsers disagree on which value wins (here the last one)"


def _finding(f) -> tuple:
    start = (f.range.start.line, f.range.start.column) if f.range else None
    end = (f.range.end.line, f.range.end.column) if f.range else None
    return (f.rule, f.severity, f.message, f.pointer, start, end, (f.context or {}).get("document"))


FINDING_CASES = [
    (
        "plan: lockout bypassed, at the attribute",
        "plan.json",
        ("PL215",),
        [("PL215", "warning", LOCKOUT, "1/bypass_policy_lockout_safety_check", (15, 13), (15, 49), "aws_kms_key.app.policy")],
    ),
    (
        "plan: a finding inside the policy string",
        "plan.json",
        ("PL005",),
        [("PL005", "warning", "Sid `EnableIAMPolicies` is already used by statement 0", "/Statement/1/Sid", (23, 349), (23, 370), "aws_kms_key.app.policy")],
    ),
    (
        "tf: lockout bypassed",
        "main.tf",
        ("PL215",),
        [("PL215", "warning", LOCKOUT, "1/bypass_policy_lockout_safety_check", (12, 3), (12, 37), "aws_kms_key.app.policy")],
    ),
    (
        "tf: duplicate key in jsonencode, duplicate Sid in a heredoc",
        "main.tf",
        ("PL003", "PL005"),
        [
            ("PL003", "warning", DUPLICATE.format("Resource"), "/Statement/1/Resource", (29, 9), (29, 17), "aws_kms_key.app.policy"),
            ("PL005", "warning", "Sid `TLSOnly` is already used by statement 0", "/Statement/1/Sid", (90, 13), (90, 22), "aws_s3_bucket_policy.reports.policy"),
        ],
    ),
]


@pytest.mark.parametrize(("name", "file", "codes", "expected"), FINDING_CASES, ids=[c[0] for c in FINDING_CASES])
def test_findings_point_into_the_file(name, file, codes, expected):
    result = load_file(str(DATA / file))
    assert [_finding(f) for f in check_loaded(result, Settings(select=codes)).findings] == expected


DOCUMENT_CASES = [
    (
        "plan",
        "plan.json",
        None,
        [
            ("aws_kms_key.app.policy", "key-policy", "111122223333", (("resource", "aws_kms_key.app"), ("attribute", "policy"))),
            ("aws_iam_role.app.assume_role_policy", "trust-policy", "111122223333", (("resource", "aws_iam_role.app"), ("attribute", "assume_role_policy"))),
            ("aws_iam_role.app.inline_policy[0].policy", "identity-policy", "111122223333", (("resource", "aws_iam_role.app"), ("attribute", "inline_policy[0].policy"))),
            ("module.audit.aws_iam_policy.read.policy", "identity-policy", "111122223333", (("resource", "module.audit.aws_iam_policy.read"), ("attribute", "policy"))),
        ],
    ),
    (
        "tf",
        "main.tf",
        None,
        [
            ("aws_kms_key.app.policy", "key-policy", "${data.aws_caller_identity.current.account_id}", (("resource", "aws_kms_key.app"), ("attribute", "policy"))),
            (
                "aws_iam_role.app.assume_role_policy",
                "trust-policy",
                "${data.aws_caller_identity.current.account_id}",
                (("resource", "aws_iam_role.app"), ("attribute", "assume_role_policy"), ("data", "data.aws_iam_policy_document.trust")),
            ),
            ("aws_iam_role.app.inline_policy[0].policy", "identity-policy", None, (("resource", "aws_iam_role.app"), ("attribute", "inline_policy[0].policy"))),
            ("aws_s3_bucket_policy.reports.policy", "resource-policy", None, (("resource", "aws_s3_bucket_policy.reports"), ("attribute", "policy"))),
            ("data.aws_iam_policy_document.unused", None, None, (("data", "data.aws_iam_policy_document.unused"),)),
        ],
    ),
    (
        "tf with --account",
        "main.tf",
        "444455556666",
        [
            ("aws_kms_key.app.policy", "key-policy", "444455556666", (("resource", "aws_kms_key.app"), ("attribute", "policy"))),
            (
                "aws_iam_role.app.assume_role_policy",
                "trust-policy",
                "444455556666",
                (("resource", "aws_iam_role.app"), ("attribute", "assume_role_policy"), ("data", "data.aws_iam_policy_document.trust")),
            ),
            ("aws_iam_role.app.inline_policy[0].policy", "identity-policy", "444455556666", (("resource", "aws_iam_role.app"), ("attribute", "inline_policy[0].policy"))),
            ("aws_s3_bucket_policy.reports.policy", "resource-policy", "444455556666", (("resource", "aws_s3_bucket_policy.reports"), ("attribute", "policy"))),
            ("data.aws_iam_policy_document.unused", None, "444455556666", (("data", "data.aws_iam_policy_document.unused"),)),
        ],
    ),
]


@pytest.mark.parametrize(("name", "file", "account", "expected"), DOCUMENT_CASES, ids=[c[0] for c in DOCUMENT_CASES])
def test_documents_found(name, file, account, expected):
    result = load_file(str(DATA / file), account=account)
    assert result.problems == ()
    assert [(d.label, d.kind, d.account, d.context) for d in result.documents] == expected


def test_tf_values_rendered():
    values = [d.value for d in load_file(str(DATA / "main.tf"), account="444455556666").documents]
    assert values == [
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "EnableIAMPolicies", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"},
                {"Sid": "Admins", "Effect": "Allow", "Principal": {"AWS": "${local.admins}"}, "Action": ["kms:Describe*", "kms:Put*"], "Resource": "*"},
            ],
        },
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "LambdaAssume",
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Condition": {"StringEquals": {"aws:SourceAccount": "${data.aws_caller_identity.current.account_id}"}},
                }
            ],
        },
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ReadReports",
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:ListBucket"],
                    "Resource": ["arn:aws:s3:::${var.bucket}", "arn:aws:s3:::${var.bucket}/*"],
                }
            ],
        },
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "TLSOnly",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": "${jsonencode(...)}",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
                {"Sid": "TLSOnly", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"},
            ],
        },
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "arn:aws:s3:::uploads/${aws:username}/*"}]},
    ]


def _data(body: str) -> str:
    return 'data "aws_iam_policy_document" "d" {\n' + body + "}\n"


RENDER_CASES = [
    (
        "defaults: version and effect; one item is a string",
        _data('  statement {\n    actions = ["s3:GetObject"]\n  }\n'),
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]},
    ),
    (
        "sets: unique, reverse sorted; &{} is a policy variable",
        _data('  policy_id = "p"\n  statement {\n    sid = "S"\n    effect = "Deny"\n    not_actions = ["a:B", "a:C", "a:B"]\n    not_resources = ["arn:aws:s3:::b/&{aws:username}", "arn:aws:s3:::a"]\n  }\n'),
        {"Version": "2012-10-17", "Id": "p", "Statement": [{"Sid": "S", "Effect": "Deny", "NotAction": ["a:C", "a:B"], "NotResource": ["arn:aws:s3:::b/${aws:username}", "arn:aws:s3:::a"]}]},
    ),
    (
        "principals of one type merge; types sorted; a variable list is a placeholder",
        _data(
            '  statement {\n    actions = ["kms:*"]\n'
            '    principals {\n      type = "Service"\n      identifiers = ["logs.amazonaws.com"]\n    }\n'
            '    principals {\n      type = "AWS"\n      identifiers = ["arn:aws:iam::111122223333:root"]\n    }\n'
            '    principals {\n      type = "AWS"\n      identifiers = var.admins\n    }\n'
            '    not_principals {\n      type = "AWS"\n      identifiers = ["b", "a"]\n    }\n  }\n'
        ),
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "kms:*",
                    "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "${var.admins}"], "Service": "logs.amazonaws.com"},
                    "NotPrincipal": {"AWS": ["b", "a"]},
                }
            ],
        },
    ),
    (
        "type * with identifier * is Principal *",
        _data('  statement {\n    actions = ["s3:*"]\n    principals {\n      type = "*"\n      identifiers = ["*"]\n    }\n  }\n'),
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Principal": "*"}]},
    ),
    (
        "conditions: tests and keys sorted, values in order, booleans as text",
        _data(
            '  statement {\n    actions = ["kms:CreateGrant"]\n'
            '    condition {\n      test = "StringEquals"\n      variable = "kms:CallerAccount"\n      values = ["2", "1"]\n    }\n'
            '    condition {\n      test = "Bool"\n      variable = "kms:GrantIsForAWSResource"\n      values = [true]\n    }\n  }\n'
        ),
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "kms:CreateGrant", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}, "StringEquals": {"kms:CallerAccount": ["2", "1"]}}}
            ],
        },
    ),
    (
        "dynamic blocks: literal content rendered once; content that is only input data left out",
        _data(
            '  dynamic "statement" {\n    for_each = var.on ? [1] : []\n    content {\n      actions = ["s3:GetObject"]\n'
            '      dynamic "condition" {\n        for_each = var.accounts\n        iterator = acct\n        content {\n'
            '          test = "StringEquals"\n          variable = "aws:SourceAccount"\n          values = [acct.value]\n        }\n      }\n    }\n  }\n'
            '  dynamic "statement" {\n    for_each = var.statements\n    content {\n      sid = statement.value.sid\n      actions = statement.value.actions\n    }\n  }\n'
        ),
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]},
    ),
    (
        "partition and DNS suffix are known; other interpolations stay as written",
        _data('  statement {\n    actions = ["s3:*"]\n    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.bucket}", "s3.${data.aws_partition.p[0].dns_suffix}"]\n  }\n'),
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ["s3.amazonaws.com", "arn:aws:s3:::${var.bucket}"]}]},
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), RENDER_CASES, ids=[c[0] for c in RENDER_CASES])
def test_policy_document_rendering(name, text, expected):
    (document,) = load_text("main.tf", text).documents
    assert document.value == expected


JSONENCODE_CASES = [
    (
        "references, calls, for expressions, conditionals become placeholders",
        'resource "aws_iam_policy" "p" {\n  policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [{\n'
        '      Effect = "Allow"\n      Action = [for a in var.actions : a]\n      Resource = var.on ? "*" : local.arn\n'
        '      Condition = { "StringEquals" = { "aws:PrincipalTag/team" = lower(var.team), (var.key) = format("x") } }\n'
        '      Sid = 12\n    }]\n  })\n}\n',
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "${[for a in var.actions : a]}",
                    "Resource": '${expression}',
                    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${lower(...)}", "${(var.key)}": "x"}},
                    "Sid": 12,
                }
            ],
        },
    ),
    (
        "a quoted JSON string with escapes",
        'resource "aws_iam_policy" "p" {\n  policy = "{\\"Version\\": \\"2012-10-17\\", \\"Statement\\": []}"\n}\n',
        {"Version": "2012-10-17", "Statement": []},
    ),
    (
        "a policy from a data source used inside a function call",
        _data('  statement {\n    actions = ["kms:*"]\n  }\n') + 'resource "aws_kms_key" "k" {\n  policy = coalesce(var.policy, data.aws_iam_policy_document.d.json)\n}\n',
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*"}]},
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), JSONENCODE_CASES, ids=[c[0] for c in JSONENCODE_CASES])
def test_resource_policies(name, text, expected):
    (document,) = load_text("main.tf", text).documents
    assert document.value == expected


def test_a_data_source_shared_by_resources_is_checked_once():
    text = _data('  statement {\n    actions = ["kms:*"]\n  }\n') + "".join(
        f'resource "{t}" "k" {{\n  policy = data.aws_iam_policy_document.d.json\n}}\n' for t in ("aws_kms_key", "aws_kms_replica_key")
    )
    (document,) = load_text("main.tf", text).documents
    assert (document.label, document.context) == (
        "aws_kms_key.k.policy",
        (("resource", "aws_kms_key.k"), ("attribute", "policy"), ("data", "data.aws_iam_policy_document.d"), ("also-used-by", "aws_kms_replica_key.k.policy")),
    )


TF_TEXT = (DATA / "main.tf").read_text()

POSITION_CASES = [
    ("jsonencode: a string", 0, "/Statement/0/Principal/AWS", '"arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"', (19, 29)),
    ("jsonencode: a reference", 0, "/Statement/1/Principal/AWS", "local.admins", (26, 29)),
    ("jsonencode: a list item", 0, "/Statement/1/Action/1", '"kms:Put*"', (27, 39)),
    ("data source: the statement block", 1, "/Statement/0", 'statement {\n    sid     = "LambdaAssume"', (36, 3)),
    ("data source: a principal", 1, "/Statement/0/Principal/Service", '"lambda.amazonaws.com"', (41, 22)),
    ("data source: a condition value", 1, "/Statement/0/Condition/StringEquals/aws:SourceAccount", "data.aws_caller_identity.current.account_id", (46, 19)),
    ("data source: the effect Terraform adds is the statement", 1, "/Statement/0/Effect", 'statement {\n    sid     = "LambdaAssume"', (36, 3)),
    ("<<-EOT heredoc: indentation removed, positions kept", 2, "/Statement/0/Resource/1", '"arn:aws:s3:::${var.bucket}/*"', (73, 56)),
    ("<<EOF heredoc with an interpolation outside strings", 3, "/Statement/0/Resource", '${jsonencode(["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"])}', (88, 18)),
    ("after the interpolation", 3, "/Statement/0/Condition/Bool/aws:SecureTransport", '"false"', (89, 52)),
    ("a set after sorting", 4, "/Statement/0/Action/1", '"s3:GetObject"', (99, 34)),
]


@pytest.mark.parametrize(("name", "index", "pointer", "text", "start"), POSITION_CASES, ids=[c[0] for c in POSITION_CASES])
def test_positions_in_the_tf_file(name, index, pointer, text, start):
    document = load_file(str(DATA / "main.tf")).documents[index]
    found = document.locator.value_range(pointer)
    assert (TF_TEXT[found.start.offset : found.end.offset][: len(text)], (found.start.line, found.start.column)) == (text, start)


SYNTAX_CASES = [
    ("block not closed", 'resource "aws_kms_key" "a" {\n  policy = "x"\n', ("block `resource` is not closed: expected `}`", (1, 1))),
    ("attribute without =", 'resource "aws_kms_key" "a" {\n  policy "x"\n}\n', ("expected `=` or a block after `policy`, found a line break", (2, 13))),
    ("value missing", 'locals {\n  a =\n}\n', ("expected a value, found a line break", (2, 6))),
    ("string not terminated", 'locals {\n  a = "abc\n}\n', ("string is not terminated", (2, 7))),
    ("heredoc not closed", "locals {\n  a = <<EOF\nabc\n}\n", ("heredoc `EOF` is not closed", (2, 7))),
    ("stray brace", "}\n", ("unexpected `}`: no block is open", (1, 1))),
    ("two attributes on a line", "locals {\n  a = 1 b = 2\n}\n", ("expected a line break after `a`, found `b`", (2, 9))),
    ("list without a comma", "locals {\n  a = [1 2]\n}\n", ("expected `,` or `]` in a list, found `2`", (2, 10))),
    ("bad escape", 'locals {\n  a = "\\q"\n}\n', ("invalid escape sequence in a string", (2, 8))),
    ("comment not closed", "/* note\nlocals {}\n", ("expected an attribute or a block, found a comment that is not closed", (1, 1))),
    ("nesting too deep", "locals {\n  a = " + "[" * 300 + "]" * 300 + "\n}\n", ("nesting is too deep", (2, 86))),
    (
        "a bad heredoc policy",
        'resource "aws_iam_policy" "p" {\n  policy = <<EOF\n{"Version": "2012-10-17",}\nEOF\n}\n',
        ("embedded policy: trailing comma before `}`", (3, 25)),
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), SYNTAX_CASES, ids=[c[0] for c in SYNTAX_CASES])
def test_syntax_errors_are_pl001_with_a_position(name, text, expected):
    result = load_text("main.tf", text)
    assert [(p.code, p.message, (p.range.start.line, p.range.start.column)) for p in result.problems] == [("PL001", *expected)]


def test_the_hcl_we_read_past():
    text = (
        "locals {\n  a = { for k, v in var.m : k => v if v != null }\n  b = [for x in var.l : upper(x)]\n"
        '  c = var.a ? "x" : "y"\n  d = !var.b && (1 + 2 * 3 >= 4)\n  e = var.list[*].id\n'
        '  f = provider::aws::arn_parse("x")\n  g = "${var.a}-%{ if var.b }x%{ else }y%{ endif }"\n'
        "  h = -1.5e3\n  i = try(local.x[0].y, null)\n  j = <<-EOT\n    a ${var.x}\n    EOT\n}\n"
        'resource "a" "b" { c = 1 }\n// comment\n# comment\n/* comment */\n'
    )
    assert load_text("main.tf", text).problems == ()


def test_plan_grants():
    assert plan_grants(DATA / "plan.json") == [
        {
            "address": "aws_kms_grant.app",
            "key_id": None,
            "key_address": "aws_kms_key.app",
            "grantee_principal": "arn:aws:iam::111122223333:role/batch",
            "retiring_principal": None,
            "operations": ["Decrypt", "GenerateDataKey"],
            "constraints": {"encryption_context_equals": {"Department": "Finance"}, "encryption_context_subset": None},
            "name": "batch",
            "grant_id": None,
            "issuing_account": None,
        }
    ]


def test_plan_policy_syntax_error_points_inside_the_string():
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": [
        {"address": "aws_iam_policy.p", "mode": "managed", "type": "aws_iam_policy", "name": "p", "values": {"policy": '{"Version": }'}}]}}}
    text = json.dumps(plan)
    (problem,) = load_text("plan.json", text).problems
    assert (problem.code, problem.message, problem.pointer) == ("PL001", "embedded policy: expected a JSON value, found `}`", "/planned_values/root_module/resources/0/values/policy")
    assert text[problem.range.start.offset :].startswith("}")


def test_cli_reports_a_plan(tmp_path):
    (tmp_path / "plan.json").write_text((DATA / "plan.json").read_text())
    done = subprocess.run(
        [sys.executable, "-m", "policylint", "check", "--select", "PL005,PL215", "plan.json"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stderr, done.stdout.splitlines()) == (
        1,
        "",
        [
            f"plan.json:15:13: warning PL215 {LOCKOUT}",
            "plan.json:23:349: warning PL005 Sid `EnableIAMPolicies` is already used by statement 0",
            "checked 1 file (4 documents): 0 errors, 2 warnings, 0 info",
        ],
    )
