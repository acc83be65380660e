"""A journal issue: articles numbered in order, the issue PDF read back, incremental rebuilds,
errors, and ``--shard``. Articles are generated here, of different lengths, in English and
Vietnamese; most builds lay out English only, to keep the tests quick."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, pdftotext
from lxml import etree
from pypdf import PdfReader

from songngu import shard
from songngu.cli import main

EN_PARAGRAPH = ("Editors of a bilingual journal keep the two languages of every article in "
                "step, and a reader who cites the article needs its pages. ")
VI_PARAGRAPH = ("Biên tập viên của một tạp chí song ngữ giữ cho hai ngôn ngữ của mỗi bài báo "
                "luôn khớp nhau, và người đọc trích dẫn bài cần biết số trang của nó. ")


def make_article(content: Path, name: str, paragraphs: int, title: str = "",
                 first_page: int | None = None, volume: str | None = None) -> Path:
    """A small document in en and vi whose body has ``paragraphs`` long paragraphs."""
    folder = content / name
    folder.mkdir(parents=True, exist_ok=True)
    journal = {"name": "Test Journal", "publisher": "Test Publisher"}
    if volume is not None:
        journal["volume"] = volume
    shared = {"languages": ["en", "vi"], "journal": journal,
              "doi": f"10.5555/test.{name}", "dates": {"published": dt.date(2024, 5, 1)},
              "authors": [{"id": "an", "affiliations": ["uni"]}]}
    if first_page is not None:
        shared["first_page"] = first_page
    (folder / "document.yaml").write_text(yaml.safe_dump(shared, allow_unicode=True),
                                          encoding="utf-8")
    for lang, paragraph, heading, name_text, uni in (
            ("en", EN_PARAGRAPH, "Findings", "Nguyen Van An", "Hanoi University"),
            ("vi", VI_PARAGRAPH, "Kết quả", "Nguyễn Văn An", "Trường Đại học Hà Nội")):
        text = {"title": (title or f"Article {name}") + (" (vi)" if lang == "vi" else ""),
                "authors": {"an": name_text}, "affiliations": {"uni": uni},
                "abstract": paragraph, "keywords": ["one", "two"] if lang == "en"
                else ["một", "hai"],
                "sections": [{"id": "body", "title": heading,
                              "blocks": [{"p": paragraph * 6} for _ in range(paragraphs)]},
                             {"id": "end", "title": heading + " 2",
                              "blocks": [{"p": paragraph}]}]}
        (folder / f"{lang}.yaml").write_text(yaml.safe_dump(text, allow_unicode=True),
                                             encoding="utf-8")
    return folder


def write_issue(folder: Path, articles: list[str], **extra) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"journal": "Test Journal", "volume": 7, "issue": "2", "date": "2024-05-01",
            "first_page": 41, "articles": articles,
            "editorial": {"en": "A note from the editors.",
                          "vi": "Lời nhắn của ban biên tập."}, **extra}
    (folder / "issue.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                       encoding="utf-8")
    return folder


def build_issue(tmp: Path, *extra: str) -> int:
    return main(["issue", str(tmp / "content" / "spring"), "--content", str(tmp / "content"),
                 "--out", str(tmp / "build"), "--templates", str(ROOT / "templates"),
                 "--fonts", str(ROOT / "fonts"), *extra])


def labels(pdf: Path) -> list[str]:
    return PdfReader(pdf).page_labels


def internal_links(pdf: Path) -> list[tuple[int, int]]:
    """(page of the link, page it leads to) of every link within the PDF, each checked to
    name a destination the PDF has."""
    reader = PdfReader(pdf)
    names = reader.named_destinations
    found = []
    for n, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            link = annot.get_object()
            target = link.get("/Dest")
            if target is None and link.get("/A", {}).get("/S") == "/GoTo":
                target = link["/A"]["/D"]
            if target is not None:
                assert str(target) in names, target
                found.append((n, reader.get_destination_page_number(names[str(target)])))
    return found


def outline(pdf: Path) -> list[tuple[str, int, list]]:
    reader = PdfReader(pdf)

    def walk(items):
        result = []
        for item in items:
            if isinstance(item, list):
                result[-1][2].extend(walk(item))
            else:
                result.append((item.title, reader.get_destination_page_number(item), []))
        return result
    return walk(reader.outline)


@pytest.fixture(scope="module")
def issue_build(tmp_path_factory):
    """Three articles (the second inside the issue folder), English PDFs, with JATS."""
    tmp = tmp_path_factory.mktemp("issue")
    content = tmp / "content"
    make_article(content, "alpha", 3, title="Rice *yields* in the delta")
    make_article(content / "spring", "beta", 9, title="Trade after 2^nd^ reform")
    make_article(content, "gamma", 1, first_page=None)
    write_issue(content / "spring", ["alpha", "beta", "gamma"])
    assert build_issue(tmp, "--lang", "en", "--jats") == 0
    return tmp / "build" / "spring"


def test_articles_follow_each_other_and_the_issue_pdf_is_numbered_continuously(issue_build):
    ranges = []
    for name in ("alpha", "beta", "gamma"):
        numbers = [int(x) for x in labels(issue_build / "en" / f"{name}.pdf")]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        ranges.append((numbers[0], numbers[-1]))
    assert ranges[0][0] == 41
    for before, after in itertools.pairwise(ranges):
        assert after[0] == before[1] + 1
    assert ranges[1][1] > ranges[1][0]  # the long article runs over several pages

    issue_labels = labels(issue_build / "spring.pdf")
    front = [x for x in issue_labels if not x.isdigit()]
    assert front == ["i", "ii", "iii", "iv"][:len(front)] and front
    assert len(front) % 2 == 0  # page 41, odd, is a right-hand page: after a blank iv
    assert [int(x) for x in issue_labels[len(front):]] == list(range(41, ranges[-1][1] + 1))
    # Each article's pages in the issue are its own PDF's pages.
    issue_text = pdftotext(issue_build / "spring.pdf")
    assert issue_text.count("\f") == len(issue_labels)
    second_page = pdftotext(issue_build / "en" / "beta.pdf", "-l", "1")
    assert f"{ranges[1][0]} - {ranges[1][1]}" in second_page  # the running header's range


def test_contents_list_every_article_in_both_languages_with_its_first_page(issue_build):
    reader = PdfReader(issue_build / "spring.pdf")
    front = [i for i, x in enumerate(reader.page_labels) if not x.isdigit()]
    text = " ".join(pdftotext(issue_build / "spring.pdf", "-f", str(i + 1), "-l", str(i + 1))
                    for i in front)
    text = " ".join(text.split())
    assert "Contents · Mục lục" in text and "Lời tòa soạn" in text
    starts = {name: labels(issue_build / "en" / f"{name}.pdf")[0]
              for name in ("alpha", "beta", "gamma")}
    for name, title in (("alpha", "Rice yields in the delta"), ("beta", "Trade after 2nd reform"),
                        ("gamma", "Article gamma")):
        # The page number stands beside the entry: pdftotext puts it after one of its lines.
        found = re.search(re.escape(title) + r" (?:(\d+) )?" + re.escape(title) + r" \(vi\) "
                          r"(?:(\d+) )?Nguyen Van An (?:(\d+) )?https://doi\.org/10\.5555/"
                          r"test\." + name + r"(?: (\d+))?", text)
        assert found and starts[name] in found.groups(), (name, text)
    links = [a["/A"]["/URI"] for page in front for a in
             (annot.get_object() for annot in reader.pages[page].get("/Annots", []))
             if "/A" in a and "/URI" in a["/A"]]
    assert "https://doi.org/10.5555/test.beta" in links


def test_the_outline_has_each_article_with_its_sections(issue_build):
    entries = outline(issue_build / "spring.pdf")
    page_labels = labels(issue_build / "spring.pdf")
    articles = entries[1:]
    assert entries[0][0] == "Contents"
    assert [e[0] for e in articles] == ["Rice yields in the delta", "Trade after 2nd reform",
                                        "Article gamma"]
    for (_title, page, children), name in zip(articles, ("alpha", "beta", "gamma")):
        assert page_labels[page] == labels(issue_build / "en" / f"{name}.pdf")[0]
        assert [c[0] for c in children] == ["1. Findings", "2. Findings 2"]


def test_jats_and_the_contents_page_carry_the_same_pages(issue_build):
    for name in ("alpha", "beta", "gamma"):
        numbers = labels(issue_build / "en" / f"{name}.pdf")
        xml = etree.parse(str(issue_build / "jats" / f"{name}.xml"))
        assert xml.findtext(".//article-meta/fpage") == numbers[0]
        assert xml.findtext(".//article-meta/lpage") == numbers[-1]
    index = (issue_build / "index.html").read_text(encoding="utf-8")
    for name in ("alpha", "beta", "gamma"):
        assert f'href="en/{name}.html"' in index
        assert f'href="en/{name}.pdf"' in index
        assert (issue_build / "en" / f"{name}.html").is_file()
    assert "Rice <em>yields</em> in the delta (vi)" in index  # the vi title, listed too
    assert 'href="spring.pdf"' in index


def test_the_contents_page_opens_every_article_page_and_asks_for_nothing_else(issue_build,
                                                                          browser):
    """Read in Chromium: every link of the contents page opens its article's page, and the
    browser asks the server for nothing but the issue's own files (no favicon.ico)."""
    from browser_support import Site

    with Site(issue_build) as site:
        context = browser.new_context(viewport={"width": 390, "height": 800})
        page = context.new_page()
        failed: list[str] = []
        page.on("response", lambda response: response.status >= 400 and failed.append(
            f"{response.url}: HTTP {response.status}"))
        page.goto(f"{site.url}/index.html", wait_until="networkidle")
        links = page.eval_on_selector_all("a[href$='.html']", "links => links.map(a => a.href)")
        assert len(links) == 3, links  # three articles, built in English
        assert page.evaluate("document.documentElement.scrollWidth") == 390
        for link in links:
            assert page.goto(link, wait_until="networkidle").status == 200, link
        context.close()
        assert failed == []
        assert all(not path.startswith("/favicon") for path in site.paths), site.paths


