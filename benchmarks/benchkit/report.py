"""Side-by-side tables with ratios and targets."""

from __future__ import annotations

from collections.abc import Sequence


def speedup(original: float, ours: float) -> float:
    """How many times less time (or CPU) ours needs than the original."""
    return original / ours if ours > 0 else float("inf")


def verdict(ratio: float, target: float) -> str:
    """``"yes"`` when ``ratio`` reaches ``target``, else ``"NO"`` (loud on purpose)."""
    return "yes" if ratio >= target else "NO"


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table: first column left-aligned, the numbers right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = [cell.rjust(width) for cell, width in zip(cells, widths, strict=True)]
        padded[0] = cells[0].ljust(widths[0])
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])
