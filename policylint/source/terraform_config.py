"""Terraform configuration (`.tf`) -> the policies its resources and data sources hold.

The file is parsed by `policylint.source.terraform_hcl` (why a parser of our own: see there).

Policies found:
- `policy = jsonencode({...})`: the object, element by element, with positions;
- `policy = <<EOF ... EOF` (and `<<-EOF`) or a quoted string: the JSON text, located inside it;
- `policy = data.aws_iam_policy_document.NAME.json` (anywhere in the expression, e.g. inside
  `coalesce(...)`): the document that data source renders, located in its blocks;
- `data "aws_iam_policy_document"` blocks no resource of the file uses: checked on their own.

Values only Terraform knows become placeholders: a reference `var.x` -> `${var.x}`, an
interpolation stays as written (`arn:${local.partition}:iam::...`). `data.aws_partition.*.partition`
is `aws` and `dns_suffix` `amazonaws.com`; `data.aws_caller_identity.*.account_id` is the
`--account` value, else the document's account is that placeholder (it is the owning account).
In a `dynamic` block, an attribute that is only the iterator's value (`statement.value.sid`) is
input data: it is left out (as Terraform leaves out a null), and a statement left without actions
is not checked. `%{ }` directives outside JSON strings in a heredoc policy are not evaluated.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

from policylint.findings import Violation
from policylint.source.containers import (
    FileSpans,
    PiecewiseOffsets,
    PolicyLocator,
    duplicate_key,
    embedded_duplicates,
    is_true,
    lockout_violation,
    parse_embedded,
)
from policylint.source.document import FileProblem, LoadResult, SourceDocument
from policylint.source.jsonpos import SpanIndex
from policylint.source.locate import JsonLocator, Locator
from policylint.source.positions import LineIndex, escape_pointer_token
from policylint.source.terraform_hcl import (
    Attribute,
    Block,
    Call,
    Expression,
    HclError,
    Node,
    ObjectNode,
    Scalar,
    Text,
    TupleNode,
    parse,
)
from policylint.source.terraform_plan import (
    KEY_TYPES,
    LOCKOUT_ATTRIBUTE,
    POLICY_ATTRIBUTES,
    POLICY_BLOCKS,
    POLICY_DOCUMENT_TYPE,
)


# ---------------------------------------------------------------- values

_PARTITION = re.compile(r"\$\{data\.aws_partition\.[A-Za-z0-9_-]+(?:\[[0-9]+\])?\.partition\}")
_DNS_SUFFIX = re.compile(r"\$\{data\.aws_partition\.[A-Za-z0-9_-]+(?:\[[0-9]+\])?\.dns_suffix\}")
_CALLER_ACCOUNT = re.compile(r"\$\{data\.aws_caller_identity\.[A-Za-z0-9_-]+(?:\[[0-9]+\])?\.account_id\}")
_DATA_DOCUMENT = re.compile(r"\bdata\.aws_iam_policy_document\.([A-Za-z_][A-Za-z0-9_-]*)")


def _substitute(text: str, account: str | None) -> str:
    """Fill in the values a template alone tells: the partition, its DNS suffix, the account."""
    if "${data." not in text:
        return text
    text = _PARTITION.sub("aws", text)
    text = _DNS_SUFFIX.sub("amazonaws.com", text)
    if account is not None:
        text = _CALLER_ACCOUNT.sub(account, text)
    return text


def _placeholder(source: str) -> str:
    """`${source}` for a value only Terraform knows (`${expression}` when the text is long)."""
    source = " ".join(source.split())
    if len(source) > 120 or any(c in source for c in '{}"'):
        return "${expression}"
    return "${" + source + "}"


def _unknown(node: Node, source: str) -> str:
    """The placeholder for a value only Terraform knows: `${var.x}`, `${lookup(...)}`."""
    if isinstance(node, Call):
        return "${" + node.name + "(...)}"
    return _placeholder(source)


def _formatted(node: Node) -> Node:
    """`format("text")` with nothing to format is its text."""
    if isinstance(node, Call) and node.name == "format" and len(node.args) == 1:
        only = node.args[0]
        if isinstance(only, Text) and "%" not in only.value:
            return Text(node.start, node.end, only.value, only.breakpoints, only.literal)
    return node


def _variables(text: str) -> str:
    """`&{aws:username}` is how Terraform writes a policy variable; it renders as `${...}`."""
    return text.replace("&{", "${")


class _Values:
    """HCL values -> JSON values, recording spans by JSON pointer."""

    def __init__(self, text: str, account: str | None, iterators: frozenset[str] = frozenset()) -> None:
        self.text = text
        self.account = account
        self.iterators = iterators

    def source(self, node: Node) -> str:
        return self.text[node.start : node.end]

    def is_iterator_value(self, node: Node) -> bool:
        if not isinstance(node, Expression) or not node.reference:
            return False
        return node.source.split(".", 1)[0].split("[", 1)[0] in self.iterators

    def json(self, node: Node, pointer: str, index: SpanIndex) -> object:
        """`jsonencode(node)`: the JSON value, each element's span recorded."""
        index.values[pointer] = (node.start, node.end)
        node = _formatted(node)
        if isinstance(node, Text):
            return _substitute(node.value, self.account)
        if isinstance(node, Scalar):
            return node.value
        if isinstance(node, TupleNode):
            return [self.json(item, f"{pointer}/{i}", index) for i, item in enumerate(node.items)]
        if isinstance(node, ObjectNode):
            result: dict[str, object] = {}
            for key_node, value_node in node.items:
                key = self.key(key_node)
                child = pointer + "/" + escape_pointer_token(key)
                if key in result:
                    index.duplicates.append((child, key_node.start, key_node.end))
                index.keys[child] = (key_node.start, key_node.end)
                result[key] = self.json(value_node, child, index)
            return result
        if isinstance(node, Call) and node.name == "jsonencode" and len(node.args) == 1:
            return json.dumps(self.json(node.args[0], pointer, SpanIndex()), separators=(",", ":"))
        return _unknown(node, self.source(node))

    def key(self, node: Node) -> str:
        if isinstance(node, Text):
            return _substitute(node.value, self.account)
        if isinstance(node, Expression) and node.reference and node.source.isidentifier():
            return node.source
        if isinstance(node, Scalar):
            return json.dumps(node.value)
        return _unknown(node, self.source(node))

    def text_value(self, node: Node) -> tuple[str, tuple[int, int]] | None:
        """A string attribute as Terraform passes it to a provider; None when absent or null."""
        span = (node.start, node.end)
        node = _formatted(node)
        if isinstance(node, Text):
            return _substitute(node.value, self.account), span
        if isinstance(node, Scalar):
            if node.value is None:
                return None
            if isinstance(node.value, bool):
                return ("true" if node.value else "false"), span
            return str(node.value), span
        if self.is_iterator_value(node):
            return None
        return _unknown(node, self.source(node)), span

    def text_list(self, node: Node) -> list[tuple[str, tuple[int, int]]] | None:
        """A list-of-strings attribute; None when absent."""
        if isinstance(node, TupleNode):
            found = [item for item in (self.text_value(item) for item in node.items) if item is not None]
            return None if node.items and not found else found
        single = self.text_value(node)
        return [single] if single is not None else None