def test_odd_start_leaves_a_blank_page_and_every_article_starts_on_an_odd_page(tmp_path):
    content = tmp_path / "content"
    make_article(content, "alpha", 0)  # one page: the next would start on an even page
    make_article(content, "beta", 0)
    write_issue(content / "spring", ["alpha", "beta"], odd_start=True)
    assert build_issue(tmp_path, "--lang", "en") == 0
    out = tmp_path / "build" / "spring"
    firsts = [int(labels(out / "en" / f"{n}.pdf")[0]) for n in ("alpha", "beta")]
    assert firsts == [41, 43]
    issue = labels(out / "spring.pdf")
    numbers = [x for x in issue if x.isdigit()]
    assert numbers == ["41", "42", "43"]  # 42 is the blank page
    blank = issue.index("42")
    assert not pdftotext(out / "spring.pdf", "-f", str(blank + 1), "-l",
                         str(blank + 1)).strip()
    # Printed, each odd page is a right-hand one: the first article's page 41 is an odd page
    # of the file too, the front matter padded with a blank page if need be.
    for number in ("41", "43"):
        assert issue.index(number) % 2 == 0, issue


def test_the_first_article_stands_on_the_side_its_number_says(tmp_path):
    """Without odd_start too: an even first page is a left-hand page of the issue PDF."""
    content = tmp_path / "content"
    make_article(content, "alpha", 0)
    write_issue(content / "spring", ["alpha"], first_page=40)
    assert build_issue(tmp_path, "--lang", "en") == 0
    issue = labels(tmp_path / "build" / "spring" / "spring.pdf")
    assert issue.index("40") % 2 == 1, issue


