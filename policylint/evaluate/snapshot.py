"""Account snapshots: the accounts, keys, resources, principals and endpoints a query runs against.

A snapshot is a YAML or JSON file (see `samples/snapshot/snapshot.yaml`):

    accounts:      {ACCOUNT: {organization, scps, rcps}}       scps/rcps: [doc, ...] (one level)
                                                                or [[doc, ...], ...] (root -> account)
    keys:          {KEY_ARN: {policy, grants: [{grantee, operations, constraints}]}}
    resources:     {ARN: {policy, account}}
    principals:    {ARN: {policies, permissions_boundary, session_policy, tags, trust_policy}}
    vpc_endpoints: {VPCE_ID: {policy}}

A document ("doc") is a path relative to the snapshot file, read with the policy loader (so
positions are lines of that file), or an inline policy mapping (positions are lines of the
snapshot file, found with `policylint.source.cfn_yaml.load_yaml`). Every document is read
once per path and built once per (path, kind).
Anything wrong (an unknown field, a missing file, a document that does not parse) raises
`SnapshotError` with a file and line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr

from policylint.catalog.kms import grant_operation_action
from policylint.evaluate.arn import account_of, is_account_id, parse_arn
from policylint.model.build import build_document
from policylint.model.policy import PolicyDocument
from policylint.source.document import LoadResult, SourceDocument
from policylint.source.jsonpos import JsonSyntaxError, SpanIndex, parse_json
from policylint.source.loader import load_file
from policylint.source.locate import JsonLocator
from policylint.source.positions import LineIndex, Range, escape_pointer_token

# Snapshot document kinds -> the kind the policy model is built with.
_MODEL_KINDS: Mapping[str, str] = {
    "key-policy": "key-policy",
    "identity-policy": "identity-policy",
    "permissions-boundary": "identity-policy",
    "session-policy": "identity-policy",
    "trust-policy": "trust-policy",
    "resource-policy": "resource-policy",
    "vpc-endpoint-policy": "resource-policy",
    "scp": "scp",
    "rcp": "rcp",
}
_TOP_FIELDS = ("accounts", "keys", "resources", "principals", "vpc_endpoints")
_ACCOUNT_FIELDS = ("organization", "scps", "rcps")
_KEY_FIELDS = ("policy", "grants")
_GRANT_FIELDS = ("name", "grantee", "operations", "constraints")
_CONSTRAINT_FIELDS = ("encryption_context_equals", "encryption_context_subset")
_RESOURCE_FIELDS = ("policy", "account")
_PRINCIPAL_FIELDS = ("policies", "permissions_boundary", "session_policy", "tags", "trust_policy")
_ENDPOINT_FIELDS = ("policy",)


class SnapshotError(ValueError):
    """A snapshot that cannot be used: `path:line: message` (line when known)."""

    def __init__(self, message: str, path: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class Grant(_Frozen):
    """A KMS grant: who may use the key (`grantee`), for which operations, under which
    encryption context constraint. `path`/`range` locate it in the snapshot file."""

    index: int
    name: str | None = None
    grantee: str
    operations: tuple[str, ...]
    encryption_context_equals: Mapping[str, str] | None = None
    encryption_context_subset: Mapping[str, str] | None = None
    path: str
    range: Range | None = None


class KeyEntry(_Frozen):
    arn: str
    account: str | None
    policy: PolicyDocument | None = None
    grants: tuple[Grant, ...] = ()


class ResourceEntry(_Frozen):
    arn: str
    account: str | None
    policy: PolicyDocument | None = None


class PrincipalEntry(_Frozen):
    arn: str
    policies: tuple[PolicyDocument, ...] = ()
    permissions_boundary: PolicyDocument | None = None
    session_policy: PolicyDocument | None = None
    tags: Mapping[str, str] = {}
    trust_policy: PolicyDocument | None = None


class AccountEntry(_Frozen):
    account: str
    organization: str | None = None
    scps: tuple[tuple[PolicyDocument, ...], ...] = ()
    rcps: tuple[tuple[PolicyDocument, ...], ...] = ()


class EndpointEntry(_Frozen):
    endpoint: str
    policy: PolicyDocument | None = None


class Snapshot(_Frozen):
    """Everything a query can look up, indexed by ARN (or account id, endpoint id)."""

    path: str
    accounts: Mapping[str, AccountEntry] = {}
    keys: Mapping[str, KeyEntry] = {}
    resources: Mapping[str, ResourceEntry] = {}
    principals: Mapping[str, PrincipalEntry] = {}
    vpc_endpoints: Mapping[str, EndpointEntry] = {}

    # Set in model_post_init (no default_factory: pydantic inspects a factory's signature on
    # every instantiation, and the analysis makes many snapshots).
    _roles: dict[tuple[str, str], PrincipalEntry] = PrivateAttr()

    def model_post_init(self, __context: Any) -> None:
        roles: dict[tuple[str, str], PrincipalEntry] = {}
        for arn, entry in self.principals.items():
            parsed = parse_arn(arn)
            if parsed is not None and parsed.service == "iam" and parsed.resource.startswith("role/"):
                name = parsed.resource.rsplit("/", 1)[-1]
                roles[(parsed.account, name)] = entry
        self._roles = roles

    def role(self, account: str, name: str) -> PrincipalEntry | None:
        """The role named `name` in `account` (whatever its path), for a role session."""
        return self._roles.get((account, name))


# -- reading the snapshot file ---------------------------------------------------------------


class _YamlLocator:
    """Pointer -> range in a YAML file, from the spans `cfn_yaml.load_yaml` found (`prefix`
    selects a value inside the file, as `JsonLocator` does)."""

    def __init__(self, index: SpanIndex, lines: LineIndex, prefix: str = "") -> None:
        self._index = index
        self._lines = lines
        self._prefix = prefix

    def _range(self, span: tuple[int, int] | None) -> Range | None:
        return None if span is None else self._lines.range(*span)

    def value_range(self, pointer: str) -> Range | None:
        return self._range(self._index.values.get(self._prefix + pointer))

    def key_range(self, pointer: str) -> Range | None:
        return self._range(self._index.keys.get(self._prefix + pointer))

    def at(self, prefix: str) -> _YamlLocator:
        return _YamlLocator(self._index, self._lines, self._prefix + prefix)


class _Reader:
    """Reads one snapshot file: validates fields and loads documents with a per-path cache."""

    def __init__(self, path: str, text: str, root: str) -> None:
        self.path = path
        self.base = os.path.dirname(path)
        self.source_text = text
        self.lines = LineIndex(text)
        self.files = _Files()
        if path.lower().endswith(".json"):
            try:
                parsed = parse_json(text)
            except JsonSyntaxError as error:
                raise SnapshotError(error.message, path, self.lines.position(error.offset).line) from None
            whole: Any = parsed.value
            self._json: JsonLocator | None = JsonLocator(text, self.lines)
            self._yaml: _YamlLocator | None = None
        else:
            from policylint.source.cfn_yaml import YamlProblem, load_yaml  # PyYAML only for YAML snapshots

            try:
                loaded = load_yaml(text)
            except YamlProblem as error:
                line = self.lines.position(error.offset).line if error.offset is not None else None
                raise SnapshotError(error.message, path, line) from None
            whole = loaded.value if loaded is not None else None
            self._json = None
            self._yaml = _YamlLocator(loaded.index if loaded is not None else SpanIndex(), self.lines)
        self.root = root
        self.value = _at_pointer(whole, root)
        if self.value is _MISSING:
            raise SnapshotError(f"no snapshot at `{root}`", path)

    # locations

    def range(self, pointer: str, *, key: bool = False) -> Range | None:
        full = self.root + pointer
        if self._json is not None:
            return self._json.key_range(full) if key else self._json.value_range(full)
        assert self._yaml is not None
        return self._yaml.key_range(full) if key else self._yaml.value_range(full)

    def error(self, pointer: str, message: str, *, key: bool = False) -> SnapshotError:
        found = self.range(pointer, key=key) or self.range(pointer)
        return SnapshotError(message, self.path, found.start.line if found is not None else None)

    def locator(self, pointer: str) -> Any:
        full = self.root + pointer
        if self._json is not None:
            return JsonLocator(self.source_text, self.lines, prefix=full)
        assert self._yaml is not None
        return self._yaml.at(full)

    # shapes

    def mapping(self, value: Any, pointer: str, what: str, fields: tuple[str, ...] | None = None) -> dict[Any, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(pointer, f"{what} must be a mapping")
        if fields is not None:
            for name in value:
                if name not in fields:
                    raise self.error(
                        f"{pointer}/{escape_pointer_token(str(name))}", f"unknown field `{name}` in {what}", key=True
                    )
        return value

    def text(self, value: Any, pointer: str, what: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.error(pointer, f"{what} must be a non-empty string")
        return value

    def account_id(self, value: Any, pointer: str, *, key: bool = False) -> str:
        text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        if not is_account_id(text):
            raise self.error(pointer, f"`{value}` is not a 12-digit account id", key=key)
        return text

    # documents

    def document(self, value: Any, pointer: str, kind: str) -> PolicyDocument:
        if isinstance(value, dict):
            source = SourceDocument(path=self.path, value=value, locator=self.locator(pointer), kind=_MODEL_KINDS[kind])
            return build_document(source, kind=_MODEL_KINDS[kind])
        if not isinstance(value, str) or not value:
            raise self.error(pointer, "a policy must be a file path or an inline policy mapping")
        full = os.path.normpath(os.path.join(self.base, value))
        if not os.path.isfile(full):
            raise self.error(pointer, f"cannot read `{value}`: no such file")
        return self.files.document(full, kind)


class _Files:
    """Policy files read once per path, built once per (path, kind)."""

    def __init__(self) -> None:
        self._loaded: dict[str, LoadResult] = {}
        self._built: dict[tuple[str, str], PolicyDocument] = {}

    def document(self, path: str, kind: str) -> PolicyDocument:
        cached = self._built.get((path, kind))
        if cached is not None:
            return cached
        result = self._loaded.get(path)
        if result is None:
            result = self._loaded[path] = load_file(path)
        if result.problems:
            problem = result.problems[0]
            line = problem.range.start.line if problem.range is not None else None
            raise SnapshotError(problem.message, path, line)
        if len(result.documents) != 1 or not isinstance(result.documents[0].value, dict):
            raise SnapshotError("the file must hold one policy document (a JSON object)", path)
        built = self._built[(path, kind)] = build_document(result.documents[0], kind=_MODEL_KINDS[kind])
        return built


_MISSING = object()


def _at_pointer(value: Any, pointer: str) -> Any:
    if not pointer:
        return value
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return _MISSING
    return value


def _levels(reader: _Reader, value: Any, pointer: str, kind: str) -> tuple[tuple[PolicyDocument, ...], ...]:
    """`[doc, ...]` (one level) or `[[doc, ...], ...]` (root to account)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise reader.error(pointer, f"`{pointer.rsplit('/', 1)[-1]}` must be a list of policies or of levels")
    if not value:
        return ()
    if all(isinstance(item, list) for item in value):
        levels = []
        for index, level in enumerate(value):
            if not level:
                raise reader.error(f"{pointer}/{index}", "an organization level must list at least one policy")
            levels.append(tuple(reader.document(doc, f"{pointer}/{index}/{i}", kind) for i, doc in enumerate(level)))
        return tuple(levels)
    if any(isinstance(item, list) for item in value):
        raise reader.error(pointer, "list either policies (one level) or levels of policies, not both")
    return (tuple(reader.document(doc, f"{pointer}/{i}", kind) for i, doc in enumerate(value)),)


