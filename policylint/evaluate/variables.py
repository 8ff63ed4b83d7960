"""Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, `${*}`, `${?}`, `${$}`.

A variable is replaced by the single value of that context key in the request (key names are
case-insensitive); `, 'default'` after the key name gives the value to use when the key is
absent. `${*}`, `${?}` and `${$}` stand for a literal `*`, `?` and `$`. A variable that cannot be
resolved (key absent and no default, or a multivalued key) makes the element that holds it
match nothing, which is what `None` means below. Variables exist only in policies whose
`Version` is `2012-10-17`; elsewhere `${...}` is plain text (`enabled=False`).

Text that only looks like a variable (`${` with no closing `}`, an empty key name, a default
not in single quotes) is kept as plain text.
Reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from policylint.evaluate.context import RequestContext, lookup
from policylint.evaluate.match import GlobItem, GlobPattern

VARIABLE_VERSION = "2012-10-17"

_SPECIALS = frozenset({"*", "?", "$"})
# Characters that end a variable's key name: `,` and `}` properly, the others as malformed.
_KEY_STOPS = frozenset({",", "}", "$", "{", "'"})

Context = RequestContext | Mapping[str, Any]


class _Text(NamedTuple):
    """Policy text outside any variable: `*` and `?` in it are wildcards."""

    text: str


class _Special(NamedTuple):
    """`${*}`, `${?}` or `${$}`: one literal character."""

    char: str


class _Variable(NamedTuple):
    source: str  # the whole `${...}` as written
    key: str
    default: str | None


_Token = _Text | _Special | _Variable


def variables_enabled(version: str | None) -> bool:
    """Whether a policy with this `Version` element resolves policy variables."""
    return version == VARIABLE_VERSION


def _skip_spaces(text: str, index: int) -> int:
    while index < len(text) and text[index] == " ":
        index += 1
    return index


def _parse_variable(text: str, start: int) -> tuple[_Token, int] | None:
    """Parse the variable whose `${` is at `start`: its token and the index after its `}`.

    Each scan stops at the first character that cannot continue the variable, so a text full
    of `${` without closing braces still takes linear time overall.
    """
    length = len(text)
    index = start + 2
    if index + 1 < length and text[index] in _SPECIALS and text[index + 1] == "}":
        return _Special(text[index]), index + 2
    end = index
    while end < length and text[end] not in _KEY_STOPS:
        end += 1
    if end >= length or text[end] not in ",}":
        return None
    key = text[index:end].strip()
    if not key:
        return None
    if text[end] == "}":
        return _Variable(text[start : end + 1], key, None), end + 1
    quote = _skip_spaces(text, end + 1)
    if quote >= length or text[quote] != "'":
        return None
    quote_end = text.find("'", quote + 1)
    if quote_end < 0:
        return None
    close = _skip_spaces(text, quote_end + 1)
    if close >= length or text[close] != "}":
        return None
    return _Variable(text[start : close + 1], key, text[quote + 1 : quote_end]), close + 1


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    plain_start = 0
    search_from = 0
    while True:
        start = text.find("${", search_from)
        if start < 0:
            break
        parsed = _parse_variable(text, start)
        if parsed is None:
            search_from = start + 1
            continue
        token, end = parsed
        if start > plain_start:
            tokens.append(_Text(text[plain_start:start]))
        tokens.append(token)
        plain_start = search_from = end
    if plain_start < len(text):
        tokens.append(_Text(text[plain_start:]))
    return tokens


def _value(variable: _Variable, context: Context) -> str | None:
    values = lookup(context, variable.key)
    if not values:
        return variable.default
    if len(values) > 1:
        return None  # multivalued keys cannot be policy variables
    return values[0]


def resolve_pattern(text: str, context: Context, *, enabled: bool = True) -> GlobPattern | None:
    """`text` as a glob pattern with its variables replaced by literal text; None when a
    variable cannot be resolved.

    `*` and `?` written in the policy are wildcards; those coming from `${*}`, `${?}` or from
    a context value are literal characters.
    """
    if not enabled:
        return GlobPattern.parse(text)
    parts: list[GlobItem | GlobPattern] = []
    for token in _tokens(text):
        if isinstance(token, _Text):
            parts.append(GlobPattern.parse(token.text))
        elif isinstance(token, _Special):
            parts.append(token.char)
        else:
            value = _value(token, context)
            if value is None:
                return None
            parts.append(value)
    return GlobPattern.join(parts)


def substitute(text: str, context: Context, *, enabled: bool = True) -> str | None:
    """`text` with its variables replaced; None when a variable cannot be resolved.

    For comparisons without wildcards (`StringEquals`); pattern matching needs
    `resolve_pattern`, which keeps a `*` from `${*}` apart from a wildcard `*`.
    """
    pattern = resolve_pattern(text, context, enabled=enabled)
    return None if pattern is None else pattern.text


def unresolved_variable(text: str, context: Context) -> str | None:
    """The first variable in `text` (as written) that cannot be resolved, or None."""
    for token in _tokens(text):
        if isinstance(token, _Variable) and _value(token, context) is None:
            return token.source
    return None
