"""Command line: `policylint check | rules | query | shell | snapshot | diff`.

With shell.py, the only module that prints or exits. Exit codes: 0 clean (or allowed), 1 findings
at or above the failing severity (or denied / new access), 2 an unusable invocation.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from policylint import __version__

FORMATS = ("text", "json", "sarif", "github", "table")
from policylint.kinds import KINDS

if TYPE_CHECKING:
    from policylint.report.progress import ProgressBar


class UsageError(Exception):
    """An invocation that cannot be carried out: one line on stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse prints the whole usage)
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="policylint",
        description="Static analysis and access queries for AWS KMS key policies and IAM policies.",
    )
    parser.add_argument("--version", action="version", version=f"policylint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="check policy files and report findings")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories (default: .)")
    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    check.add_argument("--kind", choices=KINDS, help="document kind, instead of inferring it")
    check.add_argument("--account", metavar="ID", help="the account that owns the keys / policies")
    check.add_argument("--trusted-account", metavar="ID", action="append", default=None, help="an account trusted with the keys (repeatable)")
    check.add_argument("--organization-id", metavar="ID", help="the AWS Organization ID (o-...) of the accounts")
    check.add_argument("--select", metavar="CODES", help="comma-separated rule codes or prefixes to run")
    check.add_argument("--extend-select", metavar="CODES", help="codes or prefixes to add to the selection")
    check.add_argument("--ignore", metavar="CODES", help="comma-separated rule codes or prefixes to skip")
    check.add_argument("--fail-on", choices=("error", "warning", "info", "never"), help="lowest severity that fails the run (default: warning)")
    check.add_argument("--config", metavar="FILE", help="configuration file (default: policylint.toml or pyproject.toml, searched upwards)")
    check.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    check.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: number of CPUs)")
    check.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress bar on stderr for runs over a second (default auto: when stderr is a terminal)",
    )

    query = sub.add_parser(
        "query",
        help="answer an access query: can PRINCIPAL do ACTION on RESOURCE",
        description="Answer an access query, or check a file of queries with expected answers (`--expect`).",
        epilog="exit status: 0 allowed (with --expect: every expectation met), 1 denied (an expectation not met), 2 an error",
    )
    query.add_argument("query", nargs="*", metavar="QUERY", help="the query (the words are joined by spaces)")
    query.add_argument("--expect", metavar="FILE", help="check every `QUERY => allowed|denied|explicitly-denied|implicitly-denied` line of FILE")
    _source_options(query, key_policy_mode=True)
    query.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")

    shell = sub.add_parser(
        "shell",
        help="ask queries interactively (or from standard input)",
        description=(
            "Ask access queries one per line, with history and tab completion on a terminal. Commands: "
            "`load FILE` (load or replace the snapshot), `keys`, `principals`, `explain` (the last answer in full), "
            "`help`, `quit`. With standard input not a terminal (piped), lines are read without prompt or banner; "
            "blank lines and `#` comments are skipped. Answers go to standard output as `policylint query` prints them; "
            "errors go to standard error, one line starting with the input line number "
            "(`N:COL: message` and a caret under the spot for a syntax error), and the shell goes on."
        ),
        epilog=(
            "exit status: 0 at the end of input or on `quit`; with piped input, 2 if any line was an error "
            "(a denied answer is an answer, not an error); 2 when the snapshot given on the command line cannot be used"
        ),
    )
    _source_options(shell, key_policy_mode=False)

    snapshot = sub.add_parser("snapshot", help="build a query snapshot")
    snapshot_sub = snapshot.add_subparsers(dest="snapshot_command", metavar="COMMAND", parser_class=_Parser)
    build = snapshot_sub.add_parser(
        "build",
        help="write a snapshot file from AWS CLI exports",
        description=(
            "Write a query snapshot (JSON, every policy inline) from AWS CLI exports; "
            "`policylint query --snapshot FILE` answers from it as from the exports themselves."
        ),
    )
    _export_options(build, pairs_only=True)
    build.add_argument("--output", "-o", metavar="FILE", help="write the snapshot to FILE (whole or not at all) instead of standard output")

    diff = sub.add_parser(
        "diff",
        help="does a policy change grant new access? (OLD NEW, or --git REV PATH)",
        epilog="exit status: 0 no new access, 1 new access, 2 an error",
    )
    diff.add_argument("paths", nargs="+", metavar="FILE", help="OLD NEW, or with --git the working file")
    diff.add_argument("--git", metavar="REV", help="compare PATH with its version at git revision REV")
    diff.add_argument("--kind", choices=("key-policy", "resource-policy"), help="document kind, instead of inferring it")
    diff.add_argument("--account", metavar="ID", help="the account of the key or resource (default: inferred from the policy)")
    diff.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")

    rules = sub.add_parser("rules", help="list the rules, or show one rule's documentation")
    rules.add_argument("code", nargs="?", metavar="CODE")
    rules.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    return parser


