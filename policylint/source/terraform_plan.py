"""`terraform show -json` plan and state files -> the policies their resources hold; KMS grants.

Recognised by `format_version` plus `planned_values`, `values`, `resource_changes` or
`prior_state`. Resources are read from `planned_values` (a plan) or `values` (state), root and
child modules; data sources also from `prior_state`. Policies there are JSON strings: findings
point inside the string in the plan file. A `data.aws_iam_policy_document` whose `json` is the
same text as a resource's policy is not checked twice. Values Terraform does not know yet
(computed at apply time) are absent from the plan, so such policies are simply not there.

The table of which Terraform resources hold which policies is shared with the `.tf` reader.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from policylint.source.containers import (
    FileSpans,
    LazyStringLocator,
    PolicyLocator,
    embedded_duplicates,
    is_true,
    lockout_violation,
    parse_string_policy,
)
from policylint.source.document import FileProblem, LoadResult, SourceDocument
from policylint.source.jsonpos import ParsedJson
from policylint.source.positions import LineIndex, escape_pointer_token
from policylint.source.sniff import is_plan

# Resource type -> (attribute holding a policy, kind).
POLICY_ATTRIBUTES: dict[str, tuple[tuple[str, str], ...]] = {
    "aws_kms_key": (("policy", "key-policy"),),
    "aws_kms_external_key": (("policy", "key-policy"),),
    "aws_kms_replica_key": (("policy", "key-policy"),),
    "aws_kms_replica_external_key": (("policy", "key-policy"),),
    "aws_kms_key_policy": (("policy", "key-policy"),),
    "aws_iam_policy": (("policy", "identity-policy"),),
    "aws_iam_role_policy": (("policy", "identity-policy"),),
    "aws_iam_user_policy": (("policy", "identity-policy"),),
    "aws_iam_group_policy": (("policy", "identity-policy"),),
    "aws_iam_role": (("assume_role_policy", "trust-policy"),),
    "aws_s3_bucket_policy": (("policy", "resource-policy"),),
    "aws_sns_topic_policy": (("policy", "resource-policy"),),
    "aws_sqs_queue_policy": (("policy", "resource-policy"),),
    "aws_secretsmanager_secret_policy": (("policy", "resource-policy"),),
}
# Blocks of a resource that hold policies: resource type -> (block, attribute, kind).
POLICY_BLOCKS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "aws_iam_role": (("inline_policy", "policy", "identity-policy"),),
}
# Key resources with `bypass_policy_lockout_safety_check`.
LOCKOUT_ATTRIBUTE = "bypass_policy_lockout_safety_check"
KEY_TYPES = frozenset(
    {"aws_kms_key", "aws_kms_external_key", "aws_kms_replica_key", "aws_kms_replica_external_key", "aws_kms_key_policy"}
)
POLICY_DOCUMENT_TYPE = "aws_iam_policy_document"

_SECTIONS = ("/planned_values", "/values", "/prior_state/values")


def _modules(value: dict) -> Iterator[tuple[str, dict]]:
    """(pointer, module) of every module under the plan's sections, root first."""
    for section in _SECTIONS:
        holder: object = value
        for token in section.strip("/").split("/"):
            holder = holder.get(token) if isinstance(holder, dict) else None
        root = holder.get("root_module") if isinstance(holder, dict) else None
        if not isinstance(root, dict):
            continue
        stack = [(section + "/root_module", root)]
        while stack:
            pointer, module = stack.pop(0)
            yield pointer, module
            children = module.get("child_modules")
            if isinstance(children, list):
                stack.extend((f"{pointer}/child_modules/{i}", c) for i, c in enumerate(children) if isinstance(c, dict))


def _resources(value: dict) -> Iterator[tuple[str, dict]]:
    """(pointer, resource) of every resource, each address once (planned values before prior state)."""
    seen: set[str] = set()
    for pointer, module in _modules(value):
        resources = module.get("resources")
        if not isinstance(resources, list):
            continue
        prior = pointer.startswith("/prior_state")
        for index, resource in enumerate(resources):
            if not isinstance(resource, dict) or not isinstance(resource.get("values"), dict):
                continue
            address = str(resource.get("address", ""))
            if address in seen or (prior and resource.get("mode") != "data"):
                continue
            seen.add(address)
            yield f"{pointer}/resources/{index}", resource


def _caller_account(value: dict) -> str | None:
    for _pointer, resource in _resources(value):
        if resource.get("type") == "aws_caller_identity":
            account = resource["values"].get("account_id")
            if isinstance(account, str) and account:
                return account
    return None


