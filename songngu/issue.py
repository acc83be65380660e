"""Build a journal issue: its articles numbered in order, the whole issue as one PDF, and its
contents page.

``content/<issue>/issue.yaml`` → each article built as usual (:mod:`songngu.schedule`) into
``<out>/<issue>/<lang>/<article>.pdf|.html`` (and its JATS file), its pages following those of
the article before; ``<out>/<issue>/<issue>.pdf`` (cover, editorial note and contents in every
language, the articles, continuous page labels, an outline of the articles and their
sections), and ``<out>/<issue>/index.html``, the contents page linking every article page.

The pages are those of the issue's print language (``language:``, or the first language of
its first article): article n+1 starts on the page after article n ends in that language (or
on the next odd page with ``odd_start: true``); every language of an article prints that
range's first page, as a single article does with its ``first_page``.

An article's first page is an input of its build: it travels in the build options
(:class:`IssueBuildOptions`), which the incremental state keys on. Editing an article lays it
out again; the articles after it are laid out again only if its page count changed (their
first pages, hence their keys, changed). The page counts come from the build state
(:mod:`songngu.pagecount`), so a build that has nothing to do renders nothing.

The articles are one build (:func:`songngu.schedule.build` with a :class:`_Sequence`): each
article is checked while the one before it is laid out, and laid out as soon as that one's
worker has counted its pages (before it writes the PDF); all are put in place together. The
issue PDF is put together meanwhile where it can be (:class:`issue_output.Assembler`).

Problems with the issue file and its article list are all reported before anything is
built, with the articles' own problems; an article found with errors during the build stops
it once every article after it is checked too. Nothing is put in place for a failed issue;
the issue's PDF and contents page are written only once every article is built, each
atomically, so a failed issue keeps the last good ones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import incremental, pagecount, progress, schedule, shard
from .errors import ContentError, Problems, SetupError, display_path
from .figurefiles import figure_file_problem
from .load import Loaded, load_yaml
from .project import SHARED_FILE, BuildOptions, Project
from .wording import unknown

ISSUE_FILE = "issue.yaml"
ISSUE_OUTPUT = "#issue"
"""The state entry of an issue's own files (its PDF and contents page)."""
_FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    "journal": ((str,), True), "volume": ((str, int), False), "issue": ((str, int), False),
    "date": ((dt.date, str), False), "first_page": ((int,), False), "articles": ((list,), True),
    "cover": ((str,), False), "editorial": ((dict,), False), "odd_start": ((bool,), False),
    "language": ((str,), False)}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
COVER_TYPES = (".png", ".jpg", ".jpeg")
MAX_ARTICLES = 500
"""More articles than any issue holds: a bound on the work one issue file can cause."""


@dataclass
class Issue:
    """What issue.yaml says, checked: the articles as document folders, in order."""

    folder: Path
    file: Path
    journal: str
    volume: str
    number: str
    date: dt.date | None
    first_page: int
    articles: list[Path]
    lines: dict[Path, int]
    """The line of issue.yaml that lists each article."""
    cover: Path | None = None
    editorial: dict[str, str] = field(default_factory=dict)
    odd_start: bool = False
    language: str = ""

    @property
    def id(self) -> str:
        return self.folder.name


@dataclass
class IssueBuildOptions(BuildOptions):
    """The options of an article's build inside an issue: where it stands in the issue is part
    of its inputs (and so of its incremental key)."""

    first_page: int = 1
    volume: str = ""
    number: str = ""


def place(doc: Any, options: IssueBuildOptions) -> None:
    """Give a checked article its place in the issue (called by the pipeline before resolve)."""
    doc.first_page = options.first_page
    if options.volume:
        doc.journal.volume = options.volume
    if options.number:
        doc.journal.issue = options.number


def issue_folders(content: Path) -> list[Path]:
    """The issues of a content folder (or the folder itself if it is one)."""
    if (content / ISSUE_FILE).is_file():
        return [content]
    return sorted(p.parent for p in content.glob(f"*/{ISSUE_FILE}"))


def articles_folder(issue: Path, content: Path) -> Path:
    """Where the articles an issue names live besides its own folder: the content folder, or,
    for an issue folder outside it, the folder that holds the issue (its own content folder:
    articles are never taken from another tree than the issue's)."""
    if issue.resolve().is_relative_to(content.resolve()):
        return content
    return issue.parent


