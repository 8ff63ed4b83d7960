"""A query snapshot from AWS CLI exports, and any snapshot written back as a snapshot file.

Inputs (`ExportFiles`):

- `aws iam get-account-authorization-details`: a principal per user and role. A user gets its
  inline and attached managed policies, then those of each group it belongs to (inline and
  attached), its permissions boundary and tags. A role gets its trust policy, inline and
  attached managed policies, permissions boundary and tags. A managed policy is its default
  version. An attached policy, boundary or group missing from the export is left out with a
  warning.
- `aws kms get-key-policy` output (or the policy JSON itself) per key, `aws kms list-grants`
  output per key, `aws kms describe-key` output (the key's ARN and account; a key id it names
  can stand for the ARN in `KEY=FILE` pairs).
- `aws organizations describe-policy` output: SCPs (RCPs when the policy's type says so), one
  level attached to the export's account, together with `--organization-id`.

`build_from_exports` returns the `Snapshot` directly, its policies located in the export files
(reasons cite `authorization-details.json:LINE`); `snapshot_data` turns any snapshot into the
snapshot file format (`policylint.evaluate.snapshot`) with every document inline, so that the
written file loads with `load_snapshot` and answers the same queries.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from policylint.catalog.kms import grant_operation_action
from policylint.evaluate.arn import is_account_id, parse_arn
from policylint.evaluate.snapshot import AccountEntry, Grant, KeyEntry, PrincipalEntry, Snapshot
from policylint.model.build import build_document
from policylint.model.policy import PolicyDocument
from policylint.source.document import LoadResult, SourceDocument
from policylint.source.exports import AuthorizationDetails, authorization_details, key_grants, key_metadata
from policylint.source.jsonpos import JsonSyntaxError, ParsedJson, parse_json
from policylint.source.loader import load_text
from policylint.source.locate import JsonLocator
from policylint.source.positions import LineIndex, Range
from policylint.source.text import DecodeError, decode

# What a snapshot built from exports is called (it has no file of its own).
EXPORTS = "<exports>"
_ORGANIZATION_ID = re.compile(r"o-[a-z0-9]{10,32}")


class ExportError(ValueError):
    """An export that cannot be used: one line, `path[:line]: message` when it is about a file."""


class ExportFiles(BaseModel):
    """The exports to build a snapshot from. `key_policies` and `grants` are (key, file) pairs:
    the key is a key ARN, or the key id (or ARN) of one of the `describe_keys` files."""

    model_config = ConfigDict(frozen=True)

    authorization_details: str | None = None
    key_policies: tuple[tuple[str, str], ...] = ()
    grants: tuple[tuple[str, str], ...] = ()
    describe_keys: tuple[str, ...] = ()
    scps: tuple[str, ...] = ()
    organization_id: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.authorization_details or self.key_policies or self.grants or self.describe_keys)


class Built(BaseModel):
    """A snapshot built from exports, and what was left out of it."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    snapshot: Snapshot
    warnings: tuple[str, ...] = ()


def key_file_pair(value: str, option: str) -> tuple[str, str]:
    """`KEY=FILE` of option `option` -> (KEY, FILE)."""
    key, equals, file = value.partition("=")
    if not equals or not key or not file:
        raise ExportError(f"`{option}` takes `KEY_ARN=FILE`, not `{value}`")
    return key, file


# -- reading files -------------------------------------------------------------------------------


