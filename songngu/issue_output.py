"""Write an issue's own files from its built articles: the issue PDF and the contents page.

the issue, each article's place (first page, page count) and its built PDF →
``<out>/<issue>/<issue>.pdf``: the front matter (cover, editorial note in each language,
contents in every language: titles, authors, first page, DOI as a link), laid out by
WeasyPrint from ``templates/issue/front.html.j2``, followed by the articles' PDFs in the
print language (:mod:`songngu.issue_pdf`). And ``<out>/<issue>/index.html``
(``templates/issue/index.html.j2``), which links every article page in every language.
Both are written atomically, once everything is made.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from . import i18n, pdfengine, progress, write
from .issue_pdf import Assembler, assemble
from .kinds import N_
from .project import SHARED_FILE, BuildOptions, Project

if TYPE_CHECKING:
    from .issue import Issue, _Placed

LABELS = {"volume": N_("Volume"), "issue": N_("Issue"), "contents": N_("Contents"),
          "editorial": N_("Editorial note"), "pages": N_("p."),
          "issue_pdf": N_("The whole issue (PDF)")}
"""The words of the issue's own pages, translated by the journal template's catalogs."""
DOI = re.compile(r"^10\.\d{4,9}/[A-Za-z0-9._;()/:-]+$")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Entry:
    """An article as the contents list it."""

    id: str
    first: int
    last: int
    languages: list[str]
    titles: dict[str, str]
    """HTML of the title in each language (inline markup kept)."""
    plain_titles: dict[str, str]
    authors: dict[str, list[str]]
    doi: str
    pdf: Path


def labels(templates: Path, lang: str) -> dict[str, str]:
    """The issue pages' words in ``lang``, from the catalogs of the journal template."""
    translations = i18n.load_translations(templates / "journal", lang)
    return {key: translations.gettext(message) for key, message in LABELS.items()}


def entries(placed: list[_Placed], out: Path, lang: str) -> list[Entry]:
    """What the contents say of each article, read from its (already checked) files: only
    from the files that changed since the last build (see :func:`incremental.remembered`)."""
    from .incremental import remembered

    result = []
    for article in placed:
        shared = remembered("contents", article.folder / SHARED_FILE,
                            partial(_shared_facts, article.folder / SHARED_FILE))
        languages = shared["languages"]
        texts = {x: remembered("contents", article.folder / f"{x}.yaml",
                               partial(_text_facts, article.folder / f"{x}.yaml"))
                 for x in languages}
        result.append(Entry(
            article.folder.name, article.first, article.first + article.count - 1, languages,
            {x: title_html(t["title"]) for x, t in texts.items()},
            {x: title_plain(t["title"]) for x, t in texts.items()},
            {x: [t["authors"][i] for i in shared["authors"] if t["authors"].get(i)]
             for x, t in texts.items()},
            _doi(shared["doi"]), out / lang / f"{article.folder.name}.pdf"))
    return result


def _shared_facts(path: Path) -> dict[str, Any]:
    """What the contents need of document.yaml (as plain data, to be remembered)."""
    data = _yaml(path)
    authors = data.get("authors")
    return {"languages": [x for x in data.get("languages", []) if isinstance(x, str)],
            "authors": [str(a.get("id")) for a in authors if isinstance(a, dict)]
            if isinstance(authors, list) else [],
            "doi": data.get("doi") if isinstance(data.get("doi"), str) else ""}


def _text_facts(path: Path) -> dict[str, Any]:
    """What the contents need of a language file: the title and the authors' names."""
    data = _yaml(path)
    authors = data.get("authors")
    return {"title": str(data.get("title", "")),
            "authors": {str(k): str(v) for k, v in authors.items() if v}
            if isinstance(authors, dict) else {}}


def write_issue(issue: Issue, placed: list[_Placed], project: Project, out: Path, lang: str,
                options: BuildOptions, report: progress.Report,
                early: Assembler | None = None, front: bytes | None = None) -> list[Path]:
    """Write the issue PDF and its contents page; return them. ``early``: the articles'
    pages copied while they were built; ``front``: the front matter laid out for these
    places already (:func:`front_matter`)."""
    listed = entries(placed, out, lang)
    languages = _issue_languages(issue, listed, lang)
    target = out / f"{issue.id}.pdf"
    with progress.step(report, target, "assembling the issue") as done:
        if front is None:
            front = _front_pdf(issue, listed, languages, project, options, out)
        data, pages = assemble(issue, listed, front, lang, early,
                               labels(project.templates, lang)["contents"])
        write.write_bytes(target, data)
        done.text = (f"{pages} pages: front matter and {len(listed)} article"
                     f"{'s' * (len(listed) != 1)}, pp. {listed[0].first}–{listed[-1].last}")
    index = out / "index.html"
    with progress.step(report, index, "writing the contents page"):
        write.write_text(index, _render("index.html.j2", project, _context(
            issue, listed, languages, lang, project.templates, built={
                (e.id, x) for e in listed for x in e.languages
                if (out / x / f"{e.id}.html").is_file()},
            pdfs={(e.id, x) for e in listed for x in e.languages
                  if (out / x / f"{e.id}.pdf").is_file()})))
    return [target, index]


