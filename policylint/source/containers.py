"""Files that hold policies inside something else, and what their readers share.

Containers: CloudFormation templates (JSON, YAML), Terraform plans and state (`terraform show
-json`), Terraform configuration (`.tf`), AWS CLI exports. `policylint.source.formats` chooses the
reader; the readers live in their own modules and are imported only when a file needs them.

A policy inside a container is located in the container file through a `PolicyLocator`: the
policy's JSON pointers are mapped to pointers (or directly to spans) of the container, and the
container's spans are computed once per file, on the first request. A policy held as the text
of a string (a Terraform plan, a JSON string in a template) is located inside that string by an
offset map. Pointers of the form `1/Name` (a relative JSON pointer: up one level from the policy,
then the member `Name`) name a property beside the policy, such as
`BypassPolicyLockoutSafetyCheck`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping

from policylint.findings import Violation
from policylint.source.document import FileProblem
from policylint.source.jsonfile import duplicate_violations
from policylint.source.jsonpos import JsonSyntaxError, ParsedJson, SpanIndex, index_spans, parse_json
from policylint.source.locate import JsonLocator, Locator, OffsetMap
from policylint.source.positions import LineIndex, Range, split_pointer


class FileSpans:
    """Spans of a container file by container pointer: given (YAML, HCL) or indexed on first use
    (JSON, from the file's text)."""

    __slots__ = ("lines", "text", "_index")

    def __init__(self, lines: LineIndex, *, index: SpanIndex | None = None, text: str | None = None) -> None:
        self.lines = lines
        self.text = text
        self._index = index

    @property
    def index(self) -> SpanIndex:
        if self._index is None:
            self._index = index_spans(self.text or "")
        return self._index

    def value_span(self, pointer: str) -> tuple[int, int] | None:
        return self.index.values.get(pointer)

    def value_range(self, pointer: str) -> Range | None:
        span = self.index.values.get(pointer)
        return self.lines.range(*span) if span is not None else None

    def key_range(self, pointer: str) -> Range | None:
        span = self.index.keys.get(pointer)
        return self.lines.range(*span) if span is not None else None


class PolicyLocator:
    """Locates a policy's elements in its container file.

    `mapping` maps policy pointers to container pointers (a template policy whose intrinsics were
    resolved); without one, a policy pointer is `prefix` + pointer in the container. A pointer
    that is not mapped is located at its nearest mapped ancestor. `inner` locates a policy held as
    the text of a string. `outside` maps pointers of properties beside the policy (`1/Name`) to
    container pointers.
    """

    __slots__ = ("_file", "_mapping", "_prefix", "_inner", "_outside")

    def __init__(
        self,
        file: FileSpans,
        mapping: Mapping[str, str] | None = None,
        *,
        prefix: str = "",
        inner: Locator | None = None,
        outside: Mapping[str, str] | None = None,
    ) -> None:
        self._file = file
        self._mapping = mapping
        self._prefix = prefix
        self._inner = inner
        self._outside = outside or {}

    def with_outside(self, pointer: str, target: str) -> PolicyLocator:
        """The same locator, also locating `pointer` (`1/Name`) at container pointer `target`."""
        outside = {**self._outside, pointer: target}
        return PolicyLocator(self._file, self._mapping, prefix=self._prefix, inner=self._inner, outside=outside)

    def _target(self, pointer: str) -> str | None:
        if self._mapping is None:
            return self._prefix + pointer
        return self._mapping.get(pointer)

    def value_range(self, pointer: str) -> Range | None:
        if pointer in self._outside:
            return self._file.value_range(self._outside[pointer])
        if self._inner is not None:
            return self._inner.value_range(pointer)
        probe = pointer
        while True:
            target = self._target(probe)
            if target is not None:
                found = self._file.value_range(target)
                if found is not None:
                    return found
            if not probe.startswith("/"):
                return None
            probe = probe[: probe.rfind("/")]

    def key_range(self, pointer: str) -> Range | None:
        if pointer in self._outside:
            return self._file.key_range(self._outside[pointer])
        if self._inner is not None:
            return self._inner.key_range(pointer)
        target = self._target(pointer)
        return self._file.key_range(target) if target is not None else None


class PiecewiseOffsets:
    """Maps offsets in a derived text (a decoded string, a heredoc without its indentation) to
    offsets in the file: breakpoints `(derived, file)`, linear between them; offsets at or past
    `length` map to `end`."""

    __slots__ = ("_inner", "_outer", "_length", "_end")

    def __init__(self, breakpoints: list[tuple[int, int]], length: int, end: int) -> None:
        points = sorted(breakpoints) or [(0, end)]
        self._inner = [p[0] for p in points]
        self._outer = [p[1] for p in points]
        self._length = length
        self._end = end

    def __call__(self, offset: int) -> int:
        if offset >= self._length:
            return self._end
        slot = max(bisect_right(self._inner, offset) - 1, 0)
        return self._outer[slot] + (offset - self._inner[slot])


class LazyStringLocator:
    """Locates a policy held as the text of a JSON string of a container JSON file: the string's
    offset map is built on the first request, from the container's spans."""

    __slots__ = ("_file", "_pointer", "_text", "_locator")

    def __init__(self, file: FileSpans, pointer: str, inner_text: str) -> None:
        self._file = file
        self._pointer = pointer
        self._text = inner_text
        self._locator: JsonLocator | None = None

    def _get(self) -> JsonLocator | None:
        if self._locator is None:
            span = self._file.value_span(self._pointer)
            if span is None or self._file.text is None:
                return None
            offsets = OffsetMap(self._file.text[span[0] : span[1]], span[0])
            self._locator = JsonLocator(self._text, self._file.lines, offsets)
        return self._locator

    def value_range(self, pointer: str) -> Range | None:
        locator = self._get()
        return locator.value_range(pointer) if locator is not None else None

    def key_range(self, pointer: str) -> Range | None:
        locator = self._get()
        return locator.key_range(pointer) if locator is not None else None

    def duplicate_keys(self) -> list[tuple[str, Range]]:
        locator = self._get()
        return locator.duplicate_keys() if locator is not None else []


def string_offsets(file: FileSpans, pointer: str) -> OffsetMap | None:
    """Offset map of the JSON string literal at `pointer` of a container JSON file."""
    span = file.value_span(pointer)
    if span is None or file.text is None:
        return None
    return OffsetMap(file.text[span[0] : span[1]], span[0])


def parse_embedded(
    text: str, lines: LineIndex, offsets: Callable[[int], int] | None, pointer: str
) -> ParsedJson | FileProblem:
    """Parse a policy held as text; a syntax error becomes PL001 at its place in the file."""
    try:
        return parse_json(text)
    except JsonSyntaxError as error:
        at = offsets(error.offset) if offsets is not None else None
        where = lines.range(at, at) if at is not None else None
        return FileProblem(code="PL001", message=f"embedded policy: {error.message}", range=where, pointer=pointer)


def parse_string_policy(text: str, file: FileSpans, pointer: str) -> ParsedJson | FileProblem:
    """Parse a policy held by the JSON string at `pointer` of a container JSON file; a syntax
    error becomes PL001 at its place inside the string (spans are only computed then)."""
    try:
        return parse_json(text)
    except JsonSyntaxError as error:
        offsets = string_offsets(file, pointer)
        at = offsets(error.offset) if offsets is not None else None
        where = file.lines.range(at, at) if at is not None else None
        return FileProblem(code="PL001", message=f"embedded policy: {error.message}", range=where, pointer=pointer)


def embedded_duplicates(parsed: ParsedJson, locator: JsonLocator | LazyStringLocator) -> tuple[Violation, ...]:
    """PL003 for repeated keys inside a policy held as text."""
    return duplicate_violations(locator) if parsed.has_duplicates else ()  # type: ignore[arg-type]


def duplicate_key(pointer: str) -> Violation:
    """PL003 for the member at `pointer`, whose key repeats an earlier key of its object."""
    key = split_pointer(pointer)[-1]
    return Violation(
        code="PL003",
        pointer=pointer,
        message=f"duplicate key `{key}`: parsers disagree on which value wins (here the last one)",
        at_key=True,
    )


def mapped_duplicates(index: SpanIndex, mapping: Mapping[str, str], reported: set[str] | None = None) -> tuple[Violation, ...]:
    """PL003 for repeated keys of a policy whose pointers map into a container (a template).

    `reported` holds the container pointers already reported for another document made from the
    same template value (one per `Fn::If` branch): each repeated key is reported once.
    """
    if not index.duplicates:
        return ()
    reverse: dict[str, str] = {}
    for policy_pointer, container_pointer in mapping.items():
        reverse.setdefault(container_pointer, policy_pointer)
    found = []
    for container_pointer, _start, _end in index.duplicates:
        cut = container_pointer.rfind("/")
        parent = reverse.get(container_pointer[:cut])
        if parent is None or (reported is not None and container_pointer in reported):
            continue
        if reported is not None:
            reported.add(container_pointer)
        found.append(duplicate_key(parent + container_pointer[cut:]))
    return tuple(found)


def lockout_violation(name: str) -> Violation:
    """PL215: the container turns off KMS's key policy lockout safety check for this policy."""
    return Violation(
        code="PL215",
        pointer=f"1/{name}",
        message=f"`{name}` is true, so KMS does not check that this key policy still lets the caller manage the key",
        at_key=True,
    )


def is_true(value: object) -> bool:
    """A literal boolean true (`true`, or the string `"true"` that CloudFormation also accepts)."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")
