"""Files and directories -> LoadResults. Never raises for a bad file: problems are data."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator

from policylint.source import formats
from policylint.source.document import FileProblem, LoadResult
from policylint.source.jsonfile import read_policy, syntax_problem
from policylint.source.jsonpos import JsonSyntaxError, parse_json
from policylint.source.positions import LineIndex
from policylint.source.text import DecodeError, decode

# Files larger than this are not read (a policy is at most tens of KB; a template a few MB).
MAX_FILE_BYTES = 64 * 1024 * 1024


class UsageError(ValueError):
    """An invocation that cannot be carried out (a path that does not exist)."""


def discover(paths: list[str], exclude: tuple[str, ...] = ()) -> Iterator[str | LoadResult]:
    """Yield the files to check under `paths`, in a stable order.

    A directory is walked recursively for the suffixes the readers know; a file named directly is
    always checked. Unreadable directories and symlink loops become LoadResults with a problem.
    """
    from fnmatch import fnmatch

    suffixes = formats.checked_suffixes()
    for given in paths:
        if not os.path.lexists(given):
            raise UsageError(f"no such file or directory: `{given}`")
        if not os.path.isdir(given):
            yield given
            continue
        seen_dirs: set[tuple[int, int]] = set()
        errors: list[OSError] = []
        for root, dirs, files in os.walk(given, onerror=errors.append, followlinks=True):
            try:
                stat = os.stat(root)
                ident = (stat.st_dev, stat.st_ino)
            except OSError:
                dirs[:] = []
                continue
            if ident in seen_dirs:
                dirs[:] = []
                continue
            seen_dirs.add(ident)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for error in errors:
                yield LoadResult(
                    path=str(error.filename), problems=(FileProblem("PL001", f"cannot read directory: {_reason(error)}"),)
                )
            errors.clear()
            for name in sorted(files):
                full = os.path.normpath(os.path.join(root, name))
                if not name.lower().endswith(suffixes):
                    continue
                if any(fnmatch(full, pattern) or fnmatch(name, pattern) for pattern in exclude):
                    continue
                yield full
        for error in errors:
            yield LoadResult(path=str(error.filename), problems=(FileProblem("PL001", f"cannot read directory: {_reason(error)}"),))


def _reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def load_file(path: str, *, account: str | None = None) -> LoadResult:
    """Read one file and hand it to the reader for its format.

    `account` (the `--account` setting) lets container readers fill in the owning account
    (CloudFormation `AWS::AccountId`, Terraform `aws_caller_identity`).
    """
    try:
        data = _read_capped(path)
    except IsADirectoryError:
        return _problem(path, "is a directory")
    except OSError as error:
        return _problem(path, f"cannot read file: {_reason(error)}")
    if isinstance(data, int):
        return _problem(path, f"file is too large to be a policy ({data:,} bytes)")
    if data is None:
        return _problem(path, f"file is too large to be a policy (more than {MAX_FILE_BYTES:,} bytes)")
    return load_bytes(path, data, account=account)


def _read_capped(path: str) -> bytes | int | None:
    """The bytes of a file; its size (int) when it is too large; None when a stream goes past the cap.

    Opened without blocking so that a named pipe with no writer found in a directory walk reads as
    empty instead of waiting forever; a pipe named on the command line is still read to its end.
    """
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(handle, "rb") as stream:
        info = os.fstat(handle)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(path)
        if stat.S_ISREG(info.st_mode) and info.st_size > MAX_FILE_BYTES:
            return info.st_size
        if not stat.S_ISREG(info.st_mode) and hasattr(os, "set_blocking"):
            os.set_blocking(handle, True)  # (O_NONBLOCK means nothing for a regular file)
        # A regular file is read at its size (one allocation); a stream up to the cap.
        wanted = info.st_size + 1 if stat.S_ISREG(info.st_mode) else MAX_FILE_BYTES + 1
        data = stream.read(wanted)
        if stat.S_ISREG(info.st_mode) and len(data) == wanted:  # grew while being read
            data += stream.read(MAX_FILE_BYTES + 1 - len(data))
    return None if len(data) > MAX_FILE_BYTES else data


def load_bytes(path: str, data: bytes, *, account: str | None = None) -> LoadResult:
    """Decode and read the bytes of a file named `path`."""
    if not data or data.isspace():  # (strip() would copy the whole file)
        return _problem(path, "file is empty")
    try:
        text = decode(data).text
    except DecodeError as error:
        return LoadResult(path=path, problems=(FileProblem("PL001", error.message, error.range),))
    return load_text(path, text, account=account)


def load_text(path: str, text: str, *, account: str | None = None) -> LoadResult:
    lines = LineIndex(text)
    suffix = os.path.splitext(path)[1].lower()
    reader = formats.text_reader(suffix) if suffix not in formats.JSON_SUFFIXES else None
    if reader is not None and not text.lstrip().startswith(("{", "[")):
        return reader(path, text, lines, account=account)
    try:
        parsed = parse_json(text)
    except JsonSyntaxError as error:
        if reader is not None:
            return reader(path, text, lines, account=account)
        return LoadResult(path=path, problems=(syntax_problem(error, lines),))
    for json_reader in formats.json_readers():
        result = json_reader(path, parsed, lines, account=account)
        if result is not None:
            return result
    return read_policy(path, parsed, lines)


def _problem(path: str, message: str) -> LoadResult:
    return LoadResult(path=path, problems=(FileProblem("PL001", message),))
