"""Render the translation status of documents as one HTML page for a managing editor.

[(document id, sync.Status)] → HTML: a summary table (per document and translation: blocks
in sync, stale, missing, changed since the last sync, untranslated), then, per document and
translation, every block that needs work, with where it stands in both files, what is wrong,
and the source's change since it was last marked in sync as a word diff (<del>/<ins>). The
page is self-contained: no script, no outside resource.
"""

from __future__ import annotations

from html import escape

from . import sync
from .worddiff import MARKED

CLASSES = {sync.IN_SYNC: "in-sync", sync.STALE: "stale", sync.MISSING: "missing",
           sync.CHANGED: "changed", sync.UNTRANSLATED: "untranslated"}
STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 75em; color: #222; }
table { border-collapse: collapse; width: 100%; margin: 1em 0 2em; }
th, td { border-bottom: 1px solid #ddd; padding: .35em .5em; text-align: left;
         vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.stale td:first-child { border-left: 4px solid #c80; }
tr.missing td:first-child { border-left: 4px solid #b00; }
tr.changed td:first-child { border-left: 4px solid #06c; }
tr.untranslated td:first-child { border-left: 4px solid #808; }
tr.extra td:first-child { border-left: 4px solid #666; }
del { background: #fdd; color: #900; } ins { background: #dfd; color: #060;
                                              text-decoration: none; }
code { font-size: 90%; }
"""


def render(documents: list[tuple[str, sync.Status]]) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           "<title>Translation status</title>", f"<style>{STYLE}</style></head><body>",
           "<h1>Translation status</h1>", '<table class="summary"><thead><tr>',
           "<th>Document</th><th>Language</th>",
           *(f"<th>{escape(state)}</th>" for state in sync.STATES),
           "<th>not in the source</th><th>blocks</th></tr></thead><tbody>"]
    for doc_id, status in documents:
        for lang in _translations(status):
            counts = status.counts(lang)
            cells = [escape(doc_id), escape(lang),
                     *(str(counts[state]) for state in sync.STATES),
                     str(len(status.extras.get(lang, []))), str(len(status.states))]
            out.append("<tr>" + "".join(
                f'<td{" class=n" if i > 1 else ""}>{cell}</td>' for i, cell in enumerate(cells))
                + "</tr>")
    out.append("</tbody></table>")
    for doc_id, status in documents:
        for lang in _translations(status):
            out.extend(_details(doc_id, lang, status))
    out.append("</body></html>\n")
    return "\n".join(out)


def _translations(status: sync.Status) -> list[str]:
    return [lang for lang in status.languages if lang != status.source_lang]


def _details(doc_id: str, lang: str, status: sync.Status) -> list[str]:
    out = [f'<h2 id="{escape(doc_id)}-{escape(lang)}">{escape(doc_id)}: {escape(lang)} '
           f'(translated from {escape(status.source_lang)})</h2>']
    if not status.tracked:
        out.append("<p>Not tracked yet: start with <code>python build.py sync --all</code>."
                   "</p>")
    out.append("<table><thead><tr><th>Block</th><th>State</th><th>Source</th>"
               "<th>Translation</th><th>What to do</th></tr></thead><tbody>")
    in_sync = []
    for pair in status.pairs:
        state = status.states[pair.key][lang]
        finding = status.details.get((pair.key, lang))
        if state == sync.IN_SYNC and finding is None:
            in_sync.append(pair.key)
            continue
        what = _what(finding, state, lang, status.source_lang)
        out.append(
            f'<tr id="{escape(doc_id)}-{escape(lang)}-{escape(pair.key)}" '
            f'class="{CLASSES[state]}"><td><code>{escape(pair.key)}</code><br>'
            f'{escape(pair.source.what)}</td><td>{escape(state)}</td>'
            f"<td>{escape(str(pair.source.where))}</td>"
            f"<td>{_place(status, pair, lang)}</td><td>{what}</td></tr>")
    for extra in status.extras.get(lang, []):
        out.append(
            f'<tr class="extra"><td>{escape(extra.unit.what)}</td><td>not in the source</td>'
            f"<td>{escape(str(extra.near))}</td><td>{escape(str(extra.unit.where))}</td>"
            f"<td>remove it, or restore its source</td></tr>")
    out.append("</tbody></table>")
    if in_sync:
        out.append(f"<details><summary>{len(in_sync)} blocks in sync</summary><p>"
                   + ", ".join(f"<code>{escape(key)}</code>" for key in in_sync)
                   + "</p></details>")
    return out


def _place(status: sync.Status, pair: sync.Pair, lang: str) -> str:
    """Where the translation stands, or where a missing one belongs."""
    unit = pair.translations.get(lang)
    if unit is not None:
        return escape(str(unit.where))
    if (pair.key, lang) in status.missing_at:
        where, how = status.missing_at[(pair.key, lang)]
        return f"{escape(str(where))} ({escape(how.replace('this line', 'that line'))})"
    return "—"


def _what(finding: sync.Finding | None, state: str, lang: str, source: str) -> str:
    if state == sync.MISSING:
        return f"translate it into {escape(lang)}"
    if finding is None:
        return ""
    parts = [escape(part) for part in finding.parts if not finding.diff or
             finding.diff not in part]
    if finding.diff:
        parts.insert(0, f"changed in {escape(source)}: {diff_html(finding.diff)}")
    if finding.command:
        parts.append(f"then: <code>{escape(finding.command)}</code>")
    return "<br>".join(parts)


def diff_html(diff: str) -> str:
    """A word diff (``[-old-]{+new+}``) as HTML."""
    out, at = [], 0
    for match in MARKED.finditer(diff):
        out.append(escape(diff[at:match.start()]))
        if match.group(1) is not None:
            out.append(f"<del>{escape(match.group(1))}</del>")
        else:
            out.append(f"<ins>{escape(match.group(2))}</ins>")
        at = match.end()
    out.append(escape(diff[at:]))
    return "".join(out)