class _Json(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: str
    text: str
    parsed: ParsedJson
    lines: LineIndex


def _read_json(path: str) -> _Json:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ExportError(f"{path}: cannot read file: {(error.strerror or str(error)).lower()}") from None
    try:
        text = decode(data).text
    except DecodeError as error:
        line = f":{error.range.start.line}" if error.range is not None else ""
        raise ExportError(f"{path}{line}: {error.message}") from None
    lines = LineIndex(text)
    try:
        parsed = parse_json(text)
    except JsonSyntaxError as error:
        raise ExportError(f"{path}:{lines.position(error.offset).line}: {error.message}") from None
    return _Json(path=path, text=text, parsed=parsed, lines=lines)


def _problems(result: LoadResult) -> None:
    if result.problems:
        problem = result.problems[0]
        line = f":{problem.range.start.line}" if problem.range is not None else ""
        raise ExportError(f"{result.path}{line}: {problem.message}")


def _one_policy(path: str, kind: str) -> tuple[SourceDocument, PolicyDocument]:
    """The one policy of a file: a policy, `get-key-policy` or `describe-policy` output."""
    read = _read_json(path)
    result = load_text(path, read.text)
    _problems(result)
    if len(result.documents) != 1 or not isinstance(result.documents[0].value, dict):
        raise ExportError(f"{path}: the file must hold one policy document (a JSON object)")
    source = result.documents[0]
    return source, build_document(source, kind=kind)


def _dict_items(value: object) -> list[tuple[int, dict]]:
    """(index, item) of the objects of a list (what the export readers keep)."""
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)] if isinstance(value, list) else []


# -- the authorization details export -----------------------------------------------------------


class _Details:
    """An authorization details export: its records, and each policy built once, located."""

    def __init__(self, path: str) -> None:
        read = _read_json(path)
        result = load_text(path, read.text)
        _problems(result)
        if result.format != "authorization-details":
            raise ExportError(f"{path}: not `aws iam get-account-authorization-details` output")
        self.path = path
        self.raw: dict = read.parsed.value  # type: ignore[assignment]
        self.records: AuthorizationDetails = authorization_details(self.raw)
        self._sources = {f"/{d.label}": d for d in result.documents if d.label is not None}
        self._built: dict[tuple[str, str], PolicyDocument] = {}
        self.missing: dict[str, list[str]] = {}
        # Managed policy ARN -> the pointer of its default version's document.
        self.managed: dict[str, str] = {}
        for i, entry in _dict_items(self.raw.get("Policies")):
            default = next((j for j, v in _dict_items(entry.get("PolicyVersionList")) if v.get("IsDefaultVersion") is True), None)
            if default is not None:
                self.managed[str(entry.get("Arn", ""))] = f"/Policies/{i}/PolicyVersionList/{default}/Document"

    def document(self, pointer: str, kind: str) -> PolicyDocument | None:
        """The policy at `pointer` of the export; None when the export holds none there."""
        source = self._sources.get(pointer)
        if source is None:
            return None
        if not isinstance(source.value, dict):
            where = source.locator.value_range("")
            line = f":{where.start.line}" if where is not None else ""
            raise ExportError(f"{self.path}{line}: the policy document is not a JSON object")
        built = self._built.get((pointer, kind))
        if built is None:
            built = self._built[(pointer, kind)] = build_document(source, kind=kind)
        return built

    def entities(self, list_name: str) -> list[tuple[str, dict]]:
        return [(f"/{list_name}/{i}", item) for i, item in _dict_items(self.raw.get(list_name))]

    def inline(self, entity: str, raw: dict, list_name: str) -> list[PolicyDocument]:
        found = []
        for i, _item in _dict_items(raw.get(list_name)):
            document = self.document(f"{entity}/{list_name}/{i}/PolicyDocument", "identity-policy")
            if document is not None:
                found.append(document)
        return found

    def attached(self, arns: Iterable[str], owner: str, kind: str = "identity-policy") -> list[PolicyDocument]:
        found = []
        for arn in arns:
            pointer = self.managed.get(arn)
            document = self.document(pointer, kind) if pointer is not None else None
            if document is None:
                self.missing.setdefault(arn, []).append(owner)
            else:
                found.append(document)
        return found

    def warnings(self) -> list[str]:
        notes = [
            f"managed policy `{arn}` (attached to {', '.join(owners)}) is not in `{self.path}`: its statements are left out"
            for arn, owners in self.missing.items()
        ]
        if self.raw.get("IsTruncated") is True:
            notes.append(f"`{self.path}` is truncated (`IsTruncated`): principals or policies may be missing")
        return notes


