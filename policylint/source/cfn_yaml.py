"""CloudFormation YAML -> JSON-like value plus the span of every element, by JSON pointer.

PyYAML composes the node graph with a `SafeLoader` subclass (never an unsafe loader; nothing is
constructed from a tag we do not know, so `!!python/...` tags are errors, not code). We then walk
the nodes ourselves, which keeps each node's marks: `start_mark` / `end_mark` give 0-based line,
column and character index, and our ranges are built from the index (end exclusive).

Short-form intrinsics (`!Sub`, `!Ref`, `!GetAtt A.B`, ...) become their long form
(`{"Fn::Sub": ...}`, `{"Ref": ...}`); the inner value sits at the pointer `.../Fn::Sub`. The same
constructors are registered on the loader subclass (not on the global `SafeLoader`) so that
`yaml.load(text, Loader=template_loader())` gives the same values. CloudFormation has no dates,
so a scalar such as `2012-10-17` stays the string it was written as; mapping keys are the text
written, so `Null:` is the condition operator `Null`, not YAML's null. Another tool's local tag
(`!Rain::Embed file.yaml`) stands for a value we cannot know: the placeholder `${Rain::Embed}`.
Global tags other than YAML's plain types (`!!python/object/apply:...`, `!!set`) are errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import yaml

from policylint.source.jsonpos import SpanIndex
from policylint.source.positions import escape_pointer_token

# Short-form tag -> long-form function name.
SHORT_FORMS: dict[str, str] = {
    "!Ref": "Ref",
    "!Sub": "Fn::Sub",
    "!GetAtt": "Fn::GetAtt",
    "!Join": "Fn::Join",
    "!If": "Fn::If",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!ImportValue": "Fn::ImportValue",
    "!FindInMap": "Fn::FindInMap",
    "!Base64": "Fn::Base64",
    "!Cidr": "Fn::Cidr",
    "!GetAZs": "Fn::GetAZs",
    "!Equals": "Fn::Equals",
    "!Not": "Fn::Not",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!Condition": "Condition",
    "!Transform": "Fn::Transform",
    "!Length": "Fn::Length",
    "!ToJsonString": "Fn::ToJsonString",
}

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp", "binary"))
_QUOTED = re.compile(r"'([^'\n]{0,80})'")
# PyYAML's names for the end of input, in words.
_TOKEN_NAMES = {"`<stream end>`": "the end of the file", "`<document end>`": "the end of the document", "`<block end>`": "the end of the block"}


class YamlProblem(ValueError):
    """Text that is not a YAML document we can read: a plain message and where (offset)."""

    def __init__(self, message: str, offset: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class YamlDocument:
    """The value of a YAML text, the spans of its elements, and its literal block strings.

    `literal_blocks` maps the pointer of each `|` block string to the 0-based line its content
    starts on and the content's indentation, so that a policy written as JSON text inside such a
    block can be located line by line.
    """

    value: object
    index: SpanIndex
    literal_blocks: dict[str, tuple[int, int]]


def _short_form(long_name: str):  # noqa: ANN202 - a PyYAML constructor
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, object]:
        if isinstance(node, yaml.ScalarNode):
            value: object = loader.construct_scalar(node)
            if long_name == "Fn::GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {long_name: value}

    return construct


def _scalar_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return loader.construct_scalar(node)


@cache
def template_loader() -> type[yaml.SafeLoader]:
    """A `SafeLoader` subclass that knows CloudFormation's short forms and has no dates."""

    class TemplateLoader(yaml.SafeLoader):
        pass

    for tag, long_name in SHORT_FORMS.items():
        TemplateLoader.add_constructor(tag, _short_form(long_name))
    TemplateLoader.add_constructor(_TAG + "timestamp", _scalar_text)
    TemplateLoader.add_constructor(_TAG + "binary", _scalar_text)
    return TemplateLoader


def _message(problem: str | None) -> str:
    text = _QUOTED.sub(r"`\1`", (problem or "the text is not YAML").strip())
    for token, words in _TOKEN_NAMES.items():
        text = text.replace(token, words)
    return "not valid YAML: " + text


