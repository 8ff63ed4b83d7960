"""`policylint shell`: access queries one per line, plus a few commands.

`Session.handle(line)` answers one line and returns what to print (a `Reply`); `run_shell` reads
the lines and prints. On a terminal the lines come through readline (history in
`$XDG_STATE_HOME/policylint/history`, else `~/.policylint_history`; tab completion from
`complete`); otherwise they are read from standard input without prompt, banner or readline.
Errors start with the line number of the input: `N:COL: message` with the caret lines for a
syntax error, `N: message` for anything else.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator, Iterable
from contextlib import closing
from functools import cache

from pydantic import BaseModel, ConfigDict

from policylint.catalog.actions import ascii_lower, service_actions, service_prefixes
from policylint.catalog.global_keys import GLOBAL_CONDITION_KEYS
from policylint.catalog.kms import MULTI_VALUED_KMS_KEYS, SINGLE_VALUED_KMS_KEYS
from policylint.evaluate.explain import render
from policylint.evaluate.snapshot import Snapshot
from policylint.query import CanQuery, IsPublicQuery, QuerySyntaxError, WhoCanQuery, parse_query
from policylint.querycli import (
    EXIT_ERROR,
    USER_ERRORS,
    QueryUsageError,
    Sources,
    decide_query,
    explain_query,
    open_snapshot,
    supported,
    warning_lines,
)
from policylint.snapshot_build import Built

COMMANDS = ("load", "keys", "principals", "explain", "help", "quit", "exit")
STARTS = ("can", "who", "is")
PROMPT = "policylint> "
# Characters that end a word for completion (readline is told the same).
WORD_BREAKS = " \t\n\"',[]="
HELP = """\
queries (as for `policylint query`):
  can PRINCIPAL do ACTION on RESOURCE [with KEY = VALUE, ...]
commands:
  load FILE     load a snapshot file, replacing the current one
  keys          list the key ARNs of the snapshot
  principals    list the principal ARNs of the snapshot
  explain       the last answer in full: context keys, every policy evaluated, closest statements
  help          this text
  quit, exit    leave (end of input too)