def front_matter(issue: Issue, placed: list[_Placed], project: Project, out: Path, lang: str,
                 options: BuildOptions) -> Callable[[], bytes]:
    """What lays out the issue's front matter (cover, editorial note, contents) for these
    places, which :func:`write_issue` puts first: the contents' facts are read now, by the
    caller's thread (they go through the build's memo), the layout by the callable."""
    listed = entries(placed, out, lang)
    return partial(_front_pdf, issue, listed, _issue_languages(issue, listed, lang), project,
                   options, out)


def _issue_languages(issue: Issue, listed: list[Entry], lang: str) -> list[str]:
    """The print language first, then every other language of the articles, in order."""
    languages = [lang]
    for entry in listed:
        languages += [x for x in entry.languages if x not in languages]
    return languages


def _context(issue: Issue, listed: list[Entry], languages: list[str], lang: str,
             templates: Path, **extra: Any) -> dict[str, Any]:
    from babel.dates import format_date

    return {"issue": issue, "entries": listed, "languages": languages, "lang": lang,
            "labels": {x: labels(templates, x) for x in languages},
            "dates": {x: format_date(issue.date, "long", locale=x) if issue.date else ""
                      for x in languages},
            "editorial": {x: [p.strip() for p in issue.editorial[x].split("\n\n") if p.strip()]
                          for x in languages if x in issue.editorial},
            **extra}


def _render(name: str, project: Project, context: dict[str, Any]) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(project.templates / "issue"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template(name).render(context)


FONTS_TEMPLATE = "journal"
"""The template whose fonts (``fonts.css``) the front matter sets its text in: the articles'
own, so that a title prints in the contents as on its first page, in whatever script."""


def _front_pdf(issue: Issue, listed: list[Entry], languages: list[str], project: Project,
               options: BuildOptions, out: Path) -> bytes:
    """Lay out the cover, the editorial note and the contents (WeasyPrint)."""
    from markupsafe import Markup

    from . import glyphs
    from .render import template_dir

    fonts_folder = template_dir(project.templates, FONTS_TEMPLATE)
    html = _render("front.html.j2", project, _context(
        issue, listed, languages, languages[0], project.templates,
        cover=f"media/{issue.cover.name}" if issue.cover else "",
        fonts=Markup((fonts_folder / "fonts.css").read_text(encoding="utf-8"))))
    # The front matter changes only with the issue file, the articles' titles and pages: kept
    # beside the issue, it spares an edit of an article's body WeasyPrint's import here.
    from .incremental import tool_digest

    digest = hashlib.blake2b(digest_size=12)
    for part in [html.encode(), options.pdf_variant.encode(), tool_digest().encode()] + \
            [path.read_bytes() for path in sorted(project.fonts.glob("*.ttf"))] + \
            ([issue.cover.read_bytes()] if issue.cover else []):
        digest.update(len(part).to_bytes(8, "big") + part)
    kept = out / f".{issue.id}.front-{digest.hexdigest()}.pdf"
    if kept.is_file():
        return kept.read_bytes()
    # The cover and the fonts are the only files the page may read; of the fallback faces,
    # only those some character of the contents needs, as for an article's page.
    font_set = glyphs.template_fonts(fonts_folder, project.fonts)
    needed = {name for char in set(html) for name in font_set.fallbacks_for(char)}
    assets = write.Assets(fonts=project.fonts, media=issue.folder, fallbacks=tuple(sorted(needed)),
                          optional=tuple(sorted({face.name for face in font_set.fallbacks})))
    pdf = pdfengine.render_pdf(html, assets, pdfengine.PdfSettings(options.pdf_variant, issue.date))
    pdf.write(kept)
    for old in out.glob(f".{issue.id}.front-*.pdf"):
        if old != kept:
            old.unlink(missing_ok=True)
    return kept.read_bytes()


def _doi(value: object) -> str:
    """The DOI if it is one (it becomes a link: nothing else may)."""
    return value if isinstance(value, str) and DOI.match(value) else ""


def _yaml(path: Path) -> dict:
    try:
        data = yaml.load(path.read_bytes(), Loader=_LOADER)
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def title_html(markup: str) -> str:
    """A title's inline markup (italic, bold, super- and subscripts) as HTML."""
    from markupsafe import Markup

    from .inline import InlineSyntaxError, parse_inline

    try:
        spans = parse_inline(markup)
    except InlineSyntaxError:
        return Markup(escape(markup))
    return Markup("".join(_span(s) for s in spans))


def _span(span) -> str:
    inner = "".join(_span(s) for s in span.children)
    if span.kind in ("text", "code"):
        return escape(span.text)
    if span.kind in ("em", "strong", "sup", "sub"):
        return f"<{span.kind}>{inner}</{span.kind}>"
    return inner  # a link or a citation in a title: its text only


def title_plain(markup: str) -> str:
    from .inline import InlineSyntaxError, parse_inline, plain_text

    try:
        return " ".join(plain_text(parse_inline(markup)).split())
    except InlineSyntaxError:
        return markup
