"""The one "did you mean" of every message that names an unknown word, and how messages name
what they found."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from songngu.wording import closest, describe, did_you_mean, not_listed, plural, unknown


def test_the_closest_known_word_is_suggested_quoted():
    assert did_you_mean("abstarct", ["title", "abstract"], "known: title, abstract") == \
        "did you mean 'abstract'?"


def test_without_a_close_word_the_message_says_what_is_known():
    assert did_you_mean("zzz", ["title", "abstract"], "known: title, abstract") == \
        "known: title, abstract"


def test_several_suggestions_at_most_count():
    known = ["economy", "economics", "ecology", "law"]
    assert did_you_mean("econmy", known, "", count=2) == "did you mean 'economy', 'economics'?"
    assert did_you_mean("econmy", known, "") == "did you mean 'economy'?"


def test_case_is_ignored_when_the_word_as_written_matches_nothing():
    assert closest("TITLE", ["title", "abstract"]) == ["title"]


def test_an_alias_names_what_difflib_would_not_find():
    assert closest("para", ["p", "heading"], aliases={"para": "p"}) == ["p"]
    assert unknown("para", ["p", "heading"], "kind", {"para": "p"}) == \
        ("unknown kind 'para' (did you mean 'p'?)", "p")


def test_a_suggestion_can_be_shown_as_written_in_its_own_syntax():
    assert did_you_mean("boook", ["book", "article"], "", show=lambda t: f"@{t}") == \
        "did you mean @book?"


def test_a_name_document_yaml_does_not_list():
    assert not_listed("anh", ["an", "binh"], "author") == \
        "'anh' is not an author listed in document.yaml (did you mean 'an'?)"
    assert not_listed("x", [], "table") == \
        "'x' is not a table listed in document.yaml (it lists none)"


def test_found_values_are_named_by_kind():
    assert [describe(v) for v in (None, True, 3, Decimal("2.5"), dt.date(2021, 3, 1), "a")] == \
        ["nothing", "true", "the number 3", "the number Decimal('2.5')", "the date 2021-03-01",
         "text 'a'"]
    assert describe(list(range(40))) == "a list of 40 items"
    assert (plural(1, "column"), plural(2, "column")) == ("1 column", "2 columns")
