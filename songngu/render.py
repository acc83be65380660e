"""Render a resolved document to one standalone HTML page per language with Jinja2.

Resolved → HTML text. Labels come from the template's gettext catalogs through Jinja2's i18n
extension; inline spans become HTML here, with every piece of content text escaped. The front
matter of each language is rendered with that language's own catalog, so the first page can
carry every language's title block.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from jinja2 import (Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined,
                    TemplateNotFound)
from markupsafe import Markup, escape

from . import i18n
from .errors import SetupError
from .inline import Span, plain_text
from .resolve import Resolved, ResolvedText

def N_(message: str) -> str:
    """Mark a label for extraction into the catalogs (pybabel extract -k N_)."""
    return message


XREF_LABELS = {"table": N_("Table %(num)s"), "figure": N_("Figure %(num)s"),
               "section": N_("Section %(num)s")}
PAGE_LABEL = N_("p.")
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
                options: RenderOptions = RenderOptions()) -> str:
    """The complete HTML page of ``lang``."""
    doc = resolved.doc
    folder = template_dir(templates, doc.template)
    env = _environment(folder, lang, resolved.texts[lang])
    # The corresponding author's note sits at the foot of page 1, once, in the page's language,
    # and in that language's title block: the one a reader of the HTML page sees first.
    note = _translations(folder, lang).gettext(CORRESPONDING)
    fronts = [Markup(_environment(folder, other, resolved.texts[other])
                     .get_template("front.html.j2")
                     .render(doc=doc, text=doc.texts[other], lang=other, primary=lang,
                             own_language=other == lang,
                             corresponding_note=note if other == lang else ""))
              for other in doc.languages if other in doc.texts]
    try:
        template = env.get_template("article.html.j2")
    except TemplateNotFound as exc:  # pragma: no cover - template_dir checked the file
        raise SetupError(f"template file {exc.name} not found in {folder}") from None
    text = doc.texts[lang]
    return template.render(
        doc=doc, text=text, lang=lang, fronts=fronts, options=options,
        numbers=resolved.texts[lang].numbers, references=resolved.texts[lang].references,
        title_plain=plain_text(resolved.texts[lang].spans.get(text.title, [])) or text.title,
        other_languages=[(other, i18n.language_name(other)) for other in doc.languages
                         if other != lang],
        language_name=i18n.language_name(lang),
        stylesheet=stylesheet(folder, options.medium,
                              *(PRINT_SHOP if options.crop_marks else ())),
    )


MEDIUM_STYLESHEETS = {"journal": ("journal.css",), "handout": ("journal.css", "handout.css")}
"""The stylesheets of each medium, in cascade order: a medium's own sheet adjusts the journal's."""


PRINT_SHOP = ("print-shop.css",)
"""Added for crop marks and bleed."""


def stylesheet(folder: Path, medium: str, *extra: str) -> Markup:
    """The CSS of ``medium`` (then the ``extra`` sheets) read from ``folder``, to inline."""
    names = MEDIUM_STYLESHEETS[medium] + extra
    return Markup("\n".join((folder / name).read_text(encoding="utf-8") for name in names))


@dataclass(frozen=True)
class LanguageView:
    """One language's text helpers, for a page that sets several languages side by side."""

    lang: str
    name: str
    """The language's own name: "English", "Tiếng Việt"."""
    md: Callable[[str], Markup]
    """Inline markup of this language → HTML (citations, cross-references resolved)."""
    cell: Callable[..., str]
    day: Callable[..., str]
    translations: gettext.NullTranslations

    def gettext(self, message: str, **values) -> str:
        """A label in this language: ``gettext("Table %(num)s.", num="1")``."""
        text = self.translations.gettext(message)
        return text % values if values else text


def language_view(resolved: Resolved, lang: str, templates: Path) -> LanguageView:
    folder = template_dir(templates, resolved.doc.template)
    env = _environment(folder, lang, resolved.texts[lang])
    return LanguageView(lang, i18n.language_name(lang), env.filters["md"], env.filters["cell"],
                        env.filters["day"], _translations(folder, lang))


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    try:
        # Our own file names: the compiled code depends on this module's Environment options.
        return FileSystemBytecodeCache(pattern="songngu-%s.cache")
    except (OSError, RuntimeError):  # no private temporary folder: compile every time
        return None


_COMPILED = _bytecode_cache()
"""Compiled templates, kept by Jinja2 in the user's temporary folder and checked against each
template's source: a build loads them instead of compiling every template again."""


def _environment(folder: Path, lang: str, resolved: ResolvedText) -> Environment:
    env = Environment(loader=FileSystemLoader(folder), autoescape=True,
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
                      trim_blocks=True, lstrip_blocks=True, bytecode_cache=_COMPILED)
    translations = _translations(folder, lang)
    env.install_gettext_translations(translations, newstyle=True)
    env.filters["md"] = lambda markup: _markup_html(markup, resolved, translations)
    env.filters["day"] = lambda day: i18n.format_day(day, lang)
    env.filters["cell"] = lambda value, column: i18n.format_cell(value, column.kind,
                                                                 column.pattern, lang)
    env.filters["plain"] = lambda markup: plain_text(resolved.spans.get(markup, [])) or markup
    env.filters["css_string"] = _css_string
    env.globals["language_name"] = i18n.language_name
    return env


@lru_cache(maxsize=16)
def _translations(folder: Path, lang: str) -> gettext.NullTranslations:
    return i18n.load_translations(folder, lang)


def _markup_html(markup: str, resolved: ResolvedText,
                 translations: gettext.NullTranslations) -> Markup:
    spans = resolved.spans.get(markup)
    if spans is None:  # text that carries no markup of interest, e.g. an empty note
        return escape(markup)
    return Markup("".join(_span_html(s, translations) for s in spans))


def _span_html(span: Span, translations: gettext.NullTranslations) -> str:
    inner = "".join(_span_html(s, translations) for s in span.children)
    if span.kind == "text":
        return str(escape(span.text))
    if span.kind == "code":
        return f"<code>{escape(span.text)}</code>"
    if span.kind in ("em", "strong", "sup"):
        tag = {"em": "em", "strong": "strong", "sup": "sup"}[span.kind]
        return f"<{tag}>{inner}</{tag}>"
    if span.kind == "link":
        return f'<a href="{escape(span.href)}">{inner}</a>'
    if span.kind == "cite":
        return f'<span class="citation">{span.html}</span>'
    if span.kind == "xref":
        kind, _, target = span.target.partition(":")
        label = translations.gettext(XREF_LABELS[kind]) % {"num": span.number}
        anchor = {"table": "tbl", "figure": "fig", "section": "sec"}[kind]
        page = f' data-page-label="{escape(translations.gettext(PAGE_LABEL))}"' \
            if kind == "section" else ""
        return (f'<a class="xref xref-{kind}" href="#{anchor}-{escape(target)}"{page}>'
                f'{escape(label)}</a>')
    raise ValueError(f"unknown span kind {span.kind!r}")


def _css_string(value) -> Markup:
    """Escape text for a double-quoted CSS string inside a <style> element."""
    from .limits import css_string
    return Markup(css_string(str(value)))