def read_json(path: str, parsed: ParsedJson, lines: LineIndex, /, *, account: str | None = None) -> LoadResult | None:
    """A plan or state file, or None when the JSON is not one."""
    if not is_plan(parsed.value):
        return None
    value: dict = parsed.value  # type: ignore[assignment]
    file = FileSpans(lines, text=parsed.text)
    owner = account or _caller_account(value)
    documents: list[SourceDocument] = []
    problems: list[FileProblem] = []
    resource_texts: set[str] = set()
    data_sources: list[tuple[str, dict]] = []
    for pointer, resource in _resources(value):
        kind_of = resource.get("type")
        address = str(resource.get("address", ""))
        if resource.get("mode") == "data":
            if kind_of == POLICY_DOCUMENT_TYPE:
                data_sources.append((pointer, resource))
            continue
        values = resource["values"]
        lockout = kind_of in KEY_TYPES and is_true(values.get(LOCKOUT_ATTRIBUTE))
        for attribute, kind in POLICY_ATTRIBUTES.get(kind_of, ()):  # type: ignore[arg-type]
            at = f"{pointer}/values/{escape_pointer_token(attribute)}"
            found = _embedded(path, file, values.get(attribute), at, kind, owner, f"{address}.{attribute}", address, attribute)
            if found is None:
                continue
            if isinstance(found, FileProblem):
                problems.append(found)
                continue
            resource_texts.add(values[attribute])
            if lockout:
                found = _with_lockout(found, f"{pointer}/values/{LOCKOUT_ATTRIBUTE}")
            documents.append(found)
        for block, attribute, kind in POLICY_BLOCKS.get(kind_of, ()):  # type: ignore[arg-type]
            items = values.get(block)
            for index, item in enumerate(items if isinstance(items, list) else ()):
                if not isinstance(item, dict):
                    continue
                at = f"{pointer}/values/{block}/{index}/{attribute}"
                where = f"{block}[{index}].{attribute}"
                found = _embedded(path, file, item.get(attribute), at, kind, owner, f"{address}.{where}", address, where)
                if isinstance(found, FileProblem):
                    problems.append(found)
                elif found is not None:
                    resource_texts.add(item[attribute])
                    documents.append(found)
    for pointer, resource in data_sources:
        text = resource["values"].get("json")
        if text in resource_texts:
            continue
        address = str(resource.get("address", ""))
        found = _embedded(path, file, text, f"{pointer}/values/json", None, owner, address, address, "json")
        if isinstance(found, FileProblem):
            problems.append(found)
        elif found is not None:
            documents.append(found)
    return LoadResult(path=path, documents=tuple(documents), problems=tuple(problems), format="terraform-plan")


def _embedded(
    path: str,
    file: FileSpans,
    text: object,
    pointer: str,
    kind: str | None,
    account: str | None,
    label: str,
    address: str,
    attribute: str,
) -> SourceDocument | FileProblem | None:
    """The policy held by the JSON string at `pointer`; None when there is none."""
    if not isinstance(text, str) or not text.strip():
        return None
    parsed = parse_string_policy(text, file, pointer)
    if isinstance(parsed, FileProblem):
        return parsed
    inner = LazyStringLocator(file, pointer, text)
    return SourceDocument(
        path=path,
        value=parsed.value,
        locator=PolicyLocator(file, {}, inner=inner),
        kind=kind,
        account=account,
        label=label,
        context=(("resource", address), ("attribute", attribute)),
        text=text,
        violations=embedded_duplicates(parsed, inner),
    )


def _with_lockout(document: SourceDocument, target: str) -> SourceDocument:
    """Add PL215; its pointer `1/bypass_policy_lockout_safety_check` is mapped to the attribute."""
    locator = document.locator
    if isinstance(locator, PolicyLocator):
        locator = locator.with_outside(f"1/{LOCKOUT_ATTRIBUTE}", target)
    return replace(document, locator=locator, violations=document.violations + (lockout_violation(LOCKOUT_ATTRIBUTE),))


def _load(path_or_data: str | os.PathLike | dict) -> dict:
    if isinstance(path_or_data, dict):
        return path_or_data
    data = json.loads(Path(path_or_data).read_text(encoding="utf-8-sig"))
    return data if isinstance(data, dict) else {}


def plan_grants(path_or_data: str | os.PathLike | dict) -> list[dict]:
    """The `aws_kms_grant` resources of a plan or state file, as plain grant records.

    Each record: `address`, `key_id`, `key_address` (the key resource `key_id` refers to, from the
    plan's configuration, e.g. `aws_kms_key.app`, when the key is created by the same plan and its
    id is not known yet), `grantee_principal`, `retiring_principal`, `operations` (list),
    `constraints` (`{"encryption_context_equals": {...} | None, "encryption_context_subset":
    {...} | None}` or None), `name`, `grant_id`, `issuing_account` (None: a plan does not say).
    Values Terraform does not know yet are None.
    """
    data = _load(path_or_data)
    references = _key_references(data)
    grants = []
    for _pointer, resource in _resources(data):
        if resource.get("type") != "aws_kms_grant" or resource.get("mode") == "data":
            continue
        values = resource["values"]
        constraints = values.get("constraints")
        block = constraints[0] if isinstance(constraints, list) and constraints and isinstance(constraints[0], dict) else None
        grants.append(
            {
                "address": resource.get("address"),
                "key_id": values.get("key_id"),
                "key_address": references.get(str(resource.get("address"))),
                "grantee_principal": values.get("grantee_principal"),
                "retiring_principal": values.get("retiring_principal"),
                "operations": list(values.get("operations") or []),
                "constraints": None
                if block is None
                else {
                    "encryption_context_equals": block.get("encryption_context_equals") or None,
                    "encryption_context_subset": block.get("encryption_context_subset") or None,
                },
                "name": values.get("name"),
                "grant_id": values.get("grant_id"),
                "issuing_account": None,
            }
        )
    return grants


def _key_references(data: dict) -> dict[str, str]:
    """Grant address -> the key resource its `key_id` expression refers to (root module only)."""
    configuration = data.get("configuration")
    root = configuration.get("root_module") if isinstance(configuration, dict) else None
    found: dict[str, str] = {}
    for resource in root.get("resources", ()) if isinstance(root, dict) else ():
        if not isinstance(resource, dict) or resource.get("type") != "aws_kms_grant":
            continue
        expression = (resource.get("expressions") or {}).get("key_id")
        references = expression.get("references") if isinstance(expression, dict) else None
        for reference in references if isinstance(references, list) else ():
            if isinstance(reference, str) and reference.count(".") == 1:
                found[str(resource.get("address"))] = reference
                break
    return found
