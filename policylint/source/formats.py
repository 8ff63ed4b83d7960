"""Which reader takes a file: by its suffix, then by what its content is.

JSON files are parsed once; the shape tests of `policylint.source.sniff` tell whether the value
is a container (CloudFormation, Terraform plan, AWS CLI exports, ...), and only then is its
reader imported. A plain policy document is the fallback. Readers for non-JSON text (YAML, HCL) are chosen by suffix.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Protocol

from policylint.source import sniff
from policylint.source.document import LoadResult
from policylint.source.jsonpos import ParsedJson
from policylint.source.positions import LineIndex


class JsonReader(Protocol):
    """(path, parsed JSON, line index) -> LoadResult, or None when the file is not this format.

    `account` is the account that owns what the file describes, when the user said (`--account`):
    container readers use it for values such as CloudFormation's `AWS::AccountId`.
    """

    def __call__(self, path: str, parsed: ParsedJson, lines: LineIndex, /, *, account: str | None = None) -> LoadResult | None: ...


class TextReader(Protocol):
    """(path, text, line index) -> LoadResult; `account` as for `JsonReader`."""

    def __call__(self, path: str, text: str, lines: LineIndex, /, *, account: str | None = None) -> LoadResult: ...


# Suffixes `policylint check DIR` picks up when walking a directory.
JSON_SUFFIXES = (".json",)

# Readers of non-JSON containers by suffix: (module of policylint.source, function).
_TEXT_READERS = {
    ".yaml": ("cloudformation", "read_yaml"),
    ".yml": ("cloudformation", "read_yaml"),
    ".template": ("cloudformation", "read_yaml"),
    ".tf": ("terraform_config", "read_tf"),
}

# JSON containers, most specific first: (test of the parsed value, module of policylint.source).
# The module is imported only when its test says the value is its format.
_JSON_CONTAINERS = (
    (sniff.is_template, "cloudformation"),
    (sniff.is_plan, "terraform_plan"),
    (sniff.export_format, "exports"),
)


def checked_suffixes() -> tuple[str, ...]:
    """Suffixes of the files a directory walk checks."""
    return JSON_SUFFIXES + tuple(_TEXT_READERS)


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"policylint.source.{name}")


def _container(path: str, parsed: ParsedJson, lines: LineIndex, /, *, account: str | None = None) -> LoadResult | None:
    for test, name in _JSON_CONTAINERS:
        if test(parsed.value):
            return _module(name).read_json(path, parsed, lines, account=account)
    return None


def _get_key_policy(path: str, parsed: ParsedJson, lines: LineIndex, /, *, account: str | None = None) -> LoadResult | None:
    from policylint.source import jsonfile

    if jsonfile.is_get_key_policy(parsed.value):
        return jsonfile.read_get_key_policy(path, parsed, lines)
    return None


def json_readers() -> tuple[JsonReader, ...]:
    return (_container, _get_key_policy)


def text_reader(suffix: str) -> TextReader | None:
    found = _TEXT_READERS.get(suffix.lower())
    if found is None:
        return None
    module, function = found
    return getattr(_module(module), function)