def command(args: Any, project: Project, options: BuildOptions) -> int:
    """``build.py issue [FOLDER …] [--shard K/N]``: build each issue named (or every issue of
    the content folder)."""
    import time

    folders = list(getattr(args, "issues", None) or []) or issue_folders(project.content)
    if not folders:
        raise SetupError(f"no issue in {project.content}: expected "
                         f"{project.content}/<issue>/{ISSUE_FILE}, or name the issue's folder: "
                         f"build.py issue content/<issue>")
    for folder in folders:
        if not (folder / ISSUE_FILE).is_file():
            raise SetupError(f"{folder}: no {ISSUE_FILE} in this folder (an issue folder holds "
                             f"{ISSUE_FILE}, which lists its articles)")
    if options.handout is not None or "+" in args.lang:
        raise SetupError("issue: an issue is built as journal pages; build a handout "
                         "document by document (build.py --handout)")
    if not options.pdf:
        raise SetupError("issue: --no-pdf cannot number an issue's pages: each article's "
                         "first page follows the PDF of the one before")
    started = time.perf_counter()
    written: list[Path] = []
    for folder in shard.select(folders, getattr(args, "shard", None)):
        written += build(folder, project, args.lang, options, progress.Console(),
                         force=args.force, workers=args.jobs, jats=args.jats)
    elapsed = time.perf_counter() - started
    print(f"done in {elapsed:.1f} s" if written else f"nothing to do ({elapsed:.2f} s)")
    return 0


# --- reading issue.yaml ------------------------------------------------------------------

def load_issue(folder: Path, content: Path, problems: Problems) -> Issue | None:
    """Read and check ``folder/issue.yaml``; problems (with their lines) go to ``problems``."""
    loaded = load_yaml(folder / ISSUE_FILE, problems)
    if loaded is None:
        return None
    data = loaded.data
    if not isinstance(data, dict):
        problems.error(loaded.file, 1, f"{ISSUE_FILE}: expected a mapping of keys "
                                       f"({', '.join(_FIELDS)}), found {type(data).__name__}")
        return None

    def bad(key: str, message: str) -> None:
        problems.error(loaded.file, loaded.key_line((key,)), f"{key}: {message}")

    for key in data:
        if key not in _FIELDS:
            problems.error(loaded.file, loaded.key_line((key,)),
                           unknown(key, [k for k in _FIELDS if k not in data])[0])
    for key, (types, required) in _FIELDS.items():
        if key not in data:
            if required:
                problems.error(loaded.file, 1, f"{ISSUE_FILE}: missing required key {key!r}")
        elif not isinstance(data[key], types) or isinstance(data[key], bool) != (bool in types):
            bad(key, f"expected {' or '.join(t.__name__ for t in types)}, found "
                     f"{type(data[key]).__name__} {data[key]!r}")
    value = {key: data[key] for key, (types, _) in _FIELDS.items()
             if key in data and isinstance(data[key], types)
             and isinstance(data[key], bool) == (bool in types)}
    first_page = value.get("first_page", 1)
    if first_page < 1:
        bad("first_page", f"expected a page number of 1 or more, found {first_page}")
        first_page = 1
    elif value.get("odd_start") and first_page % 2 == 0:
        bad("first_page", f"expected an odd page, since odd_start puts every article on a "
                          f"right-hand (odd) page, found {first_page}: write "
                          f"{first_page + 1}, or remove odd_start")
    date = value.get("date")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            bad("date", f"expected a date written YYYY-MM-DD, found {date!r}")
            date = None
    language = value.get("language", "")
    if language and not _LANG.match(language):
        bad("language", f"expected a language code such as en or vi, found {language!r}")
        language = ""
    issue = Issue(folder, loaded.file, value.get("journal", ""), str(value.get("volume", "")),
                  str(value.get("issue", "")), date, first_page, [], {},
                  odd_start=value.get("odd_start", False), language=language)
    issue.cover = _cover(loaded, value.get("cover"), folder, problems)
    issue.editorial = _editorial(loaded, value.get("editorial", {}), problems)
    _articles(loaded, value.get("articles", []), folder, content, issue, problems)
    _check_editorial_languages(loaded, issue, problems)
    return issue


