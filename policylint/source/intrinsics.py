"""CloudFormation intrinsic functions inside a policy, resolved as far as a template alone allows.

- Pseudo parameters: `AWS::Partition` -> `aws` (unless given), `AWS::URLSuffix` ->
  `amazonaws.com`, `AWS::AccountId` / `AWS::Region` -> the value given, else they stay as the
  placeholder text `${AWS::AccountId}` / `${AWS::Region}` (so that
  `arn:${AWS::Partition}:iam::${AWS::AccountId}:root` is still recognisably the stack's account).
  `AWS::NoValue` removes the element that holds it.
- `Ref` / `Fn::GetAtt` to parameters and resources -> `${LogicalId}` / `${LogicalId.Attr}`.
- `Fn::Sub` (both forms), `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::FindInMap` (when the
  mapping is in the template), `Fn::ToJsonString`, `Fn::Length`: computed when their arguments are.
- `Fn::If`: the branch the caller's `choices` pick (condition name -> true / false).
- Anything else (`Fn::ImportValue`, `Fn::GetAZs`, `Fn::Base64`, ...) -> a placeholder such as
  `${ImportValue:SharedKeyArn}`. Nothing here raises for a malformed intrinsic: it becomes a
  placeholder too.

Every value produced is recorded in a pointer map: its pointer in the resolved policy -> the
pointer of the template node it came from (for a computed value, the whole intrinsic).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from itertools import product

from policylint.source.positions import escape_pointer_token

# A condition `Fn::If` is allowed to split a policy into at most this many documents.
MAX_COMBINATIONS = 4

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class _Removed:
    """`AWS::NoValue`: the element is left out."""

    def __repr__(self) -> str:
        return "REMOVED"


REMOVED = _Removed()


@dataclass(frozen=True)
class Context:
    """What resolution needs from the template and the run."""

    mappings: dict = field(default_factory=dict)
    account: str | None = None
    partition: str = "aws"
    region: str | None = None
    url_suffix: str = "amazonaws.com"
    # Condition name -> branch taken by `Fn::If` (names not listed take the true branch).
    choices: dict[str, bool] = field(default_factory=dict)

    def pseudo(self, name: str) -> object:
        """Value of a pseudo parameter, a placeholder when unknown, REMOVED for `AWS::NoValue`."""
        if name == "AWS::NoValue":
            return REMOVED
        known = {
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": self.url_suffix,
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
        }.get(name)
        return known if known is not None else "${" + name + "}"


@dataclass
class Resolved:
    """A resolved value, where each of its parts came from, and which parts are placeholders."""

    value: object
    mapping: dict[str, str] = field(default_factory=dict)
    placeholders: set[str] = field(default_factory=set)


def condition_names(value: object) -> list[str]:
    """Names of the conditions `Fn::If` tests anywhere in `value`, in order of appearance."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            branch = item.get("Fn::If")
            if len(item) == 1 and isinstance(branch, list) and branch and isinstance(branch[0], str):
                if branch[0] not in found:
                    found.append(branch[0])
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found


def choice_sets(names: list[str]) -> list[dict[str, bool]]:
    """Every combination of branches when there are few; else all-true and all-false, so that
    each branch is checked in at least one document."""
    if not names:
        return [{}]
    if 2 ** len(names) <= MAX_COMBINATIONS:
        return [dict(zip(names, values)) for values in product((True, False), repeat=len(names))]
    return [dict.fromkeys(names, True), dict.fromkeys(names, False)]


def describe_choices(choices: dict[str, bool]) -> str:
    """`IsProd, not HasReplica` for a label."""
    return ", ".join(name if taken else f"not {name}" for name, taken in choices.items())


def _placeholder(text: str) -> str:
    """`${text}` with no braces inside, so that placeholders never nest."""
    return "${" + text.replace("${", "").replace("{", "").replace("}", "") + "}"