def _principal_arn(path: str, arn: str) -> str:
    parsed = parse_arn(arn)
    if parsed is None or parsed.service != "iam" or not is_account_id(parsed.account):
        raise ExportError(f"{path}: `{arn}` is not an IAM principal ARN")
    return arn


def _principals(details: _Details) -> tuple[dict[str, PrincipalEntry], list[str]]:
    records = details.records
    principals: dict[str, PrincipalEntry] = {}
    notes: list[str] = []
    groups = dict(zip((g.name for g in records.groups), details.entities("GroupDetailList")))
    for user, (pointer, raw) in zip(records.users, details.entities("UserDetailList")):
        arn = _principal_arn(details.path, user.arn)
        owner = f"user `{user.name}`"
        policies = details.inline(pointer, raw, "UserPolicyList")
        seen = {a.arn for a in user.attached_policies}
        policies += details.attached((a.arn for a in user.attached_policies), owner)
        for name in user.groups:
            group = next((g for g in records.groups if g.name == name), None)
            if group is None:
                notes.append(f"group `{name}` of user `{user.name}` is not in `{details.path}`: its policies are left out")
                continue
            group_pointer, group_raw = groups[name]
            policies += details.inline(group_pointer, group_raw, "GroupPolicyList")
            new = [a.arn for a in group.attached_policies if a.arn not in seen]
            seen.update(new)
            policies += details.attached(new, f"group `{name}`")
        boundary = user.permissions_boundary
        principals[arn] = PrincipalEntry(
            arn=arn,
            policies=tuple(policies),
            permissions_boundary=_boundary(details, boundary.arn if boundary else None, owner),
            tags=dict(user.tags),
        )
    for role, (pointer, raw) in zip(records.roles, details.entities("RoleDetailList")):
        arn = _principal_arn(details.path, role.arn)
        owner = f"role `{role.name}`"
        policies = details.inline(pointer, raw, "RolePolicyList")
        policies += details.attached((a.arn for a in role.attached_policies), owner)
        boundary = role.permissions_boundary
        principals[arn] = PrincipalEntry(
            arn=arn,
            policies=tuple(policies),
            permissions_boundary=_boundary(details, boundary.arn if boundary else None, owner),
            tags=dict(role.tags),
            trust_policy=details.document(f"{pointer}/AssumeRolePolicyDocument", "trust-policy"),
        )
    return principals, notes


def _boundary(details: _Details, arn: str | None, owner: str) -> PolicyDocument | None:
    if arn is None:
        return None
    found = details.attached((arn,), f"{owner} (as its permissions boundary)")
    return found[0] if found else None


# -- keys ---------------------------------------------------------------------------------------


def _described(paths: Iterable[str]) -> dict[str, str]:
    """Key id and ARN -> ARN, from `aws kms describe-key` files."""
    names: dict[str, str] = {}
    for path in paths:
        value = _read_json(path).parsed.value
        meta = key_metadata(value) if isinstance(value, dict) and isinstance(value.get("KeyMetadata"), dict) else {}
        arn = meta.get("arn")
        if not arn:
            raise ExportError(f"{path}: not `aws kms describe-key` output")
        _key_arn(path, arn)
        names[arn] = arn
        if meta.get("key_id"):
            names[meta["key_id"]] = arn
    return names


def _key_arn(where: str, arn: str) -> str:
    parsed = parse_arn(arn)
    if parsed is None or parsed.service != "kms" or not parsed.resource.startswith("key/") or not is_account_id(parsed.account):
        raise ExportError(f"{where}: `{arn}` is not a KMS key ARN")
    return arn


def _resolve_key(key: str, described: Mapping[str, str], option: str) -> str:
    if key in described:
        return described[key]
    if key.startswith("arn:"):
        return _key_arn(option, key)
    raise ExportError(f"{option}: `{key}` is not a key ARN, nor the key id of a `--describe-key` file")


