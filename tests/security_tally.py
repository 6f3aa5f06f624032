"""Counts of hostile inputs, guesses and cross-scope attempts the security tests tried, printed in pytest's summary
with what happened to them. A test tallies only after asserting the outcome, so every count was seen, not assumed."""

from __future__ import annotations

from collections import Counter

_tried: Counter[tuple[str, str]] = Counter()


def tally(kind: str, count: int = 1, outcome: str = "all refused with a located error") -> None:
    """Record that a test tried ``count`` hostile inputs of ``kind`` and saw ``outcome`` for every one."""
    _tried[(kind, outcome)] += count


# Totals the issue asks the summary to state: every kind whose name starts with one of these.
TOTALS = {"parallel ": "parallel guesses", "cross-scope attempts": "cross-scope attempts"}


def summary() -> list[str]:
    """One line per kind, then the totals of parallel guesses and cross-scope attempts (empty when no security test ran)."""
    lines = [f"{kind}: {count:,} tried, {outcome}" for (kind, outcome), count in sorted(_tried.items())]
    for prefix, name in TOTALS.items():
        kinds = {(kind, outcome): count for (kind, outcome), count in _tried.items() if kind.startswith(prefix)}
        if kinds:
            refused = all(outcome.startswith("all refused") for _, outcome in kinds)
            lines.append(f"in all, {name}: {sum(kinds.values()):,} tried, {'all refused' if refused else 'see each kind above'}")
    return lines
