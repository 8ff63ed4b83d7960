"""HCL, the Terraform configuration language: text -> a syntax tree with the span of every part.

Why our own parser rather than python-hcl2: python-hcl2 is a lark grammar (slow to build and to
run, like every grammar engine we measured for JSON) and the dictionary it returns has no source
positions, so findings could not point at the line in the `.tf` file. We need much less than the
whole language: bodies of attributes and blocks, strings with `${...}` / `%{...}` templates,
heredocs, numbers, lists, objects and function calls such as `jsonencode(...)`, with the span of
each. Everything else (references, operators, conditionals, `for` expressions, splats) only has
to be read past and kept as source text. That is a small recursive-descent parser over
regex-matched tokens, linear in the size of the file, whose syntax errors say what was expected
where (for example "expected `=` or a block after `resource`").

What a `.tf` file's policies are is `policylint.source.terraform_config`'s business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# ---------------------------------------------------------------- syntax tree

_SPACE = re.compile(r"(?:[ \t\f\v]+|#[^\r\n]*|//[^\r\n]*|/\*.*?\*/)*", re.DOTALL)
_SPACE_NL = re.compile(r"(?:[ \t\f\v\r\n]+|#[^\r\n]*|//[^\r\n]*|/\*.*?\*/)*", re.DOTALL)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_OPERATOR = re.compile(r"==|!=|<=|>=|&&|\|\||=>|\.\.\.|::|[{}\[\]()=,.:?!<>+\-*/%~]")
_LITERAL_RUN = re.compile(r'[^"\\$%\r\n]+')
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*(\r\n|\n)")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
# Binary operators by precedence, lowest first; longer spellings before their prefixes.
_BINARY = (("||",), ("&&",), ("==", "!="), ("<=", ">=", "<", ">"), ("+", "-"), ("*", "/", "%"))
_MAX_DEPTH = 200


class HclError(ValueError):
    """Text that is not HCL: a plain message and the offset of the fault."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass
class Node:
    start: int
    end: int


@dataclass
class Text(Node):
    """A quoted string or heredoc: its text (interpolations kept as written) and breakpoints
    (offset in the text, offset in the file) for locating inside it."""

    value: str
    breakpoints: list[tuple[int, int]]
    literal: bool


@dataclass
class Scalar(Node):
    value: object  # int, float, bool, None


@dataclass
class TupleNode(Node):
    items: list[Node]


@dataclass
class ObjectNode(Node):
    items: list[tuple[Node, Node]]


@dataclass
class Call(Node):
    name: str
    args: list[Node]
    source: str = ""


@dataclass
class Expression(Node):
    """Anything else, kept as source text; `reference` for a plain traversal (`var.x.y[0]`)."""

    source: str
    reference: bool = False


@dataclass
class Attribute:
    name: str
    name_span: tuple[int, int]
    value: Node


