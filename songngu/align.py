"""Find which block of one sequence is which block of another, by content, not by position.

two sequences + a scoring function → pairs (i, j). Used across languages (a paragraph and its
translation: same kind, same citations, numbers and cross-references, comparable length) and
across versions (the source as last marked in sync and the source today: text similarity).
Inserting, deleting or moving one block leaves every other pair as it was.

The alignment maximises the total score of pairs kept in order (the Needleman–Wunsch
recurrence with free gaps), then pairs what is left out of order when the score says the two
are clearly the same block (a move). :func:`moved` tells which pairs stand out of order.
"""

from __future__ import annotations

import difflib
import itertools
from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")

MAX_CELLS = 250_000
"""The in-order alignment is quadratic: a section with more block pairs than this is aligned
by greedy best match alone, so no input can make the check slow."""


def align(a: Sequence[A], b: Sequence[B], score: Callable[[A, B], float],
          threshold: float, move_threshold: float | None = None,
          fixed: dict[int, int] | None = None) -> dict[int, int]:
    """Pairs ``a`` index → ``b`` index.

    ``fixed`` pairs are known already (same id, same recorded fingerprint) and kept; the rest
    is aligned in order between them by ``score`` (a pair needs at least ``threshold``), and
    what remains is paired out of order when it scores ``move_threshold`` or more.
    """
    pairs = dict(fixed or {})
    free_a = [i for i in range(len(a)) if i not in pairs]
    taken = set(pairs.values())
    free_b = [j for j in range(len(b)) if j not in taken]
    # Align in order within each stretch between fixed pairs that are themselves in order.
    anchors = sorted((i, pairs[i]) for i in _in_order(pairs))
    bounds = [(-1, -1), *anchors, (len(a), len(b))]
    for (a0, b0), (a1, b1) in itertools.pairwise(bounds):
        xs = [i for i in free_a if a0 < i < a1]
        ys = [j for j in free_b if b0 < j < b1]
        for x, y in _in_order_pairs(xs, ys, a, b, score, threshold):
            pairs[x] = y
    if move_threshold is not None:
        left_a = [i for i in range(len(a)) if i not in pairs]
        taken = set(pairs.values())
        left_b = [j for j in range(len(b)) if j not in taken]
        if len(left_a) * len(left_b) > MAX_CELLS:  # too many to compare: no moves found
            left_a, left_b = [], []
        candidates = sorted(((score(a[i], b[j]), i, j) for i in left_a for j in left_b),
                            key=lambda c: -c[0])
        used_a: set[int] = set()
        used_b: set[int] = set()
        for value, i, j in candidates:
            if value >= move_threshold and i not in used_a and j not in used_b:
                pairs[i] = j
                used_a.add(i)
                used_b.add(j)
    return pairs


def _in_order_pairs(xs: list[int], ys: list[int], a, b, score, threshold) -> list[tuple[int, int]]:
    if not xs or not ys:
        return []
    if len(xs) * len(ys) > MAX_CELLS:
        return _greedy(xs, ys, a, b, score, threshold)
    n, m = len(xs), len(ys)
    scores = [[score(a[x], b[y]) for y in ys] for x in xs]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for p in range(n - 1, -1, -1):
        for q in range(m - 1, -1, -1):
            s = scores[p][q]
            take = best[p + 1][q + 1] + s if s >= threshold else float("-inf")
            best[p][q] = max(take, best[p + 1][q], best[p][q + 1])
    pairs, p, q = [], 0, 0
    while p < n and q < m:
        s = scores[p][q]
        if s >= threshold and best[p][q] == best[p + 1][q + 1] + s:
            pairs.append((xs[p], ys[q]))
            p, q = p + 1, q + 1
        elif best[p][q] == best[p + 1][q]:
            p += 1
        else:
            q += 1
    return pairs


def _greedy(xs, ys, a, b, score, threshold) -> list[tuple[int, int]]:
    pairs, used = [], set()
    for x in xs:
        found = max(((score(a[x], b[y]), y) for y in ys if y not in used), default=None)
        if found and found[0] >= threshold:
            pairs.append((x, found[1]))
            used.add(found[1])
    return pairs


def _in_order(pairs: dict[int, int]) -> set[int]:
    """The ``a`` indices of a longest run of pairs whose ``b`` indices rise with them."""
    items = sorted(pairs.items())
    tails: list[int] = []          # smallest b ending a rising run of each length
    tail_at: list[int] = []        # index into items of that tail
    before: list[int] = [-1] * len(items)
    for k, (_, j) in enumerate(items):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[pos] = j
            tail_at[pos] = k
        before[k] = tail_at[pos - 1] if pos else -1
    keep: set[int] = set()
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        keep.add(items[k][0])
        k = before[k]
    return keep


def moved(pairs: dict[int, int]) -> set[int]:
    """The ``a`` indices of pairs that stand out of order: the fewest that explain a move."""
    return set(pairs) - _in_order(pairs)


def similarity(old: str, new: str) -> float:
    """How much of two texts is the same, word by word: 1.0 for equal, 0.0 for nothing shared."""
    a, b = old.split(), new.split()
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
