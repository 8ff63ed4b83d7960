"""JSON files that hold policies: a plain policy document, and `aws kms get-key-policy` output.

Other JSON containers (CloudFormation, Terraform plans, account exports) have readers of their
own; `policylint.source.formats` decides which reader takes a file.
"""

from __future__ import annotations

import json

from policylint.findings import Violation
from policylint.source.document import FileProblem, LoadResult, SourceDocument
from policylint.source.jsonpos import JsonSyntaxError, ParsedJson, parse_json
from policylint.source.locate import JsonLocator, OffsetMap
from policylint.source.positions import LineIndex, split_pointer

_WRAPPER_KEYS = frozenset({"Policy", "PolicyName", "ResponseMetadata", "KeyId"})


def duplicate_violations(locator: JsonLocator) -> tuple[Violation, ...]:
    """PL003 for every member that repeats a key of its object."""
    found = []
    for pointer, _range in locator.duplicate_keys():
        key = split_pointer(pointer)[-1]
        found.append(
            Violation(
                code="PL003",
                pointer=pointer,
                message=f"duplicate key `{key}`: parsers disagree on which value wins (here the last one)",
                at_key=True,
            )
        )
    return tuple(found)


def syntax_problem(error: JsonSyntaxError, lines: LineIndex, offsets: OffsetMap | None = None) -> FileProblem:
    offset = offsets(error.offset) if offsets is not None else error.offset
    at = lines.position(offset)
    end = lines.position(offset + error.length) if offsets is None else at
    return FileProblem(code="PL001", message=error.message, range=lines.range(at.offset, max(end.offset, at.offset)))


def is_get_key_policy(value: object) -> bool:
    """`aws kms get-key-policy` output: `{"Policy": "<JSON text>", "PolicyName": ...}`."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("Policy"), str)
        and set(value) <= _WRAPPER_KEYS
        and ("PolicyName" in value or value["Policy"].lstrip().startswith("{"))
    )


def read_policy(path: str, parsed: ParsedJson, lines: LineIndex) -> LoadResult:
    """The whole file is one policy document."""
    locator = JsonLocator(parsed.text, lines, unique_keys=not parsed.has_duplicates)
    violations = duplicate_violations(locator) if parsed.has_duplicates else ()
    document = SourceDocument(path=path, value=parsed.value, locator=locator, text=parsed.text, violations=violations)
    return LoadResult(path=path, documents=(document,), format="policy")


def read_embedded_policy(
    path: str,
    outer: ParsedJson,
    lines: LineIndex,
    pointer: str,
    *,
    kind: str | None = None,
    account: str | None = None,
    label: str | None = None,
    context: tuple[tuple[str, str], ...] = (),
) -> SourceDocument | FileProblem:
    """A policy held as the text of the JSON string at `pointer` of `outer`.

    Positions point inside the string in the user's file.
    """
    outer_locator = JsonLocator(outer.text, lines)
    start, end = outer_locator.spans.values[pointer]
    offsets = OffsetMap(outer.text[start:end], start)
    inner_text = json.loads(outer.text[start:end])
    try:
        inner = parse_json(inner_text)
    except JsonSyntaxError as error:
        problem = syntax_problem(error, lines, offsets)
        return FileProblem(code=problem.code, message=f"embedded policy: {problem.message}", range=problem.range, pointer=pointer)
    locator = JsonLocator(inner_text, lines, offsets, unique_keys=not inner.has_duplicates)
    violations = duplicate_violations(locator) if inner.has_duplicates else ()
    return SourceDocument(
        path=path,
        value=inner.value,
        locator=locator,
        kind=kind,
        account=account,
        label=label,
        context=context,
        text=inner_text,
        violations=violations,
    )


def read_get_key_policy(path: str, parsed: ParsedJson, lines: LineIndex) -> LoadResult:
    """`aws kms get-key-policy` output: the key policy is the `Policy` string."""
    found = read_embedded_policy(path, parsed, lines, "/Policy", kind="key-policy", label="Policy")
    if isinstance(found, FileProblem):
        return LoadResult(path=path, problems=(found,), format="get-key-policy")
    return LoadResult(path=path, documents=(found,), format="get-key-policy")
