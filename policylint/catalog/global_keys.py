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

KeyType = Literal["String", "ARN", "Bool", "Date", "IPAddress", "Numeric", "Binary"]


class GlobalKey(BaseModel):
    """One global condition key: canonical name, data type, and whether it is multivalued.

    `also_types` lists further data types the key accepts (aws:EpochTime is a date that also
    works with numeric operators).
    """

    model_config = ConfigDict(frozen=True)

    name: str
    type: KeyType
    multivalued: bool = False
    also_types: tuple[KeyType, ...] = ()


GLOBAL_CONDITION_KEYS: tuple[GlobalKey, ...] = (
    # Properties of the principal
    GlobalKey(name="aws:PrincipalArn", type="ARN"),
    GlobalKey(name="aws:PrincipalAccount", type="String"),
    GlobalKey(name="aws:PrincipalOrgPaths", type="String", multivalued=True),
    GlobalKey(name="aws:PrincipalOrgID", type="String"),
    GlobalKey(name="aws:PrincipalTag/${TagKey}", type="String"),
    GlobalKey(name="aws:PrincipalIsAWSService", type="Bool"),
    GlobalKey(name="aws:PrincipalServiceName", type="String"),
    GlobalKey(name="aws:PrincipalServiceNamesList", type="String", multivalued=True),
    GlobalKey(name="aws:PrincipalType", type="String"),
    GlobalKey(name="aws:userid", type="String"),
    GlobalKey(name="aws:username", type="String"),
    # Properties of a role session
    GlobalKey(name="aws:AssumedRoot", type="Bool"),
    GlobalKey(name="aws:FederatedProvider", type="String"),
    GlobalKey(name="aws:TokenIssueTime", type="Date"),
    GlobalKey(name="aws:MultiFactorAuthAge", type="Numeric"),
    GlobalKey(name="aws:MultiFactorAuthPresent", type="Bool"),
    GlobalKey(name="aws:ChatbotSourceArn", type="ARN"),
    GlobalKey(name="aws:Ec2InstanceSourceVpc", type="String"),
    GlobalKey(name="aws:Ec2InstanceSourcePrivateIPv4", type="IPAddress"),
    GlobalKey(name="aws:SourceIdentity", type="String"),
    GlobalKey(name="ec2:RoleDelivery", type="Numeric"),
    GlobalKey(name="ec2:SourceInstanceArn", type="ARN"),
    GlobalKey(name="glue:RoleAssumedBy", type="String"),
    GlobalKey(name="glue:CredentialIssuingService", type="String"),
    GlobalKey(name="identitystore:UserId", type="String"),
    GlobalKey(name="lambda:SourceFunctionArn", type="ARN"),
    GlobalKey(name="ssm:SourceInstanceArn", type="ARN"),
    # Properties of the resource
    GlobalKey(name="aws:ResourceAccount", type="String"),
    GlobalKey(name="aws:ResourceOrgID", type="String"),
    GlobalKey(name="aws:ResourceOrgPaths", type="String", multivalued=True),
    GlobalKey(name="aws:ResourceTag/${TagKey}", type="String"),
    # Properties of the network
    GlobalKey(name="aws:SourceIp", type="IPAddress"),
    GlobalKey(name="aws:SourceVpc", type="String"),
    GlobalKey(name="aws:SourceVpcArn", type="ARN"),
    GlobalKey(name="aws:SourceVpce", type="String"),
    GlobalKey(name="aws:VpceAccount", type="String"),
    GlobalKey(name="aws:VpceOrgID", type="String"),
    GlobalKey(name="aws:VpceOrgPaths", type="String", multivalued=True),
    GlobalKey(name="aws:VpcSourceIp", type="IPAddress"),
    # Properties of the request
    GlobalKey(name="aws:CalledVia", type="String", multivalued=True),
    GlobalKey(name="aws:CalledViaFirst", type="String"),
    GlobalKey(name="aws:CalledViaLast", type="String"),
    GlobalKey(name="aws:CalledViaAWSMCP", type="String"),
    GlobalKey(name="aws:ViaAWSService", type="Bool"),
    GlobalKey(name="aws:ViaAWSMCPService", type="Bool"),
    GlobalKey(name="aws:CurrentTime", type="Date"),
    GlobalKey(name="aws:EpochTime", type="Date", also_types=("Numeric",)),
    GlobalKey(name="aws:referer", type="String"),
    GlobalKey(name="aws:RequestedRegion", type="String"),
    GlobalKey(name="aws:RequestTag/${TagKey}", type="String"),
    GlobalKey(name="aws:TagKeys", type="String", multivalued=True),
    GlobalKey(name="aws:SecureTransport", type="Bool"),
    GlobalKey(name="aws:SourceAccount", type="String"),
    GlobalKey(name="aws:SourceArn", type="ARN"),
    GlobalKey(name="aws:SourceOrgID", type="String"),
    GlobalKey(name="aws:SourceOrgPaths", type="String", multivalued=True),
    GlobalKey(name="aws:UserAgent", type="String"),
    GlobalKey(name="aws:IsMcpServiceAction", type="Bool"),
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
