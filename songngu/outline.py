"""A language's outline: its sections and blocks in reading order, and how messages name a block.

a Text's sections → every section (depth first) or every block, in the order a reader meets
them; a block and its section → ``block 2 (paragraph) of section 'introduction'``.
"""

from __future__ import annotations

from collections.abc import Iterator

from .model import BLOCK_NAMES, Block, Section


def block_name(block: Block, section: Section) -> str:
    """How messages name a block: "block 2 (paragraph) of section 'introduction'"."""
    return f"block {block.key.rpartition('/')[2]} ({BLOCK_NAMES[block.kind]}) of section " \
           f"{section.id!r}"


def iter_sections(sections: list[Section]) -> Iterator[Section]:
    """Every section, depth first, in reading order."""
    for section in sections:
        yield section
        yield from iter_sections(section.sections)


def iter_blocks(sections: list[Section]) -> Iterator[Block]:
    """Every block, in reading order."""
    for section in iter_sections(sections):
        yield from section.blocks
