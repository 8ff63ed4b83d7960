"""AWS global condition context keys (a hand-maintained table) and known policy variables.

The table lists every global key of the IAM User Guide page "AWS global condition context
keys", including the cross-service keys that carry a service prefix (`ec2:SourceInstanceArn`,
`lambda:SourceFunctionArn`, ...), with the data type and value type (single- or multivalued)
that page gives. Templated keys spell their variable part as `${TagKey}`.

References:
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
- https://docs.aws.amazon.com/agent-toolkit/latest/userguide/security_iam_service-with-iam.html
  (aws:ViaAWSMCPService, aws:CalledViaAWSMCP)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from policylint.trusted import record

KeyType = Literal["String", "ARN", "Bool", "Date", "IPAddress", "Numeric", "Binary"]


class GlobalKey(BaseModel):
    """One global condition key: canonical name, data type, and whether it is multivalued.

    `also_types` lists further data types the key accepts (aws:EpochTime is a date that also
    works with numeric operators).
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    type: KeyType
    multivalued: bool = False
    also_types: tuple[KeyType, ...] = ()


# The table below is checked against validation by tests/test_records.py.
_global_key = record(GlobalKey)

GLOBAL_CONDITION_KEYS: tuple[GlobalKey, ...] = (
    # Properties of the principal
    _global_key(name="aws:PrincipalArn", type="ARN"),
    _global_key(name="aws:PrincipalAccount", type="String"),
    _global_key(name="aws:PrincipalOrgPaths", type="String", multivalued=True),
    _global_key(name="aws:PrincipalOrgID", type="String"),
    _global_key(name="aws:PrincipalTag/${TagKey}", type="String"),
    _global_key(name="aws:PrincipalIsAWSService", type="Bool"),
    _global_key(name="aws:PrincipalServiceName", type="String"),
    _global_key(name="aws:PrincipalServiceNamesList", type="String", multivalued=True),
    _global_key(name="aws:PrincipalType", type="String"),
    _global_key(name="aws:userid", type="String"),
    _global_key(name="aws:username", type="String"),
    # Properties of a role session
    _global_key(name="aws:AssumedRoot", type="Bool"),
    _global_key(name="aws:FederatedProvider", type="String"),
    _global_key(name="aws:TokenIssueTime", type="Date"),
    _global_key(name="aws:MultiFactorAuthAge", type="Numeric"),
    _global_key(name="aws:MultiFactorAuthPresent", type="Bool"),
    _global_key(name="aws:ChatbotSourceArn", type="ARN"),
    _global_key(name="aws:Ec2InstanceSourceVpc", type="String"),
    _global_key(name="aws:Ec2InstanceSourcePrivateIPv4", type="IPAddress"),
    _global_key(name="aws:SourceIdentity", type="String"),
    _global_key(name="ec2:RoleDelivery", type="Numeric"),
    _global_key(name="ec2:SourceInstanceArn", type="ARN"),
    _global_key(name="glue:RoleAssumedBy", type="String"),
    _global_key(name="glue:CredentialIssuingService", type="String"),
    _global_key(name="identitystore:UserId", type="String"),
    _global_key(name="lambda:SourceFunctionArn", type="ARN"),
    _global_key(name="ssm:SourceInstanceArn", type="ARN"),
    # Properties of the resource
    _global_key(name="aws:ResourceAccount", type="String"),
    _global_key(name="aws:ResourceOrgID", type="String"),
    _global_key(name="aws:ResourceOrgPaths", type="String", multivalued=True),
    _global_key(name="aws:ResourceTag/${TagKey}", type="String"),
    # Properties of the network
    _global_key(name="aws:SourceIp", type="IPAddress"),
    _global_key(name="aws:SourceVpc", type="String"),
    _global_key(name="aws:SourceVpcArn", type="ARN"),
    _global_key(name="aws:SourceVpce", type="String"),
    _global_key(name="aws:VpceAccount", type="String"),
    _global_key(name="aws:VpceOrgID", type="String"),
    _global_key(name="aws:VpceOrgPaths", type="String", multivalued=True),
    _global_key(name="aws:VpcSourceIp", type="IPAddress"),
    # Properties of the request
    _global_key(name="aws:CalledVia", type="String", multivalued=True),
    _global_key(name="aws:CalledViaFirst", type="String"),
    _global_key(name="aws:CalledViaLast", type="String"),
    _global_key(name="aws:CalledViaAWSMCP", type="String"),
    _global_key(name="aws:ViaAWSService", type="Bool"),
    _global_key(name="aws:ViaAWSMCPService", type="Bool"),
    _global_key(name="aws:CurrentTime", type="Date"),
    _global_key(name="aws:EpochTime", type="Date", also_types=("Numeric",)),
    _global_key(name="aws:referer", type="String"),
    _global_key(name="aws:RequestedRegion", type="String"),
    _global_key(name="aws:RequestTag/${TagKey}", type="String"),
    _global_key(name="aws:TagKeys", type="String", multivalued=True),
    _global_key(name="aws:SecureTransport", type="Bool"),
    _global_key(name="aws:SourceAccount", type="String"),
    _global_key(name="aws:SourceArn", type="ARN"),
    _global_key(name="aws:SourceOrgID", type="String"),
    _global_key(name="aws:SourceOrgPaths", type="String", multivalued=True),
    _global_key(name="aws:UserAgent", type="String"),
    _global_key(name="aws:IsMcpServiceAction", type="Bool"),
)

# `${*}`, `${?}` and `${$}` stand for a literal `*`, `?` and `$`.
SPECIAL_POLICY_VARIABLES: frozenset[str] = frozenset({"*", "?", "$"})


def _variable_name(name: str) -> str:
    text = name.strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    # `${aws:username, 'default'}`: the name is what precedes the default value.
    head, _, _ = text.partition(",")
    return head.strip()


def policy_variable_known(name: str, services: Iterable[str] = ()) -> bool:
    """Tell whether `name` is a policy variable AWS can substitute.

    `name` is the variable name (`aws:username`), optionally wrapped as `${aws:username}` and
    optionally followed by a default value (`aws:username, 'none'`). Known variables are the
    special `*`, `?` and `$`, and every single-valued condition key that is known (global keys,
    templated ones such as `aws:PrincipalTag/team`, and service keys such as `s3:prefix` or
    `saml:sub`; `services` is passed on to the condition key lookup). Multivalued keys such as
    `aws:TagKeys` cannot be substituted and are not known variables.
    """
    # condition_keys builds on this module's table, so import it at call time.
    from policylint.catalog.condition_keys import condition_key_info

    variable = _variable_name(name)
    if variable in SPECIAL_POLICY_VARIABLES:
        return True
    info = condition_key_info(variable, services)
    return info is not None and not info.multivalued
