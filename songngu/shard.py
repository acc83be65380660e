"""Split a build over machines: ``--shard K/N`` → this machine's share of the documents.

a list of document (or issue) folders + ``K/N`` → the folders of shard K. A folder belongs to
the shard given by a stable hash of its name, so the N shards partition any set of folders,
every machine of a CI matrix, GNU parallel or a Slurm array agrees on the split without
talking to the others, and adding a document to the catalogue moves no other document to
another shard (its outputs, kept by that shard's incremental state, stay where they are).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .errors import SetupError

_SPEC = re.compile(r"^(\d+)/(\d+)$")


def parse(spec: str) -> tuple[int, int]:
    """``"2/8"`` → (2, 8): shard 2 of 8, counted from 1."""
    match = _SPEC.match(spec.strip())
    if match:
        k, n = int(match[1]), int(match[2])
        if 1 <= k <= n:
            return k, n
    raise SetupError(f"--shard {spec}: expected K/N with 1 ≤ K ≤ N, such as --shard 1/4 "
                     f"(this machine builds the first of four shares)")


def shard_of(name: str, count: int) -> int:
    """The shard (1…count) a document named ``name`` belongs to."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count + 1


def select(folders: list[Path], spec: str | None) -> list[Path]:
    """The folders of shard ``spec`` (all of them when ``spec`` is None), in their order."""
    if spec is None:
        return folders
    k, n = parse(spec)
    return [folder for folder in folders if shard_of(folder.name, n) == k]
