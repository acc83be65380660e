"""Hostile content: every case a content or setup error with file:line (or the path), found in
under 10 s and 500 MB, and the previous outputs left byte for byte as they were.

Each case edits a copy of the sample, then runs ``build.py`` in a process of its own, over an
output folder that holds a good earlier build, and measures the run with getrusage.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hostile_support import add_figure, edit, line_of, measured, png_header, snapshot
from PIL import Image

SECONDS = 10
"""Processor seconds a bad input may cost, all processes of the build together."""
PEAK = 500 * 1024 * 1024
"""Peak resident memory of any one process of the build."""


@pytest.fixture(scope="module")
def good_build(sample_build) -> Path:
    """A good build of the shipped content (HTML and PDF of both languages, handouts, JATS):
    the one the whole test run shares, copied by each case before it builds over it."""
    return sample_build


def _billion_laughs(folder: Path):
    path = folder / "en.yaml"
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
              f"*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 10)]
    path.write_text("\n".join(lines) + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    return "en.yaml", None, "SONGNGU_MAX_YAML_NODES"


def _many_keywords(folder: Path):
    path = folder / "en.yaml"
    edit(path, r"^keywords:\n", "keywords:\n" + "  - k\n" * 100_000)
    return "en.yaml", line_of(path, "keywords:") + 1, "SONGNGU_MAX_LIST_ITEMS"


def _huge_file(folder: Path):
    path = folder / "vi.yaml"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("# " + "x" * 9_000_000 + "\n")
    return "vi.yaml", None, "SONGNGU_MAX_FILE_BYTES"


def _long_field(folder: Path):
    path = folder / "en.yaml"
    edit(path, r"^title: (.*)$", r"title: '\1 " + "word " * 60_000 + "'")
    return "en.yaml", line_of(path, "title:"), "SONGNGU_MAX_TEXT_CHARS"


def _escape(text: str, shown: str):
    def prepare(folder: Path):
        path = folder / "en.yaml"
        edit(path, r"^title: (.*)$", r'title: "\1 ' + text.replace("\\", "\\\\") + '"')
        return "en.yaml", line_of(path, "title:"), shown
    return prepare


def _author_marker(folder: Path):
    path = folder / "en.yaml"
    edit(path, r"^  trang: (.*)$", r'  trang: "\1\\x1d"')
    return "en.yaml", line_of(path, "trang:"), "U+001D"


def _journal_form_feed(folder: Path):
    path = folder / "document.yaml"
    edit(path, r"^  name: (.*)$", r'  name: "\1\\f} body { display: none"')
    return "document.yaml", line_of(path, "  name:"), "U+000C"


def _reference(field: str, url: str):
    def prepare(folder: Path):
        path = folder / "references.yaml"
        edit(path, r"^  URL: .*$", f"  {field}: '{url}'")
        return "references.yaml", line_of(path, url), "expected a"
    return prepare


def _bib(entry_fields: str, expected: str):
    def prepare(folder: Path):
        (folder / "references.yaml").unlink()
        edit(folder / "document.yaml", r"^style: ieee$", "style: ieee\nreferences: refs.bib")
        (folder / "refs.bib").write_text(
            "@online{vu2007,\n  title = {A page},\n  author = {Vũ, Văn Hà},\n  year = {2007},\n"
            f"  {entry_fields}\n}}\n", encoding="utf-8")
        return "refs.bib", 5, expected
    return prepare


def _inline_link(target: str):
    def prepare(folder: Path):
        path = folder / "en.yaml"
        edit(path, r"^abstract: >-\n", f"abstract: >-\n  See [this]({target}).\n")
        return "en.yaml", line_of(path, target), "expected a link starting with http:, https:"
    return prepare


def _shared(key: str, value: str, expected: str):
    def prepare(folder: Path):
        path = folder / "document.yaml"
        edit(path, rf"^{key}: .*$", f"{key}: {value}")
        return "document.yaml", line_of(path, f"{key}:"), expected
    return prepare


def _orcid(folder: Path):
    path = folder / "document.yaml"
    edit(path, r"^    corresponding: true$", "    corresponding: true\n"
                                              "    orcid: 'javascript:alert(1)'")
    return "document.yaml", line_of(path, "orcid:"), "expected an ORCID iD"


def _style_file(content: str | None, name: str, expected: str):
    def prepare(folder: Path):
        if content is not None:
            (folder / name).write_text(content, encoding="utf-8")
        path = folder / "document.yaml"
        edit(path, r"^style: ieee$", f"style: '{name}'")
        return "document.yaml", line_of(path, "style:"), expected
    return prepare


def _svg(body: str, expected: str):
    def prepare(folder: Path):
        (folder / "chart.svg").write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg" '
            f'xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">{body}</svg>',
            encoding="utf-8")
        return "document.yaml", add_figure(folder, "chart.svg"), expected
    return prepare


def _fan_out() -> str:
    parts = ['<rect id="l0" width="1" height="1"/>']
    parts += [f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * 10 + "</g>" for i in range(1, 7)]
    return "<defs>" + "".join(parts) + "</defs><use href=\"#l6\"/>"


def _raster(data: bytes | None, expected: str, name: str = "chart.png"):
    def prepare(folder: Path):
        path = folder / name
        if data is None:
            Image.new("RGB", (40, 40), "red").save(path)
            path.write_bytes(path.read_bytes()[:60])  # truncated
        else:
            path.write_bytes(data)
        return "document.yaml", add_figure(folder, name), expected
    return prepare


def _figure_name(name: str, expected: str):
    def prepare(folder: Path):
        return "document.yaml", add_figure(folder, name), expected
    return prepare


def _date(folder: Path):
    path = folder / "document.yaml"
    edit(path, r"^  received: .*$", "  received: 2021-02-30")
    return "document.yaml", line_of(path, "received:"), "day is out of range"


def _cell(value: str, expected: str):
    def prepare(folder: Path):
        path = folder / "document.yaml"
        edit(path, r"^      - \[2000, 129,", f"      - [2000, {value},")
        return "document.yaml", line_of(path, "- [2000,"), expected
    return prepare


CASES = {
    "billion laughs": _billion_laughs,
    "100000 keywords": _many_keywords,
    "9 MB file": _huge_file,
    "300000-character title": _long_field,
    "YAML escape \\x01": _escape("\\x01", "U+0001"),
    "YAML escape \\e": _escape("\\e", "U+001B"),
    "YAML escape \\x85 (C1)": _escape("\\x9c", "U+009C"),
    "character reference &#12;": _escape("&#12;", "'&#12;'"),
    "character reference &#x1F;": _escape("&#x1F;", "'&#x1F;'"),
    "character reference to a glyph no font has": _escape("&#x2603;", "U+2603"),
    "citation marker in an author": _author_marker,
    "form feed in the journal's name": _journal_form_feed,
    "reference URL javascript:": _reference("URL", "javascript:alert(1)"),
    "reference URL file:": _reference("URL", "file:///etc/passwd"),
    "reference URL data:": _reference("URL", "data:text/html,<script>alert(1)</script>"),
    "reference URL relative": _reference("URL", "../../etc/passwd"),
    "reference DOI": _reference("DOI", "javascript:alert(1)"),
    "BibTeX url javascript:": _bib("url = {javascript:alert(1)},", "expected a link"),
    "BibTeX field of 50000 characters": _bib("note = {" + "x" * 50_000 + "},",
                                              "SONGNGU_MAX_BIBTEX_FIELD"),
    "BibTeX nesting": _bib("note = {" + "{" * 200 + "x" + "}" * 200 + "},",
                           "SONGNGU_MAX_BIBTEX_NESTING"),
    "inline link ../../etc/passwd": _inline_link("../../etc/passwd"),
    "inline link file:": _inline_link("file:///etc/passwd"),
    "inline link javascript:": _inline_link("javascript:alert(1)"),
    "DOI javascript:": _shared("doi", "'javascript:alert(1)'", "expected a DOI"),
    "ORCID javascript:": _orcid,
    "style outside the folder": _style_file(None, "../../../../etc/passwd.csl",
                                            "inside the document's folder"),
    "style absolute": _style_file(None, "/usr/share/x.csl", "inside the document's folder"),
    "non-CSL style": _style_file("<html><body>no style</body></html>", "mine.csl",
                                 "expected a CSL style"),
    "SVG script": _svg("<script>alert(1)</script>", "contains <script>"),
    "SVG onload": _svg('<rect width="5" height="5" onload="alert(1)"/>',
                       "event attribute onload="),
    "SVG foreignObject": _svg("<foreignObject><p>x</p></foreignObject>",
                              "contains <foreignObject>"),
    "SVG set href": _svg('<a><set attributeName="href" to="javascript:alert(1)"/></a>',
                         "contains <set>"),
    "SVG data: image": _svg('<image xlink:href="data:image/svg+xml,&lt;svg/&gt;"/>',
                            "refers to 'data:"),
    "SVG use fan-out": _svg(_fan_out(), "SONGNGU_MAX_SVG_ELEMENTS"),
    "SVG use depth": _svg('<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>',
                          "repeats itself"),
    "PNG 13000x13000": _raster(png_header(13000, 13000), "SONGNGU_MAX_IMAGE_PIXELS"),
    "PNG 100000x100000": _raster(png_header(100000, 100000), "SONGNGU_MAX_IMAGE_PIXELS"),
    "PNG bad data": _raster(png_header(20, 20, b"not zlib"), "damaged or truncated"),
    "PNG truncated": _raster(None, "damaged or truncated"),
    "JPEG garbage": _raster(b"\xff\xd8\xff" + b"\x00" * 100, "damaged or truncated",
                            "chart.jpg"),
    "5000-character figure name": _figure_name("a" * 5000 + ".png", "longer than file systems"),
    "NUL in figure name": _figure_name("a\u0000.png", "U+0000"),
    "date 2021-02-30": _date,
    "5000-digit number": _shared("first_page", "1" * 5000, "first_page"),
    "cell 1.0e+308": _cell("1.0e+308", "expected a number"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_content_is_a_clear_error_quickly_and_keeps_the_last_outputs(
        case, sample_copy, good_build, tmp_path):
    file, line, expected = CASES[case](sample_copy)
    out = tmp_path / "out"
    shutil.copytree(good_build, out, symlinks=True)
    before = snapshot(out)
    run = measured("--lang", "all", "--content", str(sample_copy), "--out", str(out))
    assert run.code == 1, run.err
    where = f"{file}:{line}: " if line else f"{file}"
    assert where in run.err, run.err
    assert expected in run.err, run.err
    assert "internal error" not in run.err and "Traceback" not in run.err
    assert "nothing was written" in run.err
    assert run.cpu < SECONDS, f"{run.cpu:.1f} s of processor time"
    assert run.seconds < 6 * SECONDS, f"{run.seconds:.1f} s"  # a busy machine is slower
    assert run.peak < PEAK, f"{run.peak / 2**20:.0f} MB"
    assert snapshot(out) == before


# --------------------------------------------------------------------------- setup errors

def _setup_case(sample_copy, good_build, tmp_path, *extra: str, env=None):
    out = tmp_path / "out"
    shutil.copytree(good_build, out, symlinks=True)
    return out, snapshot(out), measured("--lang", "all", "--force", "--content",
                                        str(sample_copy), "--out", str(out), *extra, env=env)


def _assert_setup_error(run, expected: str) -> None:
    assert run.code == 2, run.err
    assert expected in run.err, run.err
    assert "internal error" not in run.err and "Traceback" not in run.err


def test_an_output_path_taken_by_a_folder_is_named_and_nothing_moves(
        sample_copy, good_build, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(good_build, out)
    (out / "vi" / "asean-japan.pdf").unlink()
    (out / "vi" / "asean-japan.pdf").mkdir()  # a folder where the PDF goes
    before = snapshot(out)
    run = measured("--lang", "all", "--force", "--content", str(sample_copy), "--out", str(out))
    _assert_setup_error(run, f"cannot write {out / 'vi' / 'asean-japan.pdf'}: a folder of "
                             f"that name is in the way")
    assert snapshot(out) == before  # the English outputs too: all or nothing


def test_an_output_folder_that_is_a_file_is_named(sample_copy, tmp_path):
    out = tmp_path / "out"
    out.write_text("not a folder")
    run = measured("--lang", "en", "--content", str(sample_copy), "--out", str(out))
    _assert_setup_error(run, f"cannot write to {out}: it is a file, not a folder")


def test_a_full_disk_is_a_setup_error_and_the_last_outputs_stay(
        sample_copy, good_build, tmp_path, monkeypatch, capsys):
    import errno
    import pathlib

    from songngu import cli

    out = tmp_path / "out"
    shutil.copytree(good_build, out)
    before = snapshot(out)
    write_text = pathlib.Path.write_text

    def full(self, *args, **kwargs):
        if self.name.endswith(".part"):  # every file the build writes
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return write_text(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "write_text", full)
    code = cli.main(["--lang", "all", "--force", "--no-pdf", "--content", str(sample_copy),
                     "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "No space left on device" in err and "nothing was written" in err
    assert "cannot write " in err and "asean-japan.html" in err
    assert snapshot(out) == before


def test_a_broken_template_is_named_with_its_line(sample_copy, good_build, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(Path(__file__).parent.parent / "templates", templates)
    page = templates / "journal" / "article.html.j2"
    page.write_text(page.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    line = len(page.read_text(encoding="utf-8").splitlines())
    out, before, run = _setup_case(sample_copy, good_build, tmp_path, "--templates",
                                   str(templates))
    _assert_setup_error(run, f"article.html.j2:{line}: the template cannot be read")
    assert snapshot(out) == before


def test_a_broken_catalog_is_named(sample_copy, good_build, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(Path(__file__).parent.parent / "templates", templates)
    catalog = templates / "journal" / "locales" / "vi" / "LC_MESSAGES" / "messages.po"
    catalog.write_text('msgid "x"\nmsgstr "y" "\n\x00garbage', encoding="utf-8")
    out, before, run = _setup_case(sample_copy, good_build, tmp_path, "--templates",
                                   str(templates))
    _assert_setup_error(run, f"{catalog}: the label catalog cannot be read")
    assert snapshot(out) == before


def test_a_1_gb_file_in_the_folder_is_fingerprinted_in_little_memory(sample_copy, tmp_path):
    big = sample_copy / "data.bin"
    with big.open("wb") as handle:  # sparse: a gigabyte that takes no disk
        handle.truncate(1 << 30)
    outside = tmp_path / "outside.bin"
    with outside.open("wb") as handle:
        handle.truncate(1 << 30)
    (sample_copy / "link.bin").symlink_to(outside)  # never read: it leads out of the folder
    run = measured("--lang", "en", "--no-pdf", "--content", str(sample_copy), "--out",
                   str(tmp_path / "out"))
    assert run.code == 0, run.err
    assert run.peak < PEAK, f"{run.peak / 2**20:.0f} MB"
    assert run.cpu < SECONDS, f"{run.cpu:.1f} s"