def compose(text: str) -> tuple[yaml.Node | None, yaml.SafeLoader]:
    """Compose the single YAML document of `text` (None when it is empty)."""
    loader = template_loader()(text)
    try:
        return loader.get_single_node(), loader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context
        if problem and problem.startswith("but ") and error.context:
            problem = f"{error.context}, {problem}"
        raise YamlProblem(_message(problem), mark.index if mark else None) from None
    except yaml.reader.ReaderError as error:
        raise YamlProblem(f"not valid YAML: character U+{error.character:04X} is not allowed", error.position) from None
    except yaml.YAMLError:
        raise YamlProblem("not valid YAML", None) from None
    except RecursionError:
        raise YamlProblem("not valid YAML: nesting is too deep", None) from None
    finally:
        loader.dispose()


class _Walker:
    """Node graph -> value and spans. Aliases are followed, with a budget against alias bombs."""

    def __init__(self, text: str, loader: yaml.SafeLoader) -> None:
        self.text = text
        self.loader = loader
        self.index = SpanIndex()
        self.literal_blocks: dict[str, tuple[int, int]] = {}
        self.budget = 100_000 + len(text)

    def span(self, node: yaml.Node) -> tuple[int, int]:
        start, end = node.start_mark.index, node.end_mark.index
        while end > start and self.text[end - 1] in " \t\r\n":
            end -= 1
        return start, end

    def walk(self, node: yaml.Node, pointer: str) -> object:
        self.budget -= 1
        if self.budget < 0:
            raise YamlProblem("not valid YAML for a template: aliases expand it too much", node.start_mark.index)
        self.index.values[pointer] = self.span(node)
        tag = node.tag
        long_name = SHORT_FORMS.get(tag)
        if long_name is not None:
            inner = pointer + "/" + escape_pointer_token(long_name)
            self.index.values[inner] = self.span(node)
            if isinstance(node, yaml.ScalarNode):
                value: object = node.value
                if long_name == "Fn::GetAtt":
                    value = node.value.split(".", 1)
            else:
                value = self.collection(node, inner)
            return {long_name: value}
        if tag.startswith("!"):
            # A tool's own tag (`!Rain::Embed`): its value is not known here.
            return "${" + tag[1:].replace("{", "").replace("}", "") + "}"
        if not tag.startswith(_TAG) or (tag not in _SCALAR_TAGS and tag not in (_TAG + "seq", _TAG + "map")):
            raise YamlProblem(f"not valid YAML for a template: unsupported tag `{tag.replace(_TAG, '!!')}`", node.start_mark.index)
        if isinstance(node, yaml.ScalarNode):
            if node.style == "|" and tag == _TAG + "str":
                self.literal_blocks[pointer] = (node.start_mark.line + 1, self.indent_of(node))
            return self.loader.construct_object(node)
        return self.collection(node, pointer)

    def indent_of(self, node: yaml.Node) -> int:
        """Indentation of a literal block's content: that of its first non-blank line."""
        lines = self.text[node.start_mark.index : node.end_mark.index].split("\n")[1:]
        for line in lines:
            if line.strip():
                return len(line) - len(line.lstrip(" "))
        return 0

    def collection(self, node: yaml.Node, pointer: str) -> object:
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(child, f"{pointer}/{i}") for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            result: dict[str, object] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlProblem("not valid YAML for a template: a mapping key must be text", key_node.start_mark.index)
                key = str(key_node.value)
                child = pointer + "/" + escape_pointer_token(key)
                key_span = self.span(key_node)
                if key in result:
                    self.index.duplicates.append((child, *key_span))
                self.index.keys[child] = key_span
                result[key] = self.walk(value_node, child)
            return result
        return self.loader.construct_object(node)


def load_yaml(text: str) -> YamlDocument | None:
    """Read a YAML text; None when it holds no document. Raises YamlProblem."""
    node, loader = compose(text)
    if node is None:
        return None
    walker = _Walker(text, loader)
    try:
        value = walker.walk(node, "")
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise YamlProblem(_message(getattr(error, "problem", None)), mark.index if mark else None) from None
    except RecursionError:
        raise YamlProblem("not valid YAML: nesting is too deep", None) from None
    return YamlDocument(value=value, index=walker.index, literal_blocks=walker.literal_blocks)