def _check_editorial_languages(loaded: Loaded, issue: Issue, problems: Problems) -> None:
    """The editorial note prints in the languages of the issue's articles: a note in another
    language is never printed, and one missing leaves that language's page without it."""
    if not issue.editorial or not issue.articles:
        return
    languages = list(dict.fromkeys(lang for article in issue.articles
                                   for lang in incremental.listed_languages(article) or []))
    if not languages:
        return
    for lang in issue.editorial:
        if lang not in languages:
            problems.warning(loaded.file, loaded.line(("editorial", lang)),
                             f"editorial: a note in {lang!r}, a language no article has "
                             f"({', '.join(languages)}): it is not printed")
    missing = [lang for lang in languages if lang not in issue.editorial]
    if missing:
        problems.warning(loaded.file, loaded.key_line(("editorial",)),
                         f"editorial: no note in {', '.join(map(repr, missing))}, a language "
                         f"of the articles: the issue prints the note in "
                         f"{', '.join(lang for lang in languages if lang in issue.editorial)} "
                         f"only")


def _articles(loaded: Loaded, names: list, folder: Path, content: Path, issue: Issue,
              problems: Problems) -> None:
    """Find each listed article: ``<issue folder>/<name>``, else ``<content>/<name>``."""
    if not names:
        problems.error(loaded.file, loaded.key_line(("articles",)),
                       "articles: expected at least one article folder")
    if len(names) > MAX_ARTICLES:
        problems.error(loaded.file, loaded.key_line(("articles",)),
                       f"articles: {len(names)} listed, more than the {MAX_ARTICLES} an issue "
                       f"may hold")
        return
    roots = [folder] + ([content] if content.resolve() != folder.resolve() else [])
    seen: dict[Path, int] = {}
    for n, name in enumerate(names):
        line = loaded.line(("articles", n))
        if not isinstance(name, str) or not _NAME.match(name):
            problems.error(loaded.file, line, f"articles: expected a folder name such as "
                                              f"asean-japan (letters, digits, '.', '_', '-', "
                                              f"and '/' between folders), found {name!r}")
            continue
        found = next((root / name for root in roots
                      if (root / name / SHARED_FILE).is_file()
                      and (root / name).resolve().is_relative_to(root.resolve())), None)
        if found is None:
            where = " or ".join(display_path(root / name) for root in roots)
            problems.error(loaded.file, line, f"article {name!r} not found: expected a "
                                              f"document folder ({where}/{SHARED_FILE})")
            continue
        real = found.resolve()
        if real in seen:
            problems.error(loaded.file, line, f"article {name!r} is listed twice (first on "
                                              f"line {seen[real]}): an article appears once")
            continue
        same_name = next((other for other in issue.articles if other.name == found.name), None)
        if same_name is not None:  # their files would overwrite each other's in the build
            problems.error(loaded.file, line, f"article {name!r}: {display_path(found)} has the "
                                              f"same folder name as {display_path(same_name)} "
                                              f"(line {issue.lines[same_name]}); rename one")
            continue
        seen[real] = line
        issue.articles.append(found)
        issue.lines[found] = line


def _cover(loaded: Loaded, name: str | None, folder: Path, problems: Problems) -> Path | None:
    if name is None:
        return None
    path = folder / name
    line = loaded.key_line(("cover",))
    if not _NAME.match(name) or path.suffix.lower() not in COVER_TYPES:
        problems.error(loaded.file, line, f"cover: expected an image file in the issue folder "
                                          f"({', '.join(COVER_TYPES)}), found {name!r}")
    elif why := figure_file_problem(path, name, folder, "the issue folder"):
        # Checked as a figure is: a file that is no image, or a damaged one, would be left
        # out of the cover without a word.
        problems.error(loaded.file, line, f"cover: {why}")
    else:
        return path
    return None


def _editorial(loaded: Loaded, notes: dict, problems: Problems) -> dict[str, str]:
    good = {}
    for lang, text in notes.items():
        if not isinstance(lang, str) or not _LANG.match(lang) or not isinstance(text, str) \
                or not text.strip():
            problems.error(loaded.file, loaded.line(("editorial", lang)),
                           f"editorial: expected the note's text by language code (en: …, "
                           f"vi: …), found {lang!r}: {text!r}")
        else:
            good[lang] = text.strip()
    return good


# --- building ---------------------------------------------------------------------------

@dataclass
class _Placed:
    """An article's place in the issue once built."""

    folder: Path
    first: int
    count: int
    keys: dict[str, str]