def _as_text(value: object) -> str | None:
    """A resolved scalar as CloudFormation would turn it into text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


class _Resolver:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.result = Resolved(value=None)

    def note(self, out: str, source: str) -> None:
        self.result.mapping[out] = source

    def value(self, node: object, source: str, out: str) -> object:
        """Resolve `node` (at template pointer `source`) into the policy at pointer `out`."""
        if isinstance(node, dict):
            if len(node) == 1:
                (name, argument), = node.items()
                if name == "Ref" or name.startswith("Fn::"):
                    return self.intrinsic(name, argument, source, out)
            self.note(out, source)
            result: dict[str, object] = {}
            for key, child in node.items():
                token = "/" + escape_pointer_token(key)
                resolved = self.value(child, source + token, out + token)
                if resolved is not REMOVED:
                    result[key] = resolved
            return result
        if isinstance(node, list):
            self.note(out, source)
            items: list[object] = []
            for index, child in enumerate(node):
                resolved = self.value(child, f"{source}/{index}", f"{out}/{len(items)}")
                if resolved is not REMOVED:
                    items.append(resolved)
            return items
        self.note(out, source)
        return node

    def intrinsic(self, name: str, argument: object, source: str, out: str) -> object:
        if name == "Fn::If":
            return self.branch(argument, source, out)
        self.note(out, source)
        inner = source + "/" + escape_pointer_token(name)
        value = self.compute(name, argument, inner)
        if isinstance(value, str) and "${" in value:
            self.result.placeholders.add(out)
        return value

    def branch(self, argument: object, source: str, out: str) -> object:
        if not (isinstance(argument, list) and len(argument) == 3 and isinstance(argument[0], str)):
            self.note(out, source)
            return _placeholder("Fn::If")
        taken = self.context.choices.get(argument[0], True)
        slot = 1 if taken else 2
        return self.value(argument[slot], f"{source}/Fn::If/{slot}", out)

    def plain(self, node: object, source: str) -> object:
        """Resolve an argument of an intrinsic (its parts are not recorded in the map)."""
        saved = self.result
        self.result = Resolved(value=None)
        try:
            return self.value(node, source, "")
        finally:
            self.result = saved

    def compute(self, name: str, argument: object, source: str) -> object:
        if name == "Ref":
            if not isinstance(argument, str):
                return _placeholder("Ref")
            return self.context.pseudo(argument) if argument.startswith("AWS::") else "${" + argument + "}"
        if name == "Fn::GetAtt":
            parts = argument.split(".", 1) if isinstance(argument, str) else argument
            if isinstance(parts, list) and len(parts) == 2:
                texts = [_as_text(self.plain(part, source)) for part in parts]
                if all(texts):
                    return _placeholder(f"{texts[0]}.{texts[1]}")
            return _placeholder("Fn::GetAtt")
        if name == "Fn::Sub":
            return self.sub(argument, source)
        if name == "Fn::Join":
            return self.join(argument, source)
        if name == "Fn::Select":
            return self.select(argument, source)
        if name == "Fn::Split":
            if isinstance(argument, list) and len(argument) == 2:
                delimiter = _as_text(self.plain(argument[0], source + "/0"))
                text = _as_text(self.plain(argument[1], source + "/1"))
                if delimiter and text is not None:
                    return text.split(delimiter)
            return _placeholder("Fn::Split")
        if name == "Fn::FindInMap":
            return self.find_in_map(argument, source)
        if name == "Fn::ToJsonString":
            resolved = self.plain(argument, source)
            return json.dumps(resolved, separators=(",", ":")) if resolved is not REMOVED else _placeholder("Fn::ToJsonString")
        if name == "Fn::Length":
            resolved = self.plain(argument, source)
            return len(resolved) if isinstance(resolved, list) else _placeholder("Fn::Length")
        if name == "Fn::ImportValue":
            text = _as_text(self.plain(argument, source))
            return _placeholder(f"ImportValue:{text}" if text else "ImportValue")
        return _placeholder(name.removeprefix("Fn::"))

    def sub(self, argument: object, source: str) -> str:
        variables: dict[str, object] = {}
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            template = argument[0]
            for key, value in argument[1].items():
                variables[key] = self.plain(value, f"{source}/1/{escape_pointer_token(key)}")
        else:
            template = argument
        if not isinstance(template, str):
            return _placeholder("Fn::Sub")

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            name = name.strip()
            if name in variables:
                text = _as_text(variables[name])
                return text if text is not None else "${" + name + "}"
            if name.startswith("AWS::"):
                value = self.context.pseudo(name)
                return value if isinstance(value, str) else ""
            return "${" + name + "}"

        return _SUB_VARIABLE.sub(replace, template)

    def join(self, argument: object, source: str) -> object:
        if not (isinstance(argument, list) and len(argument) == 2):
            return _placeholder("Fn::Join")
        delimiter = _as_text(self.plain(argument[0], source + "/0"))
        items = self.plain(argument[1], source + "/1")
        if isinstance(items, str):
            return items
        if delimiter is None or not isinstance(items, list):
            return _placeholder("Fn::Join")
        texts = [_as_text(item) for item in items]
        if any(text is None for text in texts):
            return _placeholder("Fn::Join")
        return delimiter.join(texts)  # type: ignore[arg-type]

    def select(self, argument: object, source: str) -> object:
        if isinstance(argument, list) and len(argument) == 2:
            index = self.plain(argument[0], source + "/0")
            items = self.plain(argument[1], source + "/1")
            if isinstance(index, str) and index.isdigit():
                index = int(index)
            if isinstance(index, int) and not isinstance(index, bool) and isinstance(items, list) and 0 <= index < len(items):
                return items[index]
        return _placeholder("Fn::Select")

    def find_in_map(self, argument: object, source: str) -> object:
        if isinstance(argument, list) and len(argument) >= 3:
            names = [_as_text(self.plain(part, f"{source}/{i}")) for i, part in enumerate(argument[:3])]
            if all(name is not None and "${" not in name for name in names):
                top = self.context.mappings.get(names[0])
                second = top.get(names[1]) if isinstance(top, dict) else None
                if isinstance(second, dict) and names[2] in second:
                    return self.plain(second[names[2]], source)
            label = ".".join(name or "?" for name in names)
            return _placeholder(f"FindInMap:{label}")
        return _placeholder("FindInMap")


def resolve(node: object, source: str, context: Context) -> Resolved:
    """Resolve the template value `node` found at template pointer `source`."""
    resolver = _Resolver(context)
    value = resolver.value(node, source, "")
    resolver.result.value = value
    return resolver.result
