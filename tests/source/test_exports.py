"""AWS CLI exports: authorization details (documents as objects or URL-encoded), Organizations
policies, and the exports that hold no policy (grants, key metadata, policy lists)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from policylint.rules.engine import check_loaded
from policylint.settings import Settings
from policylint.source.exports import (
    AttachedPolicy,
    Group,
    InlinePolicy,
    ManagedPolicy,
    Role,
    User,
    authorization_details,
    key_grants,
    key_metadata,
)
from policylint.source.loader import load_file, load_text

DATA = Path(__file__).parent / "data" / "aws-cli"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_authorization_details_documents():
    result = load_file(str(DATA / "authorization-details.json"))
    assert (result.format, result.problems) == ("authorization-details", ())
    assert [(d.label, d.kind, d.account, d.context) for d in result.documents] == [
        ("UserDetailList/0/UserPolicyList/0/PolicyDocument", "identity-policy", "111122223333", (("user", "alice"), ("policy", "decrypt-app"))),
        ("GroupDetailList/0/GroupPolicyList/0/PolicyDocument", "identity-policy", "111122223333", (("group", "developers"), ("policy", "read-logs"))),
        ("RoleDetailList/0/AssumeRolePolicyDocument", "trust-policy", "111122223333", (("role", "app"),)),
        ("RoleDetailList/0/RolePolicyList/0/PolicyDocument", "identity-policy", "111122223333", (("role", "app"), ("policy", "use-key"))),
        ("Policies/0/PolicyVersionList/1/Document", "identity-policy", "111122223333", (("policy", "arn:aws:iam::111122223333:policy/boundary"), ("version", "v2"))),
    ]
    assert result.documents[1].value == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ReadLogs", "Effect": "Allow", "Action": ["logs:GetLogEvents", "logs:FilterLogEvents"], "Resource": "arn:aws:logs:eu-west-1:111122223333:log-group:/app/*"}
        ],
    }


def test_findings_in_an_object_document_are_exact():
    result = load_file(str(DATA / "authorization-details.json"))
    findings = check_loaded(result, Settings(select=("PL005",))).findings
    assert [(f.rule, f.message, f.pointer, f.range.start.line, f.range.start.column, f.context) for f in findings] == [
        (
            "PL005",
            "Sid `Decrypt` is already used by statement 0",
            "/Statement/1/Sid",
            22,
            40,
            {"user": "alice", "policy": "decrypt-app", "document": "UserDetailList/0/UserPolicyList/0/PolicyDocument"},
        )
    ]


def test_duplicate_keys_in_an_object_document():
    text = '{"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r",\n "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Effect": "Deny"}]}}]}'
    result = load_text("details.json", text)
    findings = check_loaded(result, Settings(select=("PL003",))).findings
    assert [(f.rule, f.message, f.pointer, f.range.start.line, f.range.start.column) for f in findings] == [
        ("PL003", "duplicate key `Effect`: parsers disagree on which value wins (here the last one)", "/Statement/0/Effect", 2, 65)
    ]


def test_an_url_encoded_document_is_located_at_the_start_of_its_string():
    text = (DATA / "authorization-details.json").read_text()
    document = load_file(str(DATA / "authorization-details.json")).documents[1]
    found = document.locator.value_range("/Statement/0/Action/1")
    assert (found.start.line, found.start.column, text[found.start.offset : found.start.offset + 12]) == (62, 39, '"%7B%22Versi')


def test_a_broken_url_encoded_document_is_pl001():
    data = {"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r", "AssumeRolePolicyDocument": "%7B%22Version"}]}
    result = load_text("details.json", json.dumps(data))
    assert [(p.code, p.message, p.pointer, p.range.start.column) for p in result.problems] == [
        ("PL001", "embedded policy: the URL-encoded document is not JSON", "/RoleDetailList/0/AssumeRolePolicyDocument", 110)
    ]


def test_authorization_details_model():
    details = authorization_details(DATA / "authorization-details.json")
    boundary_document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AllowAppServices", "Effect": "Allow", "Action": ["kms:*", "s3:*", "logs:*"], "Resource": "*"},
            {"Sid": "DenyKeyDeletion", "Effect": "Deny", "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey"], "Resource": "*"},
        ],
    }
    boundary = AttachedPolicy(name="boundary", arn="arn:aws:iam::111122223333:policy/boundary", document=boundary_document)
    alice = User(
        name="alice",
        arn="arn:aws:iam::111122223333:user/alice",
        id="AIDAEXAMPLEALICE0001",
        path="/",
        inline_policies=(
            InlinePolicy(
                name="decrypt-app",
                document={
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Sid": "Decrypt", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY},
                        {"Sid": "Decrypt", "Effect": "Allow", "Action": "kms:DescribeKey", "Resource": KEY},
                    ],
                },
            ),
        ),
        attached_policies=(AttachedPolicy(name="ReadOnlyAccess", arn="arn:aws:iam::aws:policy/ReadOnlyAccess", document=None),),
        permissions_boundary=boundary,
        groups=("developers",),
        tags={"team": "payments"},
    )
    developers = Group(
        name="developers",
        arn="arn:aws:iam::111122223333:group/developers",
        id="AGPAEXAMPLEDEVS00001",
        path="/",
        inline_policies=(InlinePolicy(name="read-logs", document=load_file(str(DATA / "authorization-details.json")).documents[1].value),),
        attached_policies=(boundary,),
    )
    app = Role(
        name="app",
        arn="arn:aws:iam::111122223333:role/service-role/app",
        id="AROAEXAMPLEAPPROLE01",
        path="/service-role/",
        trust_policy={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        inline_policies=(
            InlinePolicy(
                name="use-key",
                document={"Version": "2012-10-17", "Statement": [{"Sid": "UseKey", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], "Resource": KEY}]},
            ),
        ),
        attached_policies=(boundary,),
        permissions_boundary=boundary,
        tags={"app": "checkout"},
    )
    policy = ManagedPolicy(
        name="boundary",
        arn="arn:aws:iam::111122223333:policy/boundary",
        id="ANPAEXAMPLEBOUNDARY1",
        path="/",
        default_version_id="v2",
        document=boundary_document,
        attachment_count=2,
        is_attachable=True,
    )
    assert (details.users, details.groups, details.roles, details.policies) == ((alice,), (developers,), (app,), (policy,))
    assert details.groups_of(alice) == (developers,)
    assert details.policy("arn:aws:iam::111122223333:policy/boundary") == policy
    assert authorization_details(json.loads((DATA / "authorization-details.json").read_text())) == details


def test_key_grants():
    assert key_grants(json.loads((DATA / "list-grants.json").read_text())) == [
        {
            "address": None,
            "key_id": KEY,
            "key_address": None,
            "grantee_principal": "arn:aws:iam::111122223333:role/batch",
            "retiring_principal": "arn:aws:iam::111122223333:role/ops",
            "operations": ["Decrypt", "GenerateDataKey"],
            "constraints": {"encryption_context_equals": None, "encryption_context_subset": {"Department": "Finance"}},
            "name": "batch",
            "grant_id": "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60",
            "issuing_account": "111122223333",
        },
        {
            "address": None,
            "key_id": KEY,
            "key_address": None,
            "grantee_principal": "rds.eu-west-1.amazonaws.com",
            "retiring_principal": None,
            "operations": ["Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKey", "DescribeKey"],
            "constraints": None,
            "name": "",
            "grant_id": "91ad875e49b04a9d1f3bdeb84d821f9db6ea95e1098813f6d47f0c65fbe2a172",
            "issuing_account": "111122223333",
        },
    ]


def test_key_metadata():
    assert key_metadata(json.loads((DATA / "describe-key.json").read_text())) == {
        "account": "111122223333",
        "key_id": "1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn": KEY,
        "region": "eu-west-1",
        "key_state": "Enabled",
        "enabled": True,
        "key_manager": "CUSTOMER",
        "key_usage": "ENCRYPT_DECRYPT",
        "key_spec": "SYMMETRIC_DEFAULT",
        "origin": "AWS_KMS",
        "multi_region": False,
        "description": "app data",
    }


def test_organizations_policy_is_an_scp_located_inside_its_content():
    text = (DATA / "describe-policy.json").read_text()
    (document,) = load_file(str(DATA / "describe-policy.json")).documents
    found = document.locator.value_range("/Statement/0/Action")
    assert (document.kind, document.label, document.context) == ("scp", "Policy/Content", (("policy", "DenyLeaveOrg"), ("id", "p-examplepolicyid111")))
    assert (found.start.line, text[found.start.offset : found.end.offset]) == (11, '\\"organizations:LeaveOrganization\\"')


def test_resource_control_policy():
    data = {"Policy": {"PolicySummary": {"Id": "p-1", "Name": "r", "Type": "RESOURCE_CONTROL_POLICY"}, "Content": '{"Version": "2012-10-17", "Statement": []}'}}
    (document,) = load_text("rcp.json", json.dumps(data)).documents
    assert (document.kind, document.value) == ("rcp", {"Version": "2012-10-17", "Statement": []})


NO_POLICY_CASES = [
    ("kms list-grants", "list-grants.json", None, "list-grants"),
    ("kms describe-key", "describe-key.json", None, "describe-key"),
    ("organizations list-policies", None, {"Policies": [{"Id": "p-1", "Arn": "arn:x", "Name": "a", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": False}]}, "list-policies"),
    ("iam list-policies", None, {"Policies": [{"PolicyName": "a", "Arn": "arn:x", "DefaultVersionId": "v1"}], "IsTruncated": False}, "list-policies"),
]


@pytest.mark.parametrize(("name", "file", "data", "expected"), NO_POLICY_CASES, ids=[c[0] for c in NO_POLICY_CASES])
def test_exports_without_policies(name, file, data, expected):
    result = load_file(str(DATA / file)) if file else load_text("export.json", json.dumps(data))
    assert (result.format, result.documents, result.problems) == (expected, (), ())


def test_cli_counts_an_export_with_no_policy_as_a_file(tmp_path):
    (tmp_path / "grants.json").write_text((DATA / "list-grants.json").read_text())
    done = subprocess.run([sys.executable, "-m", "policylint", "check", "grants.json"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "checked 1 file (0 documents): 0 errors, 0 warnings, 0 info\n", "")