def build(folder: Path, project: Project, lang_choice: str, options: BuildOptions,
          report: progress.Report, force: bool = False, workers: int | None = None,
          jats: bool = False) -> list[Path]:
    """Build one issue; return the files written (none when everything was up to date)."""
    with incremental.one_build():
        return _build(folder, project, lang_choice, options, report, force, workers, jats)


def _build(folder: Path, project: Project, lang_choice: str, options: BuildOptions,
           report: progress.Report, force: bool, workers: int | None,
           jats: bool) -> list[Path]:
    problems = Problems()
    issue = load_issue(folder, articles_folder(folder, project.content), problems)
    if issue is None:
        raise ContentError(problems.items)
    out = project.out / issue.id
    incremental.load_memo(out)  # what the last build read of the articles, by their stamps
    article_project = dataclasses.replace(project, out=out)
    lang = _print_language(issue, problems)
    choices = _choices(lang_choice, lang)
    chain = _walk(issue, article_project, choices, options, lang, force)
    if chain.current and not problems.errors:
        key = _issue_key(issue, project, options, lang, chain.placed)
        state = incremental.State(out)
        if state.current(issue.id, ISSUE_OUTPUT, key):
            report(progress.UpToDate((str(_pdf_target(out, issue)), str(out / "index.html"))))
            return []
    # With an error already, the articles' own problems are told with it: all in one run.
    _precheck(issue, article_project, options, chain, problems, check=bool(problems.errors))
    problems.raise_if_errors()
    for problem in problems.items:
        report(problem)

    # The articles, in one build: each checked while the one before it is laid out, and laid
    # out as soon as that one's pages are counted; put in place together (or none at all).
    sequence = _Sequence(issue, chain, options, lang, article_project, choices)
    sequence.assembler = _early_assembly(issue, chain, out, lang)
    try:
        written = schedule.build(issue.articles, article_project, choices, options, report,
                                 force=force, workers=workers, jats=jats, sequence=sequence)
    except BaseException:
        if sequence.assembler is not None:
            sequence.assembler.discard()
        sequence.front_matter([])
        raise
    placed = sequence.finish(incremental.State(out), out)

    key = _issue_key(issue, project, options, lang, placed)
    state = incremental.State(out)
    if written or force or not state.current(issue.id, ISSUE_OUTPUT, key):
        from . import issue_output

        files = issue_output.write_issue(issue, placed, project, out, lang, options, report,
                                         sequence.assembler, sequence.front_matter(placed))
        state.record(issue.id, ISSUE_OUTPUT, key, files)
        incremental.save_memo(out)  # with what the contents read, for the next build
        written += files
    elif sequence.assembler is not None:
        sequence.assembler.discard()
    return written


def _early_assembly(issue: Issue, chain: _Chain, out: Path, lang: str):
    """An assembler of the issue PDF, to copy the articles before the first one to be laid
    out again while it is laid out, and read those after it (see
    :class:`issue_pdf.Assembler`); None if there are none."""
    if not chain.stale:
        return None
    sure = {placed.folder: placed.first for placed in chain.placed}
    ahead: list[tuple[Path, int]] = []
    for article in issue.articles:
        if article in chain.stale or article not in sure:
            break
        ahead.append((out / lang / f"{article.name}.pdf", sure[article]))
    later = [out / lang / f"{a.name}.pdf" for a in issue.articles[len(ahead):]
             if a in sure and a not in chain.stale]
    if not ahead and not later:
        return None
    from .issue_pdf import Assembler

    return Assembler(ahead, later)


