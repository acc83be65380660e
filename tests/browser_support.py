"""Real headless Chromium for the HTML tests: Debian's browser driven by Python Playwright.

The browser is the system one (``/usr/bin/chromium``, from Debian's ``chromium`` package), handed
to Playwright through ``executable_path``; Playwright's own browser download is never used. Pages
are served from a build folder by a local HTTP server on 127.0.0.1 that records every path it is
asked for, so a test sees requests the page makes even when Playwright does not report them (the
browser's own ``/favicon.ico``).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]

REQUIRED_ENV = "SONGNGU_REQUIRE_CHROMIUM"
"""Set (as .ci/run does, or ``CI``) to make a missing browser a failure instead of a skip."""


def chromium_executable() -> str:
    """The system Chromium; skip without it on a workstation, fail under CI."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("Python Playwright is not installed: python -m pip install -e '.[test]'")
    if path is None:
        _missing("Chromium is not installed: apt-get install chromium "
                 "(Debian's package; the tests never download a browser)")
    return path


def _missing(reason: str) -> None:
    if os.environ.get(REQUIRED_ENV) or os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


class Site:
    """A folder served over HTTP on 127.0.0.1, remembering every path requested."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.paths: list[str] = []
        site = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_request(self, code="-", size="-"):
                site.paths.append(self.path)

            def log_message(self, format, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> Site:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()  # shutdown() waits for the next poll
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


# Elements whose box reaches past the right or left edge of the viewport, other than those inside
# a box that scrolls sideways on its own (a wide table in its wrapper).
OVERFLOWING_JS = """() => {
  const width = window.innerWidth;
  const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right <= width + 0.5 && box.left >= -0.5) continue;
    let parent = el.parentElement, contained = false;
    while (parent && parent !== document.body) {
      if (scrolls(parent)) { contained = true; break; }
      parent = parent.parentElement;
    }
    if (!contained) found.push(`<${el.localName} class="${el.className}"> from ${Math.round(box.left)} to ${Math.round(box.right)} px`);
  }
  return found;
}"""

# Visible text smaller than ``min`` px, ignoring superscripts and subscripts.
SMALL_TEXT_JS = """(min) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || el.closest('sup, sub') || el.getClientRects().length === 0) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < min) found.add(`<${el.localName} class="${el.className}"> ${size}px: ${node.textContent.trim().slice(0, 40)}`);
  }
  return [...found];
}"""

# Characters on each full line (all lines but the last) of the given element's text.
CHARACTERS_PER_LINE_JS = """(el) => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const lines = [];
  let top = null, count = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i); range.setEnd(node, i + 1);
      const box = range.getClientRects()[0];
      if (!box) continue;
      if (top === null) top = box.top;
      else if (box.top > top + box.height / 2) { lines.push(count); count = 0; top = box.top; }
      count++;
    }
  }
  return lines;
}"""

IN_VIEWPORT_JS = """(el) => {
  const box = el.getBoundingClientRect();
  return box.top >= 0 && box.top < window.innerHeight && box.bottom > 0;
}"""


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two CSS ``rgb(…)`` colours."""
    def luminance(css: str) -> float:
        channels = [float(v) / 255 for v in css[css.index("(") + 1:css.index(")")].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
