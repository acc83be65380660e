"""Render a resolved document to one standalone HTML page per language with Jinja2.

Resolved → HTML text. The templates draw each language's tree (:mod:`songngu.doctree`): its
front matter, its sections and their typed blocks, each block by the macro its kind names
(:mod:`songngu.kinds`). Pieces of text are nodes, written as HTML by :mod:`songngu.html_inline`
through the ``html`` filter (``t.html`` on the parallel page), or as plain text by the
``plain`` filter; both take nodes, never markup, so no template looks text up by what was
typed. Labels come from the template's gettext catalogs through Jinja2's i18n extension; the
front matter of each language is rendered with that language's own catalog, so the first page
can carry every language's title block.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
)
from markupsafe import Markup

from . import breaks, i18n
from .doctree import CrossRef, Node, TextTree, plain_line, walk
from .errors import SetupError
from .html_inline import entry_html, inline_html, math_html
from .kinds import ANCHORS, KINDS, N_
from .resolve import Resolved

CORRESPONDING = N_("Corresponding author.")


@dataclass(frozen=True)
class RenderOptions:
    """What changes the page besides the content."""

    medium: str = "journal"
    """``journal`` (A4 journal page) or ``handout`` (A5 reading copy)."""
    crop_marks: bool = False


def template_dir(templates: Path, name: str) -> Path:
    folder = templates / name
    if not (folder / "article.html.j2").is_file():
        raise SetupError(f"template {name!r} not found: expected {folder / 'article.html.j2'} "
                         f"(set 'template:' in document.yaml to a folder of {templates})")
    return folder


def render_html(resolved: Resolved, lang: str, templates: Path,
                options: RenderOptions = RenderOptions(), scholarly=None) -> str:
    """The complete HTML page of ``lang``; ``scholarly``: its metadata for indexers
    (:class:`songngu.scholarly.PageMetadata`), written into its head.

    A journal page is what a browser shows, so it carries only CSS that browsers know; its PDF
    adds :func:`print_stylesheet`. A handout is only ever laid out: its page carries both.
    """
    doc = resolved.doc
    folder = template_dir(templates, doc.template)
    env, context = _page_context(resolved, lang, templates, folder, options)
    context["scholarly"] = scholarly
    # The corresponding author's note sits at the foot of page 1, once, in the page's language,
    # and in that language's title block: the one a reader of the HTML page sees first, and
    # the first in the page's source, so that a screen reader reads it first too.
    note = _translations(folder, lang).gettext(CORRESPONDING)
    order = [lang] + [other for other in doc.languages if other != lang]
    fronts = [language_view(resolved, other, templates).front.title_block(
        doc, resolved.texts[other].front, other, lang, other == lang,
        note if other == lang else "")
        for other in order if other in resolved.texts]
    try:
        template = env.get_template("article.html.j2")
    except TemplateNotFound as exc:  # pragma: no cover - template_dir checked the file
        raise SetupError(f"template file {exc.name} not found in {folder}") from None
    sheets = stylesheet(folder, options.medium, *(PRINT_SHOP if options.crop_marks else ()))
    if options.medium != "journal":  # its stylesheets include print.css
        # CSS for a <style> element, not HTML: its strings are CSS-escaped (css_string), and
        # escaping it as HTML would turn its quotes into &#34;, which CSS does not read.
        sheets = Markup(str(sheets) + "\n" + env.get_template("page.css.j2").render(**context))
    return template.render(fronts=fronts, stylesheet=sheets, **context)


def print_stylesheet(resolved: Resolved, lang: str, templates: Path,
                     options: RenderOptions = RenderOptions()) -> str:
    """The CSS that only WeasyPrint reads, added to a journal page when its PDF is laid out:
    ``print.css`` and the page's running header and footer (``page.css.j2``)."""
    folder = template_dir(templates, resolved.doc.template)
    env, context = _page_context(resolved, lang, templates, folder, options)
    return _print_rules(env, context)


def _print_rules(env: Environment, context: dict) -> str:
    folder = Path(env.loader.searchpath[0])  # type: ignore[union-attr]
    return (folder / "print.css").read_text(encoding="utf-8") + "\n" + \
        env.get_template("page.css.j2").render(**context)


def _page_context(resolved: Resolved, lang: str, templates: Path, folder: Path,
                  options: RenderOptions) -> tuple[Environment, dict]:
    """The template environment of ``lang`` and what a page's templates are given."""
    doc = resolved.doc
    view = language_view(resolved, lang, templates)
    env = view.env
    tree = resolved.texts[lang]
    return env, dict(
        doc=doc, tree=tree, lang=lang, options=options, scholarly=None,
        t=view, kinds=KINDS,
        notes=tree.notes,
        references=reference_list(tree),
        title_plain=plain_line(tree.front.title),
        other_languages=[(other, i18n.language_name(other)) for other in doc.languages
                         if other != lang],
        language_name=i18n.language_name(lang),
        page_anchors=page_anchors(resolved),
    )


