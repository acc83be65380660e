"""Start a new document: ``python build.py new myarticle`` → ``content/myarticle/``.

name + languages → a small, valid, commented document folder: ``document.yaml``, one
``<lang>.yaml`` per language (two title blocks on page 1, an abstract, two sections, a table,
a citation of the one reference), ``references.yaml`` and ``sync.yaml`` (the languages start
in sync, so ``check`` is clean at once). Each file opens with a ``yaml-language-server``
line naming its JSON Schema (copied into ``<content>/.schemas/``), so an editor completes and
checks fields while the user types. Nothing is overwritten: an existing folder is refused,
and the files appear together or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from pathlib import Path

from . import schema
from .errors import SetupError, display_path
from .model import ID_PATTERN
from .project import SHARED_FILE, suggest
from .write import write_text

DEFAULT_LANGUAGES = ("en", "vi")
SCHEMA_FOLDER = ".schemas"


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's too)."""
    return json.dumps(text, ensure_ascii=False)


STARTER = {
    "en": {
        "comment": """\
# The English text of the article. Every language file has the same shape: the same
# sections, in the same order, with the same kinds of block. Replace the text, keep the keys.
# Markup inside any text: *italic*, **bold**, m^2^ (superscript), [a link](https://…),
# citations [@id] (the id of a record of references.yaml), cross-references [@tbl:id],
# [@sec:id]. Write long text on the lines after '>-'; its line breaks are only spaces.""",
        "title": "The title of your article",
        "journal": None,
        "author": "Nguyen Van An",
        "affiliation": "Your university or institute",
        "abstract": "This is a starting template, written by the new command of songngu. "
                    "Replace this paragraph with the abstract of your article: what you "
                    "studied, how, and what you found.",
        "keywords": ["template", "bilingual article", "songngu"],
        "table": {"caption": "Sample figures (replace them with your own)",
                  "columns": ["Year", "Articles received", "Share accepted"],
                  "note": "Sample figures, for illustration only."},
        "sections": [
            ("introduction", "Introduction", [
                ("p", "This article was started from the template that songngu writes. "
                      "Replace each paragraph with your own text, in every language, and keep "
                      "the sections in the same order. A citation is the id of a source in "
                      "brackets; the program numbers the sources in the order they are first "
                      "cited [@nguyen2024]."),
                ("p", "A table keeps its figures once, in document.yaml; each language gives "
                      "its caption, its column headers and its note. [@tbl:results] shows how "
                      "the figures are printed in each language."),
                ("table", "results"),
            ]),
            ("conclusion", "Conclusion", [
                ("p", "When your text is written, check the article, then build its PDF and "
                      "HTML. The README describes every field of these files."),
                ("list", ["Write the text of each language.", "Check the article.",
                          "Build the PDF and the HTML."]),
            ]),
        ],
        "comments": {
            "authors": "each author's name as printed in this language, by the id of "
                       "document.yaml",
            "affiliations": "each affiliation's name in this language",
            "tables": "what this language says about each table of document.yaml",
            "sections": "the body: each section has an id (the same in every language), a "
                        "title (numbered by the program) and blocks: p, heading, quote, list, "
                        "ordered, table, figure",
        },
    },
    "vi": {
        "comment": """\
# Nội dung tiếng Việt của bài báo. Mọi tệp ngôn ngữ có cùng một cấu trúc: cùng các mục, theo
# cùng thứ tự, với cùng loại khối. Hãy thay nội dung, giữ nguyên các khóa.
# Định dạng trong văn bản: *nghiêng*, **đậm**, m^2^ (chỉ số trên), [liên kết](https://…),
# trích dẫn [@mã] (mã của một tài liệu trong references.yaml), tham chiếu chéo [@tbl:mã],
# [@sec:mã]. Viết đoạn dài trên các dòng sau '>-'; chỗ xuống dòng trong đó chỉ là dấu cách.""",
        "title": "Tiêu đề bài báo của bạn",
        "journal": None,
        "author": "Nguyễn Văn An",
        "affiliation": "Trường đại học hoặc viện nghiên cứu của bạn",
        "abstract": "Đây là bản mẫu khởi đầu do lệnh new của songngu tạo ra. Hãy thay đoạn "
                    "này bằng phần tóm tắt của bài báo: bạn đã nghiên cứu vấn đề gì, bằng "
                    "cách nào và kết quả ra sao.",
        "keywords": ["bản mẫu", "bài báo song ngữ", "songngu"],
        "table": {"caption": "Số liệu mẫu (hãy thay bằng số liệu của bạn)",
                  "columns": ["Năm", "Số bài nhận được", "Tỷ lệ được chấp nhận"],
                  "note": "Số liệu mẫu, chỉ để minh họa."},
        "sections": [
            ("introduction", "Mở đầu", [
                ("p", "Bài báo này được tạo từ bản mẫu của songngu. Hãy thay mỗi đoạn văn "
                      "bằng nội dung của bạn, ở mọi ngôn ngữ, và giữ các mục theo đúng thứ tự. "
                      "Trích dẫn là mã của tài liệu đặt trong ngoặc vuông; chương trình tự "
                      "đánh số tài liệu theo thứ tự được trích dẫn lần đầu [@nguyen2024]."),
                ("p", "Số liệu của một bảng chỉ được lưu một lần, trong document.yaml; mỗi "
                      "ngôn ngữ ghi tên bảng, tên các cột và ghi chú của bảng. [@tbl:results] "
                      "cho thấy số liệu được trình bày theo cách viết của từng ngôn ngữ."),
                ("table", "results"),
            ]),
            ("conclusion", "Kết luận", [
                ("p", "Khi đã viết xong, hãy kiểm tra bài báo rồi dựng tệp PDF và HTML. Tệp "
                      "README mô tả mọi trường của các tệp này."),
                ("list", ["Viết nội dung cho từng ngôn ngữ.", "Kiểm tra bài báo.",
                          "Dựng tệp PDF và tệp HTML."]),
            ]),
        ],
        "comments": {
            "authors": "tên của từng tác giả, viết bằng ngôn ngữ này, theo mã trong "
                       "document.yaml",
            "affiliations": "tên của từng cơ quan, viết bằng ngôn ngữ này",
            "tables": "phần chữ của từng bảng trong document.yaml, bằng ngôn ngữ này",
            "sections": "phần thân bài: mỗi mục có mã (giống nhau ở mọi ngôn ngữ), tiêu đề "
                        "(chương trình tự đánh số) và các khối: p, heading, quote, list, "
                        "ordered, table, figure",
        },
    },
}
"""The starter text of each language songngu can start a document in."""