# ---------------------------------------------------------------- aws_iam_policy_document


def _content(block: Block, kind: str) -> tuple[Block, frozenset[str]] | None:
    """A `kind` block, or the `content` of a `dynamic "kind"` block with its iterator's name."""
    if block.type == kind:
        return block, frozenset()
    if block.type == "dynamic" and block.labels == [kind]:
        content = next((b for b in block.blocks if b.type == "content"), None)
        if content is None:
            return None
        iterator = block.attributes.get("iterator")
        name = iterator.value.source if iterator is not None and isinstance(iterator.value, Expression) else kind
        return Block(kind, [], block.start, block.end, content.attributes, content.blocks), frozenset({name})
    return None


def _set_value(items: list[tuple[str, tuple[int, int]]]) -> list[tuple[str, tuple[int, int]]]:
    """A Terraform set of strings as the AWS provider renders it: unique, reverse sorted."""
    unique: dict[str, tuple[int, int]] = {}
    for text, span in items:
        unique.setdefault(text, span)
    return sorted(unique.items(), key=lambda item: item[0], reverse=True)


def _strings(items: list[tuple[str, tuple[int, int]]], pointer: str, whole: tuple[int, int], index: SpanIndex) -> object:
    """One string (a single item, as the provider writes it) or a list; spans recorded."""
    if len(items) == 1:
        index.values[pointer] = items[0][1]
        return items[0][0]
    index.values[pointer] = whole
    for i, (_text, span) in enumerate(items):
        index.values[f"{pointer}/{i}"] = span
    return [text for text, _span in items]


