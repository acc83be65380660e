"""Keep a page's stylesheet parsed for the next page laid out with the same fonts.

a ``<style>`` text → WeasyPrint's parsed stylesheet, parsed once a process. The pages of a
build embed the same journal stylesheet (an issue's twenty articles, a document's two
languages), and WeasyPrint 70 parses it again for every page: its tokens, selectors and
declarations, its ``@font-face`` rules registered with the fonts again. That is some 0.1 s of
CPU a page (cProfile: ``find_stylesheets`` took 0.23 s of the 4.75 s that laying out the
sample's two pages took).

A parsed stylesheet is kept with the font configuration its ``@font-face`` rules were
registered in (:func:`songngu.pdfengine._font_configuration` shares one between pages that
load the same fonts), by its text, base URL and medium. Reused, it hands the page the
``@page`` rules it holds, as parsing it did. A stylesheet whose parsing did more to the page
(cascade layers, counter styles, colour profiles: each shared with the page's other
stylesheets), or that imports another, is parsed again each time, as WeasyPrint does.
"""

from __future__ import annotations

from typing import Any

KEPT_PER_FONTS = 8
"""Stylesheets kept for one font configuration: a watch session edits its stylesheet."""

_ATTRIBUTE = "songngu_parsed_sheets"


def keep_parsed() -> None:
    """Have WeasyPrint take a page's ``<style>`` sheets from the kept ones (once a process)."""
    from weasyprint import css

    if getattr(css.CSS, "songngu_kept", False):
        return
    parse = css.CSS

    def kept_or_parsed(*args: Any, **kwargs: Any) -> Any:
        return parsed(parse, *args, **kwargs)

    kept_or_parsed.songngu_kept = True  # type: ignore[attr-defined]
    css.CSS = kept_or_parsed  # the name find_stylesheets parses each <style> with


def parsed(parse: Any, *args: Any, string: str | None = None, font_config: Any = None,
           page_rules: list | None = None, layers: list | None = None,
           counter_style: dict | None = None, color_profiles: dict | None = None,
           **kwargs: Any) -> Any:
    """``parse(…)`` (WeasyPrint's ``CSS``), or the stylesheet it gave for the same text."""
    shared = dict(page_rules=page_rules, layers=layers, counter_style=counter_style,
                  color_profiles=color_profiles)
    if args or string is None or font_config is None or "@import" in string or \
            kwargs.get("matcher") is not None or kwargs.get("layer") is not None:
        return parse(*args, string=string, font_config=font_config, **shared, **kwargs)
    kept: dict = font_config.__dict__.setdefault(_ATTRIBUTE, {})
    key = (string, kwargs.get("base_url"), kwargs.get("media_type", "print"))
    sheet = kept.get(key)
    if sheet is None:
        sheet = _parse_alone(parse, string, font_config, shared, kwargs)
        if sheet is None:  # it changed what the page's stylesheets share: not kept
            return parse(string=string, font_config=font_config, **shared, **kwargs)
        while len(kept) >= KEPT_PER_FONTS:
            kept.pop(next(iter(kept)))
        kept[key] = sheet
    if page_rules is not None:
        page_rules.extend(sheet.page_rules)
    return sheet


def _parse_alone(parse: Any, string: str, font_config: Any, shared: dict,
                 kwargs: dict) -> Any:
    """The stylesheet parsed with ``@page`` rules and layers of its own; None if parsing it
    added layers, counter styles or colour profiles, which belong to the page."""
    counter_style, color_profiles = shared["counter_style"], shared["color_profiles"]
    styles_before = _identities(counter_style)
    profiles_before = _identities(color_profiles)
    own_layers: list = []
    sheet = parse(string=string, font_config=font_config, page_rules=[], layers=own_layers,
                  counter_style=counter_style, color_profiles=color_profiles, **kwargs)
    if own_layers or _identities(counter_style) != styles_before or \
            _identities(color_profiles) != profiles_before:
        return None
    return sheet


def _identities(values: dict | None) -> dict:
    return {} if values is None else {name: id(value) for name, value in values.items()}
