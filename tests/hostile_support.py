"""Helpers for the hostile-input tests: edit a copy of the sample, run a build in a process of
its own and measure its time and peak memory (os.wait4: the build and its workers)."""

from __future__ import annotations

import atexit
import json
import re
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT

SERVER = r"""
import json, os, signal, sys, tempfile, time
import weasyprint  # what a build's workers import first thing, while the content is checked
from songngu.cli import main

with open(os.devnull, "w") as nowhere:  # warm: what any build reads (the fonts' maps) is read
    sys.stdout, sys.stderr = nowhere, nowhere
    main(["check", "--content", "content/asean-japan"])
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__

for line in sys.stdin:
    request = json.loads(line)
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the build: a process of its own, as warm as a fresh build.py
        code = 1
        try:
            os.environ.update(request["env"])
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
            sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
            signal.alarm(int(float(os.environ.get("HOSTILE_TIMEOUT", 60))))
            code = main(request["args"])
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status, usage = os.wait4(pid, 0)  # the build's usage, with the workers it reaped
    seconds = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    texts = []
    for file in (out, err):
        file.seek(0)
        texts.append(file.read().decode("utf-8", "replace"))
        file.close()
    print(json.dumps({"code": "timeout" if code == -signal.SIGALRM else code,
                      "out": texts[0], "err": texts[1], "seconds": seconds,
                      "cpu": usage.ru_utime + usage.ru_stime,
                      "peak": usage.ru_maxrss * 1024}), flush=True)
"""
"""Runs each build in a child forked from a process that has imported songngu.cli (what
build.py imports at start) and WeasyPrint (what the build's layout workers import at once,
whatever the input) and has checked the sample once (the fonts' character maps read), and
reports the child's time, processor time and peak memory
(``os.wait4``: the build and the worker processes it reaped). One interpreter starts for the
whole test run, instead of one per case, and what is measured is what the input costs."""


@dataclass
class Run:
    code: int | str
    out: str
    err: str
    seconds: float
    """Wall-clock time."""
    cpu: float
    """Processor time of the build and all its processes: what the input costs, whatever
    else the machine is doing."""
    peak: int
    """Peak resident memory of the largest process of the build, in bytes."""


_server: subprocess.Popen | None = None


def _measuring_server() -> subprocess.Popen:
    global _server
    if _server is None or _server.poll() is not None:
        _server = subprocess.Popen([sys.executable, "-c", SERVER], cwd=ROOT, text=True,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        atexit.register(_server.kill)
    return _server


def measured(*args: str, env: dict | None = None) -> Run:
    """``python build.py ARGS`` in a process of its own (forked warm: see ``SERVER``), with
    its time and peak memory."""
    server = _measuring_server()
    server.stdin.write(json.dumps({"args": list(args), "env": env or {}}) + "\n")
    server.stdin.flush()
    answer = server.stdout.readline()
    assert answer, "the measuring process ended"
    return Run(**json.loads(answer))


def edit(path: Path, pattern: str, replacement: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, lambda m: m.expand(replacement), text, count=count, flags=re.M)
    assert n, f"{pattern!r} not in {path}"
    path.write_text(new, encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def add_figure(folder: Path, file: str) -> int:
    """Declare figure 'chart' with ``file`` in document.yaml; the line of its ``file:``."""
    with (folder / "document.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"figures:\n  chart:\n    file: {json.dumps(file)}\n")
    return len((folder / "document.yaml").read_text(encoding="utf-8").splitlines())


def png_header(width: int, height: int, data: bytes = b"") -> bytes:
    """A PNG that declares ``width``×``height`` pixels, with ``data`` as its compressed pixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + \
            struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + \
        chunk(b"IEND", b"")


def snapshot(out: Path) -> dict[str, bytes]:
    """Every output file of an output folder, with its bytes (not the unfinished files of a
    killed build, which the next build removes)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and ".songngu-build-" not in str(p.relative_to(out))}
