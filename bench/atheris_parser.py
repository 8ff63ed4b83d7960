"""Coverage-guided fuzzing of the source stage (`policylint.source.loader.load_bytes`) with atheris.

atheris is not a project dependency: `pip install atheris` first. Arguments after the script are
libFuzzer's: a corpus folder to grow (seeded with policies), then options, e.g.

    mkdir -p /tmp/fuzz-corpus && cp samples/*/*.json /tmp/fuzz-corpus/
    python3 bench/atheris_parser.py /tmp/fuzz-corpus -max_total_time=300 -max_len=4096

Each input is read as a `.json` file (set POLICYLINT_FUZZ_SUFFIX=.yaml to fuzz the YAML reader),
then every document's locator is asked for the root range, the duplicate keys (the lazily built
span index) and the ranges of its first 64 elements: first as a check run asks (the finder, which
reads only what lies before an element), then again from the whole span index; the two answers
must agree. Any exception is a crash: libFuzzer saves the input as `crash-<sha1>`.
"""

from __future__ import annotations

import os
import sys

import atheris

with atheris.instrument_imports(include=["policylint"]):
    from policylint.source.loader import load_bytes
    from policylint.source.positions import escape_pointer_token

SUFFIX = os.environ.get("POLICYLINT_FUZZ_SUFFIX", ".json")


def _pointers(value: object, limit: int = 64) -> list[str]:
    """JSON pointers of the first `limit` elements of `value`, depth first, and a few that miss."""
    found: list[str] = []
    stack: list[tuple[str, object]] = [("", value)]
    while stack and len(found) < limit:
        pointer, item = stack.pop()
        found.append(pointer)
        if isinstance(item, dict):
            stack.extend((f"{pointer}/{escape_pointer_token(k)}", v) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((f"{pointer}/{i}", v) for i, v in reversed(list(enumerate(item))))
    return found + ["/Statement/99", "/~2", "/Statement/00"]


def one_input(data: bytes) -> None:
    result = load_bytes("fuzz" + SUFFIX, data)
    for document in result.documents:
        locator = document.locator
        locator.value_range("")
        pointers = _pointers(document.value)
        # As a check run asks: the finder, before anything built the whole span index.
        first = [(locator.value_range(p), locator.key_range(p)) for p in pointers]
        duplicates = getattr(locator, "duplicate_keys", None)
        if duplicates is not None:
            duplicates()  # builds the whole span index: the same questions are now answered from it
            again = [(locator.value_range(p), locator.key_range(p)) for p in pointers]
            if first != again:
                raise AssertionError(f"finder and span index disagree: {list(zip(pointers, first, again))}")


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
