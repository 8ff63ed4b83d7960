"""Configuration: `policylint.toml` or `[tool.policylint]` in `pyproject.toml`, found from the
current directory upwards (`--config FILE` overrides), merged with command-line flags.

Keys: `select`, `extend-select`, `ignore`, `severity` (code -> level), `fail-on`, `account`,
`trusted-accounts`, `organization-id`, `kinds` (glob -> kind), `exclude`, and
`[[suppress]]` tables (`rule`, `path`, optional `sid` / `pointer`, required `reason`); access
assertions as `[[assert]]` tables and/or `assertions` (a TOML file of `[[assert]]` tables,
relative to the config file; see `policylint.analyze.assertions`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from policylint.settings import Settings, Suppression
from policylint.trusted import record

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from policylint.kinds import KINDS as _KINDS

# Settings and suppressions are made from values checked here, without validation.
_settings = record(Settings)
_suppression = record(Suppression)
_SEVERITIES = ("error", "warning", "info")
_FAIL_ON = ("error", "warning", "info", "never")
_ACCOUNT = re.compile(r"^\d{12}$")
_CODE = re.compile(r"^PL\d{0,3}$")
_KEYS = frozenset(
    {
        "select",
        "extend-select",
        "ignore",
        "severity",
        "fail-on",
        "account",
        "trusted-accounts",
        "organization-id",
        "kinds",
        "exclude",
        "suppress",
        "assert",
        "assertions",
    }
)


class ConfigError(ValueError):
    """A configuration file or value that cannot be used (reported in one line, exit 2)."""


def find_config(cwd: str) -> tuple[Path, dict[str, Any]] | None:
    """The nearest `policylint.toml`, or `pyproject.toml` with a `[tool.policylint]` table."""
    folder = Path(cwd).resolve()
    for candidate in (folder, *folder.parents):
        own = candidate / "policylint.toml"
        if _is_file(own):
            return own, _read(own)
        pyproject = candidate / "pyproject.toml"
        if _is_file(pyproject):
            data = _read(pyproject, tolerant=True)
            table = data.get("tool", {}).get("policylint") if isinstance(data.get("tool"), dict) else None
            if isinstance(table, dict):
                return pyproject, table
    return None


def _is_file(path: Path) -> bool:
    """A folder we may not search holds no config for us (it is passed over, not an error)."""
    try:
        return path.is_file()
    except OSError:
        return False


def _read(path: Path, tolerant: bool = False) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read config `{path}`: {(error.strerror or str(error)).lower()}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        if tolerant:
            return {}
        raise ConfigError(f"config `{path}` is not valid TOML: {error}") from None
    if path.name == "policylint.toml" and isinstance(data.get("tool"), dict) and "policylint" in data["tool"]:
        data = data["tool"]["policylint"]
    return data


def load_config_file(path: str) -> tuple[Path, dict[str, Any]]:
    """`--config FILE`: a policylint.toml, or a pyproject.toml with `[tool.policylint]`."""
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"config file `{path}` does not exist")
    data = _read(file)
    if file.name == "pyproject.toml":
        tool = data.get("tool", {})
        data = tool.get("policylint", {}) if isinstance(tool, dict) else {}
    return file, data


def _codes(value: Any, key: str, where: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of rule codes")
    codes = tuple(v.strip().upper() for v in value)
    for code in codes:
        if not _CODE.match(code):
            raise ConfigError(f"{where}: `{key}` has `{code}`, which is not a rule code or prefix like `PL2` or `PL203`")
    return codes


def _account(value: Any, key: str, where: Path | str) -> str:
    if isinstance(value, int):
        value = f"{value:012d}"
    if not isinstance(value, str) or not _ACCOUNT.match(value):
        raise ConfigError(f"{where}: `{key}` must be a 12-digit AWS account id, not `{value}`")
    return value


def settings_from_table(table: dict[str, Any], where: Path) -> dict[str, Any]:
    """Validate one config table; return Settings fields."""
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key `{unknown[0]}` (known: {', '.join(sorted(_KEYS))})")
    fields: dict[str, Any] = {"config_path": str(where)}
    for key, field in (("select", "select"), ("extend-select", "extend_select"), ("ignore", "ignore")):
        if key in table:
            fields[field] = _codes(table[key], key, where)
    if "severity" in table:
        raw = table["severity"]
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: `severity` must be a table of rule code = level")
        severity = {}
        for code, level in raw.items():
            if level not in _SEVERITIES:
                raise ConfigError(f"{where}: severity of `{code}` must be error, warning or info, not `{level}`")
            severity[code.upper()] = level
        fields["severity"] = severity
    if "fail-on" in table:
        if table["fail-on"] not in _FAIL_ON:
            raise ConfigError(f"{where}: `fail-on` must be error, warning, info or never, not `{table['fail-on']}`")
        fields["fail_on"] = table["fail-on"]
    if "account" in table:
        fields["account"] = _account(table["account"], "account", where)
    if "trusted-accounts" in table:
        raw = table["trusted-accounts"]
        if not isinstance(raw, list):
            raise ConfigError(f"{where}: `trusted-accounts` must be a list of account ids")
        fields["trusted_accounts"] = frozenset(_account(v, "trusted-accounts", where) for v in raw)
    if "organization-id" in table:
        org = table["organization-id"]
        if not isinstance(org, str) or not re.match(r"^o-[a-z0-9]{10,32}$", org):
            raise ConfigError(f"{where}: `organization-id` must look like `o-a1b2c3d4e5`, not `{org}`")
        fields["organization_id"] = org
    if "kinds" in table:
        raw = table["kinds"]
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: `kinds` must be a table of glob = kind")
        for glob, kind in raw.items():
            if kind not in _KINDS:
                raise ConfigError(f"{where}: kind for `{glob}` must be one of {', '.join(_KINDS)}, not `{kind}`")
        fields["kinds"] = tuple(raw.items())
    if "exclude" in table:
        raw = table["exclude"]
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise ConfigError(f"{where}: `exclude` must be a list of globs")
        fields["exclude"] = tuple(raw)
    if "suppress" in table:
        fields["suppressions"] = _suppressions(table["suppress"], where)
    if "assert" in table or "assertions" in table:
        fields["assertions"] = _assertions(table, where)
    return fields


def _assertions(table: dict[str, Any], where: Path) -> tuple[Any, ...]:
    from policylint.analyze.assertions import AssertionTableError, parse_assertions, read_assertions_file

    base = str(where.parent)
    try:
        found = parse_assertions(table["assert"], str(where), base) if "assert" in table else ()
        if "assertions" in table:
            path = table["assertions"]
            if not isinstance(path, str) or not path:
                raise ConfigError(f"{where}: `assertions` must be the path of a TOML file of `[[assert]]` tables")
            found += read_assertions_file(path if Path(path).is_absolute() else str(where.parent / path))
    except AssertionTableError as error:
        raise ConfigError(str(error)) from None
    return found


def _suppressions(raw: Any, where: Path) -> tuple[Suppression, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: `suppress` must be an array of tables (`[[tool.policylint.suppress]]`)")
    found = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: suppression {index + 1} must be a table")
        unknown = sorted(set(item) - {"rule", "path", "sid", "pointer", "reason"})
        if unknown:
            raise ConfigError(f"{where}: suppression {index + 1} has unknown key `{unknown[0]}`")
        for required in ("rule", "reason"):
            if not isinstance(item.get(required), str) or not item[required].strip():
                raise ConfigError(f"{where}: suppression {index + 1} needs a `{required}`")
        for optional in ("path", "sid", "pointer"):
            if optional in item and not isinstance(item[optional], str):
                raise ConfigError(f"{where}: suppression {index + 1}: `{optional}` must be a string")
        found.append(
            _suppression(
                rule=item["rule"].strip().upper(),
                path=item.get("path", "*"),
                sid=item.get("sid"),
                pointer=item.get("pointer"),
                reason=item["reason"],
                origin=f"{where}:suppression {index + 1}",
            )
        )
    return tuple(found)


def resolve_settings(overrides: dict[str, Any], *, config_path: str | None, cwd: str) -> Settings:
    """Settings from the config file (explicit or found), then command-line overrides."""
    found = load_config_file(config_path) if config_path else find_config(cwd)
    fields: dict[str, Any] = {}
    if found is not None:
        fields.update(settings_from_table(found[1], found[0]))
    for key, value in overrides.items():
        if value is None:
            continue
        if key == "account":
            value = _account(value, "--account", "command line")
        if key == "trusted_accounts":
            value = frozenset(fields.get("trusted_accounts", frozenset())) | {
                _account(v, "--trusted-account", "command line") for v in value
            }
        if key in ("select", "ignore", "extend_select"):
            value = tuple(value)
            for code in value:
                if not isinstance(code, str) or not _CODE.match(code):
                    raise ConfigError(f"`{code}` is not a rule code or prefix like `PL2` or `PL203`")
        if key == "fail_on" and value not in _FAIL_ON:
            raise ConfigError(f"--fail-on must be error, warning, info or never, not `{value}`")
        if key == "kind" and value not in _KINDS:
            raise ConfigError(f"--kind must be one of {', '.join(_KINDS)}, not `{value}`")
        if key == "organization_id" and not isinstance(value, str):
            raise ConfigError("--organization-id must be text")
        fields[key] = value
    # Every value was checked above (or by settings_from_table) and is of its field's type, so
    # the settings are made without validation: a check run builds no pydantic validator.
    return _settings(**fields)
