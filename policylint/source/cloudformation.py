"""CloudFormation templates (JSON and YAML) -> the policies their resources hold.

A template is recognised by its content: `AWSTemplateFormatVersion`, or `Resources` whose values
have a `Type` starting with `AWS::`. Each policy property of a known resource type becomes one
document, with its intrinsics resolved (`policylint.source.intrinsics`); a policy that uses
`Fn::If` becomes one document per combination of branches (see `intrinsics.choice_sets`), each
labelled with the branches taken. A policy written as a JSON string (`KeyPolicy: '{...}'`) is
read as JSON text; when that string is built by an intrinsic (`Fn::Sub`, `Fn::Join`) its
findings point at the whole intrinsic.

Without `--account`, `AWS::AccountId` stays the placeholder `${AWS::AccountId}` and the documents'
account is that same text, so that `arn:aws:iam::${AWS::AccountId}:root` is the key's own account.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from policylint.source.containers import (
    FileSpans,
    PiecewiseOffsets,
    PolicyLocator,
    embedded_duplicates,
    is_true,
    lockout_violation,
    mapped_duplicates,
    parse_embedded,
    string_offsets,
)
from policylint.source.document import FileProblem, LoadResult, SourceDocument
from policylint.source.intrinsics import REMOVED, Context, choice_sets, condition_names, describe_choices, resolve
from policylint.source.jsonpos import ParsedJson
from policylint.source.locate import JsonLocator
from policylint.source.positions import LineIndex, escape_pointer_token
from policylint.source.sniff import is_template

if TYPE_CHECKING:
    from policylint.source.cfn_yaml import YamlDocument

ACCOUNT_PLACEHOLDER = "${AWS::AccountId}"
_LINE_END = re.compile(r"\r\n|\r|\n")

# Resource type -> (property path, kind); `*` stands for every item of a list.
POLICY_PROPERTIES: dict[str, tuple[tuple[str, str], ...]] = {
    "AWS::KMS::Key": (("KeyPolicy", "key-policy"),),
    "AWS::KMS::ReplicaKey": (("KeyPolicy", "key-policy"),),
    "AWS::IAM::Policy": (("PolicyDocument", "identity-policy"),),
    "AWS::IAM::ManagedPolicy": (("PolicyDocument", "identity-policy"),),
    "AWS::IAM::RolePolicy": (("PolicyDocument", "identity-policy"),),
    "AWS::IAM::UserPolicy": (("PolicyDocument", "identity-policy"),),
    "AWS::IAM::GroupPolicy": (("PolicyDocument", "identity-policy"),),
    "AWS::IAM::Role": (("AssumeRolePolicyDocument", "trust-policy"), ("Policies/*/PolicyDocument", "identity-policy")),
    "AWS::IAM::User": (("Policies/*/PolicyDocument", "identity-policy"),),
    "AWS::IAM::Group": (("Policies/*/PolicyDocument", "identity-policy"),),
    "AWS::S3::BucketPolicy": (("PolicyDocument", "resource-policy"),),
    "AWS::SNS::TopicPolicy": (("PolicyDocument", "resource-policy"),),
    "AWS::SQS::QueuePolicy": (("PolicyDocument", "resource-policy"),),
    "AWS::SecretsManager::ResourcePolicy": (("ResourcePolicy", "resource-policy"),),
}

# Key resources whose property turns off KMS's key policy lockout safety check.
LOCKOUT_PROPERTY = "BypassPolicyLockoutSafetyCheck"
_KEY_TYPES = frozenset({"AWS::KMS::Key", "AWS::KMS::ReplicaKey"})


@dataclass(frozen=True)
class _Template:
    """A template's value and how to locate its elements."""

    path: str
    value: dict
    file: FileSpans
    literal_blocks: dict[str, tuple[int, int]]
    account: str | None
    is_json: bool


def read_json(path: str, parsed: ParsedJson, lines: LineIndex, /, *, account: str | None = None) -> LoadResult | None:
    """A JSON template, or None when the JSON is not a template."""
    if not is_template(parsed.value):
        return None
    template = _Template(path, parsed.value, FileSpans(lines, text=parsed.text), {}, account, is_json=True)  # type: ignore[arg-type]
    return _read(template, check_duplicates=parsed.has_duplicates)


