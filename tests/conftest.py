"""What the tests share: the CLI run in this process, and the shipped content built once.

``run_build(ARGS)`` is ``python build.py ARGS`` as a user runs it, called in this process
(:func:`songngu.cli.main`) with its output captured and its exit status returned, as a
process would give them; ``run_build_process(ARGS)`` starts a real process, for the few tests
whose point is the process itself (signals, what it imports, a fresh interpreter).

The builds many tests read are made once per test run by session fixtures (``full_build``
and its ``sample_build`` folder, ``parallel_handouts``, ``archival_build``); with pytest-xdist
the first worker that needs one builds it and the others wait for it and read the same
folder. Tests only read these folders;
a test that changes outputs copies them first.

Markers (registered in pyproject.toml): ``browser`` for the tests that drive Chromium (set
here, for every test that uses the ``browser`` fixture), ``slow`` for the few that build a
wheel or run builds in processes of their own; ``-m "not slow and not browser"`` is the quick
round.
"""

from __future__ import annotations

import contextlib
import fcntl
import inspect
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Each test process compiles the test modules (pytest rewrites their asserts) and songngu;
# where PYTHONDONTWRITEBYTECODE is set, as in many containers, it would do so in every run
# and every process, and each build.py the tests start would compile songngu again: about
# 3.5 s of CPU a test process to collect the tests alone. The bytecode goes where Python
# keeps it anyway (__pycache__, ignored by git).
sys.dont_write_bytecode = False
SAMPLE = ROOT / "content" / "asean-japan"


class TimedOut(BaseException):
    """An in-process run took longer than its ``timeout`` (a BaseException, so that the CLI's
    own error handling cannot turn it into an exit status)."""


def run_build(*args: str, cwd: Path = ROOT,
              timeout: float | None = None) -> subprocess.CompletedProcess:
    """``python build.py ARGS`` run from ``cwd``, in this process: the exit status, standard
    output and standard error a process would have given (an exception that escapes is
    printed as a traceback with status 1, as Python does). With ``timeout``, a run that blocks
    (on a pipe, a device) fails the test after that many seconds instead of never ending."""
    from songngu import cli

    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(cwd)
    if timeout is not None:
        def expire(signum, frame):
            raise TimedOut(f"build.py {' '.join(args)} did not finish within {timeout} s")
        previous = signal.signal(signal.SIGALRM, expire)
        outer, _ = signal.setitimer(signal.ITIMER_REAL, timeout)  # the test's own limit
        started = time.monotonic()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(list(args))
            except SystemExit as exc:  # argparse: --help, or a usage error
                code = 0 if exc.code is None else exc.code
                if not isinstance(code, int):
                    print(code, file=sys.stderr)
                    code = 1
            except Exception:  # what an uncaught exception prints, as Python does
                traceback.print_exc()
                code = 1
    except TimedOut as exc:
        pytest.fail(str(exc), pytrace=False)
    finally:
        if timeout is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            if outer:  # what is left of the test's time limit (pytest-timeout) runs on
                signal.setitimer(signal.ITIMER_REAL,
                                 max(outer - (time.monotonic() - started), 0.001))
        os.chdir(here)
        _forget_caches()
    return subprocess.CompletedProcess(["build.py", *args], code, out.getvalue(),
                                      err.getvalue())


def _forget_caches() -> None:
    """Empty songngu's memoised functions of a file or folder that are not keyed to its
    modification time, so that the next in-process run sees what a new process would: a test
    may edit a template or catalog between two runs. (Caches keyed to a file's ``mtime`` and
    those of pure functions are kept: they are what makes in-process runs cheap.)"""
    for name, module in list(sys.modules.items()):
        if name != "songngu" and not name.startswith("songngu."):
            continue
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and \
                    getattr(value, "__module__", None) == name and _keyed_to_a_path(value):
                value.cache_clear()


def _keyed_to_a_path(function) -> bool:
    parameters = inspect.signature(function).parameters.values()
    if any("mtime" in p.name for p in parameters):
        return False
    return any("Path" in str(p.annotation) or p.name in ("path", "folder", "file")
               for p in parameters)