def test_a_one_page_article_is_shown_as_one_page(tmp_path, capsys):
    content = tmp_path / "content"
    make_article(content, "alpha", 0)
    write_issue(content / "spring", ["alpha"])
    assert build_issue(tmp_path, "--lang", "en") == 0
    assert labels(tmp_path / "build" / "spring" / "en" / "alpha.pdf") == ["41"]
    assert "alpha.pdf (1 page, 41, " in capsys.readouterr().out
    index = (tmp_path / "build" / "spring" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<div class="page">p\. 41</div>', index), index


def test_the_front_matter_is_laid_out_once_while_the_last_article_is(tmp_path, monkeypatch):
    """The contents show first pages only: the front matter need not wait for the last
    article's page count, and what it laid out then is what the issue PDF holds."""
    from songngu import issue, issue_output

    content = tmp_path / "content"
    for name, paragraphs in (("alpha", 3), ("beta", 5), ("gamma", 2)):
        make_article(content, name, paragraphs)
    write_issue(content / "spring", ["alpha", "beta", "gamma"])
    counted_then: list[set[str]] = []
    laid_out: list[str] = []
    start = issue._Sequence._lay_out_front
    front_pdf = issue_output._front_pdf

    def starting(sequence):
        counted_then.append({folder.name for folder in sequence.counts})
        start(sequence)

    def laying_out(*args, **kwargs):
        laid_out.append("front")
        return front_pdf(*args, **kwargs)

    monkeypatch.setattr(issue._Sequence, "_lay_out_front", starting)
    monkeypatch.setattr(issue_output, "_front_pdf", laying_out)
    assert build_issue(tmp_path, "--lang", "en") == 0
    assert counted_then == [{"alpha", "beta"}]  # gamma's count was not known yet
    assert laid_out == ["front"]  # once: write_issue took it
    pdf = tmp_path / "build" / "spring" / "spring.pdf"
    contents = pdftotext(pdf, "-l", "4")
    firsts = [int(labels(tmp_path / "build" / "spring" / "en" / f"{name}.pdf")[0])
              for name in ("alpha", "beta", "gamma")]
    assert re.findall(r"^(\d+)$", contents, re.M)[-3:] == [str(n) for n in firsts], contents


def _laid_out(output: str) -> set[str]:
    return set(re.findall(r"laying out \S*/en/(\w+)\.pdf", output))


def test_editing_one_article_lays_out_only_what_moves(tmp_path, capsys):
    content = tmp_path / "content"
    for name, size in (("alpha", 2), ("beta", 2), ("gamma", 1)):
        make_article(content, name, size)
    write_issue(content / "spring", ["alpha", "beta", "gamma"])
    assert build_issue(tmp_path, "--lang", "en") == 0
    out = tmp_path / "build" / "spring"
    assert _laid_out(capsys.readouterr().out) == {"alpha", "beta", "gamma"}
    before = {n: labels(out / "en" / f"{n}.pdf") for n in ("alpha", "beta", "gamma")}

    assert build_issue(tmp_path, "--lang", "en") == 0
    assert "nothing to do" in capsys.readouterr().out

    # A word changed: same page count, only that article is laid out; the issue is reassembled.
    path = content / "beta" / "en.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Editors of", "Editors in", 1),
                    encoding="utf-8")
    issue_pdf = (out / "spring.pdf").read_bytes()
    assert build_issue(tmp_path, "--lang", "en") == 0
    printed = capsys.readouterr().out
    assert _laid_out(printed) == {"beta"}
    assert "assembling the issue" in printed
    assert (out / "spring.pdf").read_bytes() != issue_pdf
    assert {n: labels(out / "en" / f"{n}.pdf") for n in before} == before
    # alpha's pages were copied into the issue PDF while beta was laid out: the same file as
    # an issue built from nothing.
    assert main(["issue", str(content / "spring"), "--content", str(content), "--out",
                 str(tmp_path / "fresh"), "--templates", str(ROOT / "templates"), "--fonts",
                 str(ROOT / "fonts"), "--lang", "en"]) == 0
    capsys.readouterr()
    assert (tmp_path / "fresh" / "spring" / "spring.pdf").read_bytes() == \
        (out / "spring.pdf").read_bytes()

    # alpha grows by pages: the articles after it move and are laid out again.
    make_article(content, "alpha", 9)
    assert build_issue(tmp_path, "--lang", "en") == 0
    assert _laid_out(capsys.readouterr().out) == {"alpha", "beta", "gamma"}
    after = {n: labels(out / "en" / f"{n}.pdf") for n in before}
    assert len(after["alpha"]) > len(before["alpha"])
    assert after["beta"][0] == str(int(after["alpha"][-1]) + 1)
    assert after["gamma"][0] == str(int(after["beta"][-1]) + 1)
    assert [x for x in labels(out / "spring.pdf") if x.isdigit()] == \
        [str(n) for n in range(41, int(after["gamma"][-1]) + 1)]