class _Sequence:
    """The articles of an issue as :func:`songngu.schedule.build` builds them: each one's
    first page (in its build options) follows the page count of the one before in the print
    language, known from the state when it was kept, or from its worker once laid out."""

    def __init__(self, issue: Issue, chain: _Chain, options: BuildOptions, lang: str,
                 project: Project, choices: list[str]):
        self.issue, self.chain, self.build_options, self.lang = issue, chain, options, lang
        self.project, self.choices = project, choices
        self.placed: list[_Placed] = []
        self.counts: dict[Path, int] = {}
        self.prepared: dict[Path, tuple] = {}
        self.assembler: Any = None
        """The issue PDF's assembler (:func:`_early_assembly`), started once the last article
        to be laid out again is checked: its thread would slow the checks down."""
        self.last_stale = max((issue.articles.index(a) for a in chain.stale), default=-1)
        self.front: tuple[list[tuple], Any, dict[str, bytes]] | None = None
        """The issue's front matter, laid out in a thread as soon as every article's first
        page is known (while the last one is laid out): the places it is laid out for, the
        thread, its result."""

    def expected(self) -> int:
        count = 0
        for article in self.chain.stale:
            languages = incremental.listed_languages(article) or [self.lang]
            try:
                count += len(schedule.outputs_of(self.choices, languages, article.name))
            except SetupError:  # a language asked that the article lacks: its checks say so
                count += 1
        return count

    def ready(self, folder: Path) -> None:
        """Check and resolve an article before it is placed, while the one before it is laid
        out. An article with errors stops the issue, once every article after it is checked
        too: all their problems in one run, nothing put in place."""
        if folder in self.prepared:
            return
        problems = Problems()
        _check_article(self.issue, self.project, self.build_options, folder, problems,
                       self.prepared)
        if problems.errors:
            for other in self.issue.articles[self.issue.articles.index(folder) + 1:]:
                if other in self.chain.stale:
                    _check_article(self.issue, self.project, self.build_options, other,
                                   problems, self.prepared)
            raise ContentError(problems.items)
        self._format_references(*self.prepared[folder])

    def _format_references(self, checked, resolved) -> None:
        """Format the reference lists its pages print now, while the article before it is
        laid out: they do not depend on its place, and formatting them (citeproc) is most of
        the time rendering its page takes once its first page is known."""
        doc = checked.doc
        try:
            outputs = schedule.outputs_of(self.choices, doc.languages, doc.id)
        except SetupError:  # a language it lacks: said when it is built
            return
        for lang in dict.fromkeys(lang for output in outputs for lang in output.split("+")):
            if lang in resolved.texts:
                _ = resolved.texts[lang].references  # a cached property: formatted once

    def forking(self) -> None:
        if self.assembler is not None:
            self.assembler.wait()
        if self.front is not None:
            self.front[1].join()

    def options(self, folder: Path, wait) -> IssueBuildOptions:
        if folder in self.chain.stale:
            self.ready(folder)
        if self.placed:
            before = self.placed[-1]
            while before.folder not in self.counts:
                if not wait():
                    raise SetupError(f"the page count of {before.folder.name} is not known: "
                                     f"its PDF was not laid out")
            before.count = self.counts[before.folder]
            page = _next_page(self.issue, before.first + before.count)
        else:
            page = self.issue.first_page
        _check_written(self.issue, folder, page, self.chain.written.get(folder))
        options = _article_options(self.build_options, self.issue, page)
        self.placed.append(_Placed(folder, page, 0, _article_keys(
            folder, self.project, self.choices, options)))
        return options

    def checked(self, folder: Path, project: Project, options: BuildOptions,
                report: progress.Report) -> tuple:
        self.ready(folder)
        checked, resolved = self.prepared.pop(folder)
        if self.assembler is not None and \
                self.issue.articles.index(folder) == self.last_stale:
            self.assembler.start()  # the workers are forked by now
        assert isinstance(options, IssueBuildOptions)
        # Resolved before its place was known: the resolved copy is placed too.
        place(checked.doc, options)
        place(resolved.doc, options)
        for problem in checked.problems.items:
            report(problem)
        if self.front is None and len(self.placed) == len(self.issue.articles):
            self._lay_out_front()  # the contents show first pages: all are known now
        return checked, resolved

    def counted(self, folder: Path, output: str, pages: int | None) -> None:
        if output == self.lang and pages:
            self.counts[folder] = pages
            if self.front is None and len(self.placed) == len(self.issue.articles):
                self._lay_out_front()

    def _lay_out_front(self) -> None:
        """Lay out the front matter in a thread, now that its contents' pages are known (the
        last article's count may not be: the contents do not show it)."""
        import threading

        from . import issue_output

        places = [dataclasses.replace(placed, count=self.counts.get(placed.folder, placed.count))
                  for placed in self.placed]
        result: dict[str, bytes] = {}
        lay_out = issue_output.front_matter(self.issue, places, self.project, self.project.out,
                                            self.lang, self.build_options)

        def run() -> None:
            try:
                result["pdf"] = lay_out()
            except Exception:  # laid out again, and its error told, by write_issue
                pass

        thread = threading.Thread(target=run, name="front matter", daemon=True)
        thread.start()
        self.front = (_places(places), thread, result)

    def front_matter(self, placed: list[_Placed]) -> bytes | None:
        """The front matter laid out for ``placed`` (once its thread is done), if it was."""
        if self.front is None:
            return None
        places, thread, result = self.front
        thread.join()
        if places != _places(placed):
            return None
        return result.get("pdf")

    def finish(self, state: incremental.State, out: Path) -> list[_Placed]:
        """The articles' places once all are built (the last one's count included)."""
        for placed in self.placed:
            placed.count = self.counts.get(placed.folder) or \
                _page_count(state, placed.folder, self.lang, out)
        return self.placed