def _source_options(parser: argparse.ArgumentParser, *, key_policy_mode: bool) -> None:
    parser.add_argument("--snapshot", metavar="FILE", help="the account snapshot (YAML or JSON) to evaluate against")
    _export_options(parser, pairs_only=False)
    parser.add_argument("--key", metavar="ARN", help="the ARN of the key whose policy `--key-policy FILE` is")
    if key_policy_mode:
        parser.add_argument(
            "--identity-policy", metavar="FILE", action="append", default=[],
            help="an identity policy of the query's principal (repeatable; with --key-policy FILE --key ARN)",
        )


def _export_options(parser: argparse.ArgumentParser, *, pairs_only: bool) -> None:
    parser.add_argument("--authorization-details", metavar="FILE", help="`aws iam get-account-authorization-details` output: users, groups, roles, managed policies")
    key_policy = "KEY_ARN=FILE" if pairs_only else "[KEY_ARN=]FILE"
    parser.add_argument(
        "--key-policy", metavar=key_policy, action="append", default=[],
        help="a key's policy (the policy JSON or `aws kms get-key-policy` output; repeatable)"
        + ("" if pairs_only else "; `--key-policy FILE --key ARN` for one key"),
    )
    parser.add_argument("--grants", metavar="KEY_ARN=FILE", action="append", default=[], help="`aws kms list-grants` output for a key (repeatable)")
    parser.add_argument("--describe-key", metavar="FILE", action="append", default=[], help="`aws kms describe-key` output: adds the key; its key id may stand for KEY_ARN (repeatable)")
    parser.add_argument("--scp", metavar="FILE", action="append", default=[], help="`aws organizations describe-policy` output, an SCP or RCP of the export's account (repeatable; all at one level)")
    parser.add_argument("--organization-id", metavar="ID", help="the AWS Organization ID (o-...) of the export's account")


def _sources(args: argparse.Namespace):  # noqa: ANN202
    from policylint.querycli import Sources

    return Sources(
        snapshot=args.snapshot,
        key_policies=tuple(args.key_policy),
        key=args.key,
        identity_policies=tuple(getattr(args, "identity_policy", ())),
        authorization_details=args.authorization_details,
        grants=tuple(args.grants),
        describe_keys=tuple(args.describe_key),
        scps=tuple(args.scp),
        organization_id=args.organization_id,
    )