def test_every_problem_of_an_issue_is_reported_at_once_and_nothing_is_written(tmp_path,
                                                                               capsys):
    content = tmp_path / "content"
    make_article(content, "alpha", 0)
    make_article(content, "beta", 0, first_page=42)  # written by hand, and right
    write_issue(content / "spring", ["alpha", "beta"])
    assert build_issue(tmp_path, "--lang", "en") == 0
    capsys.readouterr()
    out = tmp_path / "build" / "spring"
    kept = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    # beta now says first_page 50, but it follows alpha (page 41): that conflict and the others.
    make_article(content, "beta", 0, first_page=50)
    broken = make_article(content, "broken", 0)
    (broken / "vi.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    write_issue(content / "spring", ["alpha", "missing", "beta", "alpha", "broken"])
    status = build_issue(tmp_path, "--lang", "en")
    err = capsys.readouterr().err
    issue_file = f"{content / 'spring' / 'issue.yaml'}"
    assert status == 1
    lines = (content / "spring" / "issue.yaml").read_text().splitlines()

    def line_of(text, n=0):
        return [i + 1 for i, line in enumerate(lines) if text in line][n]

    assert f"{issue_file}:{line_of('- missing')}: article 'missing' not found" in err
    assert f"{issue_file}:{line_of('- alpha', 1)}: article 'alpha' is listed twice (first " \
           f"on line {line_of('- alpha')})" in err
    assert f"{issue_file}:{line_of('- broken')}: article 'broken' cannot be built" in err
    assert re.search(re.escape(str(broken / 'vi.yaml')) + r":\d+: YAML syntax error", err)
    assert f"{content / 'beta' / 'document.yaml'}:" in err and \
        "first_page: 50 written here" in err and "starts on page 42" in err
    assert "nothing was written" in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == kept


def test_a_hand_written_first_page_that_agrees_is_accepted(tmp_path):
    content = tmp_path / "content"
    make_article(content, "alpha", 0, first_page=41, volume="7")
    write_issue(content / "spring", ["alpha"])
    assert build_issue(tmp_path, "--lang", "en", "--no-pdf") == 2  # pages need the PDFs
    assert build_issue(tmp_path, "--lang", "en") == 0


@pytest.mark.parametrize("issue_file, written, issue_says", [
    ({}, "volume '6'", "is volume '7'"),
    ({"journal": "Other Journal"}, "name 'Test Journal'", "names the journal 'Other Journal'")])
def test_a_conflicting_volume_or_journal_is_an_error(tmp_path, capsys, issue_file, written,
                                                     issue_says):
    content = tmp_path / "content"
    make_article(content, "alpha", 0, volume="6" if not issue_file else "7")
    write_issue(content / "spring", ["alpha"], **issue_file)
    assert build_issue(tmp_path, "--lang", "en") == 1
    err = capsys.readouterr().err
    shared = content / "alpha" / "document.yaml"
    key = written.split()[0]
    line = next(n for n, text in enumerate(shared.read_text().splitlines(), 1)
                if text.strip().startswith(f"{key}:"))
    assert (f"{shared}:{line}: journal: {written} written here, but the "
            f"issue ({content / 'spring' / 'issue.yaml'}) {issue_says}: remove it or correct "
            f"it") in err, err
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize("body, message", [
    ("journal: J\narticles: []\n", "articles: expected at least one article folder"),
    ("journal: J\narticles: [../../etc]\n", "expected a folder name"),
    ("journal: J\narticles: [a]\ncover: ../x.png\n", "cover: expected an image file"),
    ("journal: J\narticles: [a]\nodd_start: 1\n", "odd_start: expected bool"),
    ("journal: J\narticles: [a]\nfirst_page: 0\n", "first_page: expected a page number"),
    ("journal: J\narticles: [a]\nodd_start: true\nfirst_page: 100\n",
     "first_page: expected an odd page, since odd_start"),
    ("articles: [a]\nvolumne: 3\n", "unknown key 'volumne' (did you mean 'volume'?)"),
])
def test_a_bad_issue_file_is_reported_with_its_line(tmp_path, capsys, body, message):
    make_article(tmp_path / "content", "a", 0)
    folder = tmp_path / "content" / "spring"
    folder.mkdir(parents=True)
    (folder / "issue.yaml").write_text(body, encoding="utf-8")
    assert build_issue(tmp_path, "--lang", "en") == 1
    err = capsys.readouterr().err
    assert re.search(rf"issue\.yaml:\d+: .*{re.escape(message)}", err), err


def test_a_cover_that_is_no_image_is_refused_with_its_line(tmp_path, capsys):
    make_article(tmp_path / "content", "a", 0)
    folder = write_issue(tmp_path / "content" / "spring", ["a"], cover="cover.png")
    (folder / "cover.png").write_text("not an image", encoding="utf-8")
    assert build_issue(tmp_path, "--lang", "en") == 1
    err = capsys.readouterr().err
    assert re.search(r"issue\.yaml:\d+: cover: expected a PNG image in 'cover.png', found "
                     r"other data", err), err
    assert not (tmp_path / "build" / "spring").exists()


def test_an_editorial_note_in_no_articles_language_or_missing_one_is_a_warning(tmp_path,
                                                                             capsys):
    make_article(tmp_path / "content", "a", 0)
    write_issue(tmp_path / "content" / "spring", ["a"], editorial={"en": "A note.",
                                                                   "de": "Eine Notiz."})
    assert build_issue(tmp_path, "--lang", "en") == 0
    err = capsys.readouterr().err
    assert re.search(r"issue\.yaml:\d+: warning: editorial: a note in 'de', a language no "
                     r"article has \(en, vi\): it is not printed", err), err
    assert re.search(r"issue\.yaml:\d+: warning: editorial: no note in 'vi'", err), err


@pytest.mark.slow
def test_an_issue_build_prints_no_library_log(tmp_path):
    """A formula drawn while checking (ziafont logs through the root logger) made WeasyPrint's
    warnings print, one "Font-face … cannot be loaded" for each fallback face the front
    matter did not need. A process of its own: pytest's log capture would hide them."""
    import subprocess
    import sys

    make_article(tmp_path / "content", "a", 0, title="Yield $\\sum_{i=1}^{n} x_i$ of rice")
    write_issue(tmp_path / "content" / "spring", ["a"])
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "issue", str(tmp_path / "content" / "spring"),
         "--content", str(tmp_path / "content"), "--out", str(tmp_path / "build"), "--lang",
         "en"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr + result.stdout, result.stderr


def test_shards_partition_any_set_of_names():
    names = [Path(f"doc-{n}") for n in range(200)]
    for count in (1, 2, 3, 7):
        shares = [shard.select(names, f"{k}/{count}") for k in range(1, count + 1)]
        assert sorted(p for share in shares for p in share) == sorted(names)
        assert sum(len(share) for share in shares) == len(names)
    # Adding a document moves no other one to another shard.
    more = names + [Path("doc-new")]
    assert [p for p in shard.select(more, "2/3") if p.name != "doc-new"] == \
        shard.select(names, "2/3")


@pytest.mark.parametrize("spec", ["0/3", "4/3", "1", "a/b", "1/0"])
def test_a_bad_shard_is_a_setup_error(tmp_path, capsys, spec):
    make_article(tmp_path / "content", "a", 0)
    assert main(["--content", str(tmp_path / "content"), "--out", str(tmp_path / "b"),
                 "--shard", spec]) == 2
    assert "--shard" in capsys.readouterr().err


def test_shards_together_give_the_unsharded_build_byte_for_byte(tmp_path):
    content = tmp_path / "content"
    names = ["delta", "eta", "theta", "iota"]
    for n, name in enumerate(names):
        make_article(content, name, n % 2)
    common = ["--content", str(content), "--templates", str(ROOT / "templates"),
              "--fonts", str(ROOT / "fonts"), "--lang", "en"]
    assert main([*common, "--out", str(tmp_path / "whole")]) == 0
    built = []
    for k in (1, 2, 3):
        assert main([*common, "--out", str(tmp_path / f"shard{k}"), "--shard", f"{k}/3"]) == 0
        built.append(_files(tmp_path / f"shard{k}"))
    docs = [{p.split("/")[-1].split(".")[0] for p in files if p.endswith(".pdf")}
            for files in built]
    assert sorted(d for share in docs for d in share) == sorted(names)  # a partition
    merged = {}
    for files in built:
        for name, data in files.items():
            assert merged.get(name, data) == data  # shared assets agree
            merged[name] = data
    assert merged == _files(tmp_path / "whole")


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and p.name not in (".songngu-state.json", ".songngu-stamps.json")}


