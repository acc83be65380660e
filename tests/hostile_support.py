"""Helpers for the hostile-input tests: edit a copy of the sample, run a build in a process of
its own and measure its time and peak memory (resource.getrusage of the process tree)."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT

MEASURE = r"""
import json, resource, subprocess, sys, time
started = time.monotonic()
try:
    result = subprocess.run(sys.argv[2:], cwd=sys.argv[1], capture_output=True, text=True,
                            timeout=float(__import__("os").environ.get("HOSTILE_TIMEOUT", 60)))
    code, out, err = result.returncode, result.stdout, result.stderr
except subprocess.TimeoutExpired as exc:
    code, out, err = "timeout", str(exc.stdout), str(exc.stderr)
seconds = time.monotonic() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "out": out, "err": err, "seconds": seconds,
                  "cpu": usage.ru_utime + usage.ru_stime, "peak": usage.ru_maxrss * 1024}))
"""


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


def measured(*args: str, env: dict | None = None) -> Run:
    """``python build.py ARGS`` in a process of its own, with its time and peak memory."""
    import os
    command = [sys.executable, "-c", MEASURE, str(ROOT), sys.executable, str(ROOT / "build.py"),
               *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                            env={**os.environ, **(env or {})})
    return Run(**json.loads(result.stdout))


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
