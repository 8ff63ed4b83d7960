"""Access assertions: custom rules written as data, checked by `policylint check` (PL401).

In `policylint.toml` (`[[assert]]`), `pyproject.toml` (`[[tool.policylint.assert]]`), or a
file the configuration names with `assertions = "policylint-assertions.toml"` (its own
`[[assert]]` tables):

    [[assert]]
    name = "decrypt-stays-home"                    # named in findings
    no-access = ["kms:Decrypt", "kms:CreateGrant"]  # actions (patterns allowed)
    outside = ["111122223333", "444455556666", "o-a1b2c3d4e5"]  # accounts, organizations, services

    [[assert]]
    name = "app-can-decrypt"
    must-allow = ["kms:Decrypt"]
    principal = "arn:aws:iam::111122223333:role/App"
    context = { "kms:ViaService" = "s3.us-east-1.amazonaws.com" }   # optional
    paths = ["keys/app-key.json"]                   # optional: the files it applies to (globs)
    snapshot = "snapshot.yaml"                      # optional, with `key`: see below
    key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-..."

`no-access`: no principal outside the listed accounts, organizations and service principals can
do any of the actions on a key whose policy is checked. Every key policy is analysed as the
key policy of a key in its account, principals outside the snapshot assumed to have IAM
policies that allow the actions (so delegation to another account is access by that account).
`must-allow`: the principal can do every action. Without a snapshot it is assumed to have IAM
policies that allow it (the key policy must let it); with `snapshot` and `key`, the key policy
checked becomes the policy of key `key` in that snapshot and the principal's own policies,
SCPs and RCPs apply. Every finding carries a witness request, at the statement that grants it.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

_FIELDS = ("name", "no-access", "outside", "must-allow", "principal", "context", "paths", "snapshot", "key", "message")


class AssertionTableError(ValueError):
    """An assertion table that cannot be used."""


class Assertion(BaseModel):
    """One access assertion (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    name: str
    no_access: tuple[str, ...] = ()
    outside: tuple[str, ...] = ()
    must_allow: tuple[str, ...] = ()
    principal: str | None = None
    context: tuple[tuple[str, str | tuple[str, ...]], ...] = ()
    paths: tuple[str, ...] = ()
    snapshot: str | None = None
    key: str | None = None
    origin: str = ""

    def applies_to(self, path: str) -> bool:
        if not self.paths:
            return True
        folded = path.replace("\\", "/")
        return any(fnmatch.fnmatch(folded, p) or fnmatch.fnmatch(folded, "*/" + p.lstrip("/")) for p in self.paths)


def _strings(value: Any, field: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise AssertionTableError(f"{where}: `{field}` must be a string or a list of strings")
    return tuple(value)


def _context(value: Any, where: str) -> tuple[tuple[str, str | tuple[str, ...]], ...]:
    if not isinstance(value, Mapping):
        raise AssertionTableError(f"{where}: `context` must be a table of condition key = value")
    found: list[tuple[str, str | tuple[str, ...]]] = []
    for key, item in value.items():
        if isinstance(item, str):
            found.append((str(key), item))
        elif isinstance(item, list) and all(isinstance(v, str) for v in item):
            found.append((str(key), tuple(item)))
        else:
            raise AssertionTableError(f"{where}: the value of `{key}` in `context` must be a string or a list of strings")
    return tuple(found)


def parse_assertion(table: Any, where: str, base: str = "") -> Assertion:
    """One `[[assert]]` table; `base` is the folder relative paths (`snapshot`) start from."""
    if not isinstance(table, Mapping):
        raise AssertionTableError(f"{where} must be a table")
    unknown = sorted(set(table) - set(_FIELDS))
    if unknown:
        raise AssertionTableError(f"{where}: unknown key `{unknown[0]}` (known: {', '.join(_FIELDS)})")
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise AssertionTableError(f"{where} needs a `name`")
    where = f"{where} (`{name}`)"
    kinds = [k for k in ("no-access", "must-allow") if k in table]
    if len(kinds) != 1:
        raise AssertionTableError(f"{where} needs exactly one of `no-access` and `must-allow`")
    fields: dict[str, Any] = {"name": name.strip(), "origin": where}
    if "no-access" in table:
        fields["no_access"] = _strings(table["no-access"], "no-access", where)
        fields["outside"] = _strings(table["outside"], "outside", where) if "outside" in table else ()
        if "principal" in table:
            raise AssertionTableError(f"{where}: `principal` goes with `must-allow`, not `no-access`")
    else:
        fields["must_allow"] = _strings(table["must-allow"], "must-allow", where)
        principal = table.get("principal")
        if not isinstance(principal, str) or not principal:
            raise AssertionTableError(f"{where}: `must-allow` needs a `principal`")
        fields["principal"] = principal
        if "outside" in table:
            raise AssertionTableError(f"{where}: `outside` goes with `no-access`, not `must-allow`")
    if "context" in table:
        fields["context"] = _context(table["context"], where)
    if "paths" in table:
        fields["paths"] = _strings(table["paths"], "paths", where)
    if ("snapshot" in table) != ("key" in table):
        raise AssertionTableError(f"{where}: `snapshot` and `key` go together")
    if "snapshot" in table:
        import os

        snapshot = _strings(table["snapshot"], "snapshot", where)[0]
        fields["snapshot"] = snapshot if os.path.isabs(snapshot) or not base else os.path.join(base, snapshot)
        fields["key"] = _strings(table["key"], "key", where)[0]
    return Assertion(**fields)


def parse_assertions(raw: Any, where: str, base: str = "") -> tuple[Assertion, ...]:
    """An array of `[[assert]]` tables."""
    if not isinstance(raw, list):
        raise AssertionTableError(f"{where}: `assert` must be an array of tables (`[[assert]]`)")
    return tuple(parse_assertion(table, f"{where}: assertion {index + 1}", base) for index, table in enumerate(raw))


def read_assertions_file(path: str) -> tuple[Assertion, ...]:
    """The `[[assert]]` tables of a TOML file."""
    import os
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with open(path, "rb") as stream:
            data = tomllib.load(stream)
    except OSError as error:
        raise AssertionTableError(f"cannot read assertions `{path}`: {(error.strerror or str(error)).lower()}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise AssertionTableError(f"assertions `{path}` is not valid TOML: {error}") from None
    unknown = sorted(set(data) - {"assert"})
    if unknown:
        raise AssertionTableError(f"{path}: unknown key `{unknown[0]}` (an assertions file holds `[[assert]]` tables)")
    return parse_assertions(data.get("assert", []), path, os.path.dirname(path))


def applicable(assertions: Iterable[Assertion], path: str) -> list[Assertion]:
    return [a for a in assertions if a.applies_to(path)]