def _optional_document(reader: _Reader, entry: dict[Any, Any], name: str, pointer: str, kind: str) -> PolicyDocument | None:
    value = entry.get(name)
    return None if value is None else reader.document(value, f"{pointer}/{name}", kind)


def _string_map(reader: _Reader, value: Any, pointer: str, what: str) -> dict[str, str]:
    mapping = reader.mapping(value, pointer, what)
    result: dict[str, str] = {}
    for key, item in mapping.items():
        if not isinstance(item, (str, int, float)) or isinstance(item, bool):
            raise reader.error(f"{pointer}/{escape_pointer_token(str(key))}", f"values of {what} must be strings")
        result[str(key)] = str(item)
    return result


def _grants(reader: _Reader, value: Any, pointer: str) -> tuple[Grant, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise reader.error(pointer, "`grants` must be a list")
    grants = []
    for index, raw in enumerate(value):
        at = f"{pointer}/{index}"
        entry = reader.mapping(raw, at, "a grant", _GRANT_FIELDS)
        grantee = reader.text(entry.get("grantee"), f"{at}/grantee", "`grantee`")
        operations = entry.get("operations")
        if not isinstance(operations, list) or not operations:
            raise reader.error(f"{at}/operations", "`operations` must be a non-empty list")
        for i, operation in enumerate(operations):
            if not isinstance(operation, str) or grant_operation_action(operation) is None:
                raise reader.error(f"{at}/operations/{i}", f"`{operation}` is not a grant operation")
        constraints = reader.mapping(entry.get("constraints"), f"{at}/constraints", "grant constraints", _CONSTRAINT_FIELDS)
        equals = constraints.get("encryption_context_equals")
        subset = constraints.get("encryption_context_subset")
        name = entry.get("name")
        grants.append(
            Grant(
                index=index,
                name=None if name is None else reader.text(name, f"{at}/name", "`name`"),
                grantee=grantee,
                operations=tuple(operations),
                encryption_context_equals=None if equals is None else _string_map(reader, equals, f"{at}/constraints/encryption_context_equals", "`encryption_context_equals`"),
                encryption_context_subset=None if subset is None else _string_map(reader, subset, f"{at}/constraints/encryption_context_subset", "`encryption_context_subset`"),
                path=reader.path,
                range=reader.range(at),
            )
        )
    return tuple(grants)


def _entries(reader: _Reader, top: dict[Any, Any], name: str) -> list[tuple[Any, str, dict[Any, Any]]]:
    """(key as written, pointer, entry mapping) for every entry of a top-level section."""
    section = reader.mapping(top.get(name), f"/{name}", f"`{name}`")
    found = []
    for key, entry in section.items():
        pointer = f"/{name}/{escape_pointer_token(str(key))}"
        found.append((key, pointer, entry))
    return found


def _read(reader: _Reader) -> Snapshot:
    top = reader.mapping(reader.value, "", "a snapshot", _TOP_FIELDS)
    accounts: dict[str, AccountEntry] = {}
    for key, pointer, raw in _entries(reader, top, "accounts"):
        account = reader.account_id(key, pointer, key=True)
        entry = reader.mapping(raw, pointer, f"account `{account}`", _ACCOUNT_FIELDS)
        organization = entry.get("organization")
        accounts[account] = AccountEntry(
            account=account,
            organization=None if organization is None else reader.text(organization, f"{pointer}/organization", "`organization`"),
            scps=_levels(reader, entry.get("scps"), f"{pointer}/scps", "scp"),
            rcps=_levels(reader, entry.get("rcps"), f"{pointer}/rcps", "rcp"),
        )
    keys: dict[str, KeyEntry] = {}
    for key, pointer, raw in _entries(reader, top, "keys"):
        arn = reader.text(key, pointer, "a key ARN")
        parsed = parse_arn(arn)
        if parsed is None or parsed.service != "kms" or not is_account_id(parsed.account):
            raise reader.error(pointer, f"`{arn}` is not a KMS key ARN", key=True)
        entry = reader.mapping(raw, pointer, f"key `{arn}`", _KEY_FIELDS)
        keys[arn] = KeyEntry(
            arn=arn,
            account=parsed.account,
            policy=_optional_document(reader, entry, "policy", pointer, "key-policy"),
            grants=_grants(reader, entry.get("grants"), f"{pointer}/grants"),
        )
    resources: dict[str, ResourceEntry] = {}
    for key, pointer, raw in _entries(reader, top, "resources"):
        arn = reader.text(key, pointer, "a resource ARN")
        if parse_arn(arn) is None:
            raise reader.error(pointer, f"`{arn}` is not an ARN", key=True)
        entry = reader.mapping(raw, pointer, f"resource `{arn}`", _RESOURCE_FIELDS)
        account = entry.get("account")
        owner = reader.account_id(account, f"{pointer}/account") if account is not None else account_of(arn)
        if owner is None:
            raise reader.error(pointer, f"resource `{arn}` needs an `account`: its ARN names none", key=True)
        resources[arn] = ResourceEntry(
            arn=arn, account=owner, policy=_optional_document(reader, entry, "policy", pointer, "resource-policy")
        )
    principals: dict[str, PrincipalEntry] = {}
    for key, pointer, raw in _entries(reader, top, "principals"):
        arn = reader.text(key, pointer, "a principal ARN")
        parsed = parse_arn(arn)
        if parsed is None or parsed.service not in ("iam", "sts") or not is_account_id(parsed.account):
            raise reader.error(pointer, f"`{arn}` is not an IAM principal ARN", key=True)
        entry = reader.mapping(raw, pointer, f"principal `{arn}`", _PRINCIPAL_FIELDS)
        policies = entry.get("policies")
        if policies is not None and not isinstance(policies, list):
            raise reader.error(f"{pointer}/policies", "`policies` must be a list")
        principals[arn] = PrincipalEntry(
            arn=arn,
            policies=tuple(
                reader.document(doc, f"{pointer}/policies/{i}", "identity-policy") for i, doc in enumerate(policies or ())
            ),
            permissions_boundary=_optional_document(reader, entry, "permissions_boundary", pointer, "permissions-boundary"),
            session_policy=_optional_document(reader, entry, "session_policy", pointer, "session-policy"),
            tags=_string_map(reader, entry.get("tags"), f"{pointer}/tags", "`tags`"),
            trust_policy=_optional_document(reader, entry, "trust_policy", pointer, "trust-policy"),
        )
    endpoints: dict[str, EndpointEntry] = {}
    for key, pointer, raw in _entries(reader, top, "vpc_endpoints"):
        endpoint = reader.text(key, pointer, "an endpoint id")
        entry = reader.mapping(raw, pointer, f"endpoint `{endpoint}`", _ENDPOINT_FIELDS)
        endpoints[endpoint] = EndpointEntry(
            endpoint=endpoint, policy=_optional_document(reader, entry, "policy", pointer, "vpc-endpoint-policy")
        )
    return Snapshot(
        path=reader.path,
        accounts=accounts,
        keys=keys,
        resources=resources,
        principals=principals,
        vpc_endpoints=endpoints,
    )


def load_snapshot(path: str, pointer: str = "") -> Snapshot:
    """Read the snapshot in file `path` (the value at JSON pointer `pointer` of it, for a
    snapshot held inside a larger file such as a test case)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise SnapshotError(f"cannot read snapshot: {(error.strerror or str(error)).lower()}", path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SnapshotError("snapshot is not UTF-8 text", path) from None
    return _read(_Reader(path, text, pointer))


def load_policy(path: str, kind: str) -> PolicyDocument:
    """One policy file outside any snapshot (for `query --key-policy`); `kind` as in snapshots."""
    if not os.path.isfile(path):
        raise SnapshotError("cannot read policy: no such file", path)
    return _Files().document(path, kind)
