"""Syntax error messages, and the example mistakes that tie each one to a parser state.

Each entry of `EXAMPLES` is a message and a few inputs that fail in the parser state the message
describes (as lark's `match_examples` does). The parser builds a table state -> message from
them once. `{end}` in a message stands for what may end the query: `end of query`, or `=>` when
parsing an expectation line.
"""

from __future__ import annotations

from types import MappingProxyType

END_OF_QUERY = "end of query"
END_OF_QUERY_IN_EXPECTATION = "`=>`"

EMPTY = "empty query: start with `can`, `who can` or `is`"
UNKNOWN_QUERY = "unknown query: start with `can`, `who can` or `is`"
CAN_AFTER_WHO = "expected `can` after `who`"
PRINCIPAL = (
    "expected a principal: an IAM ARN, a 12-digit account id, `anonymous`"
    " or a service principal like `cloudtrail.amazonaws.com`"
)
DO_AFTER_PRINCIPAL = "expected `do` after the principal"
ACTION = "expected an action like `kms:Decrypt`"
WILDCARD_ACTION = "expected an exact action like `kms:Decrypt`: wildcards only work in `who can`"
ON_AFTER_ACTION = "expected `on` after the action"
RESOURCE = "expected a resource: an ARN or `*`"
PUBLIC_AFTER_RESOURCE = "expected `public` after the resource"
END_AFTER_PUBLIC = "expected {end} after `public`"
WITH_AFTER_RESOURCE = "expected `with` or {end} after the resource"
KEY = "expected a condition key like `aws:SourceIp`"
EQUALS_AFTER_KEY = "expected `=` after the condition key"
VALUE = 'expected a value: a word, a quoted string or a list like `["a", "b"]`'
COMMA_AFTER_VALUE = "expected `,` or {end} after the value"
LIST_ITEM_OR_CLOSE = "expected a value or `]` in the list"
LIST_ITEM = "expected a value after `,` in the list"
COMMA_OR_CLOSE_IN_LIST = "expected `,` or `]` after the list item"
OUTCOME = (
    "expected an outcome after `=>`: `allowed`, `denied`, `explicitly-denied`"
    " or `implicitly-denied`"
)
END_AFTER_OUTCOME = "expected end of line after the outcome"

UNTERMINATED_STRING = "unterminated string"
INVALID_ESCAPE = "invalid escape `{escape}` in string"
LONE_SURROGATE = "string holds an unpaired surrogate escape"
DUPLICATE_KEY = "key `{key}` given twice"

_CAN = "can arn:aws:iam::111122223333:user/alice"
_ACT = f"{_CAN} do kms:Decrypt"
_RES = f"{_ACT} on *"
_QRES = f'{_ACT} on "*"'
_WHO = "who can kms:Decrypt on *"

# Inputs that fail in both start rules (`query` and `expectation`), grouped by message. Every
# parser state that a token can lead to needs an example (a test checks this): the state after
# a bare word differs from the one after a quoted string, the first `,` of a list or of a `with`
# clause from the next ones, and so on.
EXAMPLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (UNKNOWN_QUERY, ("x", "", "do x", '"can"', "[", "=> allowed")),
    (CAN_AFTER_WHO, ("who", "who x", "who do")),
    (PRINCIPAL, ("can",)),
    (DO_AFTER_PRINCIPAL, ("can a", "can a x", 'can "a"', 'can "a" x')),
    (ACTION, ("can a do", "can a do x", "who can", "who can x")),
    (ON_AFTER_ACTION, ("can a do k:x", "can a do k:x x", "who can k:x", "who can k:x x")),
    (RESOURCE, ("can a do k:x on", "who can k:x on", "is")),
    (PUBLIC_AFTER_RESOURCE, ("is *", "is * x", 'is "*"', 'is "*" x')),
    (END_AFTER_PUBLIC, ("is * public x",)),
    (WITH_AFTER_RESOURCE, (f"{_RES} x", f"{_QRES} x", f"{_WHO} x", f'{_WHO[:-1]}"*" x')),
    (KEY, (f"{_RES} with", f"{_RES} with [", f"{_RES} with k = v,", f"{_RES} with k = v, l = v,")),
    (EQUALS_AFTER_KEY, (f"{_RES} with k", f"{_RES} with k x", f'{_RES} with "k"')),
    (VALUE, (f"{_RES} with k =", f"{_RES} with k = ]")),
    (
        COMMA_AFTER_VALUE,
        (
            f"{_RES} with k = v x",
            f'{_RES} with k = "v" x',
            f"{_RES} with k = [] x",
            f"{_RES} with k = [v] x",
            f"{_RES} with k = [v, w] x",
        ),
    ),
    (LIST_ITEM_OR_CLOSE, (f"{_RES} with k = [", f"{_RES} with k = [,")),
    (LIST_ITEM, (f"{_RES} with k = [v,", f"{_RES} with k = [v, ]", f"{_RES} with k = [v, w,")),
    (
        COMMA_OR_CLOSE_IN_LIST,
        (
            f"{_RES} with k = [v",
            f"{_RES} with k = [v x",
            f'{_RES} with k = ["v"',
            f"{_RES} with k = [v, w",
        ),
    ),
)

# Inputs that fail only when parsing an expectation line.
EXPECTATION_EXAMPLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (OUTCOME, (f"{_RES} =>", f"{_RES} => x", "is * public =>", f"{_RES} with k = v =>")),
    (END_AFTER_OUTCOME, (f"{_RES} => allowed x", f"{_RES} => denied denied")),
)

# Names for terminals, for a message built from an expected set when no example covers a state.
TERMINAL_NAMES = MappingProxyType(
    {
        "_CAN": "`can`",
        "_WHO": "`who`",
        "_IS": "`is`",
        "_DO": "`do`",
        "_ON": "`on`",
        "_WITH": "`with`",
        "_PUBLIC": "`public`",
        "OUTCOME": "an outcome",
        "ATOM": "a principal or resource",
        "ACTION": "an action",
        "KEY": "a condition key",
        "WORD": "a value",
        "STRING": "a quoted string",
        "_ARROW": "`=>`",
        "_EQUALS": "`=`",
        "_COMMA": "`,`",
        "_LSQB": "`[`",
        "_RSQB": "`]`",
        "$END": "end of query",
    }
)


def expected_message(expected: frozenset[str]) -> str:
    """`expected A, B or C` from terminal names, for states that no example covers."""
    names = sorted({TERMINAL_NAMES.get(name, "something else") for name in expected})
    if not names:
        return "unexpected input"
    if len(names) == 1:
        return f"expected {names[0]}"
    return f"expected {', '.join(names[:-1])} or {names[-1]}"