def _plan_grants(path: str, value: dict, key_arn: str) -> tuple[Grant, ...]:
    """`aws_kms_grant` resources of a `terraform show -json` plan or state for the key `key_arn`:
    those whose `key_id` is that key (ARN or id), or is not known until apply."""
    from policylint.source.terraform_plan import plan_grants

    key_id = key_arn.rsplit("/", 1)[-1]
    grants: list[Grant] = []
    for record in plan_grants(value):
        if record["key_id"] not in (None, key_arn, key_id):
            continue
        if not record["grantee_principal"] or not record["operations"]:
            continue  # values Terraform only knows after apply
        grants.append(_grant(len(grants), {**record, "name": record["name"] or record["address"]}, path, None))
    return tuple(grants)


def _grant(index: int, record: dict, path: str, where: Range | None) -> Grant:
    """A snapshot grant from a plain grant record (`key_grants` / `plan_grants`)."""
    constraints = record["constraints"] or {}
    return Grant(
        index=index,
        name=record["name"] or None,
        grantee=record["grantee_principal"],
        operations=tuple(record["operations"]),
        encryption_context_equals=_pairs(constraints.get("encryption_context_equals")),
        encryption_context_subset=_pairs(constraints.get("encryption_context_subset")),
        path=path,
        range=where,
    )


def _grants(path: str, key_arn: str = "") -> tuple[Grant, ...]:
    read = _read_json(path)
    value = read.parsed.value
    if isinstance(value, dict) and "format_version" in value and ("planned_values" in value or "values" in value):
        return _plan_grants(path, value, key_arn)
    if not isinstance(value, dict) or not isinstance(value.get("Grants"), list):
        raise ExportError(f"{path}: not `aws kms list-grants` output")
    locator = JsonLocator(read.text, read.lines)
    grants: list[Grant] = []
    for (index, _raw), record in zip(_dict_items(value["Grants"]), key_grants(value)):
        pointer = f"/Grants/{index}"
        where = locator.value_range(pointer)
        line = f":{where.start.line}" if where is not None else ""
        if not record["grantee_principal"]:
            raise ExportError(f"{path}{line}: the grant has no `GranteePrincipal`")
        if not record["operations"]:
            raise ExportError(f"{path}{line}: the grant has no `Operations`")
        for operation in record["operations"]:
            if grant_operation_action(operation) is None:
                raise ExportError(f"{path}{line}: `{operation}` is not a grant operation")
        grants.append(_grant(len(grants), record, path, where))
    return tuple(grants)


def _pairs(value: object) -> dict[str, str] | None:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) and value else None


def _keys(files: ExportFiles) -> dict[str, KeyEntry]:
    described = _described(files.describe_keys)
    policies: dict[str, PolicyDocument] = {}
    for key, path in files.key_policies:
        arn = _resolve_key(key, described, "--key-policy")
        if arn in policies:
            raise ExportError(f"--key-policy: key `{arn}` is given twice")
        policies[arn] = _one_policy(path, "key-policy")[1]
    grants: dict[str, tuple[Grant, ...]] = {}
    for key, path in files.grants:
        arn = _resolve_key(key, described, "--grants")
        grants[arn] = grants.get(arn, ()) + _grants(path, arn)
    arns = dict.fromkeys([*described.values(), *policies, *grants])
    return {
        arn: KeyEntry(arn=arn, account=arn.split(":")[4], policy=policies.get(arn), grants=_renumbered(grants.get(arn, ())))
        for arn in arns
    }


def _renumbered(grants: tuple[Grant, ...]) -> tuple[Grant, ...]:
    return tuple(grant.model_copy(update={"index": i}) for i, grant in enumerate(grants))


# -- organizations ------------------------------------------------------------------------------


def _accounts(files: ExportFiles, homes: Iterable[str]) -> dict[str, AccountEntry]:
    organization = files.organization_id
    if organization is not None and not _ORGANIZATION_ID.fullmatch(organization):
        raise ExportError(f"`{organization}` is not an organization id (`o-` and 10 to 32 letters or digits)")
    scps: list[PolicyDocument] = []
    rcps: list[PolicyDocument] = []
    for path in files.scps:
        source, document = _one_policy(path, "scp")
        (rcps if source.kind == "rcp" else scps).append(document)
    homes = list(dict.fromkeys(homes))
    if not (scps or rcps or organization):
        return {}
    if not homes:
        raise ExportError("`--scp` and `--organization-id` need the account: give `--authorization-details` or a key")
    return {
        account: AccountEntry(
            account=account,
            organization=organization,
            scps=(tuple(scps),) if scps else (),
            rcps=(tuple(rcps),) if rcps else (),
        )
        for account in homes
    }


