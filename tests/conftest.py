"""Shared fixtures: the sample article built once per test session, in both languages."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content" / "asean-japan"


def run_build(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run ``python build.py ARGS`` as a user would, capturing its output."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """The output folder of ``python build.py --lang all --strict`` on the shipped content: the
    sample and the gallery (each in ``<out>/<lang>/<name>.pdf``)."""
    out = tmp_path_factory.mktemp("build")
    result = run_build("--lang", "all", "--strict", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A private copy of the sample document folder that a test may edit."""
    target = tmp_path / "content" / "asean-japan"
    shutil.copytree(SAMPLE, target)
    return target


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, driven by Playwright (see tests/browser_support.py)."""
    from browser_support import LAUNCH_ARGS, chromium_executable

    executable = chromium_executable()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield browser
        browser.close()