def create(content: Path, name: str, languages: list[str] | None = None,
           today: dt.date | None = None) -> list[str]:
    """Write the new document ``content/name``; return what to tell the user."""
    languages = _languages(languages)
    if not ID_PATTERN.match(name):
        raise SetupError(f"new: expected a name of lowercase letters, digits, '-' or '_' "
                         f"(it names the folder and the outputs), found {name!r}")
    if (content / SHARED_FILE).is_file():
        raise SetupError(f"new: {display_path(content)} is a document, not a content folder; "
                         f"nothing was written (give the folder that holds the documents: "
                         f"--content {display_path(content.parent)})")
    folder = content / name
    if folder.exists():
        raise SetupError(f"new: {display_path(folder)} already exists; nothing was written "
                         f"(choose another name, or delete the folder first)")
    files = {SHARED_FILE: document_yaml(languages, today or dt.date.today())}
    files |= {f"{lang}.yaml": text_yaml(lang) for lang in languages}
    files["references.yaml"] = REFERENCES
    content.mkdir(parents=True, exist_ok=True)
    _write_schemas(content)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=content))
    try:
        for file, text in files.items():
            (staging / file).write_text(text, encoding="utf-8")
        _mark_in_sync(staging)
        os.chmod(staging, 0o777 & ~_umask())
        os.rename(staging, folder)  # every file at once; refused if the folder appeared
    except OSError as exc:
        raise SetupError(f"new: cannot write {display_path(folder)}: {exc.strerror}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shown = display_path(folder)
    return [f"wrote {shown}/: {', '.join(list(files) + ['sync.yaml'])}",
            "next: edit the files (your editor completes and checks their fields if it knows "
            "yaml-language-server), then",
            f"  {suggest('check', folder)}",
            f"  {suggest('build', folder, '--lang', languages[0])}"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _languages(languages: list[str] | None) -> list[str]:
    chosen = [code.strip() for code in languages] if languages else list(DEFAULT_LANGUAGES)
    unknown = [code for code in chosen if code not in STARTER]
    if unknown or not chosen:
        raise SetupError(f"new: songngu has starter text in {', '.join(STARTER)}; found "
                         f"{', '.join(map(repr, unknown or ['']))} (start in those, then add "
                         f"a language as the README says under 'Labels and languages')")
    if len(set(chosen)) != len(chosen):
        raise SetupError(f"new: --languages {','.join(chosen)} lists a language twice")
    return chosen


def _schema_line(kind: str) -> str:
    return f"# yaml-language-server: $schema=../{SCHEMA_FOLDER}/{schema.file_name(kind)}\n"


def _write_schemas(content: Path) -> None:
    """Copy the JSON Schemas next to the documents, where the files' first lines point."""
    target = content / SCHEMA_FOLDER
    target.mkdir(exist_ok=True)
    for kind in schema.KINDS:
        write_text(target / schema.file_name(kind), schema.packaged_text(kind))


def document_yaml(languages: list[str], today: dt.date) -> str:
    return _schema_line("document") + f"""\
# What every language of this article shares (stored once): the languages, the journal,
# the dates, the authors' ids and emails, and the figures of each table. The text of each
# language is in {', '.join(f'{lang}.yaml' for lang in languages)}; README.md describes every field
# ("The content format"). This file was written by songngu new as a starting template.
# languages: the first is compared with the others, and its title block comes first.
languages: [{', '.join(languages)}]
journal:
  name: Journal of Example Studies    # the journal's name; a language file may translate it
  email: editor@example.org
  volume: 1
  issue: "01"                         # quoted: 01 would be read as the number 1
first_page: 1                         # the printed number of the first page
dates:                                # YYYY-MM-DD; received ≤ revised ≤ accepted ≤ published
  received: {today.isoformat()}
authors:
  - id: an                            # lowercase letters, digits, - or _
    # The author's name, as printed in each language, is in each language file.
    email: an.nguyen@example.org
    corresponding: true
    affiliations: [univ]              # names are in each language file, under affiliations
tables:
  results:                            # placed with '- table: results'; captions per language
    # columns: one {{kind, pattern}} per column; kind: year, number, percent or text.
    columns:
      - {{kind: year}}
      - {{kind: number, pattern: "#,##0"}}
      - {{kind: percent, pattern: "#,##0.0%"}}  # a cell holds the percentage: 45.5
    rows:                             # one cell per column; ~ leaves a cell empty
      - [2022, 1240, 45.5]
      - [2023, 1482, 52]
"""


def text_yaml(lang: str) -> str:
    text = STARTER[lang]
    notes = text["comments"]
    table = text["table"]
    lines = [_schema_line("text").rstrip("\n"), text["comment"],
             "# " + ("This file was written by songngu new as a starting template."
                     if lang == "en" else "Tệp này do lệnh songngu new tạo ra làm bản mẫu "
                                          "khởi đầu."),
             f"title: {q(text['title'])}",
             f"authors:                 # {notes['authors']}",
             f"  an: {q(text['author'])}",
             f"affiliations:            # {notes['affiliations']}",
             f"  univ: {q(text['affiliation'])}",
             "abstract: >-", *_wrapped(text["abstract"], "  "),
             f"keywords: [{', '.join(q(k) for k in text['keywords'])}]",
             f"tables:                  # {notes['tables']}",
             "  results:",
             f"    caption: {q(table['caption'])}",
             f"    columns: [{', '.join(q(c) for c in table['columns'])}]",
             f"    note: {q(table['note'])}",
             f"sections:                # {notes['sections']}"]
    for section_id, title, blocks in text["sections"]:
        lines += [f"  - id: {section_id}", f"    title: {q(title)}", "    blocks:"]
        for kind, value in blocks:
            if kind == "p":
                lines += ["      - p: >-", *_wrapped(value, "          ")]
            elif kind == "list":
                lines += ["      - list:", *(f"          - {q(item)}" for item in value)]
            else:
                lines.append(f"      - {kind}: {value}")
    return "\n".join(lines) + "\n"


def _wrapped(text: str, indent: str, width: int = 92) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(indent) + len(line) + 1 + len(word) > width:
            lines.append(indent + line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [indent + line]


REFERENCES = _schema_line("references") + """\
# The sources cited in the article, as CSL-JSON records written in YAML (field names of
# CSL-JSON: type, author, title, container-title, publisher, issued, URL, DOI, …). One record
# serves every language; the style (document.yaml: style, ieee by default) formats the list.
# Cite a record by its id: [@nguyen2024]. This record is a sample: replace it with your own.
- id: nguyen2024
  type: book
  author:
    - {family: Nguyễn, given: Văn An}
  title: Writing a bilingual journal article, a sample reference
  publisher: Example Publishing House
  publisher-place: Hanoi
  issued: 2024
"""


def _mark_in_sync(folder: Path) -> None:
    """Record every block as in sync: the languages of a new document say the same thing."""
    from . import pipeline, sync, write

    checked = pipeline.check_document(folder, False, None)
    sync.mark_and_write(checked.doc, None, None, write.write_text)
