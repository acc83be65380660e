"""Killed and concurrent builds, with real processes and signals: the layout workers die with
their build, a stopped build stops within a second and writes nothing, what it left is removed
by the next build, and two runs into one folder (or two syncs of one document) never mix."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_build
from hostile_support import edit, snapshot

pytestmark = pytest.mark.slow  # real processes: -m "not slow" leaves them out

def _default_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Build:
    """``build.py ARGS`` in a session of its own, its output collected line by line."""

    def __init__(self, *args: str):
        self.lines: list[str] = []
        # SIGINT as a terminal gives it: a test run started in the background (`pytest &`)
        # ignores SIGINT and SIGQUIT, and a process inherits that.
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), *args], cwd=ROOT, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True,
            preexec_fn=_default_interrupt)
        self.reader = threading.Thread(target=self._collect, daemon=True)
        self.reader.start()

    def _collect(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not any(re.search(pattern, line) for line in self.lines):
            if self.process.poll() is not None and not self.reader.is_alive():
                pytest.fail(f"ended before {pattern!r}:\n" + "\n".join(self.lines))
            if time.monotonic() > deadline:
                pytest.fail(f"no {pattern!r} in {timeout} s:\n" + "\n".join(self.lines))
            time.sleep(0.01)

    def children(self) -> list[int]:
        """The worker processes the build has forked."""
        found = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            text = (task / "children").read_text()
            found += [int(pid) for pid in text.split()]
        return found

    def finish(self, timeout: float = 300) -> int:
        code = self.process.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return code

    def kill_all(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.fixture
def built(sample_build, tmp_path) -> Path:
    """An output folder that holds a good build: the test run's shared one, copied."""
    out = tmp_path / "out"
    shutil.copytree(sample_build, out)
    return out


def _leftovers(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.startswith(".songngu-build-")
            or p.name.endswith(".part")]


def test_killing_the_build_kills_its_workers_and_nothing_is_renamed_later(sample_copy, built):
    edit(sample_copy / "en.yaml", r"^title: (.*)$", r"title: \1 (revised)")
    before = snapshot(built)
    build = Build("--lang", "all", "--force", "--content", str(sample_copy), "--out", str(built))
    try:
        build.wait_for(r"laying out .*\.pdf")
        workers = build.children()
        assert workers
        os.kill(build.process.pid, signal.SIGKILL)  # the parent only, as `kill -9` does
        build.finish()
        deadline = time.monotonic() + 2
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not [pid for pid in workers if _alive(pid)], "workers outlived their build"
    finally:
        build.kill_all()
    time.sleep(1)
    assert snapshot(built) == before  # no stale file renamed over the last good ones
    assert _leftovers(built)  # the killed build's own folder is still there…
    result = run_build("--lang", "en", "--no-pdf", "--content", str(sample_copy), "--out",
                       str(built))
    assert result.returncode == 0, result.stderr
    assert not _leftovers(built)  # …until the next build removes it


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_build_within_a_second_and_writes_nothing(sample_copy, built, sig):
    edit(sample_copy / "vi.yaml", r"^title: (.*)$", r"title: \1 (sửa)")
    before = snapshot(built)
    build = Build("--lang", "all", "--force", "--content", str(sample_copy), "--out", str(built))
    try:
        build.wait_for(r"laying out .*\.pdf")
        workers = build.children()
        status = Path(f"/proc/{build.process.pid}/status").read_text()
        signals = " ".join(line for line in status.splitlines() if line.startswith("Sig"))
        sent = time.monotonic()
        os.kill(build.process.pid, sig)
        code = build.finish()
        stopped = time.monotonic() - sent
    finally:
        build.kill_all()
    assert code == 130, signals + "\n" + "\n".join(build.lines)
    assert stopped < 1.5, f"{stopped:.2f} s"  # a second, and the test's own polling
    assert not [pid for pid in workers if _alive(pid)]
    assert snapshot(built) == before
    assert not _leftovers(built)


def test_leftover_part_files_are_removed_by_the_next_build(sample_copy, built):
    stale = [built / "en" / ".asean-japan.pdf.abc123.part", built / "vi" / ".x.html.q.part",
             built / ".songngu-build-dead" / "en" / "asean-japan.pdf"]
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a file")
    result = run_build("--lang", "en", "--no-pdf", "--content", str(sample_copy), "--out",
                       str(built))  # any build clears what killed ones left, PDF or not
    assert result.returncode == 0, result.stderr
    assert not any(path.exists() for path in stale)
    assert not (built / ".songngu-build-dead").exists()


def test_two_builds_into_one_folder_wait_for_each_other_and_never_mix(sample_copy, tmp_path):
    other = tmp_path / "other" / "asean-japan"
    shutil.copytree(sample_copy, other)
    edit(sample_copy / "en.yaml", r"^title: (.*)$", r"title: First \1")
    edit(other / "en.yaml", r"^title: (.*)$", r"title: Second \1")
    out = tmp_path / "out"
    first = Build("--lang", "en", "--content", str(sample_copy), "--out", str(out))
    first.wait_for(r"checked ")
    second = Build("--lang", "en", "--content", str(other), "--out", str(out))
    try:
        assert first.finish() == 0, "\n".join(first.lines)
        assert second.finish() == 0, "\n".join(second.lines)
    finally:
        first.kill_all()
        second.kill_all()
    assert any("waiting: another run is writing to" in line for line in second.lines), \
        second.lines
    html = (out / "en" / "asean-japan.html").read_text(encoding="utf-8")
    pdf = subprocess.run(["pdftotext", str(out / "en" / "asean-japan.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    assert "Second ASEAN" in html and "First ASEAN" not in html
    assert "SECOND ASEAN" in pdf.upper().replace("\n", " ")
    assert not _leftovers(out)


def test_two_syncs_at_once_keep_both_marks(sample_copy):
    records = sample_copy / "sync.yaml"
    original = records.read_text(encoding="utf-8")
    # A record is its key's line and the indented lines below it (the texts kept in sync).
    marks = re.findall(r"^(method/[12]):", original, flags=re.M)
    assert marks == ["method/1", "method/2"]
    for _ in range(3):
        records.write_text(re.sub(r"^method/[12]:\n(?:[ ].*\n)*", "", original, flags=re.M),
                           encoding="utf-8")
        runs = [subprocess.Popen([sys.executable, str(ROOT / "build.py"), "sync", "--block",
                                  block, "--content", str(sample_copy)], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for block in marks]
        for run in runs:
            _out, err = run.communicate(timeout=120)
            assert run.returncode == 0, err
        text = records.read_text(encoding="utf-8")
        assert all(re.search(rf"^{mark}:", text, flags=re.M) for mark in marks), text
