"""Rule metadata: one TOML file per rule in `rules/`, and the checks bound to them by code.

Rule file fields: `code`, `name`, `severity`, `kinds`, `summary`, `[docs]` (`what_it_does`,
`why_bad`, `example`, `use_instead`), `references`, and `[[examples.flagged]]` /
`[[examples.clean]]` tables (`document`, optional `kind`, `account`, `trusted_accounts`,
`organization_id`, `assertions`, `pointers` for flagged ones).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from policylint.data import data_dir
from policylint.findings import SEVERITY_ORDER, Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


# Validators are built on first use (`policylint rules`, the docs, the tests): a check run reads
# only the name and severity of the rules it reports (`name_and_severity`).


class RuleDocs(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    what_it_does: str
    why_bad: str
    example: str
    use_instead: str


class RuleExample(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    document: str
    kind: str | None = None
    account: str | None = None
    trusted_accounts: tuple[str, ...] = ()
    organization_id: str | None = None
    path: str = "example.json"
    # For flagged examples: the pointers the rule must flag (all of them, exactly).
    pointers: tuple[str, ...] = ()
    # Access assertions (`[[assert]]` tables) in force for the example (PL401).
    assertions: tuple[dict[str, Any], ...] = ()
    note: str | None = None


class RuleExamples(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    flagged: tuple[RuleExample, ...] = ()
    clean: tuple[RuleExample, ...] = ()


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    code: str
    name: str
    severity: Severity
    kinds: tuple[str, ...] = ()
    summary: str
    docs: RuleDocs
    references: tuple[str, ...] = ()
    examples: RuleExamples = Field(default_factory=RuleExamples)

    @property
    def file_name(self) -> str:
        return f"{self.code}-{self.name}.toml"


class RuleFileError(ValueError):
    pass


def _read_rule_file(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RuleFileError(f"{path.name}: {error}") from None


def load_rule_file(path: Path) -> Rule:
    data = _read_rule_file(path)
    try:
        rule = Rule.model_validate(data)
    except ValidationError as error:
        raise RuleFileError(f"{path.name}: {error}") from None
    if path.name != rule.file_name:
        raise RuleFileError(f"{path.name}: file name must be `{rule.file_name}`")
    return rule


@cache
def rules() -> dict[str, Rule]:
    """Every rule shipped in `rules/`, by code, in code order."""
    folder = data_dir("rules")
    found = [load_rule_file(path) for path in sorted(folder.glob("PL*.toml"))]
    return {rule.code: rule for rule in sorted(found, key=lambda r: r.code)}


@cache
def _rule_paths() -> dict[str, Path]:
    """Rule files by code, from their names alone (`PL203-public-key.toml` -> `PL203`)."""
    return {path.name.partition("-")[0]: path for path in sorted(data_dir("rules").glob("PL*.toml"))}


@cache
def rule(code: str) -> Rule | None:
    """One rule, reading only its own file: a check run needs only the rules it reports."""
    path = _rule_paths().get(code)
    return load_rule_file(path) if path is not None else None


@cache
def name_and_severity(code: str) -> tuple[str, Severity] | None:
    """What a finding shows of its rule, read from the rule's own file without building the whole
    Rule (a check run then builds no pydantic validator; `rule` and the tests validate the files)."""
    path = _rule_paths().get(code)
    if path is None:
        return None
    data = _read_rule_file(path)
    name, severity = data.get("name"), data.get("severity")
    if not isinstance(name, str) or not isinstance(severity, str) or severity not in SEVERITY_ORDER:
        raise RuleFileError(f"{path.name}: a rule needs a `name` and a `severity` (error, warning or info)")
    return name, severity


@cache
def checks() -> dict[str, tuple]:
    """Check functions by rule code, discovered in the modules of `policylint.checks`."""
    import policylint.checks as package

    bound: dict[str, list] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            codes = getattr(value, "rule_codes", None)
            if callable(value) and codes and getattr(value, "__module__", None) == module.__name__:
                for code in codes:
                    bound.setdefault(code, []).append(value)
    return {code: tuple(functions) for code, functions in sorted(bound.items())}
