"""Watch mode as an editor uses it, in a real process: a save rebuilds the HTML, then the PDF;
a page open in a real browser reloads itself; a broken file is reported and the last good
outputs stay. Every wait is bounded, and the watcher is always stopped, its children with it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, pdftotext

pytestmark = pytest.mark.slow  # real processes: -m "not slow" leaves them out

TITLE = "title: Đánh số trang"


class Watcher:
    """``python build.py --watch …`` in its own process group, its output collected."""

    def __init__(self, *args: str):
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "--watch", "--port", "0", *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, pattern: str, after: int = 0, timeout: float = 180) -> int:
        """The index of the first line from ``after`` on that matches ``pattern``."""
        def found():
            return next((i for i, line in enumerate(self.lines[after:], after)
                         if re.search(pattern, line)), None)
        wait_until(lambda: found() is not None, timeout, lambda: self.output())
        return found()

    def output(self) -> str:
        return "\n".join(self.lines)

    @property
    def base_url(self) -> str:
        line = self.lines[self.wait_for_line(r"^live preview on ")]
        return re.search(r"http://127\.0\.0\.1:\d+", line).group(0)

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)
        except ProcessLookupError:
            pass


def wait_until(condition, timeout: float, explain=lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {timeout} s\n{explain()}")
        time.sleep(0.02)


@pytest.fixture
def note(tmp_path) -> Path:
    """A private copy of a two-page shipped note (every save lays its PDF out again: two
    pages, not the sample's twelve), in ``content/pagination-note``."""
    target = tmp_path / "content" / "pagination-note"
    shutil.copytree(ROOT / "content" / "pagination-note", target)
    return target


@pytest.fixture
def watching(note, tmp_path):
    """Start watchers on the copy of the sample; stop them all, whatever happens."""
    started = []

    def start(*args: str) -> Watcher:
        watcher = Watcher("--content", str(note.parent), "--out", str(tmp_path / "out"),
                          *args)
        started.append(watcher)
        return watcher

    yield start
    for watcher in started:
        watcher.stop()
        assert watcher.process.poll() is not None


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _squash(text: str) -> str:
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text))


def test_a_save_rebuilds_html_then_pdf_and_an_error_keeps_the_last_good_outputs(
        watching, note, tmp_path):
    watcher = watching("--lang", "vi")
    html = tmp_path / "out" / "vi" / "pagination-note.html"
    pdf = tmp_path / "out" / "vi" / "pagination-note.pdf"
    watcher.wait_for_line(r"^watching for changes")
    assert html.is_file() and pdf.is_file()

    # The live-reload script is added when the page is served; the file is a normal build's.
    page_url = f"{watcher.base_url}/vi/pagination-note.html"
    served = urllib.request.urlopen(page_url, timeout=10).read().decode("utf-8")
    assert "EventSource" in served
    assert "EventSource" not in html.read_text(encoding="utf-8")
    events = []
    stream = urllib.request.urlopen(f"{watcher.base_url}/_songngu/events", timeout=120)
    threading.Thread(target=lambda: events.extend(line.decode().rstrip() for line in stream),
                     daemon=True).start()

    pdf_before = pdf.stat().st_mtime_ns
    seen = len(watcher.lines)
    _edit(note / "vi.yaml", TITLE, "title: Về đánh số trang")
    wait_until(lambda: "Về đánh số trang" in html.read_text(encoding="utf-8"), 60,
               watcher.output)
    assert pdf.stat().st_mtime_ns == pdf_before, "the HTML must come before the PDF"
    wait_until(lambda: pdf.stat().st_mtime_ns != pdf_before, 120, watcher.output)
    watcher.wait_for_line(r"^watching for changes", after=seen)
    assert "VỀ ĐÁNH SỐ TRANG" in _squash(pdftotext(pdf)).upper()
    assert "data: /vi/pagination-note.html" in events
    assert any(line.startswith("changed: ") and "vi.yaml" in line
               for line in watcher.lines[seen:])

    good = html.read_bytes(), pdf.read_bytes()
    seen = len(watcher.lines)
    (note / "vi.yaml").open("a", encoding="utf-8").write("\ntitle: [unclosed\n")
    error = watcher.wait_for_line(r"vi\.yaml:\d+: YAML syntax error", after=seen)
    watcher.wait_for_line(r"the last good outputs are kept", after=error)
    assert (html.read_bytes(), pdf.read_bytes()) == good
    assert watcher.process.poll() is None, "an error must not stop the watch"

    text = (note / "vi.yaml").read_text(encoding="utf-8")
    (note / "vi.yaml").write_text(
        text.replace("\ntitle: [unclosed\n", "").replace("Về đánh số", "Bàn về đánh số"),
        encoding="utf-8")
    wait_until(lambda: "Bàn về đánh số trang" in html.read_text(encoding="utf-8"), 60,
               watcher.output)
    wait_until(lambda: pdf.read_bytes() != good[1], 120, watcher.output)