@dataclass
class Block:
    type: str
    labels: list[str]
    start: int
    end: int
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.brackets = 0  # inside ( [ { or ${ }: line breaks are white space
        self.depth = 0

    # -------- scanning

    def skip(self, newlines: bool | None = None) -> None:
        pattern = _SPACE_NL if (self.brackets > 0 if newlines is None else newlines) else _SPACE
        self.pos = pattern.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def at(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def describe(self) -> str:
        if self.pos >= len(self.text):
            return "the end of the file"
        if self.text[self.pos] in "\r\n":
            return "a line break"
        if self.text.startswith("/*", self.pos):
            return "a comment that is not closed"
        match = _IDENT.match(self.text, self.pos) or _NUMBER.match(self.text, self.pos) or _OPERATOR.match(self.text, self.pos)
        return f"`{match.group() if match else self.text[self.pos]}`"

    def fail(self, expected: str) -> HclError:
        return HclError(f"expected {expected}, found {self.describe()}", self.pos)

    def expect(self, token: str, what: str | None = None) -> None:
        self.skip()
        if not self.at(token):
            raise self.fail(what or f"`{token}`")
        self.pos += len(token)

    def ident(self) -> str | None:
        match = _IDENT.match(self.text, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        return match.group()

    def keyword(self, word: str) -> bool:
        """`word` as a whole identifier at the current position."""
        match = _IDENT.match(self.text, self.pos)
        return match is not None and match.group() == word

    def enter(self) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise HclError("nesting is too deep", self.pos)

    def open(self) -> None:
        self.pos += 1
        self.brackets += 1
        self.enter()

    def close(self) -> None:
        self.pos += 1
        self.brackets -= 1
        self.depth -= 1

    # -------- bodies

    def body(self, block: Block | None) -> tuple[dict[str, Attribute], list[Block]]:
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        while True:
            self.skip(newlines=True)
            if self.pos >= len(self.text):
                if block is not None:
                    raise HclError(f"block `{block.type}` is not closed: expected `}}`", block.start)
                return attributes, blocks
            if self.at("}"):
                if block is None:
                    raise HclError("unexpected `}`: no block is open", self.pos)
                return attributes, blocks
            start = self.pos
            name = self.ident()
            if name is None:
                raise self.fail("an attribute or a block")
            name_end = self.pos
            self.skip(newlines=False)
            if self.at("=") and not self.at("=="):
                self.pos += 1
                self.skip(newlines=False)
                attributes[name] = Attribute(name, (start, name_end), self.expression())
            else:
                blocks.append(self.block(name, start))
            self.skip(newlines=False)
            if not (self.pos >= len(self.text) or self.text[self.pos] in "\r\n}"):
                raise self.fail(f"a line break after `{name}`")

    def block(self, name: str, start: int) -> Block:
        labels: list[str] = []
        while True:
            self.skip(newlines=False)
            if self.at('"'):
                labels.append(self.template().value)
            elif self.at("{"):
                break
            else:
                label = self.ident()
                if label is None:
                    raise self.fail(f"`=` or a block after `{name}`")
                labels.append(label)
        self.pos += 1
        self.enter()
        block = Block(type=name, labels=labels, start=start, end=start)
        saved, self.brackets = self.brackets, 0
        block.attributes, block.blocks = self.body(block)
        self.brackets = saved
        self.pos += 1
        self.depth -= 1
        block.end = self.pos
        return block

    # -------- expressions

    def expression(self) -> Node:
        self.enter()
        node = self.binary(0)
        self.skip()
        if self.at("?"):
            self.pos += 1
            self.expression()
            self.expect(":", "`:` in a conditional expression")
            otherwise = self.expression()
            node = Expression(node.start, otherwise.end, self.text[node.start : otherwise.end])
        self.depth -= 1
        return node

    def binary(self, level: int) -> Node:
        if level == len(_BINARY):
            return self.unary()
        left = self.binary(level + 1)
        while True:
            self.skip()
            operator = next((op for op in _BINARY[level] if self.at(op)), None)
            if operator is None or self.at("<<") or (operator in ("<", ">") and self.at(operator + "=")):
                return left
            if operator in ("=",):
                return left
            self.pos += len(operator)
            right = self.binary(level + 1)
            left = Expression(left.start, right.end, self.text[left.start : right.end])

    def unary(self) -> Node:
        self.skip()
        if self.at("!") and not self.at("!=") or self.at("-"):
            start = self.pos
            negate = self.at("-")
            self.pos += 1
            operand = self.unary()
            if negate and isinstance(operand, Scalar) and type(operand.value) in (int, float):
                return Scalar(start, operand.end, -operand.value)  # type: ignore[operator]
            return Expression(start, operand.end, self.text[start : operand.end])
        return self.postfix()

    def postfix(self) -> Node:
        node = self.primary()
        reference = isinstance(node, Expression) and node.reference
        changed = False
        while True:
            if self.at(".") and not self.at("..."):
                self.pos += 1
                if self.at("*"):
                    self.pos += 1
                elif self.ident() is None:
                    number = _NUMBER.match(self.text, self.pos)
                    if number is None:
                        raise self.fail("an attribute name after `.`")
                    self.pos = number.end()
                changed = True
            elif self.at("["):
                self.open()
                self.skip()
                if self.at("*"):
                    self.pos += 1
                else:
                    self.expression()
                self.skip()
                if not self.at("]"):
                    raise self.fail("`]` after an index")
                self.close()
                changed = True
            else:
                break
        if changed:
            return Expression(node.start, self.pos, self.text[node.start : self.pos], reference)
        return node

    def primary(self) -> Node:
        self.skip()
        start = self.pos
        if self.pos >= len(self.text):
            raise self.fail("a value")
        char = self.text[self.pos]
        if char == '"':
            return self.template()
        if self.at("<<"):
            return self.heredoc()
        if char.isdigit():
            match = _NUMBER.match(self.text, self.pos)
            self.pos = match.end()  # type: ignore[union-attr]
            text = match.group()  # type: ignore[union-attr]
            return Scalar(start, self.pos, float(text) if any(c in text for c in ".eE") else int(text))
        if char == "(":
            self.open()
            inner = self.expression()
            self.skip()
            if not self.at(")"):
                raise self.fail("`)`")
            self.close()
            return inner if isinstance(inner, (Text, Scalar)) else Expression(start, self.pos, self.text[start : self.pos])
        if char == "[":
            return self.sequence()
        if char == "{":
            return self.mapping()
        name = self.ident()
        if name is None:
            raise self.fail("a value")
        if name in ("true", "false", "null"):
            return Scalar(start, self.pos, {"true": True, "false": False, "null": None}[name])
        while self.at("::"):
            self.pos += 2
            if self.ident() is None:
                raise self.fail("a function name after `::`")
        if self.at("("):
            return self.call(self.text[start : self.pos], start)
        return Expression(start, self.pos, name, reference=True)

    def call(self, name: str, start: int) -> Call:
        self.open()
        args: list[Node] = []
        while True:
            self.skip()
            if self.at(")"):
                break
            args.append(self.expression())
            self.skip()
            if self.at("..."):
                self.pos += 3
                self.skip()
            if self.at(","):
                self.pos += 1
            elif not self.at(")"):
                raise self.fail(f"`,` or `)` in the arguments of `{name}`")
        self.close()
        return Call(start, self.pos, name, args, self.text[start : self.pos])

    def for_expression(self, start: int, closing: str) -> Expression:
        self.pos += 3
        self.skip()
        if self.ident() is None:
            raise self.fail("a name after `for`")
        self.skip()
        if self.at(","):
            self.pos += 1
            self.skip()
            if self.ident() is None:
                raise self.fail("a second name after `,`")
        self.skip()
        if not self.keyword("in"):
            raise self.fail("`in` in a `for` expression")
        self.pos += 2
        self.expression()
        self.expect(":", "`:` in a `for` expression")
        self.expression()
        self.skip()
        if self.at("=>"):
            self.pos += 2
            self.expression()
            self.skip()
            if self.at("..."):
                self.pos += 3
        self.skip()
        if self.keyword("if"):
            self.pos += 2
            self.expression()
        self.skip()
        if not self.at(closing):
            raise self.fail(f"`{closing}` to end the `for` expression")
        self.close()
        return Expression(start, self.pos, self.text[start : self.pos])

    def sequence(self) -> Node:
        start = self.pos
        self.open()
        self.skip()
        if self.keyword("for"):
            return self.for_expression(start, "]")
        items: list[Node] = []
        while True:
            self.skip()
            if self.at("]"):
                break
            items.append(self.expression())
            self.skip()
            if self.at(","):
                self.pos += 1
            elif not self.at("]"):
                raise self.fail("`,` or `]` in a list")
        self.close()
        return TupleNode(start, self.pos, items)

    def mapping(self) -> Node:
        start = self.pos
        self.open()
        self.skip()
        if self.keyword("for"):
            return self.for_expression(start, "}")
        items: list[tuple[Node, Node]] = []
        while True:
            self.skip()
            if self.at("}"):
                break
            key = self.expression()
            self.skip()
            if (self.at("=") and not self.at("==")) or self.at(":"):
                self.pos += 1
            else:
                raise self.fail("`=` or `:` after an object key")
            items.append((key, self.expression()))
            self.skip()
            if self.at(","):
                self.pos += 1
        self.close()
        return ObjectNode(start, self.pos, items)

    def template(self) -> Text:
        """A quoted template: escapes decoded, interpolations and directives kept as written."""
        start = self.pos
        self.pos += 1
        parts: list[str] = []
        breakpoints: list[tuple[int, int]] = []
        length = 0
        literal = True
        text = self.text
        while True:
            if self.pos >= len(text) or text[self.pos] in "\r\n":
                raise HclError("string is not terminated", start)
            char = text[self.pos]
            run = _LITERAL_RUN.match(text, self.pos)
            if run is not None:
                breakpoints.append((length, self.pos))
                parts.append(run.group())
                length += run.end() - self.pos
                self.pos = run.end()
            elif char == '"':
                self.pos += 1
                return Text(start, self.pos, "".join(parts), breakpoints, literal)
            elif char == "\\":
                decoded, width = self.escape()
                breakpoints.append((length, self.pos))
                parts.append(decoded)
                length += len(decoded)
                self.pos += width
                breakpoints.append((length, self.pos))
            elif text.startswith(("$${", "%%{"), self.pos):
                breakpoints.append((length, self.pos + 1))
                parts.append(text[self.pos + 1 : self.pos + 3])
                length += 2
                self.pos += 3
            elif text.startswith(("${", "%{"), self.pos):
                begin = self.pos
                self.interpolation()
                breakpoints.append((length, begin))
                parts.append(text[begin : self.pos])
                length += self.pos - begin
                literal = False
            else:
                breakpoints.append((length, self.pos))
                parts.append(char)
                length += 1
                self.pos += 1

    def escape(self) -> tuple[str, int]:
        text = self.text
        code = text[self.pos + 1 : self.pos + 2]
        if code in _ESCAPES:
            return _ESCAPES[code], 2
        for letter, digits in (("u", 4), ("U", 8)):
            if code == letter:
                hex_digits = text[self.pos + 2 : self.pos + 2 + digits]
                if len(hex_digits) == digits and all(c in "0123456789abcdefABCDEF" for c in hex_digits):
                    return chr(min(int(hex_digits, 16), 0x10FFFF)), 2 + digits
        raise HclError("invalid escape sequence in a string", self.pos)

    def interpolation(self) -> None:
        directive = self.at("%{")
        self.pos += 1
        self.open()
        self.skip()
        if self.at("~"):
            self.pos += 1
        self.skip()
        if directive:
            word = self.ident()
            if word == "if":
                self.expression()
            elif word == "for":
                self.skip()
                while self.pos < len(self.text) and not self.keyword("in"):
                    if self.ident() is None:
                        self.pos += 1
                    self.skip()
                self.pos += 2
                self.expression()
            elif word not in ("else", "endif", "endfor"):
                raise self.fail("`if`, `for`, `else`, `endif` or `endfor` in a template directive")
        else:
            self.expression()
        self.skip()
        if self.at("~"):
            self.pos += 1
        self.skip()
        if not self.at("}"):
            raise self.fail("`}` to close the interpolation")
        self.close()

    def heredoc(self) -> Text:
        start = self.pos
        match = _HEREDOC.match(self.text, self.pos)
        if match is None:
            raise HclError("expected a heredoc marker such as `<<EOF` followed by a line break", self.pos)
        strip_indent, marker = match.group(1) == "-", match.group(2)
        lines: list[tuple[int, str]] = []
        position = match.end()
        while True:
            if position >= len(self.text):
                raise HclError(f"heredoc `{marker}` is not closed", start)
            line_end = self.text.find("\n", position)
            line_end = len(self.text) if line_end < 0 else line_end
            line = self.text[position:line_end].rstrip("\r")
            if line.strip() == marker:
                self.pos = position + len(line.rstrip())
                break
            lines.append((position, line))
            position = line_end + 1
        cut = 0
        if strip_indent:
            widths = [len(line) - len(line.lstrip(" \t")) for _, line in lines if line.strip()]
            cut = min(widths) if widths else 0
        breakpoints: list[tuple[int, int]] = []
        parts: list[str] = []
        length = 0
        for offset, line in lines:
            kept = line[cut:]
            breakpoints.append((length, offset + len(line) - len(kept)))
            parts.append(kept + "\n")
            length += len(kept) + 1
        value = "".join(parts)
        return Text(start, self.pos, value, breakpoints, "${" not in value and "%{" not in value)


def parse(text: str) -> tuple[dict[str, Attribute], list[Block]]:
    """The top-level body of a `.tf` file. Raises HclError."""
    parser = _Parser(text)
    try:
        return parser.body(None)
    except RecursionError:
        raise HclError("nesting is too deep", parser.pos) from None
