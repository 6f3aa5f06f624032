"""Counts of hostile inputs the security tests tried, printed in pytest's summary with what happened to them."""

from __future__ import annotations

from collections import Counter

_tried: Counter[tuple[str, str]] = Counter()


def tally(kind: str, count: int = 1, outcome: str = "all refused with a located error") -> None:
    """Record that a test tried ``count`` hostile inputs of ``kind`` and saw ``outcome`` for every one."""
    _tried[(kind, outcome)] += count


def summary() -> list[str]:
    """One line per kind, for the terminal summary (empty when no security test ran)."""
    return [f"{kind}: {count:,} tried, {outcome}" for (kind, outcome), count in sorted(_tried.items())]
