"""Tests for policylint.catalog.arn_formats: resource types and the keys that apply to actions."""

from __future__ import annotations

import pytest

from policylint.catalog.arn_formats import (
    ResourceTypeInfo,
    action_condition_keys,
    resource_type_info,
    resource_types,
)

KMS_KEY = ResourceTypeInfo(
    name="key",
    service="kms",
    arn="arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}",
    condition_keys=(
        "aws:ResourceTag/${TagKey}",
        "kms:KeyOrigin",
        "kms:KeySpec",
        "kms:KeyUsage",
        "kms:MultiRegion",
        "kms:MultiRegionKeyType",
        "kms:ResourceAliases",
    ),
)
KMS_ALIAS = ResourceTypeInfo(
    name="alias", service="kms", arn="arn:${Partition}:kms:${Region}:${Account}:alias/${Alias}"
)


@pytest.mark.parametrize(
    ("name", "service", "resource_type", "expected"),
    [
        ("kms-key", "kms", "key", KMS_KEY),
        ("kms-alias-any-case", "KMS", "Alias", KMS_ALIAS),
        ("unknown-type", "kms", "bucket", None),
        ("unknown-service", "nosvc", "key", None),
    ],
)
def test_resource_type_info(
    name: str, service: str, resource_type: str, expected: ResourceTypeInfo | None
) -> None:
    assert resource_type_info(service, resource_type) == expected


def test_resource_types_kms() -> None:
    types = resource_types("kms")
    assert types is not None
    assert dict(types) == {"alias": KMS_ALIAS, "key": KMS_KEY}
    assert resource_types("nosvc") is None


def test_canonical_resource_type_name_kept() -> None:
    info = resource_type_info("secretsmanager", "SECRET")
    assert info is not None
    assert (info.name, info.arn.startswith("arn:${Partition}:secretsmanager:")) == ("Secret", True)


@pytest.mark.parametrize(
    ("name", "action", "expected"),
    [
        (
            "create-alias",
            "kms:CreateAlias",
            (
                "aws:ResourceTag/${TagKey}",
                "kms:CallerAccount",
                "kms:KeyOrigin",
                "kms:KeySpec",
                "kms:KeyUsage",
                "kms:MultiRegion",
                "kms:MultiRegionKeyType",
                "kms:ResourceAliases",
                "kms:ViaService",
            ),
        ),
        ("list-keys", "kms:listkeys", ("kms:CallerAccount", "kms:ViaService")),
        ("unknown", "kms:Nope", None),
    ],
)
def test_action_condition_keys(name: str, action: str, expected: tuple[str, ...] | None) -> None:
    assert action_condition_keys(action) == expected
