"""AWS CLI exports: the policies they hold (for `check`) and plain records (for snapshots).

- `aws iam get-account-authorization-details`: inline user / group / role policies
  (identity-policy), role trust policies (trust-policy), and the default version of each managed
  policy (identity-policy). A document is a JSON object (positions exact) or, as the IAM API
  returns it, a URL-encoded JSON string: that is decoded with `urllib.parse.unquote`, and every
  finding in it points at the start of the encoded string (offsets inside the decoded text do not
  map back to the encoded one).
- `aws organizations describe-policy`: the `Content` JSON string, an SCP (or an RCP when the
  summary's `Type` is `RESOURCE_CONTROL_POLICY`), located inside the string.
- `aws organizations list-policies`, `aws iam list-policies`, `aws kms list-grants`,
  `aws kms describe-key`: no policy text; recognised so that they are not mistaken for policies.
  `key_grants` and `key_metadata` read the last two for the snapshot builder.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict

from policylint.source.containers import (
    FileSpans,
    LazyStringLocator,
    PolicyLocator,
    embedded_duplicates,
    mapped_duplicates,
    parse_string_policy,
)
from policylint.source.document import FileProblem, LoadResult, SourceDocument
from policylint.source.jsonpos import ParsedJson
from policylint.source.positions import LineIndex
from policylint.source.sniff import export_format

_ARN_ACCOUNT = re.compile(r"^arn:[^:]*:iam::(\d{12}):")
_SCP_TYPES = {"SERVICE_CONTROL_POLICY": "scp", "RESOURCE_CONTROL_POLICY": "rcp"}


# ---------------------------------------------------------------- recognising and reading


def read_json(path: str, parsed: ParsedJson, lines: LineIndex, /, *, account: str | None = None) -> LoadResult | None:
    """An AWS CLI export, or None when the JSON is not one."""
    name = export_format(parsed.value)
    if name is None:
        return None
    file = FileSpans(lines, text=parsed.text)
    if name == "authorization-details":
        found = list(_authorization_documents(path, parsed, file, account))
    elif name == "describe-policy":
        found = [_organizations_policy(path, parsed.value, file)]  # type: ignore[arg-type]
    else:
        found = []
    documents = tuple(d for d in found if isinstance(d, SourceDocument))
    problems = tuple(d for d in found if isinstance(d, FileProblem))
    return LoadResult(path=path, documents=documents, problems=problems, format=name)


def _organizations_policy(path: str, value: dict, file: FileSpans) -> SourceDocument | FileProblem:
    policy = value["Policy"]
    summary = policy["PolicySummary"]
    text = policy["Content"]
    parsed = parse_string_policy(text, file, "/Policy/Content")
    if isinstance(parsed, FileProblem):
        return parsed
    inner = LazyStringLocator(file, "/Policy/Content", text)
    context = tuple((k, str(summary[v])) for k, v in (("policy", "Name"), ("id", "Id")) if isinstance(summary.get(v), str))
    return SourceDocument(
        path=path,
        value=parsed.value,
        locator=PolicyLocator(file, {}, inner=inner),
        kind=_SCP_TYPES.get(summary["Type"], "scp") if isinstance(summary.get("Type"), str) else "scp",
        label="Policy/Content",
        context=context,
        text=text,
        violations=embedded_duplicates(parsed, inner),
    )


def _arn_account(arn: object) -> str | None:
    match = _ARN_ACCOUNT.match(arn) if isinstance(arn, str) else None
    return match.group(1) if match else None


def _authorization_documents(path: str, parsed: ParsedJson, file: FileSpans, account: str | None):  # noqa: ANN202
    """Every policy of an authorization details export, in file order."""
    value: dict = parsed.value  # type: ignore[assignment]
    for list_name, name_key, policies_key, who in (
        ("UserDetailList", "UserName", "UserPolicyList", "user"),
        ("GroupDetailList", "GroupName", "GroupPolicyList", "group"),
        ("RoleDetailList", "RoleName", "RolePolicyList", "role"),
    ):
        entries = value.get(list_name)
        for index, entry in enumerate(entries if isinstance(entries, list) else ()):
            if not isinstance(entry, dict):
                continue
            owner = account or _arn_account(entry.get("Arn"))
            base = f"/{list_name}/{index}"
            name = str(entry.get(name_key, ""))
            if who == "role" and "AssumeRolePolicyDocument" in entry:
                yield _document(
                    path, parsed, file, entry["AssumeRolePolicyDocument"], f"{base}/AssumeRolePolicyDocument",
                    "trust-policy", owner, ((who, name),),
                )
            inline = entry.get(policies_key)
            for number, item in enumerate(inline if isinstance(inline, list) else ()):
                if isinstance(item, dict) and "PolicyDocument" in item:
                    yield _document(
                        path, parsed, file, item["PolicyDocument"], f"{base}/{policies_key}/{number}/PolicyDocument",
                        "identity-policy", owner, ((who, name), ("policy", str(item.get("PolicyName", "")))),
                    )
    policies = value.get("Policies")
    for index, policy in enumerate(policies if isinstance(policies, list) else ()):
        if not isinstance(policy, dict):
            continue
        versions = policy.get("PolicyVersionList")
        for number, version in enumerate(versions if isinstance(versions, list) else ()):
            if isinstance(version, dict) and version.get("IsDefaultVersion") is True and "Document" in version:
                arn = str(policy.get("Arn", ""))
                yield _document(
                    path, parsed, file, version["Document"], f"/Policies/{index}/PolicyVersionList/{number}/Document",
                    "identity-policy", account or _arn_account(arn), (("policy", arn), ("version", str(version.get("VersionId", "")))),
                )


def _document(
    path: str,
    parsed: ParsedJson,
    file: FileSpans,
    document: object,
    pointer: str,
    kind: str,
    account: str | None,
    context: tuple[tuple[str, str], ...],
) -> SourceDocument | FileProblem:
    label = pointer.lstrip("/")
    if isinstance(document, str):
        text = unquote(document)
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            return FileProblem("PL001", "embedded policy: the URL-encoded document is not JSON", file.value_range(pointer), pointer)
        return SourceDocument(
            path=path, value=value, locator=PolicyLocator(file, {"": pointer}), kind=kind, account=account,
            label=label, context=context, text=text,
        )
    violations = ()
    if parsed.has_duplicates:
        violations = mapped_duplicates(file.index, _prefix_mapping(document, pointer))
    return SourceDocument(
        path=path, value=document, locator=PolicyLocator(file, prefix=pointer), kind=kind, account=account,
        label=label, context=context, violations=violations,
    )


def _prefix_mapping(value: object, prefix: str) -> dict[str, str]:
    """Policy pointer -> container pointer of every container element (for duplicate keys)."""
    from policylint.source.positions import escape_pointer_token

    mapping: dict[str, str] = {}
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        pointer, item = stack.pop()
        mapping[pointer] = prefix + pointer
        if isinstance(item, dict):
            stack.extend((f"{pointer}/{escape_pointer_token(k)}", v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((f"{pointer}/{i}", v) for i, v in enumerate(item))
    return mapping


# ---------------------------------------------------------------- records for the snapshot builder


class AttachedPolicy(BaseModel):
    """A managed policy attached to a user, group or role (or set as a permissions boundary);
    `document` is its default version when the export holds it."""

    model_config = ConfigDict(frozen=True)

    name: str
    arn: str
    document: Any = None


class InlinePolicy(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    document: Any = None


class ManagedPolicy(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    arn: str
    id: str | None = None
    path: str = "/"
    default_version_id: str | None = None
    document: Any = None
    attachment_count: int | None = None
    is_attachable: bool | None = None


class User(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    arn: str
    id: str | None = None
    path: str = "/"
    inline_policies: tuple[InlinePolicy, ...] = ()
    attached_policies: tuple[AttachedPolicy, ...] = ()
    permissions_boundary: AttachedPolicy | None = None
    groups: tuple[str, ...] = ()
    tags: dict[str, str] = {}


class Group(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    arn: str
    id: str | None = None
    path: str = "/"
    inline_policies: tuple[InlinePolicy, ...] = ()
    attached_policies: tuple[AttachedPolicy, ...] = ()


class Role(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    arn: str
    id: str | None = None
    path: str = "/"
    trust_policy: Any = None
    inline_policies: tuple[InlinePolicy, ...] = ()
    attached_policies: tuple[AttachedPolicy, ...] = ()
    permissions_boundary: AttachedPolicy | None = None
    tags: dict[str, str] = {}


class AuthorizationDetails(BaseModel):
    """An account's IAM users, groups, roles and managed policies, with their documents decoded
    (None where a document is missing or not JSON)."""

    model_config = ConfigDict(frozen=True)

    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    roles: tuple[Role, ...] = ()
    policies: tuple[ManagedPolicy, ...] = ()

    def policy(self, arn: str) -> ManagedPolicy | None:
        return next((p for p in self.policies if p.arn == arn), None)

    def groups_of(self, user: User) -> tuple[Group, ...]:
        """The groups `user` belongs to (those present in the export)."""
        return tuple(g for g in self.groups if g.name in user.groups)


def _decode(document: object) -> object:
    if isinstance(document, str):
        try:
            return json.loads(unquote(document))
        except (ValueError, RecursionError):
            return None
    return document


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: object) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _tags(value: object) -> dict[str, str]:
    return {str(t.get("Key")): str(t.get("Value", "")) for t in _list(value) if "Key" in t}


def authorization_details(path_or_data: str | os.PathLike | dict) -> AuthorizationDetails:
    """Read `aws iam get-account-authorization-details` output (a file path, or its parsed JSON)."""
    if isinstance(path_or_data, dict):
        data = path_or_data
    else:
        loaded = json.loads(Path(path_or_data).read_text(encoding="utf-8-sig"))
        data = loaded if isinstance(loaded, dict) else {}
    policies = []
    for entry in _list(data.get("Policies")):
        default = next((v for v in _list(entry.get("PolicyVersionList")) if v.get("IsDefaultVersion") is True), None)
        policies.append(
            ManagedPolicy(
                name=str(entry.get("PolicyName", "")),
                arn=str(entry.get("Arn", "")),
                id=_text(entry.get("PolicyId")),
                path=str(entry.get("Path", "/")),
                default_version_id=_text(entry.get("DefaultVersionId")),
                document=_decode(default.get("Document")) if default else None,
                attachment_count=entry.get("AttachmentCount") if isinstance(entry.get("AttachmentCount"), int) else None,
                is_attachable=entry.get("IsAttachable") if isinstance(entry.get("IsAttachable"), bool) else None,
            )
        )
    documents = {p.arn: p.document for p in policies}

    def attached(items: object) -> tuple[AttachedPolicy, ...]:
        return tuple(
            AttachedPolicy(name=str(a.get("PolicyName", "")), arn=str(a.get("PolicyArn", "")), document=documents.get(str(a.get("PolicyArn", ""))))
            for a in _list(items)
        )

    def inline(items: object) -> tuple[InlinePolicy, ...]:
        return tuple(InlinePolicy(name=str(i.get("PolicyName", "")), document=_decode(i.get("PolicyDocument"))) for i in _list(items))

    def boundary(item: object) -> AttachedPolicy | None:
        if not isinstance(item, dict) or not isinstance(item.get("PermissionsBoundaryArn"), str):
            return None
        arn = item["PermissionsBoundaryArn"]
        return AttachedPolicy(name=arn.rsplit("/", 1)[-1], arn=arn, document=documents.get(arn))

    users = tuple(
        User(
            name=str(u.get("UserName", "")),
            arn=str(u.get("Arn", "")),
            id=_text(u.get("UserId")),
            path=str(u.get("Path", "/")),
            inline_policies=inline(u.get("UserPolicyList")),
            attached_policies=attached(u.get("AttachedManagedPolicies")),
            permissions_boundary=boundary(u.get("PermissionsBoundary")),
            groups=tuple(str(g) for g in u.get("GroupList", ()) if isinstance(g, str)) if isinstance(u.get("GroupList"), list) else (),
            tags=_tags(u.get("Tags")),
        )
        for u in _list(data.get("UserDetailList"))
    )
    groups = tuple(
        Group(
            name=str(g.get("GroupName", "")),
            arn=str(g.get("Arn", "")),
            id=_text(g.get("GroupId")),
            path=str(g.get("Path", "/")),
            inline_policies=inline(g.get("GroupPolicyList")),
            attached_policies=attached(g.get("AttachedManagedPolicies")),
        )
        for g in _list(data.get("GroupDetailList"))
    )
    roles = tuple(
        Role(
            name=str(r.get("RoleName", "")),
            arn=str(r.get("Arn", "")),
            id=_text(r.get("RoleId")),
            path=str(r.get("Path", "/")),
            trust_policy=_decode(r.get("AssumeRolePolicyDocument")),
            inline_policies=inline(r.get("RolePolicyList")),
            attached_policies=attached(r.get("AttachedManagedPolicies")),
            permissions_boundary=boundary(r.get("PermissionsBoundary")),
            tags=_tags(r.get("Tags")),
        )
        for r in _list(data.get("RoleDetailList"))
    )
    return AuthorizationDetails(users=users, groups=groups, roles=roles, policies=tuple(policies))


def key_grants(data: dict) -> list[dict]:
    """`aws kms list-grants` output -> plain grant records (the shape `plan_grants` returns)."""
    grants = []
    for grant in _list(data.get("Grants")):
        constraints = grant.get("Constraints")
        grants.append(
            {
                "address": None,
                "key_id": _text(grant.get("KeyId")),
                "key_address": None,
                "grantee_principal": _text(grant.get("GranteePrincipal")),
                "retiring_principal": _text(grant.get("RetiringPrincipal")),
                "operations": [str(o) for o in grant.get("Operations", ()) if isinstance(o, str)] if isinstance(grant.get("Operations"), list) else [],
                "constraints": None
                if not isinstance(constraints, dict)
                else {
                    "encryption_context_equals": constraints.get("EncryptionContextEquals") or None,
                    "encryption_context_subset": constraints.get("EncryptionContextSubset") or None,
                },
                "name": _text(grant.get("Name")),
                "grant_id": _text(grant.get("GrantId")),
                "issuing_account": _issuing_account(grant.get("IssuingAccount")),
            }
        )
    return grants


def _issuing_account(value: object) -> str | None:
    """`IssuingAccount` is an ARN (`arn:aws:iam::111122223333:root`) or an account id."""
    if not isinstance(value, str):
        return None
    return _arn_account(value) or value


def key_metadata(data: dict) -> dict:
    """`aws kms describe-key` output -> `account`, `key_id`, `arn`, `region`, `key_state`,
    `enabled`, `key_manager`, `key_usage`, `key_spec`, `origin`, `multi_region`, `description`."""
    meta = data.get("KeyMetadata") if isinstance(data.get("KeyMetadata"), dict) else {}
    arn = _text(meta.get("Arn"))
    region = arn.split(":")[3] if arn and arn.count(":") >= 5 else None
    return {
        "account": _text(meta.get("AWSAccountId")),
        "key_id": _text(meta.get("KeyId")),
        "arn": arn,
        "region": region or None,
        "key_state": _text(meta.get("KeyState")),
        "enabled": meta.get("Enabled") if isinstance(meta.get("Enabled"), bool) else None,
        "key_manager": _text(meta.get("KeyManager")),
        "key_usage": _text(meta.get("KeyUsage")),
        "key_spec": _text(meta.get("KeySpec") or meta.get("CustomerMasterKeySpec")),
        "origin": _text(meta.get("Origin")),
        "multi_region": meta.get("MultiRegion") if isinstance(meta.get("MultiRegion"), bool) else None,
        "description": _text(meta.get("Description")),
    }