def run_build_process(*args: str, cwd: Path = ROOT,
                      env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python build.py ARGS`` in a process of its own, as a user starts it."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600,
                          env=None if env is None else {**os.environ, **env})


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


# --------------------------------------------------------------------------- shared builds

@dataclass(frozen=True)
class Built:
    """A build made once for the whole test run: its output folder and what it printed."""

    out: Path
    stdout: str
    stderr: str


def shared_build(factory: pytest.TempPathFactory, name: str, *args: str) -> Built:
    """``build.py ARGS --out <folder>``, made once per test run: with pytest-xdist, the first
    worker to ask builds it under a lock and the others reuse its folder."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        root = factory.getbasetemp()
    else:
        root = factory.getbasetemp().parent  # shared by the workers of this run
    out = root / f"shared-{name}"
    record = root / f"shared-{name}.json"
    with open(root / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            shutil.rmtree(out, ignore_errors=True)
            result = run_build(*args, "--out", str(out))
            record.write_text(json.dumps({"code": result.returncode, "stdout": result.stdout,
                                          "stderr": result.stderr}), encoding="utf-8")
        done = json.loads(record.read_text(encoding="utf-8"))
    assert done["code"] == 0, done["stderr"]
    return Built(out, done["stdout"], done["stderr"])


FULL_BUILD = ("--lang", "all", "--strict", "--handout", "--jats")
"""The shipped content as ``sample_build`` builds it: every document (the sample and the
gallery), both languages, journal PDF and HTML, the A5 handout and its booklet, the JATS XML;
``--strict``, so that any parity or layout finding fails it."""


@pytest.fixture(scope="session")
def full_build(tmp_path_factory) -> Built:
    """``python build.py --lang all --strict --handout --jats`` on the shipped content."""
    return shared_build(tmp_path_factory, "full", *FULL_BUILD)


@pytest.fixture(scope="session")
def sample_build(full_build) -> Path:
    """The output folder of :func:`full_build`: ``<out>/<lang>/<name>.pdf`` (and ``.html``,
    ``.handout.pdf``, ``.booklet.pdf``) for every document, ``<out>/jats/<name>.xml``."""
    return full_build.out


@pytest.fixture(scope="session")
def parallel_handouts(tmp_path_factory) -> Built:
    """``python build.py --lang en+vi --handout --strict`` on the shipped content: the
    parallel handout of every document (``<out>/en+vi/<name>.handout.pdf``)."""
    return shared_build(tmp_path_factory, "parallel", "--lang", "en+vi", "--handout",
                        "--strict")


@pytest.fixture(scope="session")
def archival_build(tmp_path_factory) -> Path:
    """The sample's Vietnamese PDF/A-3b (``--pdf-variant pdf/a-3b --no-html``)."""
    return shared_build(tmp_path_factory, "archival", "--lang", "vi", "--pdf-variant",
                        "pdf/a-3b", "--no-html", "--content", str(SAMPLE)).out


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A private copy of the sample document folder that a test may edit."""
    target = tmp_path / "content" / "asean-japan"
    shutil.copytree(SAMPLE, target)
    return target


@pytest.fixture
def sample(sample_copy, monkeypatch) -> Path:
    """:func:`sample_copy`, with the working folder its content folder's parent (so that
    ``content/asean-japan`` names it, as in the README's commands)."""
    monkeypatch.chdir(sample_copy.parent.parent)
    return sample_copy


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright (see tests/browser_support.py): one
    browser for the test process, each test opening contexts of its own in it."""
    from browser_support import LAUNCH_ARGS, chromium_executable

    executable = chromium_executable()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def pytest_addoption(parser) -> None:
    parser.addoption("--regen-golden", action="store_true",
                     help="write tests/golden/ from this run's build instead of only comparing "
                          "with it; review the change with git diff tests/golden/")
    parser.addoption("--full-screenshots", action="store_true",
                     help="also save each HTML page whole to tests/artifacts/ (the browser "
                          "tests save its first screen): about a second and a half a picture")


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