def page_anchors(resolved: Resolved) -> list[str]:
    """The anchor of every section that a cross-reference, in any language, points to: the
    PDF prints the section's page after the reference ("Section 3 (p. 104)").

    The stylesheet names each target (``target-counter(url(#sec-x), page)``): WeasyPrint (70)
    finds a target read from the link (``attr(href)``) only when the page is laid out again
    for another reason, and lays the page out a third time (see
    :func:`songngu.amend.count_pages_once`)."""
    return sorted({ANCHORS["section"] + node.target for tree in resolved.texts.values()
                   for piece in tree.pieces() for node in walk(piece)
                   if isinstance(node, CrossRef) and node.kind == "section"})


MEDIUM_STYLESHEETS = {"journal": ("fonts.css", "journal.css"),
                      "handout": ("fonts.css", "journal.css", "print.css", "handout.css")}
"""The stylesheets of each medium, in cascade order: a medium's own sheet adjusts the journal's."""


PRINT_SHOP = ("print-shop.css",)
"""Added for crop marks and bleed."""


def stylesheet(folder: Path, medium: str, *extra: str) -> Markup:
    """The CSS of ``medium`` (then the ``extra`` sheets) read from ``folder``, to inline."""
    names = MEDIUM_STYLESHEETS[medium] + extra
    return Markup("\n".join((folder / name).read_text(encoding="utf-8") for name in names))


def reference_list(tree: TextTree) -> list[tuple[str, Markup]]:
    """(key, the entry's HTML) for each entry of a language's reference list."""
    return [(entry.key, entry_html(entry)) for entry in tree.references]


def affiliation_order(doc) -> list[str]:
    """The affiliations in the order their authors are listed: they are numbered so."""
    return list(dict.fromkeys(aff for author in doc.authors for aff in author.affiliations))


@dataclass(frozen=True)
class LanguageView:
    """One language's text helpers, for a page that sets several languages side by side."""

    lang: str
    name: str
    """The language's own name: "English", "Tiếng Việt"."""
    html: Callable[[list[Node]], Markup]
    """A piece of this language's text, as nodes → HTML (labels in this language)."""
    cell: Callable[..., str]
    day: Callable[..., str]
    translations: gettext.NullTranslations
    math: Callable[..., Markup]
    """LaTeX → MathML with its SVG drawing for print."""
    env: Environment
    """This language's template environment: its labels (``_``) and filters."""

    @cached_property
    def blocks(self) -> Any:
        """``blocks.html.j2``'s macros, speaking this language."""
        return self.env.get_template("blocks.html.j2").module

    @cached_property
    def front(self) -> Any:
        """``front.html.j2``'s macros, speaking this language."""
        return self.env.get_template("front.html.j2").module

    def gettext(self, message: str, **values) -> str:
        """A label in this language: ``gettext("Table %(num)s.", num="1")``."""
        text = self.translations.gettext(message)
        return text % values if values else text


def language_view(resolved: Resolved, lang: str, templates: Path) -> LanguageView:
    folder = template_dir(templates, resolved.doc.template)
    env = _environment(folder, lang)
    return LanguageView(lang, i18n.language_name(lang), env.filters["html"], env.filters["cell"],
                        env.filters["day"], _translations(folder, lang), env.filters["math"],
                        env)


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    try:
        # Our own file names: the compiled code depends on this module's Environment options.
        return FileSystemBytecodeCache(pattern="songngu-%s.cache")
    except (OSError, RuntimeError):  # no private temporary folder: compile every time
        return None


_COMPILED = _bytecode_cache()
"""Compiled templates, kept by Jinja2 in the user's temporary folder and checked against each
template's source: a build loads them instead of compiling every template again."""


def _environment(folder: Path, lang: str) -> Environment:
    env = Environment(loader=FileSystemLoader(folder), autoescape=True,
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
                      trim_blocks=True, lstrip_blocks=True, bytecode_cache=_COMPILED)
    translations = _translations(folder, lang)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters["html"] = lambda nodes: inline_html(_nodes(nodes, "html"), translations)
    env.filters["day"] = lambda day, pattern="d/M/yyyy": i18n.format_day(day, lang, pattern)
    env.filters["cell"] = lambda value, column, empty="–": i18n.format_cell(
        value, column.kind, column.pattern, lang, empty)
    env.filters["math"] = lambda latex, display=True: math_html(latex, display)
    env.globals["affiliation_order"] = affiliation_order
    env.filters["plain"] = lambda nodes: plain_line(_nodes(nodes, "plain"))
    env.filters["css_string"] = _css_string
    env.filters["url_text"] = breaks.url_html
    env.globals["language_name"] = i18n.language_name
    return env


@lru_cache(maxsize=16)
def _translations(folder: Path, lang: str) -> gettext.NullTranslations:
    return i18n.load_translations(folder, lang)


def _nodes(value: Any, name: str) -> list[Node]:
    """What a template gives a text filter: nodes of the resolved tree, never markup (a string
    would be text looked up by what was typed, or printed with its markup as typed)."""
    if not isinstance(value, list):
        raise TypeError(f"the {name!r} filter takes a piece of the resolved tree (a list of "
                        f"nodes), not {type(value).__name__} {str(value)[:40]!r}")
    return value


def _css_string(value) -> Markup:
    """Escape text for a double-quoted CSS string inside a <style> element."""
    from .limits import css_string
    return Markup(css_string(str(value)))
