"""Rebuild on every save, with a live preview: ``python build.py --watch --lang vi``.

a save in the content, templates or fonts folder → a rebuild → an open browser page reloads.
Files are watched with watchfiles. The output folder is served on 127.0.0.1, to requests for
localhost or 127.0.0.1 only (a page elsewhere cannot reach it by DNS rebinding), and only its
built files: no folder listings, no hidden file such as the build's state; every HTML page
served gets a small script that listens for Server-Sent Events and reloads the page when the
build writes its file again. The script is added while serving: the files on disk are exactly
those of a normal build.

Each rebuild is an incremental build (only what an edit touched) run in a process forked from
this one, which has imported every stage and WeasyPrint once: a rebuild starts warm, and leaves
no cache behind to go stale (a catalog or template edit is always seen). The HTML of a language
is written and announced first; its PDF follows. A save during a rebuild stops it and starts
again. A content error is printed with its file and line, the last good outputs stay in place,
and the next save tries again. The messages of a failed build are also shown over every page
served (an overlay, added like the script), until the next good build takes them away; each
PDF has a preview page (``/_songngu/pdf/<lang>/<doc>.pdf``) that reloads it when it is rebuilt.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import signal
import sys
import threading
import time
from collections import deque
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import watchfiles

from . import (
    incremental,
    pdfengine,
    pipeline,  # noqa: F401  (imported once, here: every rebuild is forked warm)
    progress,
    schedule,
)
from .errors import ContentError, SetupError, display_path
from .project import BuildOptions, Project, find_documents
from .workers import JobFailed, Worker

EVENTS_PATH = "/_songngu/events"
PDF_PREVIEW = "/_songngu/pdf"
"""``/_songngu/pdf/vi/asean-japan.pdf``: a page showing that PDF, reloaded when it is rebuilt."""
LIVE_RELOAD = """<script>
/* songngu --watch: reload this page when the build writes it again, and show the messages of
   a failed build over it (not in normal builds). */
