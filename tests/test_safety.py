"""Content cannot make a build reach out: no network, no file outside the project, no script.

A figure pointing elsewhere is a content error with file:line before anything renders; the
renderer's URL fetcher refuses the same things again if a page ever asks (defense in depth);
text typed in YAML is shown as text on the PDF page and in the HTML source, never as markup.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT, pdftotext, run_build
from PIL import Image
from pypdf import PdfReader

from songngu import pdfengine, write

INSIDE = "expected a PNG, JPEG or SVG file inside the document's folder"


def _add_figure(folder: Path, file: str) -> int:
    """Declare figure 'chart' in document.yaml with ``file``; return the line of ``file:``."""
    with (folder / "document.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"figures:\n  chart:\n    file: '{file}'\n")
    return len((folder / "document.yaml").read_text(encoding="utf-8").splitlines())


def _png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), "red").save(path)
    return path


def _outside_png(folder: Path) -> Path:
    return _png(folder.parent.parent / "elsewhere" / "secret.png")


def _run_briefly(*args: str) -> subprocess.CompletedProcess:
    """Run ``build.py`` like run_build, but fail in a minute: a build that blocks on a pipe
    or a device must show up as a failure, not as a test run that never ends."""
    return run_build(*args, timeout=60)


def _symlink_out(folder: Path) -> None:
    (folder / "link.png").symlink_to(_outside_png(folder))


def _fifo(folder: Path) -> None:
    os.mkfifo(folder / "pipe.png")  # reading it would block forever


@pytest.mark.parametrize("file, prepare, found", [
    ("http://127.0.0.1:9/chart.png", None, " (a relative path such as images/chart.png), "
                                           "found the URL 'http://127.0.0.1:9/chart.png'"),
    ("https://example.com/chart.svg", None, " (a relative path such as images/chart.png), "
                                            "found the URL 'https://example.com/chart.svg'"),
    ("file:///etc/passwd", None, " (a relative path such as images/chart.png), found the URL "
                                 "'file:///etc/passwd'"),
    ("/dev/urandom", None, " (a relative path such as images/chart.png), found the absolute "
                           "path '/dev/urandom'"),
    ("../../elsewhere/secret.png", _outside_png, ", found '../../elsewhere/secret.png', which "
                                                 "leads outside the folder"),
    ("link.png", _symlink_out, ", found 'link.png', which leads outside the folder"),
    ("pipe.png", _fifo, ", found 'pipe.png', which is not a regular file"),
    ("images", lambda f: _png(f / "images" / "chart.png"),
     ", found 'images', which is not a regular file"),
    ("missing.png", None, ", found 'missing.png', which does not exist in"),
])
def test_a_figure_pointing_elsewhere_is_a_content_error_with_its_line(sample_copy, tmp_path,
                                                                       file, prepare, found):
    if prepare is not None:
        prepare(sample_copy)
    line = _add_figure(sample_copy, file)
    for command in ("check", "build"):
        out = tmp_path / "out"
        writes = ("--out", str(out)) if command == "build" else ()  # check writes nothing
        result = _run_briefly(command, "--content", str(sample_copy), *writes)
        assert result.returncode == 1, result.stderr
        assert f"document.yaml:{line}: figure 'chart': {INSIDE}{found}" in result.stderr
        assert "Traceback" not in result.stderr
        assert not list(out.rglob("*.pdf")) and not list(out.rglob("*.html"))


@pytest.mark.parametrize("reference", [
    '<image href="http://127.0.0.1:9/tracker.png" width="5" height="5"/>',
    '<image xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="file:///etc/passwd"/>',
    '<use href="../../elsewhere/shapes.svg#dot"/>',
    '<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>',
    '<style>@import url("https://example.com/x.css");</style>',
    '<rect width="5" height="5" style="fill: url(/dev/urandom)"/>',
])
def test_an_svg_figure_that_refers_outside_itself_is_a_content_error(sample_copy, reference):
    (sample_copy / "diagram.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">{reference}</svg>',
        encoding="utf-8")
    line = _add_figure(sample_copy, "diagram.svg")
    result = run_build("check", "--content", str(sample_copy))
    assert result.returncode == 1
    assert re.search(rf"document\.yaml:{line}: figure 'chart': the SVG image 'diagram\.svg' "
                     rf"refers to '[^']+'; a figure may refer only to its own elements",
                     result.stderr), result.stderr


def test_an_svg_figure_may_use_its_own_parts(sample_copy):
    (sample_copy / "diagram.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs>'
        '<linearGradient id="g"/></defs><rect id="r" width="5" height="5" fill="url(#g)"/>'
        '<use href="#r"/></svg>', encoding="utf-8")
    _add_figure(sample_copy, "diagram.svg")
    result = run_build("check", "--content", str(sample_copy))
    assert "figure 'chart'" not in result.stderr, result.stderr


# --------------------------------------------------------------------------- the fetcher

class _Listener:
    """A local port that counts the connections a render makes to it."""

    def __enter__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(5)
        self.socket.setblocking(False)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        return self

    def connections(self) -> int:
        count = 0
        while True:
            try:
                self.socket.accept()[0].close()
                count += 1
            except BlockingIOError:
                return count

    def __exit__(self, *exc):
        self.socket.close()


def _page(body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
            f'{head}</head><body><p>Text.</p>{body}</body></html>')


@pytest.fixture
def media(tmp_path) -> Path:
    folder = tmp_path / "doc"
    _png(folder / "ok.png")
    (folder / "link.png").symlink_to(_png(tmp_path / "elsewhere" / "secret.png"))
    os.mkfifo(folder / "pipe.png")
    return folder


@pytest.mark.parametrize("body, head", [
    ('<img src="{url}/pixel.png" alt="">', ""),
    ("", '<link rel="stylesheet" href="{url}/style.css">'),
    ("", '<style>@import url("{url}/style.css");</style>'),
    ('<p style="background: url({url}/bg.png)">x</p>', ""),
    ('<img src="file:///etc/passwd" alt="">', ""),
    ('<img src="/dev/urandom" alt="">', ""),
    ('<img src="media/../../../../etc/hostname" alt="">', ""),
    ('<img src="media/link.png" alt="">', ""),
    ('<img src="media/pipe.png" alt="">', ""),
    ("", '<link rel="stylesheet" href="fonts/../../../etc/passwd">'),
])
def test_the_renderer_refuses_anything_but_the_fonts_and_the_document_folder(media, body, head):
    with _Listener() as listener:
        html = _page(body.format(url=listener.url), head.format(url=listener.url))
        assets = write.Assets(fonts=ROOT / "fonts", media=media)
        with pytest.raises(pdfengine.ForbiddenResource, match="refused to load"):
            pdfengine.render_pdf(html, assets)
        assert listener.connections() == 0


def test_the_renderer_loads_the_documents_own_image(media, tmp_path):
    assets = write.Assets(fonts=ROOT / "fonts", media=media)
    target = tmp_path / "ok.pdf"
    pdfengine.render_pdf(_page('<img src="media/ok.png" alt="A red square">'), assets).write(target)
    images = [x.get_object() for x in PdfReader(target).pages[0]["/Resources"]["/XObject"]
              .values()]
    assert [(x["/Subtype"], x["/Width"], x["/Height"]) for x in images] == [("/Image", 8, 8)]


# --------------------------------------------------------------------------- escaping

INJECTED = {
    "title": "<script>alert(1)</script>",
    "paragraph": "<img src=x onerror=alert(1)>",
    "keyword": "<b onmouseover=alert(1)>k</b>",
}


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts, self.handlers, self.imgs = [], [], []
        self.data_scripts: list[str] = []
        self.meta: dict[str, str] = {}
        self._in_script = self._in_data = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [name for name in attrs if name.startswith("on")]
        if tag == "img":
            self.imgs.append(attrs.get("src"))
        if tag == "meta" and "name" in attrs:
            self.meta[attrs["name"]] = attrs.get("content")
        self._in_data = tag == "script" and attrs.get("type") == "application/ld+json"
        self._in_script = tag == "script" and not self._in_data

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)
        elif self._in_data:
            self.data_scripts.append(data)


def test_markup_typed_in_yaml_is_shown_literally_never_run(sample_copy, tmp_path):
    for lang in ("en", "vi"):
        path = sample_copy / f"{lang}.yaml"
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^title: (.*)$", lambda m: f"title: '{m[1]} {INJECTED['title']}'",
                      text, count=1, flags=re.M)
        text = re.sub(r"^abstract: >-\n", lambda m: m[0] + f"  {INJECTED['paragraph']}\n",
                      text, count=1, flags=re.M)
        text = re.sub(r"^keywords:\n", lambda m: m[0] + f"  - '{INJECTED['keyword']}'\n",
                      text, count=1, flags=re.M)
        path.write_text(text, encoding="utf-8")
    shared = sample_copy / "document.yaml"
    shared.write_text(shared.read_text(encoding="utf-8").replace(
        "name: TNU Journal of Science and Technology",
        "name: 'TNU </style><script>alert(1)</script>'"), encoding="utf-8")
    out = tmp_path / "out"
    result = run_build("--lang", "all", "--content", str(sample_copy), "--out", str(out))
    assert result.returncode == 0, result.stderr

    for lang in ("en", "vi"):
        page = re.sub(r"\s+", " ", pdftotext(out / lang / "asean-japan.pdf"))
        # Titles are set in capitals; everything else as typed.
        assert INJECTED["title"].upper() in page
        assert INJECTED["paragraph"] in page
        assert INJECTED["keyword"] in page
        assert "TNU </style><script>alert(1)</script>" in page  # the running head

        source = (out / lang / "asean-japan.html").read_text(encoding="utf-8")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source
        assert "&lt;img src=x onerror=alert(1)&gt;" in source
        elements = _Elements()
        elements.feed(source)
        assert not [s for s in elements.scripts if "alert" in s]
        # The JSON-LD for indexers holds the name as data, with no "<" that could end it.
        data = "".join(elements.data_scripts)  # the parser may hand it over in pieces
        assert json.loads(data)["isPartOf"]["isPartOf"]["isPartOf"]["name"] == \
            "TNU </style><script>alert(1)</script>"
        assert "<" not in data
        assert elements.handlers == []
        assert "x" not in elements.imgs
        assert INJECTED["paragraph"] in elements.meta["description"]
        assert INJECTED["keyword"] in elements.meta["keywords"]


# --------------------------------------------------------------------------- the preview server

@pytest.fixture
def preview(tmp_path):
    from songngu.watch import PreviewServer

    root = tmp_path / "out"
    (root / "en" / "fonts").mkdir(parents=True)
    (root / "en" / "doc.html").write_text("<html><body>page</body></html>", encoding="utf-8")
    (root / "en" / "doc.pdf").write_bytes(b"%PDF-1.7 pdf")
    (root / ".songngu-state.json").write_text('{"/home/editor/secret": 1}', encoding="utf-8")
    (root / "en" / ".doc.pdf.x.part").write_bytes(b"half")
    (root / "en" / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    server = PreviewServer(root, 0)
    server.start()
    yield server.server_address[1]
    server.stop()


def _get(port: int, path: str, host: str | None = None) -> tuple[int, bytes]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host if host is not None else f"127.0.0.1:{port}")
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.0.0.1:{port}",
                                  "localhost:{port}", "LOCALHOST:{port}"])
def test_the_preview_answers_its_own_hosts(preview, host):
    status, body = _get(preview, "/en/doc.html", host.format(port=preview))
    assert status == 200 and b"page" in body


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example",
                                  "localhost.evil.example:{port}", "", "127.0.0.2:{port}",
                                  "localhost:1"])
def test_the_preview_refuses_other_hosts_dns_rebinding(preview, host):
    status, body = _get(preview, "/en/doc.html", host.format(port=preview))
    assert status == 421 and b"page" not in body


@pytest.mark.parametrize("path", ["/", "/en/", "/en", "/en/fonts/", "/.songngu-state.json",
                                  "/en/.doc.pdf.x.part", "/en/leak.txt", "/../secret.txt",
                                  "/en/%2e%2e/%2e%2e/secret.txt", "/%2esongngu-state.json"])
def test_the_preview_serves_only_built_files(preview, path):
    status, body = _get(preview, path)
    assert status == 404
    assert b"secret" not in body and b"Directory listing" not in body and b"doc.html" not in body


def test_the_preview_serves_the_pdf(preview):
    assert _get(preview, "/en/doc.pdf") == (200, b"%PDF-1.7 pdf")