def test_the_sample_issue_lists_its_articles_and_they_exist():
    issue = yaml.safe_load((ROOT / "content" / "issue-2021-03" / "issue.yaml").read_text())
    for name in issue["articles"]:
        assert (ROOT / "content" / name / "document.yaml").is_file()
    assert len(issue["articles"]) >= 2



def test_the_sample_issue_builds_in_both_languages(tmp_path, capsys):
    """The shipped sample issue, as a user builds it: python build.py issue content/…"""
    out = tmp_path / "build"
    assert main(["issue", str(ROOT / "content" / "issue-2021-03"), "--strict", "--content",
                 str(ROOT / "content"), "--out", str(out), "--templates",
                 str(ROOT / "templates"), "--fonts", str(ROOT / "fonts")]) == 0
    folder = out / "issue-2021-03"
    issue = yaml.safe_load((ROOT / "content" / "issue-2021-03" / "issue.yaml").read_text())
    page = issue["first_page"]
    firsts = []
    for name in issue["articles"]:
        numbers = labels(folder / "en" / f"{name}.pdf")
        assert numbers[0] == str(page) == labels(folder / "vi" / f"{name}.pdf")[0]
        firsts.append(numbers[0])
        page = int(numbers[-1]) + 1
    issue_labels = labels(folder / "issue-2021-03.pdf")
    assert [x for x in issue_labels if x.isdigit()] == \
        [str(n) for n in range(issue["first_page"], page)]
    # The articles' links (citations, cross-references, footnotes) still work in the issue:
    # each leads to a destination of the issue PDF, on a page of its own article.
    starts = [issue_labels.index(first) for first in firsts]
    links = internal_links(folder / "issue-2021-03.pdf")
    assert len(links) > 20
    assert all(bisect.bisect_right(starts, page) == bisect.bisect_right(starts, target)
               for page, target in links)
    # Every article's anchors are there under its name: issue-2021-03.pdf#<article>/<anchor>.
    names = PdfReader(folder / "issue-2021-03.pdf").named_destinations
    assert {name.split("/", 1)[0] for name in names} == set(issue["articles"])
    assert f"{issue['articles'][1]}/sec-introduction" in names or \
        any(name.startswith(f"{issue['articles'][1]}/sec-") for name in names)
    assert [e[0] for e in outline(folder / "issue-2021-03.pdf")][1:] == [
        "ASEAN–Japan relations in the first two decades of the 21st century",
        "Surface urban heat islands in Hanoi and Da Nang: a sample research article",
        "Teaching Japanese at Vietnamese universities: a sample review",
        "One-day heavy rainfall in Thai Nguyen, 1991–2020: a sample short communication",
        "Continuous page numbers in a bilingual journal issue (a sample short communication)"]
    index = (folder / "index.html").read_text(encoding="utf-8")
    for name in issue["articles"]:
        for lang in ("en", "vi"):
            assert f'href="{lang}/{name}.html"' in index
    assert "Quan hệ ASEAN – Nhật Bản hai thập niên đầu thế kỉ XXI" in index


