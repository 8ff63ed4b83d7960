"""The one error a query can raise: a syntax error with a message and a source location."""

from __future__ import annotations

from policylint.source.positions import LineIndex


class QuerySyntaxError(ValueError):
    """A query that does not parse.

    `message` is one line (lowercase, no final period); `line` and `column` are 1-based,
    `offset` is 0-based, all into the text given to the parser.
    """

    def __init__(self, message: str, line: int, column: int, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.offset = offset

    @classmethod
    def at(cls, text: str, offset: int, message: str) -> QuerySyntaxError:
        """Build the error for `message` at character `offset` of `text`."""
        position = LineIndex(text).position(offset)
        return cls(message, position.line, position.column, position.offset)

    def render(self, text: str) -> str:
        """Show the error under its source line: `line:col: message`, the line, a caret line.

        `text` is the text that was parsed. The caret line copies the tabs of the source line
        so that the caret stays under the spot.
        """
        start = self.offset - (self.column - 1)
        end = start
        while end < len(text) and text[end] not in "\r\n":
            end += 1
        source = text[start:end]
        pad = "".join("\t" if ch == "\t" else " " for ch in source[: self.column - 1])
        return f"{self.line}:{self.column}: {self.message}\n{source}\n{pad}^"

    def __reduce__(self) -> tuple[type[QuerySyntaxError], tuple[str, int, int, int]]:
        return (type(self), (self.message, self.line, self.column, self.offset))

    def __repr__(self) -> str:
        return (
            f"QuerySyntaxError({self.message!r}, line={self.line}, column={self.column}, "
            f"offset={self.offset})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QuerySyntaxError):
            return NotImplemented
        return (self.message, self.line, self.column, self.offset) == (
            other.message,
            other.line,
            other.column,
            other.offset,
        )

    def __hash__(self) -> int:
        return hash((self.message, self.line, self.column, self.offset))