class _Renderer:
    """`data "aws_iam_policy_document"` -> the JSON the AWS provider renders, with spans:
    `Version`, `Id`, then statements with `Sid` (when set), `Effect` (default `Allow`), actions,
    resources, principals and conditions; sets unique and in reverse sorted order, one item as a
    plain string, principal types and condition operators and keys in sorted order."""

    def __init__(self, text: str, account: str | None) -> None:
        self.text = text
        self.account = account

    def document(self, block: Block) -> tuple[dict, SpanIndex]:
        index = SpanIndex()
        index.values[""] = (block.start, block.end)
        values = _Values(self.text, self.account)
        document: dict[str, object] = {}
        for name, element, default in (("version", "Version", "2012-10-17"), ("policy_id", "Id", None)):
            attribute = block.attributes.get(name)
            found = values.text_value(attribute.value) if attribute is not None else None
            if found:
                document[element] = found[0]
                index.values["/" + element] = found[1]
                index.keys["/" + element] = attribute.name_span  # type: ignore[union-attr]
            elif default is not None:
                document[element] = default
        statements: list[dict] = []
        for child in block.blocks:
            unwrapped = _content(child, "statement")
            if unwrapped is not None:
                found_statement = self.statement(unwrapped[0], f"/Statement/{len(statements)}", index, unwrapped[1], child.type == "dynamic")
                if found_statement is not None:
                    statements.append(found_statement)
        document["Statement"] = statements
        return document, index

    def statement(self, block: Block, pointer: str, index: SpanIndex, iterators: frozenset[str], dynamic: bool) -> dict | None:
        values = _Values(self.text, self.account, iterators)
        spans = SpanIndex()
        spans.values[pointer] = (block.start, block.end)
        statement: dict[str, object] = {}
        for name, element in (("sid", "Sid"), ("effect", "Effect")):
            attribute = block.attributes.get(name)
            found = values.text_value(attribute.value) if attribute is not None else None
            if found and found[0]:
                statement[element] = found[0]
                spans.values[f"{pointer}/{element}"] = found[1]
                spans.keys[f"{pointer}/{element}"] = attribute.name_span  # type: ignore[union-attr]
        statement.setdefault("Effect", "Allow")
        for name, element, replace in (
            ("actions", "Action", False),
            ("not_actions", "NotAction", False),
            ("resources", "Resource", True),
            ("not_resources", "NotResource", True),
        ):
            attribute = block.attributes.get(name)
            items = values.text_list(attribute.value) if attribute is not None else None
            if not items:
                continue
            items = _set_value([(_variables(t) if replace else t, s) for t, s in items])
            where = f"{pointer}/{element}"
            spans.keys[where] = attribute.name_span  # type: ignore[union-attr]
            statement[element] = _strings(items, where, (attribute.value.start, attribute.value.end), spans)  # type: ignore[union-attr]
        if dynamic and "Action" not in statement and "NotAction" not in statement:
            return None
        for kind, element in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            principal = self.principals(block, kind, f"{pointer}/{element}", spans, iterators)
            if principal is not None:
                statement[element] = principal
        condition = self.conditions(block, f"{pointer}/Condition", spans, iterators)
        if condition:
            statement["Condition"] = condition
        index.values.update(spans.values)
        index.keys.update(spans.keys)
        return statement

    def principals(self, block: Block, kind: str, pointer: str, index: SpanIndex, iterators: frozenset[str]) -> object:
        merged: dict[str, list[tuple[str, tuple[int, int]]]] = {}
        blocks_of: dict[str, int] = {}
        spans: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {}
        first: tuple[int, int] | None = None
        for child in block.blocks:
            unwrapped = _content(child, kind)
            if unwrapped is None:
                continue
            content, more = unwrapped
            values = _Values(self.text, self.account, iterators | more)
            type_attribute, identifiers = content.attributes.get("type"), content.attributes.get("identifiers")
            principal_type = values.text_value(type_attribute.value) if type_attribute is not None else None
            items = values.text_list(identifiers.value) if identifiers is not None else None
            if principal_type is None or not items:
                continue
            first = first or (child.start, child.end)
            name = principal_type[0]
            spans.setdefault(name, (principal_type[1], (identifiers.value.start, identifiers.value.end)))  # type: ignore[union-attr]
            merged.setdefault(name, []).extend(_set_value([(_variables(t), s) for t, s in items]))
            blocks_of[name] = blocks_of.get(name, 0) + 1
        if first is None:
            return None
        index.values[pointer] = first
        if any(text == "*" for text, _span in merged.get("*", ())):
            return "*"
        result: dict[str, object] = {}
        for name in sorted(merged):
            where = f"{pointer}/{escape_pointer_token(name)}"
            index.keys[where] = spans[name][0]
            result[name] = _strings(merged[name], where, spans[name][1], index)
        return result

    def conditions(self, block: Block, pointer: str, index: SpanIndex, iterators: frozenset[str]) -> dict:
        tests: dict[str, dict[str, list[tuple[str, tuple[int, int]]]]] = {}
        spans: dict[str, tuple[int, int]] = {}
        first: tuple[int, int] | None = None
        for child in block.blocks:
            unwrapped = _content(child, "condition")
            if unwrapped is None:
                continue
            content, more = unwrapped
            values = _Values(self.text, self.account, iterators | more)
            parts = [content.attributes.get(name) for name in ("test", "variable", "values")]
            if parts[0] is None or parts[1] is None or parts[2] is None:
                continue
            test, variable = values.text_value(parts[0].value), values.text_value(parts[1].value)
            items = values.text_list(parts[2].value)
            if test is None or variable is None or items is None:
                continue
            first = first or (child.start, child.end)
            test_pointer = f"{pointer}/{escape_pointer_token(test[0])}"
            key = f"{test_pointer}/{escape_pointer_token(variable[0])}"
            spans.setdefault(test_pointer, test[1])
            spans.setdefault(key, variable[1])
            spans.setdefault(key + "#", (parts[2].value.start, parts[2].value.end))
            tests.setdefault(test[0], {}).setdefault(variable[0], []).extend((_variables(t), s) for t, s in items)
        if first is None:
            return {}
        index.values[pointer] = first
        result: dict[str, dict[str, object]] = {}
        for test in sorted(tests):
            test_pointer = f"{pointer}/{escape_pointer_token(test)}"
            index.values[test_pointer] = index.keys[test_pointer] = spans[test_pointer]
            result[test] = {}
            for variable in sorted(tests[test]):
                key = f"{test_pointer}/{escape_pointer_token(variable)}"
                index.keys[key] = spans[key]
                result[test][variable] = _strings(tests[test][variable], key, spans[key + "#"], index)
        return result