def test_issues_are_sharded_like_documents(tmp_path, capsys):
    content = tmp_path / "content"
    for name in ("winter", "summer", "autumn"):
        make_article(content, f"{name}-a", 0)
        write_issue(content / name, [f"{name}-a"])
    common = ["--content", str(content), "--templates", str(ROOT / "templates"),
              "--fonts", str(ROOT / "fonts"), "--lang", "en", "--no-html"]
    built = []
    for k in (1, 2):
        assert main(["issue", *common, "--out", str(tmp_path / f"s{k}"), "--shard",
                     f"{k}/2"]) == 0
        built.append({p.parent.name for p in (tmp_path / f"s{k}").glob("*/*.pdf")})
    assert built[0] | built[1] == {"winter", "summer", "autumn"}
    assert not built[0] & built[1]
    for k, names in enumerate(built, 1):
        assert names == {n for n in ("winter", "summer", "autumn")
                         if shard.shard_of(n, 2) == k}


def test_two_articles_of_the_same_folder_name_are_refused(tmp_path, capsys):
    content = tmp_path / "content"
    make_article(content, "alpha", 0)
    make_article(content / "spring", "alpha-2", 0)
    (content / "spring" / "other").mkdir()
    (content / "spring" / "alpha-2").rename(content / "spring" / "other" / "alpha")
    write_issue(content / "spring", ["alpha", "other/alpha"])
    assert build_issue(tmp_path, "--lang", "en") == 1
    err = capsys.readouterr().err
    assert "issue.yaml:8: article 'other/alpha'" in err and "same folder name" in err
    assert not (tmp_path / "build").exists()