def read_yaml(path: str, text: str, lines: LineIndex, /, *, account: str | None = None) -> LoadResult:
    """A YAML file: a template's policies; nothing for YAML that is not a template."""
    from policylint.source.cfn_yaml import YamlProblem, load_yaml  # PyYAML only for YAML files

    try:
        document: YamlDocument | None = load_yaml(text)
    except YamlProblem as problem:
        if not _looks_like_template(text):
            return LoadResult(path=path, format="yaml")
        where = None
        if problem.offset is not None:
            where = lines.range(problem.offset, min(problem.offset + 1, len(text)))
        return LoadResult(path=path, problems=(FileProblem("PL001", problem.message, where),), format="cloudformation")
    if document is None or not is_template(document.value):
        return LoadResult(path=path, format="yaml")
    file = FileSpans(lines, index=document.index, text=text)
    template = _Template(path, document.value, file, document.literal_blocks, account, is_json=False)  # type: ignore[arg-type]
    return _read(template, check_duplicates=bool(document.index.duplicates))


def _looks_like_template(text: str) -> bool:
    return "AWSTemplateFormatVersion" in text or ("Resources" in text and "AWS::" in text)


def _read(template: _Template, *, check_duplicates: bool) -> LoadResult:
    documents: list[SourceDocument] = []
    problems: list[FileProblem] = []
    resources = template.value.get("Resources")
    mappings = template.value.get("Mappings")
    context = Context(mappings=mappings if isinstance(mappings, dict) else {}, account=template.account)
    for logical_id, resource in resources.items() if isinstance(resources, dict) else ():
        if not isinstance(resource, dict) or not isinstance(resource.get("Properties"), dict):
            continue
        kind_paths = POLICY_PROPERTIES.get(resource.get("Type"))  # type: ignore[arg-type]
        if kind_paths is None:
            continue
        base = "/Resources/" + escape_pointer_token(logical_id) + "/Properties"
        properties = resource["Properties"]
        lockout = resource.get("Type") in _KEY_TYPES and _bypassed(properties.get(LOCKOUT_PROPERTY))
        for path, kind in kind_paths:
            for node, pointer, property_path in _policy_nodes(properties, base, path):
                found = _documents(template, context, logical_id, property_path, node, pointer, kind, check_duplicates)
                for item in found:
                    if isinstance(item, FileProblem):
                        problems.append(item)
                        continue
                    if lockout and kind == "key-policy":
                        item = _with_lockout(item, base)
                        lockout = False
                    documents.append(item)
    return LoadResult(path=template.path, documents=tuple(documents), problems=tuple(problems), format="cloudformation")


def _bypassed(value: object) -> bool:
    """True, or an `Fn::If` with a true branch."""
    if isinstance(value, dict) and isinstance(value.get("Fn::If"), list) and len(value["Fn::If"]) == 3:
        return any(is_true(branch) for branch in value["Fn::If"][1:])
    return is_true(value)


def _policy_nodes(properties: dict, base: str, path: str) -> Iterator[tuple[object, str, str]]:
    """(value, template pointer, property path) of each policy at `path` (`Policies/*/PolicyDocument`)."""
    head, _, rest = path.partition("/*/")
    if not rest:
        if head in properties:
            yield properties[head], f"{base}/{head}", head
        return
    items = properties.get(head)
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        pointer = f"{base}/{head}/{index}"
        branches = [(item, pointer)]
        if isinstance(item, dict) and len(item) == 1 and isinstance(item.get("Fn::If"), list) and len(item["Fn::If"]) == 3:
            branches = [(item["Fn::If"][slot], f"{pointer}/Fn::If/{slot}") for slot in (1, 2)]
        for branch, branch_pointer in branches:
            if isinstance(branch, dict) and rest in branch:
                yield branch[rest], f"{branch_pointer}/{rest}", f"{branch_pointer[len(base) + 1:]}/{rest}"