def _places(placed: list[_Placed]) -> list[tuple]:
    """Where the articles stand (folder, first page): what the contents show."""
    return [(p.folder, p.first) for p in placed]


def _print_language(issue: Issue, problems: Problems) -> str:
    """The language whose pages the issue counts; every article must have it."""
    lang = issue.language
    for article in issue.articles:
        languages = incremental.listed_languages(article) or []
        if not lang and languages:
            lang = languages[0]
        if languages and lang not in languages:
            problems.error(issue.file, issue.lines[article],
                           f"article {article.name!r} has no {lang} text (its languages: "
                           f"{', '.join(languages)}), and the issue's pages are counted in "
                           f"{lang}")
    return lang or "en"


def _choices(lang_choice: str, lang: str) -> list[str]:
    """The ``--lang`` choices each article is built with: the print language comes first,
    whatever was asked, since the next article's first page depends on it."""
    if lang_choice == "all" or lang_choice == lang:
        return [lang_choice]
    return [lang, lang_choice]


def _article_options(options: BuildOptions, issue: Issue, first_page: int
                     ) -> IssueBuildOptions:
    base = {f.name: getattr(options, f.name) for f in dataclasses.fields(BuildOptions)}
    return IssueBuildOptions(**base, first_page=first_page, volume=issue.volume,
                             number=issue.number)


def _next_page(issue: Issue, page: int) -> int:
    return page + 1 if issue.odd_start and page % 2 == 0 else page


@dataclass
class _Chain:
    """The articles' places as the last build left them, walked without building anything."""

    placed: list[_Placed] = field(default_factory=list)
    current: bool = True
    """Whether every output of every article is up to date at the place the walk found."""
    stale: set[Path] = field(default_factory=set)
    """The articles whose outputs must be made again at the place predicted for them: the
    ones checked before anything is built."""
    predicted: dict[Path, int] = field(default_factory=dict)
    """First pages known for sure: those of the articles up to the first stale one."""
    written: dict[Path, Loaded | None] = field(default_factory=dict)


def _walk(issue: Issue, project: Project, choices: list[str], options: BuildOptions,
          lang: str, force: bool) -> _Chain:
    """Follow the page counts the state knows from the first article on. An article is up to
    date when its outputs for the first page it would get are; the pages are sure up to the
    first one that is not (its page count may change when it is laid out again)."""
    chain = _Chain()
    state = incremental.State(project.out)
    page: int | None = issue.first_page
    sure = True
    for article in issue.articles:
        if page is None:  # nothing known of the pages before: built from scratch
            chain.stale.add(article)
            chain.current = False
            continue
        if sure:
            chain.predicted[article] = page
        article_options = _article_options(options, issue, page)
        keys = _article_keys(article, project, choices, article_options)
        fresh = bool(keys) and not force and all(
            state.current(article.name, output, key) for output, key in keys.items())
        # The last count known, even of an article to build again: most edits keep it, and
        # the articles after it are then up to date where they stand.
        count = pagecount.recorded(state, article.name, lang, project.out)
        if fresh and count is not None:
            chain.placed.append(_Placed(article, page, count, keys))
        else:
            chain.stale.add(article)
            chain.current = sure = False
        page = None if count is None else _next_page(issue, page + count)
    return chain


def _article_keys(article: Path, project: Project, choices: list[str],
                  options: BuildOptions) -> dict[str, str]:
    """The incremental key of each output of the article (see :mod:`songngu.incremental`)."""
    languages = incremental.listed_languages(article)
    if languages is None:
        return {}
    try:
        outputs = schedule.outputs_of(choices, languages, article.name)
    except SetupError:
        return {}
    return incremental.language_keys(article, languages, outputs, project.templates,
                                     project.fonts, project.out, options)


