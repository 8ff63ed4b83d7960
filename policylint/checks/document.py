"""Document-level validity: Version, Sids, size quotas and accepted characters."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from policylint.checks.base import CheckContext, implements
from policylint.findings import Violation
from policylint.model.policy import PolicyDocument

VERSIONS = ("2012-10-17", "2008-10-17")

# Sids of IAM documents (identity, trust, SCP, RCP): ASCII letters and digits only.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
_IAM_SID = re.compile(r"^[A-Za-z0-9]*$")
_IAM_SID_KINDS = frozenset({"identity-policy", "trust-policy", "scp", "rcp"})

# Size quotas: (limit, unit, how it is counted).
# https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html (key policy 32 KB)
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html (managed policy 6,144)
# https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html (SCP/RCP 5,120)
_QUOTAS = {
    "key-policy": (32_768, "bytes"),
    "identity-policy": (6_144, "characters"),
    "scp": (5_120, "characters"),
    "rcp": (5_120, "characters"),
    "trust-policy": (2_048, "characters"),
}

# Characters a key policy may contain: tab, LF, CR, and U+0020..U+00FF.
# https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
_KEY_POLICY_BAD_CHAR = re.compile(r"[^\t\n\r\u0020-\u007e\u00a0-\u00ff]")


@implements("PL004", "PL002")
def version(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    """PL004 missing-or-old-version (and PL002 for a Version value AWS does not know)."""
    if not isinstance(document.raw, dict):
        return
    if "Version" not in document.raw:
        yield Violation(code="PL004", pointer="", message="`Version` is missing, so policy variables are read as literal text")
        return
    value = document.version_value
    if value == "2008-10-17":
        yield Violation(
            code="PL004",
            pointer="/Version",
            message="`Version` is `2008-10-17`, so policy variables are read as literal text",
        )
    elif value is not None and value not in VERSIONS:
        yield Violation(code="PL002", pointer="/Version", message=f"`Version` must be `2012-10-17`, not `{value}`")


@implements("PL005")
def duplicate_sid(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    """PL005 duplicate-sid: two statements with the same Sid."""
    first: dict[str, int] = {}
    for statement in document.statements:
        if statement.sid is None or statement.sid.value == "":
            continue
        sid = statement.sid.value
        if sid in first:
            yield Violation(
                code="PL005",
                pointer=statement.sid.pointer,
                message=f"Sid `{sid}` is already used by statement {first[sid]}",
            )
        else:
            first[sid] = statement.index


@implements("PL006")
def invalid_sid(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    """PL006 invalid-sid: characters an IAM document does not accept in a Sid.

    Key policy Sids may hold any character a key policy accepts (spaces included); characters
    outside that set are reported for the whole document by PL013.
    """
    if document.kind not in _IAM_SID_KINDS:
        return
    for statement in document.statements:
        if statement.sid is None or _IAM_SID.match(statement.sid.value):
            continue
        sid = statement.sid.value
        bad = sorted({c for c in sid if not (c.isascii() and c.isalnum())})
        shown = ", ".join(_show_char(c) for c in bad)
        yield Violation(
            code="PL006",
            pointer=statement.sid.pointer,
            message=f"Sid `{sid}` has characters an {_kind_name(document.kind)} does not accept: {shown}",
        )


def _show_char(char: str) -> str:
    if char == " ":
        return "space"
    if not char.isprintable() or char == "`":
        return f"U+{ord(char):04X}"
    return f"`{char}`"


def _kind_name(kind: str) -> str:
    return {
        "key-policy": "key policy",
        "identity-policy": "identity policy",
        "trust-policy": "IAM role trust policy",
        "scp": "SCP",
        "rcp": "RCP",
    }.get(kind, kind)


def policy_size(document: PolicyDocument) -> tuple[int, str] | None:
    """The size AWS counts for the document's kind, and its unit."""
    quota = _QUOTAS.get(document.kind)
    if quota is None:
        return None
    if quota[1] == "bytes":
        text = document.text if document.text is not None else json.dumps(document.raw, ensure_ascii=False)
        return len(text.encode("utf-8", errors="surrogatepass")), "bytes"
    compact = json.dumps(document.raw, separators=(",", ":"), ensure_ascii=False)
    return len(compact), "characters"


# Compact JSON of a parsed JSON text is never longer than that text, except for numbers with a
# fraction or an exponent: Python may print one up to 4.5 times longer (`1e15` ->
# `1000000000000000.0`). Such a number has a digit right before its `.`, `e` or `E`.
_MAX_GROWTH = 5
_FRACTION_OR_EXPONENT = re.compile(r"[0-9][.eE]")


def _surely_under(document: PolicyDocument, limit: int) -> bool:
    """Whether the document's compact JSON surely has at most `limit` characters, told from the
    length of its own JSON text (the upper bound above), without serialising the document."""
    text = document.text
    if text is None:
        return False
    if len(text) * _MAX_GROWTH <= limit:
        return True
    return len(text) <= limit and _FRACTION_OR_EXPONENT.search(text) is None


@implements("PL013")
def too_large(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    """PL013 policy-too-large: over the kind's size quota; characters a key policy rejects."""
    quota = _QUOTAS.get(document.kind)
    if quota is not None and quota[1] == "characters" and _surely_under(document, quota[0]):
        measured = None  # measuring needs a serialisation of the whole document
    else:
        measured = policy_size(document)
    if quota is not None and measured is not None and measured[0] > quota[0]:
        counted = "" if measured[1] == "bytes" else " (not counting whitespace)"
        yield Violation(
            code="PL013",
            pointer="",
            message=f"{_kind_name(document.kind)} is {measured[0]:,} {measured[1]}{counted}; the quota is {quota[0]:,}",
        )
    if document.kind == "key-policy":
        yield from _bad_characters(document.raw)


def _bad_characters(value: object) -> Iterator[Violation]:
    """Every string (key or value) holding a character a key policy may not contain."""
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        pointer, item = stack.pop()
        if isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                child_pointer = pointer + "/" + key.replace("~", "~0").replace("/", "~1")
                if _KEY_POLICY_BAD_CHAR.search(key):
                    yield _bad_char(child_pointer, key, at_key=True)
                stack.append((child_pointer, child))
        elif isinstance(item, list):
            for index in range(len(item) - 1, -1, -1):
                stack.append((f"{pointer}/{index}", item[index]))
        elif isinstance(item, str) and _KEY_POLICY_BAD_CHAR.search(item):
            yield _bad_char(pointer, item)


def _bad_char(pointer: str, text: str, at_key: bool = False) -> Violation:
    found = _KEY_POLICY_BAD_CHAR.search(text)
    char = found.group() if found else "?"
    shown = f"`{char}` (U+{ord(char):04X})" if char.isprintable() and char != "`" else f"U+{ord(char):04X}"
    return Violation(
        code="PL013",
        pointer=pointer,
        message=f"key policies accept only tab, line breaks and U+0020 to U+00FF; found {shown}",
        at_key=at_key,
    )
