"""A command line that explains itself and tells the truth, called in-process.

Per-command help with examples; every option described; an option of another command
refused with the command it belongs to; suggested commands that name ``--content`` when they
must; warnings repeated while outputs are up to date; dates in order; an honest summary when
some documents built and others did not, whose outputs are then not written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from songngu.cli import COMMANDS, _parser, main


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def help_of(capsys, *args: str) -> str:
    with pytest.raises(SystemExit) as exit:
        main([*args, "--help"])
    assert exit.value.code == 0
    return capsys.readouterr().out


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_every_option_of_every_command_is_described():
    parser = _parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert sorted(commands.choices) == sorted(COMMANDS)
    for name, sub in commands.choices.items():
        for action in sub._actions:
            assert action.help and action.help.strip(), (name, action.option_strings)
        assert "examples:" in sub.epilog


def test_each_command_has_its_own_help_page(capsys):
    top = help_of(capsys)
    assert all(command in top for command in COMMANDS)
    assert "Help on one command: python build.py COMMAND --help" in top
    check = help_of(capsys, "check")
    assert "usage: python build.py check" in check and "--handout" not in check
    assert "--block" not in check and "python build.py check --content" in check
    sync = help_of(capsys, "sync")
    assert "--block KEY" in sync and "--pdf-variant" not in sync
    assert "sync --lang vi --block economy/4" in sync
    build = help_of(capsys, "build")
    assert "--handout" in build and "--templates PATH" in build and "--block" not in build
    assert "--lang vi --handout --sheets 2up" in build
    assert "--languages CODES" in help_of(capsys, "new")


@pytest.mark.parametrize("args, message", [
    (["check", "--block", "economy/4"],
     "unrecognized arguments: --block economy/4 (--block is an option of sync, not of this "
     "command)"),
    (["check", "--handout"], "--handout is an option of build and issue, not of this command"),
    (["sync", "--all", "--out", "x"],
     "--out is an option of build, translate and issue, not of this command"),
    (["--lang", "vi", "--all"], "--all is an option of sync, not of this command"),
    (["--lang", "vi", "--port", "8001"], "--port sets the live preview's port: add --watch"),
    (["new"], "the following arguments are required: name"),
])
def test_options_that_do_not_apply_are_refused(capsys, args, message):
    with pytest.raises(SystemExit) as exit:
        main(args)
    assert exit.value.code == 2
    assert message in capsys.readouterr().err


def test_no_command_word_builds_and_options_may_come_before_the_command(here, capsys):
    run(capsys, "new", "a")
    status, out, err = run(capsys, "--lang", "vi", "--no-pdf", "--out", "out")
    assert (status, err) == (0, "")
    assert (here / "out" / "vi" / "a.html").is_file()
    status, out, err = run(capsys, "--strict", "check")
    assert (status, err) == (0, "")
    assert "content/a: 0 warning(s), no errors" in out


def _two_documents(capsys) -> None:
    assert run(capsys, "new", "first")[0] == 0
    assert run(capsys, "new", "second")[0] == 0


def test_suggested_commands_name_the_document_when_there_are_several(here, capsys):
    run(capsys, "new", "first")
    edit(here / "content" / "first" / "en.yaml", "brackets", "square brackets")
    _, _, alone = run(capsys, "check")
    assert "then run: python build.py sync --lang vi --block introduction/1\n" in alone
    run(capsys, "new", "second")
    _, _, several = run(capsys, "check")
    assert ("then run: python build.py sync --content content/first --lang vi --block "
            "introduction/1\n") in several


def test_an_up_to_date_build_repeats_the_warnings_still_outstanding(here, capsys):
    run(capsys, "new", "a")
    edit(here / "content" / "a" / "en.yaml", "brackets", "square brackets")
    first = run(capsys, "--no-pdf", "--out", "out")
    second = run(capsys, "--no-pdf", "--out", "out")
    warning = "content/a/vi.yaml:26: warning: stale translation: block 1 (paragraph) of " \
              "section 'introduction' was changed in en"
    assert first[0] == second[0] == 0
    assert warning in first[2] and warning in second[2]
    assert "up to date: out/en/a.html" in second[1] and "nothing to do" in second[1]


@pytest.mark.parametrize("dates, message", [
    ("  received: 2024-05-10\n  revised: 2024-04-01\n",
     "content/a/document.yaml:16: dates: 'revised' (2024-04-01) is before 'received' "
     "(2024-05-10, line 15): expected received ≤ revised ≤ accepted ≤ published"),
    ("  received: 2024-05-10\n  accepted: 2024-06-01\n  published: 2024-05-31\n",
     "content/a/document.yaml:17: dates: 'published' (2024-05-31) is before 'accepted' "
     "(2024-06-01, line 16): expected received ≤ revised ≤ accepted ≤ published"),
])
def test_dates_must_be_in_order(here, capsys, dates, message):
    run(capsys, "new", "a")
    shared = here / "content" / "a" / "document.yaml"
    lines = shared.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("  received:"))
    lines[at] = dates
    shared.write_text("".join(lines), encoding="utf-8")
    status, _, err = run(capsys, "check")
    assert status == 1
    assert err.splitlines() == [message, "1 error: nothing was written"]


def test_dates_in_order_pass_whatever_order_they_are_written_in(here, capsys):
    run(capsys, "new", "a")
    shared = here / "content" / "a" / "document.yaml"
    lines = shared.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("  received:"))
    lines[at] = "  published: 2024-07-01\n  accepted: 2024-06-01\n  received: 2024-05-10\n"
    shared.write_text("".join(lines), encoding="utf-8")
    status, _, err = run(capsys, "check")
    assert (status, err) == (0, "")


def test_some_documents_built_and_others_not_says_which_and_writes_none_of_the_failed(here,
                                                                                      capsys):
    _two_documents(capsys)
    edit(here / "content" / "first" / "en.yaml", "title: ", "title: [")
    status, _out, err = run(capsys, "--no-pdf", "--out", "out")
    assert status == 1
    assert err.splitlines()[0].startswith("content/first/en.yaml:8: YAML syntax error: the "
                                          "list opened here with '[' is not closed")
    assert err.splitlines()[-1] == "1 error; built: second; not built (errors): first"
    assert (here / "out" / "en" / "second.html").is_file()
    assert not any(here.glob("out/*/first.*"))
    assert "nothing was written" not in err


def test_a_document_whose_layout_fails_under_strict_leaves_the_others_built(here, capsys):
    """Its layout report's findings are errors with --strict: that document is not built (none
    of its outputs, in any language), the others are, and the message names the file where
    it would have gone."""
    _two_documents(capsys)
    # Letters and stops with no space: no line breaks it (a run of letters alone would).
    edit(here / "content" / "first" / "en.yaml", "brackets", "brackets " + "X." * 150)
    assert run(capsys, "sync", "--all")[0] == 0  # not a stale translation: a layout error
    status, _out, err = run(capsys, "--lang", "all", "--strict", "--out", "out")
    assert status == 1
    assert err.splitlines()[0].startswith(
        "out/en/first.pdf: layout: page 1: text outside the text area: 'X.X.X."), err
    assert err.splitlines()[-1] == "1 error; built: second; not built (errors): first"
    assert {p.name for p in here.glob("out/*/second.*")} == {"second.html", "second.pdf"}
    assert not any(here.glob("out/*/first.*"))
    assert not any(here.glob("out/.songngu-build-*"))
    # With every document failing so, nothing is written.
    edit(here / "content" / "second" / "en.yaml", "brackets", "brackets " + "X." * 150)
    assert run(capsys, "sync", "--all")[0] == 0
    status, _out, err = run(capsys, "--lang", "en", "--strict", "--out", "again")
    assert status == 1 and err.splitlines()[-1] == "2 errors: nothing was written", err
    assert not (here / "again").exists()


def test_when_every_document_fails_nothing_is_written(here, capsys):
    _two_documents(capsys)
    for name in ("first", "second"):
        edit(here / "content" / name / "document.yaml", "first_page: 1", "first_page: 0")
    status, _, err = run(capsys, "--no-pdf", "--out", "out")
    assert status == 1
    assert err.splitlines()[-1] == "2 errors: nothing was written"
    assert not (here / "out" / "en").exists()


def test_check_reports_every_document_and_names_those_with_errors(here, capsys):
    _two_documents(capsys)
    edit(here / "content" / "first" / "document.yaml", "first_page: 1", "first_page: 0")
    status, out, err = run(capsys, "check")
    assert status == 1
    assert err.splitlines() == [
        "content/first/document.yaml:13: first_page: expected a page number of 1 or more, "
        "found 0",
        "content/first: 1 error",
        "errors in: first"]
    assert "content/second: 0 warning(s), no errors" in out
