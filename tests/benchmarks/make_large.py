"""Generate large content from the sample article, for the scale benchmark.

``make_large(folder, copies)``: one document whose body is the sample's sections repeated
``copies`` times (20 copies: about 200 pages). Every copy gets fresh ids for its sections and
tables, and its cross-references point into the same copy, so the document passes every check
in both languages. ``make_batch(content, count)``: ``count`` documents, each a copy of the
sample under a name of its own.

    python tests/benchmarks/make_large.py OUT_FOLDER [--copies 20] [--batch 0]
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

import yaml

SAMPLE = Path(__file__).resolve().parents[2] / "content" / "asean-japan"
XREF = re.compile(r"@(sec|tbl|fig):([A-Za-z0-9_-]+)")


def make_large(folder: Path, copies: int = 20, sample: Path = SAMPLE) -> Path:
    """Write a document of ``copies`` times the sample's body into ``folder``; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    shared = _load(sample / "document.yaml")
    # References and figures as they are; not the translation records (sync.yaml), which
    # name the sample's blocks: the copies' blocks are new.
    generated = {"document.yaml", "sync.yaml", *(f"{lang}.yaml" for lang in shared["languages"])}
    for name in sample.iterdir():
        if name.name not in generated:
            _copy(name, folder / name.name)
    tables = shared.get("tables", {})
    shared["tables"] = {_fresh(table, k): data for k in range(copies)
                        for table, data in tables.items()}
    _dump(shared, folder / "document.yaml")
    for lang in shared["languages"]:
        text = _load(sample / f"{lang}.yaml")
        text["sections"] = [_renamed(section, k) for k in range(copies)
                            for section in text["sections"]]
        text["tables"] = {_fresh(table, k): _renamed(words, k)
                          for k in range(copies) for table, words in text.get("tables", {}).items()}
        _dump(text, folder / f"{lang}.yaml")
    return folder


def make_batch(content: Path, count: int = 20, sample: Path = SAMPLE) -> list[Path]:
    """``count`` copies of the sample as separate documents in ``content``."""
    folders = []
    for n in range(1, count + 1):
        folder = content / f"{sample.name}-{n:02d}"
        shutil.copytree(sample, folder, dirs_exist_ok=True)
        folders.append(folder)
    return folders


def _fresh(name: str, copy: int) -> str:
    return name if copy == 0 else f"{name}-{copy + 1}"


def _renamed(value, copy: int):
    """A section (or any content) with the ids and cross-references of copy ``copy``."""
    if isinstance(value, dict):
        renamed = {key: _renamed(item, copy) for key, item in value.items()}
        if "id" in value and "title" in value:  # a section
            renamed["id"] = _fresh(value["id"], copy)
        if "table" in value and isinstance(value["table"], str):  # a table's place
            renamed["table"] = _fresh(value["table"], copy)
        return renamed
    if isinstance(value, list):
        return [_renamed(item, copy) for item in value]
    if isinstance(value, str):
        return XREF.sub(lambda m: f"@{m.group(1)}:{_fresh(m.group(2), copy)}", value)
    return value


def _load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dump(data, path: Path) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100),
                    encoding="utf-8")


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        shutil.copyfile(source, target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="content folder to write into")
    parser.add_argument("--copies", type=int, default=20,
                        help="times the sample's body is repeated (default 20: ~200 pages)")
    parser.add_argument("--batch", type=int, default=0,
                        help="also write this many copies of the sample as separate documents")
    args = parser.parse_args()
    print(make_large(args.out / "large", args.copies))
    for folder in make_batch(args.out, args.batch):
        print(folder)


if __name__ == "__main__":
    main()
