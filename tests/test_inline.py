"""Inline markup a content editor types, parsed into spans and rendered to HTML."""

from __future__ import annotations

import gettext

import pytest

from songngu.html_inline import span_html as _span_html
from songngu.inline import InlineSyntaxError, parse_inline, plain_text
from songngu.locators import CiteItem


def _html(markup: str) -> str:
    return "".join(_span_html(s, gettext.NullTranslations()) for s in parse_inline(markup))


@pytest.mark.parametrize("markup, html", [
    ("*Firstly*, trade", "<em>Firstly</em>, trade"),
    ("**bold** text", "<strong>bold</strong> text"),
    ("the 21^st^ century", "the 21<sup>st</sup> century"),
    ("[TNU](http://jst.tnu.edu.vn)", '<a href="http://jst.tnu.edu.vn">TNU</a>'),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ('<img src=x onerror="alert(1)">', "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;"),
    ("2 ^ 3 and x^2", "2 ^ 3 and x^2"),
    ("thế kỉ *XXI*", "thế kỉ <em>XXI</em>"),
])
def test_markup_renders_as_html(markup, html):
    assert _html(markup) == html


def test_citations_with_pinpoints_and_several_keys():
    spans = parse_inline("as shown [@pham1997, p. 111] and [@nguyen2007, pp. 28-36; @vu2007]")
    cites = [s.cites for s in spans if s.kind == "cite"]
    assert cites == [
        [CiteItem("pham1997", "page", "111")],
        [CiteItem("nguyen2007", "page", "28-36"), CiteItem("vu2007")],
    ]
    assert plain_text(spans) == "as shown  and "


def test_cross_references_name_their_target():
    spans = parse_inline("see [@tbl:trade] and [@sec:economy]")
    assert [s.target for s in spans if s.kind == "xref"] == ["table:trade", "section:economy"]
    html = _html("see [@tbl:trade]")
    assert html == 'see <a class="xref xref-table" href="#tbl-trade">Table\u00a0</a>'


def test_a_link_is_not_a_citation():
    spans = parse_inline("[text](https://example.org) [@key]")
    assert [s.kind for s in spans] == ["link", "text", "cite"]


@pytest.mark.parametrize("markup, message", [
    ("[@key p. 5]", "expected a citation like '[@key]' or '[@key, p. 12]', found '[@key p. 5]'"),
    ("[@tbl:trade, p. 3]", "a cross-reference takes no locator, found '[@tbl:trade, p. 3]'"),
    ("[@tbl:a; @b]", "expected citations or one cross-reference in one bracket, found both in "
                     "'[@tbl:a; @b]'"),
])
def test_malformed_citations_are_reported(markup, message):
    with pytest.raises(InlineSyntaxError) as error:
        parse_inline(markup)
    assert str(error.value) == message


def test_every_link_that_is_not_allowed_is_said_in_one_run():
    markup = ("See [a](javascript:alert(1)), [b](file:///etc/passwd), [ok](https://example.org/) "
              "and [c](data:text/html,x).")
    with pytest.raises(InlineSyntaxError) as info:
        parse_inline(markup)
    said = [str(info.value)] + [message for message, _ in info.value.more]
    assert [s.split("found ")[1].split(" (")[0] for s in said] == [
        "'javascript:alert(1)'", "'file:///etc/passwd'", "'data:text/html,x'"], said
    assert [needle for _, needle in info.value.more] == ["](file:///etc/passwd",
                                                         "](data:text/html,x"]