def entry() -> None:
    """The `policylint` command (and `python -m policylint`): `main()`, then a quick exit.

    Once the output is written and flushed there is nothing left to do, but a normal interpreter
    exit frees every object of the run one by one: about 0.04 s after checking 1,645 files, a
    twentieth of the run. The process ends at once instead (as mypy does). Nothing is lost: reports
    are written whole before `main()` returns, worker processes have been joined, the shell has
    saved its history, and no policylint code registers exit handlers. `main()` itself returns
    normally, for callers that use policylint as a library.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # e.g. the reader of a pipe went away: the output is incomplete
        code = code or 1
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    # pydantic plugins (observability hooks found through installed packages' entry points)
    # would see the policies being checked, and scanning for them costs every run a few hundredths
    # of a second: policylint's models are internal, so none are loaded unless the user asks.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        parser = _parser()
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
        if args.command == "check":
            return _check(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "query":
            return _query(args)
        if args.command == "shell":
            return _shell(args)
        if args.command == "snapshot":
            return _snapshot(args)
        if args.command == "diff":
            return _diff(args)
        raise UsageError(f"unknown command `{args.command}`")
    except UsageError as error:
        print(f"policylint: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("policylint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


def _codes(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(part.strip().upper() for part in text.split(",") if part.strip())


def _check(args: argparse.Namespace) -> int:
    from policylint.collector import fewer_collections
    from policylint.config import ConfigError, resolve_settings
    from policylint.rules.registry import RuleFileError
    from policylint.rules.runner import run_check
    from policylint.source.loader import UsageError as PathError

    overrides = {
        "select": _codes(args.select),
        "extend_select": _codes(args.extend_select),
        "ignore": _codes(args.ignore),
        "fail_on": args.fail_on,
        "account": args.account,
        "trusted_accounts": args.trusted_account,
        "organization_id": args.organization_id,
        "kind": args.kind,
    }
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    bar = _progress_bar(args.progress)
    with fewer_collections():
        try:
            settings = resolve_settings(overrides, config_path=args.config, cwd=os.getcwd())
            report = run_check(args.paths or ["."], settings, jobs=args.jobs or os.cpu_count() or 1, progress=bar.update if bar else None)
        except (ConfigError, PathError, RuleFileError) as error:
            raise UsageError(str(error)) from None
        finally:
            if bar is not None:
                bar.close()
        text = _render(report, args.format)
    if args.output:
        _write_whole(args.output, text)
    else:
        sys.stdout.write(text)
    return exit_code(report, settings.fail_on)


def _progress_bar(mode: str) -> ProgressBar | None:
    if mode == "never" or (mode == "auto" and not _is_terminal(sys.stderr)):
        return None
    from policylint.report.progress import ProgressBar

    return ProgressBar(sys.stderr)


def _is_terminal(stream: object) -> bool:
    try:
        return stream.isatty()  # type: ignore[attr-defined]
    except (AttributeError, ValueError):  # no such method, or a closed stream
        return False


def exit_code(report, fail_on: str) -> int:
    from policylint.findings import SEVERITY_ORDER

    if fail_on == "never":
        return 0
    floor = SEVERITY_ORDER[fail_on]
    return 1 if any(SEVERITY_ORDER[f.severity] >= floor for f in report.findings) else 0


def _render(report, fmt: str) -> str:
    import importlib

    module = {
        "text": "policylint.report.text",
        "json": "policylint.report.jsonout",
        "sarif": "policylint.report.sarif",
        "github": "policylint.report.github",
        "table": "policylint.report.table",
    }[fmt]
    try:
        renderer = importlib.import_module(module)
    except ImportError:
        raise UsageError(f"output format `{fmt}` is not available in this build") from None
    return renderer.render(report)


def _write_whole(path: str, text: str) -> None:
    """Write a report file whole or not at all (temporary file, then rename).

    A symlink is written through (the link stays); a device or pipe (`/dev/null`, `/dev/stdout`)
    is written directly, never replaced by a regular file.
    """
    import stat
    import tempfile

    target = os.path.realpath(path)
    temporary = None
    try:
        mode = os.stat(target).st_mode if os.path.exists(target) else None
        if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            with open(target, "w", encoding="utf-8", errors="backslashreplace") as stream:
                stream.write(text)
            return
        handle, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".policylint-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace") as stream:
            stream.write(text)
        if mode is None:  # a new file gets the usual permissions, not mkstemp's 0600
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        else:
            os.chmod(temporary, stat.S_IMODE(mode))
        os.replace(temporary, target)
        temporary = None
    except OSError as error:
        raise UsageError(f"cannot write `{path}`: {(error.strerror or str(error)).lower()}") from None
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def _rules(args: argparse.Namespace) -> int:
    from policylint.rules import describe

    try:
        sys.stdout.write(describe.render(args.code, args.format))
    except KeyError:
        raise UsageError(f"no rule `{args.code}`; `policylint rules` lists them") from None
    return 0


def _query(args: argparse.Namespace) -> int:
    from policylint.querycli import answer, run_expectations

    if args.expect is not None and args.query:
        raise UsageError("give either a query or `--expect FILE`, not both")
    if args.expect is None and not args.query:
        raise UsageError("give a query (`can PRINCIPAL do ACTION on RESOURCE`) or `--expect FILE`")
    sources = _sources(args)
    if args.expect is not None:
        outcome = run_expectations(args.expect, sources, args.format)
    else:
        outcome = answer(" ".join(args.query), sources, args.format)
    sys.stderr.write(outcome.stderr)
    sys.stdout.write(outcome.stdout)
    return outcome.code


def _shell(args: argparse.Namespace) -> int:
    from policylint.shell import run_shell

    return run_shell(_sources(args))


def _snapshot(args: argparse.Namespace) -> int:
    from policylint.querycli import warning_lines
    from policylint.snapshot_build import ExportError, ExportFiles, build_from_exports, key_file_pair, snapshot_json

    if args.snapshot_command is None:
        raise UsageError("give a snapshot command: `policylint snapshot build ...`")
    try:
        files = ExportFiles(
            authorization_details=args.authorization_details,
            key_policies=tuple(key_file_pair(value, "--key-policy") for value in args.key_policy),
            grants=tuple(key_file_pair(value, "--grants") for value in args.grants),
            describe_keys=tuple(args.describe_key),
            scps=tuple(args.scp),
            organization_id=args.organization_id,
        )
        built = build_from_exports(files)
    except ExportError as error:
        raise UsageError(str(error)) from None
    sys.stderr.write(warning_lines(built.warnings))
    text = snapshot_json(built.snapshot)
    if args.output:
        _write_whole(args.output, text)
    else:
        sys.stdout.write(text)
    return 0


def _diff(args: argparse.Namespace) -> int:
    from policylint.diffcli import run_diff

    text, error, code = run_diff(args.paths, git=args.git, kind=args.kind, account=args.account, fmt=args.format)
    if error is not None:
        raise UsageError(error)
    sys.stdout.write(text)
    return code