def test_an_issue_outside_the_content_folder_takes_its_articles_from_its_own_tree(tmp_path):
    """``build.py issue /elsewhere/content/spring`` without --content: the articles it names
    are those beside it, never same-named folders of the working folder's content/."""
    from songngu.issue import articles_folder

    content = tmp_path / "content"
    issue = write_issue(content / "spring", ["alpha"])
    assert articles_folder(issue, content) == content
    assert articles_folder(issue, ROOT / "content") == content
    assert articles_folder(ROOT / "content" / "issue-2021-03", ROOT / "content") == \
        ROOT / "content"


def test_an_issue_build_yields_the_cores_to_its_workers_and_then_takes_them_back(
        tmp_path, monkeypatch):
    """While its workers lay the articles out, the build's own process runs at a lower
    priority (its work is ahead of theirs); afterwards it is back where it was."""
    import os

    set_to = []
    real = os.setpriority

    def spy(which, who, value):
        set_to.append(value)
        real(which, who, value)

    monkeypatch.setattr(os, "setpriority", spy)
    before = os.getpriority(os.PRIO_PROCESS, 0)
    make_article(tmp_path / "content", "alpha", 1)
    write_issue(tmp_path / "content" / "spring", ["alpha"])
    assert build_issue(tmp_path, "--lang", "en") == 0
    assert set_to[0] == max(before, 10)
    after = os.getpriority(os.PRIO_PROCESS, 0)
    # Only a privileged process may raise its priority again; another one stays lowered.
    assert after == before or (os.geteuid() != 0 and after == set_to[0])



def test_the_contents_print_a_title_in_any_script_in_the_articles_fonts(tmp_path):
    """A title in Lao and Japanese prints in the contents as on the article's first page, in
    the fonts the journal ships (and no font of the machine's): the front matter is set in
    the articles' template fonts, each fallback face loaded as the text needs it."""
    content = tmp_path / "content"
    make_article(content, "mekong", 1, title="Fish of the Mekong (ແມ່ນ້ຳຂອງ) and 東京 markets")
    write_issue(content / "spring", ["mekong"])
    assert build_issue(tmp_path, "--lang", "en") == 0
    reader = PdfReader(tmp_path / "build" / "spring" / "spring.pdf")
    front = [page for page, label in zip(reader.pages, reader.page_labels)
             if not label.isdigit()]
    fonts = {str(font["/BaseFont"]).partition("+")[2] for page in front
             for font in page["/Resources"].get("/Font", {}).values()}  # a blank: none
    assert {"Journal-Lao-Bold", "Journal-Serif-CJK-Bold"} <= fonts, fonts
    assert all(name.startswith("Journal-") for name in fonts), fonts