def test_an_open_page_reloads_itself_after_a_save(watching, note, browser):
    watcher = watching("--lang", "vi", "--no-pdf")
    watcher.wait_for_line(r"^watching for changes")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{watcher.base_url}/vi/pagination-note.html")
        title = "document.querySelector('header.front[lang=vi] h1.title').textContent"
        assert "Về đánh số" not in page.evaluate(title)
        page.evaluate("window.loadedBeforeTheSave = true")
        _edit(note / "vi.yaml", TITLE, "title: Về đánh số trang")
        # No reload from here: the page must notice the new build by itself.
        page.wait_for_function(f"{title}.includes('Về đánh số')", timeout=60_000)
        assert page.evaluate("window.loadedBeforeTheSave") is None
    finally:
        context.close()


def test_a_failed_build_shows_its_messages_over_the_page_until_a_good_build(watching,
                                                                            note,
                                                                            browser):
    watcher = watching("--lang", "vi", "--no-pdf")
    watcher.wait_for_line(r"^watching for changes")
    overlay = "document.getElementById('songngu-errors')"
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{watcher.base_url}/vi/pagination-note.html")
        assert page.evaluate(f"{overlay} === null")
        good = (note / "vi.yaml").read_text(encoding="utf-8")
        _edit(note / "vi.yaml", TITLE, 'title: "Đánh số trang')
        page.wait_for_function(f"{overlay} !== null", timeout=60_000)
        shown = page.evaluate(f"{overlay}.innerText")
        assert "The build failed" in shown
        assert re.search(r"content/pagination-note/vi\.yaml:\d+: YAML syntax error: the quote "
                         r"opened here is never closed", shown), shown
        assert "^" in shown  # the caret under the column, as in the terminal
        # A page opened while the build is failing shows the messages at once.
        other = context.new_page()
        other.goto(f"{watcher.base_url}/vi/pagination-note.html")
        assert "YAML syntax error" in other.evaluate(f"{overlay}.innerText")
        # The next good build takes it away; the page under it is the last good one.
        (note / "vi.yaml").write_text(good.replace(TITLE, "title: Về đánh số trang"),
                                             encoding="utf-8")
        page.wait_for_function(f"{overlay} === null", timeout=60_000)
        page.wait_for_function("document.querySelector('header.front[lang=vi] h1.title')"
                               ".textContent.includes('Về đánh số')", timeout=60_000)
        assert other.evaluate(f"{overlay} === null") or \
            other.wait_for_function(f"{overlay} === null", timeout=60_000)
    finally:
        context.close()


def test_the_pdf_preview_reloads_after_a_save(watching, note, browser):
    watcher = watching("--lang", "vi")
    start = watcher.wait_for_line(r"^live preview on ")
    assert "/_songngu/pdf/vi/pagination-note.pdf" in watcher.lines[start]
    watcher.wait_for_line(r"^watching for changes")
    url = f"{watcher.base_url}/_songngu/pdf/vi/pagination-note.pdf"
    served = urllib.request.urlopen(url, timeout=10).read().decode("utf-8")
    assert '<iframe id="pdf" src="/vi/pagination-note.pdf"' in served
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        source = "document.getElementById('pdf').getAttribute('src')"
        assert page.evaluate(source) == "/vi/pagination-note.pdf"
        _edit(note / "vi.yaml", TITLE, "title: Về đánh số trang")
        page.wait_for_function(f"{source}.startsWith('/vi/pagination-note.pdf?v=')",
                               timeout=180_000)
    finally:
        context.close()
    fetched = urllib.request.urlopen(f"{watcher.base_url}/vi/pagination-note.pdf?v=1", timeout=10)
    assert fetched.read(5) == b"%PDF-"