# ---------------------------------------------------------------- policies written as text


def _quote_bare_interpolations(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Put each `${...}` that stands outside a JSON string (`"Resource": ${jsonencode(x)}`) in
    quotes, so that the text reads as JSON; breakpoints map the new text back to `text`."""
    if "${" not in text:
        return text, [(0, 0)]
    out: list[str] = []
    breakpoints = [(0, 0)]
    in_string = escaped = False
    position = last = length = 0
    while position < len(text):
        char = text[position]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif text.startswith("${", position):
            end = text.find("}", position)
            end = len(text) if end < 0 else end + 1
            out.append(text[last:position])
            length += position - last
            segment = '"' + _interpolation_placeholder(text[position:end]) + '"'
            breakpoints.append((length, position))
            out.append(segment)
            length += len(segment)
            breakpoints.append((length, end))
            last = position = end
            continue
        position += 1
    out.append(text[last:])
    return "".join(out), breakpoints


_CALL = re.compile(r"[A-Za-z_][A-Za-z0-9_:-]*(?=\()")


def _interpolation_placeholder(source: str) -> str:
    """The JSON string text standing for an interpolation: `${var.x}`, `${jsonencode(...)}`."""
    inner = source[2:-1].strip(" ~") if source.endswith("}") else source[2:]
    call = _CALL.match(inner)
    if call is not None:
        return "${" + call.group() + "(...)}"
    return _placeholder(inner).replace("\\", "")


def _substituted(value: object, account: str | None) -> object:
    if isinstance(value, str):
        return _substitute(value, account)
    if isinstance(value, list):
        return [_substituted(item, account) for item in value]
    if isinstance(value, dict):
        return {key: _substituted(item, account) for key, item in value.items()}
    return value


@dataclass
class _Found:
    """A policy found for one attribute: its value and how to locate it."""

    value: object
    locator: Locator
    text: str | None = None
    violations: tuple[Violation, ...] = ()
    data: str | None = None


def _text_policy(node: Text, lines: LineIndex, account: str | None) -> _Found | FileProblem:
    """A heredoc or quoted string holding JSON: located inside the string in the file."""
    to_file = PiecewiseOffsets(node.breakpoints, len(node.value), node.end)
    text, quoted = _quote_bare_interpolations(node.value)
    to_value = PiecewiseOffsets(quoted, len(text), len(node.value))

    def offsets(offset: int) -> int:
        return to_file(to_value(offset))

    parsed = parse_embedded(text, lines, offsets, "")
    if isinstance(parsed, FileProblem):
        return parsed
    locator = JsonLocator(text, lines, offsets)  # type: ignore[arg-type]
    return _Found(_substituted(parsed.value, account), locator, text, embedded_duplicates(parsed, locator))


def _index_duplicates(index: SpanIndex) -> tuple[Violation, ...]:
    """PL003 for keys an object of a `jsonencode(...)` repeats."""
    return tuple(duplicate_key(pointer) for pointer, _start, _end in index.duplicates)


def _owner(value: object, account: str | None) -> str | None:
    """The `--account`, else the caller-identity placeholder the document uses, if any."""
    if account is not None:
        return account
    match = _CALLER_ACCOUNT.search(json.dumps(value))
    return match.group() if match else None


# ---------------------------------------------------------------- the reader


class _Reader:
    def __init__(self, path: str, text: str, lines: LineIndex, account: str | None, blocks: list[Block]) -> None:
        self.path = path
        self.text = text
        self.lines = lines
        self.account = account
        self.renderer = _Renderer(text, account)
        self.data_blocks = {
            b.labels[1]: b for b in blocks if b.type == "data" and len(b.labels) == 2 and b.labels[0] == POLICY_DOCUMENT_TYPE
        }
        self.rendered: dict[str, tuple[dict, SpanIndex]] = {}
        self.used: set[str] = set()
        self.documents: list[SourceDocument] = []
        self.problems: list[FileProblem] = []
        # (data source, kind) -> index in `documents` and the other resources that use it.
        self.shared: dict[tuple[str, str], tuple[int, list[str]]] = {}

    def policy(self, node: Node) -> _Found | FileProblem | None:
        """The policy an attribute's value holds; None when it is not known from this file."""
        if isinstance(node, Call) and node.name == "jsonencode" and len(node.args) == 1:
            index = SpanIndex()
            value = _Values(self.text, self.account).json(node.args[0], "", index)
            return _Found(value, PolicyLocator(FileSpans(self.lines, index=index)), violations=_index_duplicates(index))
        if isinstance(node, Text):
            return _text_policy(node, self.lines, self.account)
        match = _DATA_DOCUMENT.search(self.text, node.start, node.end) if isinstance(node, (Expression, Call)) else None
        if match is None or match.group(1) not in self.data_blocks:
            return None
        name = match.group(1)
        self.used.add(name)
        if name not in self.rendered:
            self.rendered[name] = self.renderer.document(self.data_blocks[name])
        value, index = self.rendered[name]
        return _Found(value, PolicyLocator(FileSpans(self.lines, index=index)), data=f"data.{POLICY_DOCUMENT_TYPE}.{name}")

    def resource(self, block: Block) -> None:
        """The policies of one resource block. A data source several resources use for the same
        kind of policy is checked once (the others are named in the document's context)."""
        resource_type, name = block.labels
        address = f"{resource_type}.{name}"
        places: list[tuple[Attribute, str, str]] = [
            (block.attributes[attribute], kind, attribute)
            for attribute, kind in POLICY_ATTRIBUTES.get(resource_type, ())
            if attribute in block.attributes
        ]
        for sub_block, attribute, kind in POLICY_BLOCKS.get(resource_type, ()):
            for number, sub in enumerate(b for b in block.blocks if b.type == sub_block):
                if attribute in sub.attributes:
                    places.append((sub.attributes[attribute], kind, f"{sub_block}[{number}].{attribute}"))
        lockout = block.attributes.get(LOCKOUT_ATTRIBUTE) if resource_type in KEY_TYPES else None
        bypassed = lockout is not None and isinstance(lockout.value, (Scalar, Text)) and is_true(lockout.value.value)
        for attribute, kind, where in places:
            found = self.policy(attribute.value)
            if found is None:
                continue
            if isinstance(found, FileProblem):
                self.problems.append(found)
                continue
            lockout_here = bypassed and kind == "key-policy"
            bypassed = bypassed and not lockout_here
            if found.data and not lockout_here and (found.data, kind) in self.shared:
                self.shared[(found.data, kind)][1].append(f"{address}.{where}")
                continue
            context: tuple[tuple[str, str], ...] = (("resource", address), ("attribute", where))
            if found.data:
                context += (("data", found.data),)
                self.shared.setdefault((found.data, kind), (len(self.documents), []))
            beside = SpanIndex()
            outside: dict[str, str] = {}
            violations = found.violations
            if lockout_here:
                relative = f"1/{LOCKOUT_ATTRIBUTE}"
                beside.values[relative] = (lockout.value.start, lockout.value.end)  # type: ignore[union-attr]
                beside.keys[relative] = lockout.name_span  # type: ignore[union-attr]
                outside[relative] = relative
                violations = violations + (lockout_violation(LOCKOUT_ATTRIBUTE),)
            self.documents.append(
                SourceDocument(
                    path=self.path,
                    value=found.value,
                    locator=PolicyLocator(FileSpans(self.lines, index=beside), {}, inner=found.locator, outside=outside),
                    kind=kind,
                    account=_owner(found.value, self.account),
                    label=f"{address}.{where}",
                    context=context,
                    text=found.text,
                    violations=violations,
                )
            )

    def shared_documents(self) -> list[SourceDocument]:
        """The documents, each shared one naming the other resources that use it."""
        documents = list(self.documents)
        for position, others in self.shared.values():
            if others:
                document = documents[position]
                documents[position] = replace(document, context=document.context + (("also-used-by", ", ".join(others)),))
        return documents

    def unused_documents(self) -> list[SourceDocument]:
        """`aws_iam_policy_document`s no resource of this file uses (kind inferred)."""
        found = []
        for name, block in self.data_blocks.items():
            if name in self.used:
                continue
            value, index = self.renderer.document(block)
            label = f"data.{POLICY_DOCUMENT_TYPE}.{name}"
            found.append(
                SourceDocument(
                    path=self.path,
                    value=value,
                    locator=PolicyLocator(FileSpans(self.lines, index=index)),
                    account=_owner(value, self.account),
                    label=label,
                    context=(("data", label),),
                )
            )
        return found


def read_tf(path: str, text: str, lines: LineIndex, /, *, account: str | None = None) -> LoadResult:
    """A `.tf` file: its resources' policies and its unused `aws_iam_policy_document`s."""
    try:
        _attributes, blocks = parse(text)
    except HclError as error:
        where = lines.range(error.offset, min(error.offset + 1, len(text)))
        return LoadResult(path=path, problems=(FileProblem("PL001", error.message, where),), format="terraform")
    reader = _Reader(path, text, lines, account, blocks)
    for block in blocks:
        if block.type == "resource" and len(block.labels) == 2:
            reader.resource(block)
    documents = reader.shared_documents() + reader.unused_documents()
    return LoadResult(path=path, documents=tuple(documents), problems=tuple(reader.problems), format="terraform")