def build_from_exports(files: ExportFiles) -> Built:
    """The snapshot the exports describe. Raises `ExportError` for an unusable file."""
    if files.empty:
        raise ExportError("give `--authorization-details FILE` or keys (`--key-policy KEY_ARN=FILE`, `--describe-key FILE`)")
    principals: dict[str, PrincipalEntry] = {}
    notes: list[str] = []
    if files.authorization_details is not None:
        details = _Details(files.authorization_details)
        principals, notes = _principals(details)
        notes = details.warnings() + notes
    keys = _keys(files)
    homes = [arn.split(":")[4] for arn in principals] or [entry.account for entry in keys.values() if entry.account]
    snapshot = Snapshot(
        path=files.authorization_details or EXPORTS,
        accounts=_accounts(files, homes),
        keys=keys,
        principals=principals,
    )
    return Built(snapshot=snapshot, warnings=tuple(notes))


# -- writing a snapshot file ----------------------------------------------------------------------


def _raw(document: PolicyDocument) -> Any:
    return document.raw


def _levels(levels: tuple[tuple[PolicyDocument, ...], ...]) -> list[Any]:
    if len(levels) == 1:
        return [_raw(d) for d in levels[0]]
    return [[_raw(d) for d in level] for level in levels]


def _grant_data(grant: Grant) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if grant.name is not None:
        data["name"] = grant.name
    data["grantee"] = grant.grantee
    data["operations"] = list(grant.operations)
    constraints = {
        name: dict(value)
        for name, value in (
            ("encryption_context_equals", grant.encryption_context_equals),
            ("encryption_context_subset", grant.encryption_context_subset),
        )
        if value is not None
    }
    if constraints:
        data["constraints"] = constraints
    return data


def _principal_data(entry: PrincipalEntry) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if entry.policies:
        data["policies"] = [_raw(d) for d in entry.policies]
    for name in ("permissions_boundary", "session_policy", "trust_policy"):
        document = getattr(entry, name)
        if document is not None:
            data[name] = _raw(document)
    if entry.tags:
        data["tags"] = dict(entry.tags)
    return data


def snapshot_data(snapshot: Snapshot) -> dict[str, Any]:
    """`snapshot` in the snapshot file format, every policy inline (empty sections left out)."""
    accounts = {}
    for account, entry in snapshot.accounts.items():
        data: dict[str, Any] = {}
        if entry.organization is not None:
            data["organization"] = entry.organization
        if entry.scps:
            data["scps"] = _levels(entry.scps)
        if entry.rcps:
            data["rcps"] = _levels(entry.rcps)
        accounts[account] = data
    keys = {}
    for arn, key in snapshot.keys.items():
        data = {}
        if key.policy is not None:
            data["policy"] = _raw(key.policy)
        if key.grants:
            data["grants"] = [_grant_data(g) for g in key.grants]
        keys[arn] = data
    resources = {
        arn: {"account": entry.account, **({"policy": _raw(entry.policy)} if entry.policy is not None else {})}
        for arn, entry in snapshot.resources.items()
    }
    endpoints = {
        name: {"policy": _raw(entry.policy)} if entry.policy is not None else {}
        for name, entry in snapshot.vpc_endpoints.items()
    }
    principals = {arn: _principal_data(entry) for arn, entry in snapshot.principals.items()}
    sections = (
        ("accounts", accounts),
        ("keys", keys),
        ("resources", resources),
        ("principals", principals),
        ("vpc_endpoints", endpoints),
    )
    return {name: value for name, value in sections if value}


def snapshot_json(snapshot: Snapshot) -> str:
    """The snapshot file text (JSON) for `snapshot`."""
    return json.dumps(snapshot_data(snapshot), indent=2, ensure_ascii=False) + "\n"
