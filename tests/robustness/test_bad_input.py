"""Bad input never crashes `policylint check`: each file gives findings or a one-line error.

Through the CLI (a subprocess with a timeout, so that a hang fails) and through the public
functions. No traceback, no hang, bounded memory, and every other file of the run still reported.
"""

from __future__ import annotations

import json
import random
import resource
import time
from pathlib import Path

import pytest

from policylint.report.text import finding_line
from policylint.rules.runner import check_file
from policylint.settings import Settings
from policylint.source.loader import load_bytes, load_file

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-reports/*"}],
}
CLEAN = json.dumps(POLICY, indent=2).encode()  # 5 statement lines: "Sid" is line 5


def _with(old: bytes, new: bytes) -> bytes:
    assert old in CLEAN
    return CLEAN.replace(old, new, 1)


def one_error(location: str, message: str, code: str = "PL001") -> list[str]:
    return [f"policy.json:{location}: error {code} {message}", "checked 1 file (1 document): 1 error, 0 warnings, 0 info"]


# (name, file content, whole standard output of `policylint check policy.json`)
CASES = [
    ("empty", b"", one_error("1:1", "file is empty")),
    ("whitespace only", b" \n\t\r\n", one_error("1:1", "file is empty")),
    ("random bytes", b"\x91" + random.Random(0).randbytes(4095), one_error("1:1", "file is not valid UTF-8: byte 0x91 cannot start or continue a character")),
    ("png image", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00", one_error("1:1", "file is not valid UTF-8: byte 0x89 cannot start or continue a character")),
    ("invalid utf-8 in a string", _with(b'"Read"', b'"Re\xe9d"'), one_error("5:17", "file is not valid UTF-8: byte 0xe9 cannot start or continue a character")),
    ("utf-16 with bom", CLEAN.decode().encode("utf-16"), one_error("1:1", "file is UTF-16 encoded; policies must be UTF-8")),
    ("utf-16 without bom", CLEAN.decode().encode("utf-16-le"), one_error("1:1", "file is UTF-16 encoded; policies must be UTF-8")),
    ("utf-32 with bom", CLEAN.decode().encode("utf-32"), one_error("1:1", "file is UTF-32 encoded; policies must be UTF-8")),
    ("utf-8 bom, clean", b"\xef\xbb\xbf" + CLEAN, ["checked 1 file (1 document): 0 errors, 0 warnings, 0 info"]),
    (
        "utf-8 bom does not shift columns",
        b"\xef\xbb\xbf" + _with(b'"Effect": "Allow"', b'"Effect": "Allow", "Effect": "Allow"'),
        [
            "policy.json:6:26: warning PL003 duplicate key `Effect`: parsers disagree on which value wins (here the last one)",
            "checked 1 file (1 document): 0 errors, 1 warning, 0 info",
        ],
    ),
    ("100,000 nested arrays", b"[" * 100_000 + b"]" * 100_000, one_error("1:901", "nesting is too deep")),
    ("100,000 unclosed arrays", b"[" * 100_000, one_error("1:901", "nesting is too deep")),
    ("100,000 nested objects", b'{"a":' * 100_000 + b"1" + b"}" * 100_000, one_error("1:4501", "nesting is too deep")),
    (
        "100,000 nested objects in a condition",
        _with(b'"Resource"', b'"Condition": ' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b', "Resource"'),
        one_error("8:4505", "nesting is too deep"),
    ),
    (
        "duplicate keys",
        _with(b'"Version": "2012-10-17"', b'"Version": "2012-10-17", "Version": "2012-10-17"'),
        [
            "policy.json:2:28: warning PL003 duplicate key `Version`: parsers disagree on which value wins (here the last one)",
            "checked 1 file (1 document): 0 errors, 1 warning, 0 info",
        ],
    ),
    ("number 1e999999", _with(b'"Sid": "Read",', b'"Sid": "Read", "Size": 1e999999,'), one_error("5:22", "unknown element `Size` in statement", "PL002")),
    ("integer of 5,000 digits", _with(b'"Sid": "Read",', b'"Sid": "Read", "Size": ' + b"9" * 5000 + b","), one_error("5:30", "number is too long (5,000 digits)")),
    ("NaN", _with(b'"Sid": "Read",', b'"Sid": "Read", "Size": NaN,'), one_error("5:30", "`NaN` is not valid JSON")),
    ("NUL byte between tokens", _with(b'"Version"', b'\x00"Version"'), one_error("2:3", "expected a key in double quotes, found character U+0000")),
    ("NUL byte in a string", _with(b'"Read"', b'"Re\x00d"'), one_error("5:17", "control character in a string (escape it, e.g. `\\n`)")),
]


@pytest.mark.parametrize(("name", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_cli_reports_bad_file_in_one_line(name: str, data: bytes, expected: list[str], tmp_path: Path, cli) -> None:
    (tmp_path / "policy.json").write_bytes(data)
    done = cli("check", "policy.json", cwd=tmp_path)
    assert (done.returncode, done.stdout.decode("utf-8").splitlines(), done.stderr) == (1 if len(expected) > 1 else 0, expected, b"")


@pytest.mark.parametrize(("name", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_public_functions_report_bad_file(name: str, data: bytes, expected: list[str]) -> None:
    outcome = check_file(load_bytes("policy.json", data), Settings())
    assert [finding_line(f) for f in outcome.findings] == expected[:-1]


def test_lone_surrogates_reach_text_and_json_reports(tmp_path: Path, cli) -> None:
    """`\\ud800` in a Sid and an Action: both reports are written, as valid UTF-8 (and valid JSON)."""
    (tmp_path / "policy.json").write_bytes(_with(b'"Sid": "Read"', b'"Sid": "\\ud800"').replace(b'"s3:GetObject"', b'"s3:Get\\ud800"'))
    text = cli("check", "policy.json", cwd=tmp_path)
    report = cli("check", "policy.json", "--format", "json", cwd=tmp_path)
    written = cli("check", "policy.json", "--format", "json", "-o", "report.json", cwd=tmp_path)
    lines = text.stdout.decode("utf-8").splitlines()
    assert (text.returncode, text.stderr, [line.split(" ", 3)[:3] for line in lines[:-1]], lines[-1]) == (
        1,
        b"",
        [["policy.json:5:14:", "error", "PL006"], ["policy.json:7:17:", "error", "PL007"]],
        "checked 1 file (1 document): 2 errors, 0 warnings, 0 info",
    )
    assert all("\\ud800" in line for line in lines[:-1])
    findings = json.loads(report.stdout.decode("utf-8"))["findings"]
    assert [(f["rule"], f["pointer"], "\ud800" in f["message"]) for f in findings] == [("PL006", "/Statement/0/Sid", True), ("PL007", "/Statement/0/Action", True)]
    assert (written.returncode, written.stdout, written.stderr) == (1, b"", b"")
    assert (tmp_path / "report.json").read_bytes() == report.stdout


def test_escaped_nul_reaches_the_json_report(tmp_path: Path, cli) -> None:
    (tmp_path / "policy.json").write_bytes(_with(b'"Read"', b'"Re\\u0000d"'))
    done = cli("check", "policy.json", "--format", "json", cwd=tmp_path)
    findings = json.loads(done.stdout.decode("utf-8"))["findings"]
    assert (done.returncode, done.stderr, [(f["rule"], f["pointer"], "Re\x00d" in f["message"]) for f in findings]) == (1, b"", [("PL006", "/Statement/0/Sid", True)])


def test_file_over_the_size_cap_is_not_read(tmp_path: Path, cli) -> None:
    with open(tmp_path / "policy.json", "wb") as stream:
        stream.truncate(70 * 1024 * 1024)  # sparse: costs no disk
    done = cli("check", "policy.json", cwd=tmp_path)
    assert (done.returncode, done.stdout.decode().splitlines(), done.stderr) == (1, one_error("1:1", "file is too large to be a policy (73,400,320 bytes)"), b"")


def test_endless_stream_is_cut_at_the_size_cap() -> None:
    result = load_file("/dev/zero")
    assert [(p.code, p.message) for p in result.problems] == [("PL001", "file is too large to be a policy (more than 67,108,864 bytes)")]


@pytest.mark.slow
def test_50_mb_file_completes_with_bounded_memory(tmp_path: Path, cli) -> None:
    strings = [f"arn:aws:s3:::bucket-{i:09d}/*" for i in range(1_500_000)]
    (tmp_path / "policy.json").write_text(json.dumps(strings))
    assert (tmp_path / "policy.json").stat().st_size > 50 * 1024 * 1024
    started = time.monotonic()
    done = cli("check", "policy.json", cwd=tmp_path)
    seconds = time.monotonic() - started
    assert (done.returncode, done.stdout.decode().splitlines(), done.stderr) == (
        1,
        [
            "policy.json:1:1: error PL002 policy must be a JSON object, not an array",
            "policy.json:1:1: error PL013 identity policy is 51,000,001 characters (not counting whitespace); the quota is 6,144",
            "checked 1 file (1 document): 2 errors, 0 warnings, 0 info",
        ],
        b"",
    )
    assert seconds < 100
    # Peak resident memory of the biggest child so far (KiB on Linux): well under the machine's.
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 3 * 1024 * 1024


@pytest.mark.slow
def test_50_mb_of_empty_arrays_is_not_indexed_element_by_element(tmp_path: Path, cli) -> None:
    """17 million elements, findings only about the whole document: no span index of them all."""
    (tmp_path / "policy.json").write_text("[" + ",".join(["[]"] * (17 * 1024 * 1024)) + "]")
    started = time.monotonic()
    done = cli("check", "policy.json", cwd=tmp_path)
    assert (done.returncode, done.stdout.decode().splitlines(), done.stderr) == (
        1,
        [
            "policy.json:1:1: error PL002 policy must be a JSON object, not an array",
            "policy.json:1:1: error PL013 identity policy is 53,477,377 characters (not counting whitespace); the quota is 6,144",
            "checked 1 file (1 document): 2 errors, 0 warnings, 0 info",
        ],
        b"",
    )
    assert time.monotonic() - started < 100
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 3 * 1024 * 1024


@pytest.mark.slow
def test_policy_of_100000_statements_completes(tmp_path: Path, cli) -> None:
    statements = [{"Sid": f"S{i}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::bucket-{i}/*"} for i in range(100_000)]
    (tmp_path / "policy.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": statements}))
    done = cli("check", "policy.json", cwd=tmp_path)
    assert (done.returncode, done.stdout.decode().splitlines(), done.stderr) == (
        1,
        [
            "policy.json:1:1: error PL013 identity policy is 9,877,818 characters (not counting whitespace); the quota is 6,144",
            "checked 1 file (1 document): 1 error, 0 warnings, 0 info",
        ],
        b"",
    )


PATTERN = "*a*a*a*a*a*a*a*a*b"


def test_adversarial_wildcards_against_long_values_finish_quickly(tmp_path: Path, cli) -> None:
    """Patterns with many `*` against 100,000-character values: linear matching, no blow-up."""
    long_arn = "arn:aws:s3:::" + "a" * 100_000
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Patterns", "Effect": "Allow", "Action": [PATTERN, "s3:" + PATTERN, "s3:" + "*a" * 40 + "*c"], "Resource": ["arn:aws:s3:::" + PATTERN, long_arn]},
            {"Sid": "Long", "Effect": "Deny", "Action": "s3:" + "a" * 100_000, "Resource": "arn:aws:s3:::" + "*a" * 40 + "*b"},
            {
                "Sid": "Conditions",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": long_arn,
                "Condition": {"StringLike": {"s3:prefix": [PATTERN, "a" * 100_000]}, "ArnLike": {"aws:SourceArn": ["arn:aws:s3:::" + PATTERN, long_arn]}},
            },
        ],
    }
    (tmp_path / "policy.json").write_text(json.dumps(policy, indent=2))
    started = time.monotonic()
    done = cli("check", "policy.json", cwd=tmp_path)
    seconds = time.monotonic() - started
    lines = done.stdout.decode("utf-8").splitlines()
    assert (done.returncode, done.stderr, lines[-1].startswith("checked 1 file (1 document): ")) == (1, b"", True)
    assert seconds < 30
    in_process = time.monotonic()
    check_file(load_bytes("policy.json", (tmp_path / "policy.json").read_bytes()), Settings())
    assert time.monotonic() - in_process < 10