"""


class Reply(BaseModel):
    """What one line gives: text for standard output and for standard error."""

    model_config = ConfigDict(frozen=True)

    stdout: str = ""
    stderr: str = ""
    error: bool = False
    quit: bool = False


class Session:
    """The state of a shell: the snapshot, the last query answered, the input line number."""

    def __init__(self, loaded: Built | None = None) -> None:
        self.snapshot: Snapshot | None = loaded.snapshot if loaded is not None else None
        self.last: tuple[CanQuery, Snapshot] | None = None
        self.number = 0

    def _error(self, message: str) -> Reply:
        return Reply(stderr=f"{self.number}: {message}\n", error=True)

    def handle(self, line: str) -> Reply:
        """Answer one input line."""
        self.number += 1
        text = line.strip()
        if not text or text.startswith("#"):
            return Reply()
        word, *rest = text.split(None, 1)
        command = word.lower()
        if command in COMMANDS:
            return self._command(command, rest[0].strip() if rest else "")
        if command not in STARTS:
            return self._error(f"unknown command `{word}`; `help` lists the commands")
        return self._query(line)

    def _command(self, command: str, argument: str) -> Reply:
        if command == "load":
            return self._load(argument)
        if argument:
            return self._error(f"`{command}` takes no argument")
        if command in ("quit", "exit"):
            return Reply(quit=True)
        if command == "help":
            return Reply(stdout=HELP)
        if command == "explain":
            if self.last is None:
                return self._error("nothing to explain yet: ask a query first")
            query, snapshot = self.last
            return Reply(stdout=explain_query(snapshot, query))
        if self.snapshot is None:
            return self._error("no snapshot loaded: `load FILE` first")
        names = self.snapshot.keys if command == "keys" else self.snapshot.principals
        return Reply(stdout="".join(f"{name}\n" for name in names))

    def _analysis(self, query: WhoCanQuery | IsPublicQuery) -> Reply:
        """`who can` / `is ... public`: the symbolic analysis over the loaded snapshot."""
        from policylint.analyze.answer import answer_analysis

        if self.snapshot is None:
            return self._error("no snapshot loaded: `load FILE` first")
        stdout, error, _code = answer_analysis(query, self.snapshot)
        if error is not None:
            return self._error(error)
        return Reply(stdout=stdout)

    def _load(self, argument: str) -> Reply:
        path = argument[1:-1] if len(argument) >= 2 and argument[0] == argument[-1] and argument[0] in "\"'" else argument
        if not path:
            return self._error("`load` needs a snapshot file: `load FILE`")
        try:
            loaded = open_snapshot(Sources(snapshot=path))
        except USER_ERRORS as error:
            return self._error(str(error))
        self.snapshot = loaded.snapshot
        summary = f"loaded `{path}`: {len(self.snapshot.keys)} keys, {len(self.snapshot.principals)} principals\n"
        return Reply(stdout=summary, stderr=warning_lines(loaded.warnings))

    def _query(self, line: str) -> Reply:
        try:
            parsed = parse_query(line)
            if isinstance(parsed, (WhoCanQuery, IsPublicQuery)):
                return self._analysis(parsed)
            query = supported(parsed)
        except QuerySyntaxError as error:
            located = QuerySyntaxError(error.message, self.number, error.column, error.offset)
            return Reply(stderr=located.render(line) + "\n", error=True)
        except QueryUsageError as error:
            return self._error(str(error))
        if self.snapshot is None:
            return self._error("no snapshot loaded: `load FILE` first")
        try:
            decision = decide_query(self.snapshot, query)
        except USER_ERRORS as error:  # a principal that cannot make requests
            return self._error(str(error))
        self.last = (query, self.snapshot)
        return Reply(stdout=render(decision, "text"))


# -- completion ---------------------------------------------------------------------------------


def _prefixes(names: Iterable[str]) -> tuple[str, ...]:
    """Names with a `${Variable}` part cut there (`aws:PrincipalTag/${TagKey}` -> `aws:PrincipalTag/`)."""
    return tuple(dict.fromkeys(name.split("${", 1)[0] for name in names))


@cache
def _condition_keys() -> tuple[str, ...]:
    names = [key.name for key in GLOBAL_CONDITION_KEYS] + sorted(MULTI_VALUED_KMS_KEYS | SINGLE_VALUED_KMS_KEYS)
    return _prefixes(names)


def _starting(word: str, names: Iterable[str], *, fold: bool = False) -> list[str]:
    if fold:
        low = ascii_lower(word)
        return [name for name in names if ascii_lower(name).startswith(low)]
    return [name for name in names if name.startswith(word)]


def _actions(word: str) -> list[str]:
    """`svc:` prefixes while the word has no colon; then the actions of that service."""
    service, colon, _ = word.partition(":")
    if not colon:
        return _starting(word, [f"{name}:" for name in sorted(service_prefixes())], fold=True)
    actions = service_actions(service)
    if actions is None:
        return []
    prefix = ascii_lower(service)
    return _starting(word, sorted(f"{prefix}:{name}" for name in actions.values()), fold=True)


def _condition_keys_for(word: str, snapshot: Snapshot | None) -> list[str]:
    """`svc:` prefixes while the word has no colon; then condition keys (and the snapshot's tags)."""
    names = list(_condition_keys())
    if snapshot is not None:
        tags = sorted({tag for entry in snapshot.principals.values() for tag in entry.tags})
        names += [f"aws:PrincipalTag/{tag}" for tag in tags]
    if ":" not in word:
        names = list(dict.fromkeys(name.split(":", 1)[0] + ":" for name in names))
    return sorted(_starting(word, names, fold=True), key=ascii_lower)


def _resources(snapshot: Snapshot | None, action: str) -> list[str]:
    if snapshot is None:
        return []
    names = [*snapshot.keys, *snapshot.resources]
    if ascii_lower(action).startswith("sts:"):
        names += [arn for arn in snapshot.principals if ":role/" in arn]
    return names


def _context(clause: str, word: str, snapshot: Snapshot | None) -> list[str]:
    """Completions in a `with` clause; `clause` is its text before the word."""
    entry = clause.rsplit(",", 1)[-1]
    if "=" in entry or "[" in entry:
        return []  # a value: anything goes
    if entry.strip():
        return [] if word else ["="]
    return _condition_keys_for(word, snapshot)


# The words of each kind of query after its first word: a keyword, or what the slot holds.
_SLOTS: dict[str, tuple[str, ...]] = {
    "can": ("PRINCIPAL", "do", "ACTION", "on", "RESOURCE", "with"),
    "who": ("can", "ACTION", "on", "RESOURCE", "with"),
    "is": ("RESOURCE", "public"),
}


def complete(text_before_cursor: str, snapshot: Snapshot | None) -> list[str]:
    """The words that can replace the word being typed at the end of `text_before_cursor`
    (the text after the last of `WORD_BREAKS`): keywords and commands; the snapshot's
    principal, key and resource ARNs; actions (service prefixes first); condition keys in a
    `with` clause. Keywords, actions and keys match in any case, ARNs exactly."""
    start = max(text_before_cursor.rfind(char) for char in WORD_BREAKS) + 1
    word = text_before_cursor[start:]
    before = text_before_cursor[:start].replace('"', " ")
    tokens = before.split()
    if not tokens:
        return _starting(word, STARTS + COMMANDS, fold=True)
    slots = _SLOTS.get(tokens[0].lower())
    if slots is None:
        return []
    if "with" in slots:
        at = slots.index("with") + 1
        if len(tokens) > at and tokens[at].lower() == "with":
            parts = before.split(None, at + 1)
            return _context(parts[at + 1] if len(parts) > at + 1 else "", word, snapshot)
    if len(tokens) > len(slots):
        return []
    slot = slots[len(tokens) - 1]
    if slot == "PRINCIPAL":
        return _starting(word, [*(snapshot.principals if snapshot is not None else ()), "anonymous"])
    if slot == "ACTION":
        return _actions(word)
    if slot == "RESOURCE":
        action = tokens[slots.index("ACTION") + 1] if "ACTION" in slots else ""
        return _starting(word, _resources(snapshot, action))
    return _starting(word, [slot], fold=True)


# -- reading lines ------------------------------------------------------------------------------


def history_path() -> str:
    """`$XDG_STATE_HOME/policylint/history`, or `~/.policylint_history` without XDG_STATE_HOME."""
    state = os.environ.get("XDG_STATE_HOME")
    if state:
        return os.path.join(state, "policylint", "history")
    return os.path.join(os.path.expanduser("~"), ".policylint_history")


def _terminal_lines(session: Session) -> Generator[str, None, None]:
    """Lines typed at a terminal, through readline when there is one."""
    try:
        import readline
    except ImportError:  # no readline on this platform: plain input()
        readline = None  # type: ignore[assignment]
    history = history_path()
    if readline is not None:
        try:
            readline.read_history_file(history)
        except OSError:
            pass
        readline.set_history_length(1000)
        readline.set_completer_delims(WORD_BREAKS)

        matches: list[str] = []

        def completer(text: str, state: int) -> str | None:
            if state == 0:  # readline asks for match 0, 1, ... until None
                buffer = readline.get_line_buffer()[: readline.get_endidx()]
                # A finished word gets its space; a prefix (`kms:`, `aws:PrincipalTag/`) does not.
                matches[:] = [w if w.endswith((":", "/")) else w + " " for w in complete(buffer, session.snapshot)]
            return matches[state] if state < len(matches) else None

        readline.set_completer(completer)
        libedit = "libedit" in (readline.__doc__ or "")
        readline.parse_and_bind("bind ^I rl_complete" if libedit else "tab: complete")
    try:
        while True:
            try:
                yield input(PROMPT)
            except KeyboardInterrupt:  # Ctrl-C drops the line being typed
                print()
            except EOFError:
                print()
                return
    finally:
        if readline is not None:
            try:
                os.makedirs(os.path.dirname(history), exist_ok=True)
                readline.write_history_file(history)
            except OSError:
                pass


def _piped_lines() -> Generator[str, None, None]:
    for line in sys.stdin:
        yield line.rstrip("\r\n")


def _show(reply: Reply) -> None:
    if reply.stdout:
        sys.stdout.write(reply.stdout)
        sys.stdout.flush()
    if reply.stderr:
        sys.stderr.write(reply.stderr)
        sys.stderr.flush()


def run_shell(sources: Sources) -> int:
    """Run the shell on standard input; the exit code (see `policylint shell --help`)."""
    loaded = None
    if sources != Sources():
        try:
            loaded = open_snapshot(sources)
        except USER_ERRORS as error:
            sys.stderr.write(f"policylint: error: {error}\n")
            return EXIT_ERROR
        sys.stderr.write(warning_lines(loaded.warnings))
    session = Session(loaded)
    interactive = sys.stdin.isatty()
    if interactive:
        where = f" ({len(loaded.snapshot.keys)} keys, {len(loaded.snapshot.principals)} principals)" if loaded else ""
        print(f"policylint shell{where}: `help` lists the commands, `quit` leaves")
    errors = False
    with closing(_terminal_lines(session) if interactive else _piped_lines()) as lines:  # saves the history
        for line in lines:
            reply = session.handle(line)
            _show(reply)
            errors = errors or reply.error
            if reply.quit:
                break
    return EXIT_ERROR if errors and not interactive else 0