def _page_count(state: incremental.State, article: Path, lang: str, out: Path) -> int:
    """The page count of the article's PDF in ``lang``, just built or kept."""
    count = pagecount.recorded(state, article.name, lang, out)
    if count is not None:
        return count
    from pypdf import PdfReader

    return len(PdfReader(out / lang / f"{article.name}.pdf").pages)


def _precheck(issue: Issue, project: Project, options: BuildOptions, chain: _Chain,
              problems: Problems, check: bool) -> None:
    """What can be told before anything is built: first pages (where they are sure), volumes
    or issue numbers written by hand that disagree with the issue; with ``check``, the own
    problems of every article to be built too (which otherwise are found as each is built,
    see :meth:`_Sequence.ready`). Articles whose outputs are up to date passed their checks
    when they were built."""
    for article in issue.articles:
        chain.written[article] = load_yaml(article / SHARED_FILE, Problems())
        page = chain.predicted.get(article)
        if page is not None:
            problems.extend(_conflicts(issue, article, page, chain.written[article]))
        if check and article in chain.stale:
            _check_article(issue, project, options, article, problems, {})


def _check_article(issue: Issue, project: Project, options: BuildOptions, article: Path,
                   problems: Problems, prepared: dict[Path, tuple]) -> None:
    """Check and resolve an article into ``prepared`` (its place in the issue matters only
    after resolving), or add its problems to ``problems``."""
    from . import pipeline

    try:
        checked = pipeline.check_document(article, options.strict, project)
        prepared[article] = (checked, pipeline.resolve_document(checked, options.strict))
    except ContentError as exc:
        problems.extend(exc.problems)
        problems.error(issue.file, issue.lines[article],
                       f"article {article.name!r} cannot be built (see above)")


def _conflicts(issue: Issue, article: Path, page: int, loaded: Loaded | None) -> Problems:
    """What the article's document.yaml says by hand against what the issue makes of it."""
    problems = Problems()
    if loaded is None or not isinstance(loaded.data, dict):
        return problems  # document.yaml unreadable: the article's own checks say why
    data = loaded.data
    written = data.get("first_page")
    if isinstance(written, int) and not isinstance(written, bool) and written != page:
        problems.error(loaded.file, loaded.key_line(("first_page",)),
                       f"first_page: {written} written here, but in {display_path(issue.file)} "
                       f"(line {issue.lines[article]}) the article starts on page {page}; "
                       f"remove first_page (the issue numbers the pages) or correct it")
    journal = data.get("journal")
    if not isinstance(journal, dict):
        return problems
    # The issue's names: an article's own, if it writes one, must agree (its running header
    # prints it inside the issue PDF, whose cover prints the issue's).
    for key, value, said in (("name", issue.journal, "names the journal"),
                             ("volume", issue.volume, "is volume"),
                             ("issue", issue.number, "is number")):
        if value and key in journal and str(journal[key]) != value:
            problems.error(loaded.file, loaded.key_line(("journal", key)),
                           f"journal: {key} {journal[key]!r} written here, but the issue "
                           f"({display_path(issue.file)}) {said} {value!r}: remove it or "
                           f"correct it")
    return problems


def _check_written(issue: Issue, article: Path, page: int, loaded: Loaded | None) -> None:
    """Stop before building an article whose hand-written first page turns out wrong once the
    articles before it are laid out (the issue's files are not written)."""
    found = _conflicts(issue, article, page, loaded)
    found.raise_if_errors()


def _issue_key(issue: Issue, project: Project, options: BuildOptions, lang: str,
               placed: list[_Placed]) -> str:
    """What the issue's PDF and contents page are made from."""
    digest = hashlib.blake2b(digest_size=20)
    parts: list[Any] = [incremental.tool_digest(), dataclasses.asdict(options), lang,
                        [(p.folder.name, p.first, p.count, sorted(p.keys.items()))
                         for p in placed]]
    digest.update(json.dumps(parts, sort_keys=True, default=str).encode())
    for path in [issue.file] + ([issue.cover] if issue.cover else []):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    issue_templates = project.templates / "issue"
    for path in sorted(issue_templates.rglob("*")) if issue_templates.is_dir() else []:
        if path.is_file() and incremental.is_input(path):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _pdf_target(out: Path, issue: Issue) -> Path:
    return out / f"{issue.id}.pdf"