def _documents(
    template: _Template,
    context: Context,
    logical_id: str,
    property_path: str,
    node: object,
    pointer: str,
    kind: str,
    check_duplicates: bool,
) -> list[SourceDocument | FileProblem]:
    label = f"Resources/{logical_id}/Properties/{property_path}"
    account = template.account or ACCOUNT_PLACEHOLDER
    base_context = (("resource", logical_id), ("property", property_path))
    names = condition_names(node)
    found: list[SourceDocument | FileProblem] = []
    reported: set[str] = set()
    for choices in choice_sets(names):
        resolved = resolve(node, pointer, replace(context, choices=choices))
        if resolved.value is REMOVED or resolved.value is None:
            continue
        suffix = f" [{describe_choices(choices)}]" if choices else ""
        extra = (("conditions", describe_choices(choices)),) if choices else ()
        common = {"path": template.path, "kind": kind, "account": account, "label": label + suffix, "context": base_context + extra}
        if isinstance(resolved.value, str):
            found.append(_text_document(template, resolved.value, node, pointer, common))
            continue
        locator = PolicyLocator(template.file, resolved.mapping)
        violations = mapped_duplicates(template.file.index, resolved.mapping, reported) if check_duplicates else ()
        found.append(
            SourceDocument(
                value=resolved.value,
                locator=locator,
                violations=violations,
                placeholders=frozenset(resolved.placeholders),
                **common,
            )
        )
    return found


def _text_document(template: _Template, text: str, node: object, pointer: str, common: dict) -> SourceDocument | FileProblem:
    """A policy written as JSON text. Located inside the string when it is a JSON string of a JSON
    template or a YAML `|` block; otherwise (a quoted YAML string, an intrinsic) at the whole node."""
    file = template.file
    offsets: Callable[[int], int] | None = None
    if isinstance(node, str) and template.is_json:
        offsets = string_offsets(file, pointer)
    elif isinstance(node, str) and pointer in template.literal_blocks:
        offsets = _literal_offsets(file, *template.literal_blocks[pointer], text)
    if offsets is None:
        span = file.value_span(pointer)
        start = span[0] if span is not None else 0
        parsed = parse_embedded(text, file.lines, lambda offset: start, pointer)
        if isinstance(parsed, FileProblem):
            return parsed
        return SourceDocument(value=parsed.value, locator=PolicyLocator(file, {"": pointer}), text=text, **common)
    parsed = parse_embedded(text, file.lines, offsets, pointer)
    if isinstance(parsed, FileProblem):
        return parsed
    inner = JsonLocator(text, file.lines, offsets)  # type: ignore[arg-type]
    locator = PolicyLocator(file, {}, inner=inner)
    return SourceDocument(value=parsed.value, locator=locator, text=text, violations=embedded_duplicates(parsed, inner), **common)


def _literal_offsets(file: FileSpans, first_line: int, indent: int, text: str) -> PiecewiseOffsets:
    """Offsets of a YAML `|` block's text: line `i` of the text is file line `first_line + i`
    without its indentation."""
    starts = [0] + [match.end() for match in _LINE_END.finditer(file.text or "")]
    breakpoints: list[tuple[int, int]] = []
    derived = 0
    for number, line in enumerate(text.split("\n")):
        if first_line + number >= len(starts):
            break
        breakpoints.append((derived, starts[first_line + number] + (indent if line else 0)))
        derived += len(line) + 1
    last_derived, last_file = breakpoints[-1] if breakpoints else (0, 0)
    return PiecewiseOffsets(breakpoints, len(text), last_file + len(text) - last_derived)


def _with_lockout(document: SourceDocument, base: str) -> SourceDocument:
    """Add PL215 to the key's document; its pointer `1/BypassPolicyLockoutSafetyCheck` is mapped
    to the property in the template."""
    locator = document.locator
    if isinstance(locator, PolicyLocator):
        locator = locator.with_outside(f"1/{LOCKOUT_PROPERTY}", f"{base}/{LOCKOUT_PROPERTY}")
    return replace(document, locator=locator, violations=document.violations + (lockout_violation(LOCKOUT_PROPERTY),))
