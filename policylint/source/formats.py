"""Which reader takes a file: by its suffix, then by what its content is.

JSON files are parsed once; each JSON reader in `_json_readers()` is asked in order whether the
value is its format (CloudFormation, Terraform plan, AWS CLI exports, ...). A plain policy
document is the fallback. Readers for non-JSON text (YAML, HCL) are chosen by suffix.
"""

from __future__ import annotations

from functools import cache
from typing import Protocol

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


@cache
def checked_suffixes() -> tuple[str, ...]:
    """Suffixes of the files a directory walk checks."""
    return JSON_SUFFIXES + tuple(_text_readers())


@cache
def _json_readers() -> tuple[JsonReader, ...]:
    from policylint.source import jsonfile

    def get_key_policy(path: str, parsed: ParsedJson, lines: LineIndex, /, *, account: str | None = None) -> LoadResult | None:
        if jsonfile.is_get_key_policy(parsed.value):
            return jsonfile.read_get_key_policy(path, parsed, lines)
        return None

    return tuple(_container_json_readers()) + (get_key_policy,)


def _container_json_readers() -> list[JsonReader]:
    """Readers of JSON containers (CloudFormation, Terraform, exports), most specific first."""
    from policylint.source import containers

    return containers.json_readers()


@cache
def _text_readers() -> dict[str, TextReader]:
    """Readers for non-JSON suffixes (`.yaml`, `.tf`, ...)."""
    from policylint.source import containers

    return dict(containers.text_readers())


def json_readers() -> tuple[JsonReader, ...]:
    return _json_readers()


def text_reader(suffix: str) -> TextReader | None:
    return _text_readers().get(suffix.lower())
