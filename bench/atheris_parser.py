"""Coverage-guided fuzzing of the source stage (`policylint.source.loader.load_bytes`) with atheris.

atheris is not a project dependency: `pip install atheris` first. Arguments after the script are
libFuzzer's: a corpus folder to grow (seeded with policies), then options, e.g.

    mkdir -p /tmp/fuzz-corpus && cp samples/*/*.json /tmp/fuzz-corpus/
    python3 bench/atheris_parser.py /tmp/fuzz-corpus -max_total_time=300 -max_len=4096

Each input is read as a `.json` file (set POLICYLINT_FUZZ_SUFFIX=.yaml to fuzz the YAML reader),
then every document's locator is asked for the root range and the duplicate keys (the lazily
built span index). Any exception is a crash: libFuzzer saves the input as `crash-<sha1>`.
"""

from __future__ import annotations

import os
import sys

import atheris

with atheris.instrument_imports(include=["policylint"]):
    from policylint.source.loader import load_bytes

SUFFIX = os.environ.get("POLICYLINT_FUZZ_SUFFIX", ".json")


def one_input(data: bytes) -> None:
    result = load_bytes("fuzz" + SUFFIX, data)
    for document in result.documents:
        document.locator.value_range("")
        duplicates = getattr(document.locator, "duplicate_keys", None)
        if duplicates is not None:
            duplicates()


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
