"""The progress bar of long check runs (policylint.report.progress) and its CLI wiring."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from policylint import cli
from policylint.report import progress
from policylint.report.progress import ProgressBar, render


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_render_fits_the_terminal() -> None:
    # At most 40 characters of bar; the line is at most one character short of the width.
    assert render(812, 1645, 80) == "checking 812/1,645 files [" + "#" * 19 + "." * 21 + "]  49%"
    assert render(1645, 1645, 80) == "checking 1,645/1,645 files [" + "#" * 40 + "] 100%"
    assert render(3, 10, 50) == "checking 3/10 files [" + "#" * 6 + "." * 16 + "]  30%"
    assert len(render(3, 10, 50)) == 49
    # Too narrow for a bar: the numbers, cut to the width.
    assert render(3, 10, 30) == "checking 3/10 files  30%"
    assert render(3, 10, 12) == "checking 3/"


def test_nothing_is_shown_for_a_run_under_a_second() -> None:
    clock, stream = Clock(), io.StringIO()
    bar = ProgressBar(stream, clock)
    for done in range(1, 11):
        clock.now += 0.09
        bar.update(done, 10)
    bar.close()
    assert stream.getvalue() == ""


def test_drawn_after_a_second_at_most_ten_times_a_second_then_erased(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress.shutil, "get_terminal_size", lambda fallback: __import__("os").terminal_size((50, 24)))
    clock, stream = Clock(), io.StringIO()
    bar = ProgressBar(stream, clock)
    clock.now += 1.0
    bar.update(3, 10)  # drawn
    clock.now += 0.05
    bar.update(4, 10)  # too soon: not drawn
    clock.now += 0.05
    bar.update(10, 10)  # drawn
    bar.close()
    first = "checking 3/10 files [" + "#" * 6 + "." * 16 + "]  30%"
    last = "checking 10/10 files [" + "#" * 21 + "] 100%"
    assert stream.getvalue() == "\r" + first + "\r" + last + " " * (len(first) - len(last)) + "\r" + " " * len(last) + "\r"


def _tree(root: Path, count: int) -> Path:
    for index in range(count):
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}
        (root / f"p{index:02d}.json").write_text(json.dumps(policy))
    return root


@pytest.mark.parametrize(("mode", "terminal", "shown"), [("auto", True, True), ("auto", False, False), ("never", True, False), ("always", False, True)])
def test_check_shows_the_bar_on_a_terminal_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mode: str, terminal: bool, shown: bool
) -> None:
    """`check --progress auto|always|never`; the report on stdout is the same either way."""
    monkeypatch.setattr(progress, "DELAY_S", 0.0)  # this run is shorter than the real delay
    monkeypatch.setattr(progress, "INTERVAL_S", 0.0)
    stderr = Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(cli.sys, "stderr", stderr)
    _tree(tmp_path, 3)
    code = cli.main(["check", str(tmp_path), "--format", "json", "--jobs", "1", "--progress", mode])
    report = json.loads(capsys.readouterr().out)
    assert (code, report["summary"]["files"], len(report["findings"])) == (1, 3, 3)
    lines = [line for line in stderr.getvalue().split("\r") if line.strip()]
    expected = [f"checking {done}/3 files" for done in (1, 2, 3)] if shown else []
    assert [line.split(" [")[0] for line in lines] == expected
    assert stderr.getvalue().endswith("\r" if shown else "")


def test_a_terminal_that_goes_away_never_stops_the_run() -> None:
    class Gone(io.StringIO):
        tries = 0

        def write(self, text: str) -> int:
            self.tries += 1
            raise OSError(5, "Input/output error")

    clock, stream = Clock(), Gone()
    bar = ProgressBar(stream, clock)
    clock.now += 2.0
    bar.update(1, 2)  # the write fails: no exception, and no more tries
    clock.now += 1.0
    bar.update(2, 2)
    bar.close()
    assert stream.tries == 1