(function () {
  var shown = %(errors)s;
  function overlay(messages) {
    var old = document.getElementById("songngu-errors");
    if (old) old.remove();
    if (!messages.length) return;
    var box = document.createElement("div");
    box.id = "songngu-errors";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;" +
      "padding:1.5em 2em;background:rgba(32,0,0,.92);color:#fff;font:14px/1.5 monospace;";
    var title = document.createElement("h2");
    title.textContent = "The build failed: the last good outputs are shown behind this. " +
      "Save a fix and this page updates.";
    title.style.cssText = "font:bold 16px sans-serif;color:#ff8a80;margin:0 0 1em";
    box.appendChild(title);
    messages.forEach(function (message) {
      var pre = document.createElement("pre");
      pre.textContent = message;
      pre.style.cssText = "white-space:pre-wrap;margin:0 0 1em";
      box.appendChild(pre);
    });
    document.body.appendChild(box);
  }
  function start() {
    overlay(shown);
    var events = new EventSource("%(events)s");
    events.addEventListener("reload", function (event) {
      if (event.data === %(watched)s) %(reload)s;
    });
    events.addEventListener("errors", function (event) { overlay(JSON.parse(event.data)); });
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
</script>
"""


def live_script(server: PreviewServer, watched: str | None = None, reload: str = "") -> bytes:
    """The script added to a served page: ``watched`` is the file whose rebuild reloads it
    (the page itself by default). It shows the messages of the last build if it failed, and
    hears of every change since the page was served (the version it was served at), even one
    made before its event stream connected."""
    with server.changes:
        errors, version = list(server.errors), server.version
    values = {"errors": _json(errors), "events": f"{EVENTS_PATH}?since={version}",
              "watched": _json(watched) if watched else "decodeURIComponent(location.pathname)",
              "reload": reload or "location.reload()"}
    return (LIVE_RELOAD % values).encode()


def _json(value) -> str:
    """JSON safe inside a <script> element: ``</script>`` in a message cannot end it."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


PDF_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%(title)s (songngu preview)</title>
<style>html,body{margin:0;height:100%%}iframe{border:0;width:100%%;height:100%%}</style>
</head><body><iframe id="pdf" src="%(src)s" title="%(title)s"></iframe></body></html>
"""


def run(project: Project, lang_choice: str, options: BuildOptions,
        port: int = 8000, workers: int | None = None) -> int:
    """Build, serve the preview and rebuild on every change until Ctrl-C (exit status 130)."""
    console = progress.Console()
    server = PreviewServer(project.out, port)
    server.start()
    pages = _pages(project, lang_choice)
    console(f"live preview on {server.url('/')}: "
            + ", ".join(server.url(page) for page in pages)
            + (f"; PDF: {', '.join(server.url(PDF_PREVIEW + page[:-5] + '.pdf') for page in pages)}"
               if options.pdf and pages else ""))
    # A terminated watcher stops its rebuild too, instead of leaving it to finish alone.
    signal.signal(signal.SIGTERM, _interrupt)
    pdfengine.load_renderer()  # once, here: every rebuild is forked from this process
    job = functools.partial(_build, project, lang_choice, options, workers)
    rebuild = Rebuild(job, _Announcer(console, server))
    try:
        for changes in watchfiles.watch(project.content, project.templates, project.fonts,
                                        watch_filter=_inputs_only(project.out),
                                        debounce=400, step=30):
            rebuild.stop()
            names = sorted({display_path(path) for _, path in changes})
            console(f"changed: {', '.join(names)}")
            rebuild = Rebuild(job, _Announcer(console, server))
    finally:
        rebuild.stop()
        server.stop()
    return 130


class Rebuild:
    """One build, forked, its reports passed on by a thread; stoppable by a newer save."""

    def __init__(self, job, report):
        self.report = report
        self.started = time.perf_counter()
        self.stopped = False
        self.worker = Worker.start()
        self.thread = threading.Thread(target=self._follow, args=(job,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.stopped = True
            self.worker.stop()  # killed if it has not stopped within a second
            self.thread.join()

    def _follow(self, job) -> None:
        try:
            self.worker.run(job, self.report)
        except ContentError as exc:
            for problem in exc.problems:
                self.report(problem)
            errors = sum(p.severity == "error" for p in exc.problems)
            built = f"; built: {', '.join(exc.built)}; not built (errors): " \
                    f"{', '.join(exc.failed)}" if isinstance(exc, schedule.PartlyBuilt) else ""
            self._say(f"{errors} error{'s' * (errors != 1)}: the last good outputs are kept"
                      f"{built}")
            self.report.failed([str(p) for p in exc.problems])
        except KeyboardInterrupt:
            if not self.stopped:
                self._say("the build was interrupted")
            return
        except (SetupError, JobFailed) as exc:
            if self.stopped:
                return
            self._say(f"error: {exc}")
            self.report.failed([f"error: {exc}"])
        else:
            self.report.succeeded()
            self.report(f"built in {time.perf_counter() - self.started:.1f} s")
        self.report("watching for changes (Ctrl-C stops)")

    def _say(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)


class PreviewServer(http.server.ThreadingHTTPServer):
    """The output folder over HTTP on 127.0.0.1, HTML pages with the live-reload script."""

    daemon_threads = True

    def __init__(self, root: Path, port: int):
        self.root = root
        self.changes = threading.Condition()
        self.version = 0
        self.written: deque[tuple[int, str]] = deque(maxlen=64)
        self.errors: list[str] = []
        """The messages of the last build if it failed, shown over every page served."""
        self.errors_version = 0
        self.closing = False
        handler = functools.partial(_Handler, directory=str(root))
        try:
            super().__init__(("127.0.0.1", port), handler)
        except OSError:  # the port is taken: any free one will do, the URL is printed
            super().__init__(("127.0.0.1", 0), handler)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        # Polled every 50 ms rather than socketserver's 500: stopping (Ctrl-C, a test's end)
        # waits for the next poll.
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def stop(self) -> None:
        with self.changes:
            self.closing = True
            self.changes.notify_all()
        self.shutdown()
        self.server_close()

    def news_since(self, version: int) -> bool:
        """Whether the pages have something to hear since ``version`` (call holding changes)."""
        return self.version > version or self.closing

    def show_errors(self, messages: list[str]) -> None:
        """Show ``messages`` over the open pages (none: take the overlay away)."""
        with self.changes:
            if messages == self.errors:
                return
            self.errors = list(messages)
            self.version += 1
            self.errors_version = self.version
            self.changes.notify_all()

    def announce(self, file: Path) -> None:
        """Tell the pages showing ``file`` to reload."""
        try:
            path = "/" + file.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return
        with self.changes:
            self.version += 1
            self.written.append((self.version, path))
            self.changes.notify_all()


class _Handler(http.server.SimpleHTTPRequestHandler):
    server: PreviewServer

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if not self._allowed_host():
            self.send_error(421, "this preview answers only to localhost and 127.0.0.1")
            return
        # The preview page of a PDF names a built file after its own prefix.
        named = path[len(PDF_PREVIEW):] if path.startswith(PDF_PREVIEW + "/") else path
        if path != EVENTS_PATH and self._built_file(named) is None:
            self.send_error(404, "not a built file")
            return
        if path == EVENTS_PATH:
            self._events()
        elif path.startswith(PDF_PREVIEW + "/") and path.endswith(".pdf"):
            self._pdf_page(path[len(PDF_PREVIEW):])
        elif path.endswith(".html"):
            self._page()
        else:
            super().do_GET()

    do_HEAD = do_GET

    def _allowed_host(self) -> bool:
        """The Host a browser sends for this server itself: a page of another site, pointed
        here by DNS rebinding, sends its own name and gets nothing."""
        host = (self.headers.get("Host") or "").strip().lower()
        port = str(self.server.server_address[1])
        return host in {f"{name}{suffix}" for name in ("localhost", "127.0.0.1")
                        for suffix in ("", f":{port}")}

    def _built_file(self, path: str) -> Path | None:
        """The output file a URL path names: a regular file below the output folder, not a
        hidden one (the build's state, its unfinished files), never a folder's listing."""
        parts = [part for part in unquote(path).split("/") if part]
        if not parts or any(part.startswith(".") for part in parts):
            return None
        root = self.server.root.resolve()
        file = Path(self.translate_path(path)).resolve()
        if not file.is_relative_to(root) or not file.is_file():
            return None
        return file

    def list_directory(self, path):  # never, even if a folder slips through
        self.send_error(404, "not a built file")
        return None

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a reload must fetch the new build
        super().end_headers()

    def log_message(self, format, *args) -> None:
        pass  # a request log would bury the build's messages

    def _page(self) -> None:
        file = Path(self.translate_path(self.path))
        try:
            page = file.read_bytes()
        except OSError:
            self.send_error(404, "not built (yet)")
            return
        self._send_page(page, live_script(self.server))

    def _pdf_page(self, pdf: str) -> None:
        """A page showing the PDF ``pdf`` (a path under the output folder) in a frame."""
        if not Path(self.translate_path(pdf)).is_file():
            self.send_error(404, "not built (yet)")
            return
        shown = html.escape(pdf, quote=True)
        page = (PDF_PAGE % {"title": shown, "src": shown}).encode()
        reload = f"document.getElementById('pdf').src = {_json(pdf)} + '?v=' + Date.now()"
        self._send_page(page, live_script(self.server, pdf, reload))

    def _send_page(self, page: bytes, script: bytes) -> None:
        at = page.lower().rfind(b"</body>")
        page = page[:at] + script + page[at:] if at >= 0 else page + script
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def _events(self) -> None:
        server = self.server
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        since = parse_qs(urlsplit(self.path).query).get("since", [""])[0]
        with server.changes:
            seen = min(int(since), server.version) if since.isdigit() else server.version
        message = b"retry: 500\n\n"
        first = True  # changes made between serving the page and now are sent at once
        while True:
            try:
                self.wfile.write(message)
                self.wfile.flush()
            except OSError:  # the page was closed or reloaded
                return
            with server.changes:
                server.changes.wait_for(functools.partial(server.news_since, seen),
                                        timeout=0 if first else 15)
                first = False
                if server.closing:
                    return
                paths = [path for version, path in server.written if version > seen]
                errors = _json(server.errors) if server.errors_version > seen else None
                seen = server.version
            events = "".join(f"event: reload\ndata: {path}\n\n" for path in paths)
            if errors is not None:
                events += f"event: errors\ndata: {errors}\n\n"
            message = events.encode() or b": still here\n\n"


class _Announcer:
    """Prints the build's reports; announces each HTML page as soon as it is written."""

    def __init__(self, console: progress.Console, server: PreviewServer):
        self.console = console
        self.server = server

    def __call__(self, item: object) -> None:
        self.console(item)
        if isinstance(item, progress.Committed):  # in place: only now can a page reload
            for file in item.files:
                if file.endswith((".html", ".pdf")):
                    self.server.announce(Path(file))

    def failed(self, messages: list[str]) -> None:
        self.server.show_errors(messages)

    def succeeded(self) -> None:
        self.server.show_errors([])


def _build(project, lang_choice, options, workers, report) -> list[Path]:
    folders = find_documents(project.content)  # a new document joins at once
    return schedule.build(folders, project, lang_choice, options, report, workers=workers,
                          early_pages=True)


def _pages(project: Project, lang_choice: str) -> list[str]:
    """The URL paths of the HTML pages the build will write."""
    pages = []
    for folder in find_documents(project.content):
        languages = incremental.listed_languages(folder) or []
        chosen = languages if lang_choice == "all" else [lang_choice]
        pages += [f"/{lang}/{folder.name}.html" for lang in chosen if "+" not in lang]
    return pages


def _inputs_only(out: Path):
    out = out.resolve()

    def accept(change, path: str) -> bool:
        file = Path(path)
        return incremental.is_input(file) and not file.resolve().is_relative_to(out)

    return accept


def _interrupt(signum, frame):
    raise KeyboardInterrupt
