"""THE one place for small-cell suppression: counts of fewer than ``k`` students are hidden, with
complementary suppression so a hidden count cannot be worked back from the totals, subtotals and rates
shown beside it.

Use it for every table of student counts the app shows or exports::

    result = suppress(sites, k=campaign.k, counts=("learners_joined", "learners_completed"),
                      rates={"student_completion": ("learners_completed", "expected_students")},
                      groups=("district", "site_type"))
    result.values        # the table with hidden cells as <NA> (numbers stay numbers: charts, XLSX)
    result.hidden        # True where a count or rate is hidden
    result.totals        # column totals over every row (None when hidden), e.g. the KPI row
    result.subtotals["district"]   # one row per district, hidden subtotals and their rates <NA>
    result.display(number=str, percent=lambda r: f"{r:.1%}")   # strings: "<5", "*" or the value

The model (what a reader of the screen knows):

- A count from 1 to k−1 is hidden and shown as ``<k`` (*primary*). Zero is shown: "not started" must be
  visible, and a zero reveals nobody.
- Every total that is shown is an equation: the whole column (``totals``, when ``total=True``), each
  group's subtotal for every column listed in ``groups`` (a district chart beside a table of sites), and
  the subtotals again summing to the total. If the hidden cells of an equation could be solved from it
  (one hidden cell, or bounds that pin a value: two hidden cells summing to 2 are both 1), the smallest
  non-zero visible cell of that equation is hidden too (*complementary*, shown as ``*``: it is not small,
  so it must not claim "<k"); if there is none, the equation's total is hidden instead.
- A rate is hidden with its numerator or denominator, whether for a row, a subtotal or the total: a rate
  beside a shown denominator is the count (0.752% × 133 expected students is one child).

Columns are independent (no figure shown adds counts across columns). Suppress the whole table a
viewer may see once, then filter rows: filtering only hides more.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

PRIMARY = 1  # hidden because it counts 1..k-1 students
COMPLEMENTARY = 2  # hidden so that a primary cell cannot be worked out
COMPLEMENT_MARK = "*"


def small_label(k: int) -> str:
    """How a count hidden for being small is shown: ``<k``."""
    return f"<{k}"


def is_small(value: float | int | None, k: int) -> bool:
    """Whether a count must be hidden by itself: from 1 to k−1 (zero and missing are not)."""
    return value is not None and not pd.isna(value) and 0 < value < k


@dataclass(frozen=True)
class Suppressed:
    """A table of counts after suppression: values with <NA> where hidden, which cells, and totals."""

    k: int
    values: pd.DataFrame
    kinds: pd.DataFrame  # 0 shown, PRIMARY or COMPLEMENTARY, for every count and rate column
    totals: dict[str, float | None]
    total_kinds: dict[str, int]
    subtotals: dict[str, pd.DataFrame] = field(default_factory=dict)
    subtotal_kinds: dict[str, pd.DataFrame] = field(default_factory=dict)
    rates: tuple[str, ...] = ()

    @property
    def hidden(self) -> pd.DataFrame:
        """True where a count or rate is hidden."""
        return self.kinds > 0

    def mark(self, kind: int) -> str:
        """The text shown instead of a hidden value of this kind."""
        return small_label(self.k) if kind == PRIMARY else COMPLEMENT_MARK

    def display(
        self, number: Callable[[float], str] = lambda v: f"{int(v):,}", percent: Callable[[float], str] = lambda r: f"{r:.1%}"
    ) -> pd.DataFrame:
        """The table as display-ready strings: hidden cells ``<k`` or ``*``, never None or NaN."""
        return _display(self.values, self.kinds, self.k, set(self.rates), number, percent)

    def subtotal_display(
        self,
        group: str,
        number: Callable[[float], str] = lambda v: f"{int(v):,}",
        percent: Callable[[float], str] = lambda r: f"{r:.1%}",
    ) -> pd.DataFrame:
        """One grouping's subtotal table as display-ready strings."""
        return _display(self.subtotals[group], self.subtotal_kinds[group], self.k, set(self.rates), number, percent)

    def total_text(self, column: str, fmt: Callable[[float], str] = lambda v: f"{int(v):,}") -> str:
        """A total as text: the value, or its hidden mark."""
        kind = self.total_kinds.get(column, 0)
        return self.mark(kind) if kind else fmt(self.totals[column])


def suppress(
    frame: pd.DataFrame,
    *,
    k: int,
    counts: Sequence[str],
    rates: Mapping[str, tuple[str, str]] | None = None,
    groups: Sequence[str] = (),
    total: bool = True,
) -> Suppressed:
    """Suppress ``counts`` of ``frame`` below ``k`` with complementary cells; compute and hide ``rates``.

    ``rates`` maps a rate column to ``(numerator, denominator)`` columns (computed here, 0.0 when the
    denominator is 0). ``groups`` lists columns whose subtotals are shown somewhere (a chart by district);
    ``total`` says whether column totals are shown (KPIs). Returns values, kinds, totals and subtotals.
    """
    rates = dict(rates or {})
    out = frame.copy()
    n = len(out)
    # Columns are built as numpy arrays and put into frames once: column-by-column pandas assignment cost
    # most of a small table's suppression (My site, every rerun).
    kind_of: dict[str, np.ndarray] = {}
    totals: dict[str, float | None] = {}
    total_kinds: dict[str, int] = {}
    codes = [pd.factorize(out[g], sort=True) for g in groups]
    sub_kinds = {
        g: pd.DataFrame(0, index=pd.Index(uniques, name=g), columns=[*counts, *rates], dtype="int8")
        for g, (_, uniques) in zip(groups, codes, strict=True)
    }
    for column in counts:
        values = out[column].fillna(0).to_numpy(dtype=float) if n else np.zeros(0)
        cell, subs, total_kind = _protect_column(values, k, [c for c, _ in codes], total)
        kind_of[column] = cell
        total_kinds[column] = total_kind
        totals[column] = float(values.sum())
        for g, sub in zip(groups, subs, strict=True):
            sub_kinds[g][column] = sub

    subtotals: dict[str, pd.DataFrame] = {}
    denominators = {d for _, d in rates.values()}
    summed = [c for c in dict.fromkeys([*counts, *(n for n, _ in rates.values()), *denominators]) if c in out]
    for g in groups:
        table = out.groupby(g, sort=True)[summed].sum()
        subtotals[g] = table
    for column in {*summed} - set(counts):
        totals[column] = float(out[column].fillna(0).sum())
        total_kinds[column] = 0

    rate_values: dict[str, pd.Series] = {}
    for rate, (num, den) in rates.items():
        rate_values[rate] = _ratio(out[num], out[den])
        parts = [kind_of[c] for c in (num, den) if c in kind_of]
        kind_of[rate] = np.maximum.reduce(parts).astype("int8") if parts else np.zeros(n, dtype="int8")
        totals[rate] = (totals[num] / totals[den]) if totals.get(den) else 0.0
        total_kinds[rate] = max(total_kinds.get(num, 0), total_kinds.get(den, 0))
        for g in groups:
            subtotals[g][rate] = _ratio(subtotals[g][num], subtotals[g][den])
            sub_kinds[g][rate] = _rate_kind(sub_kinds[g], num, den)

    kinds = pd.DataFrame({c: kind_of[c].astype("int8") for c in [*counts, *rates]}, index=out.index, columns=[*counts, *rates])
    masked = {c: _masked(rate_values[c] if c in rate_values else out[c], kind_of[c] > 0) for c in kinds.columns}
    order = [*out.columns, *(r for r in rates if r not in out.columns)]
    out = pd.DataFrame({c: masked[c] if c in masked else out[c] for c in order}, index=out.index, columns=order)
    for g in groups:
        for column in sub_kinds[g].columns:
            subtotals[g][column] = _masked(subtotals[g][column], sub_kinds[g][column] > 0)
    for column, kind in total_kinds.items():
        if kind:
            totals[column] = None
    return Suppressed(
        k=k,
        values=out,
        kinds=kinds,
        totals=totals,
        total_kinds=total_kinds,
        subtotals=subtotals,
        subtotal_kinds=sub_kinds,
        rates=tuple(rates),
    )


def suppress_value(value: float | int, k: int) -> float | None:
    """A single count shown alone (no total beside it): None when it counts 1..k−1 students."""
    return None if is_small(value, k) else value


def hidden_text(value: float | int, k: int, fmt: Callable[[float], str] = lambda v: f"{int(v):,}") -> str:
    """A single count shown alone, as text: ``<k`` when small."""
    return small_label(k) if is_small(value, k) else fmt(value)


# --- the algorithm ------------------------------------------------------------------------------


def _protect_column(values: np.ndarray, k: int, groupings: list[np.ndarray], total_shown: bool) -> tuple[np.ndarray, list[np.ndarray], int]:
    """Kinds of every cell, of every subtotal per grouping, and of the total, for one column of counts."""
    kind = np.where((values > 0) & (values < k), PRIMARY, 0).astype("int8")
    subtotal_values = [np.bincount(codes, weights=values) if len(codes) else np.zeros(0) for codes in groupings]
    sub_kind = [np.where((s > 0) & (s < k), PRIMARY, 0).astype("int8") for s in subtotal_values]
    total_value = float(values.sum())
    total_kind = 0 if total_shown and not is_small(total_value, k) else (PRIMARY if is_small(total_value, k) else COMPLEMENTARY)
    members = [[np.flatnonzero(codes == g) for g in range(len(s))] for codes, s in zip(groupings, subtotal_values, strict=True)]
    everyone = np.arange(len(values))

    for _ in range(10 * len(values) + 10):  # each pass hides one more figure or stops
        changed = False
        # A hidden subtotal must have a hidden member, or its visible members add up to it.
        for gi, groups in enumerate(members):
            for g, rows in enumerate(groups):
                if sub_kind[gi][g] and subtotal_values[gi][g] > 0 and not kind[rows].any():
                    changed |= _hide_smallest(values, kind, rows)
        # Every shown total (the column's, each shown subtotal) must not give a hidden cell away.
        # Groups first, the whole column last: a complement inside the group also protects the column.
        lines = []
        for gi, groups in enumerate(members):
            lines += [(rows, subtotal_values[gi][g], sub_kind[gi][g] == 0, (gi, g)) for g, rows in enumerate(groups)]
        lines.append((everyone, total_value, total_kind == 0, None))
        for rows, line_total, shown, where in lines:
            if not shown or not _unsafe(values[rows], kind[rows], line_total, k):
                continue
            if not _hide_smallest(values, kind, rows):
                if where is None:
                    total_kind = COMPLEMENTARY
                else:
                    sub_kind[where[0]][where[1]] = COMPLEMENTARY
            changed = True
            break
        if changed:
            continue
        # The subtotals of a grouping add up to the total: the same rule one level up.
        if total_kind == 0:
            for gi, sub in enumerate(subtotal_values):
                if _unsafe(sub, sub_kind[gi], total_value, k):
                    if not _hide_smallest(sub, sub_kind[gi], np.arange(len(sub))):
                        total_kind = COMPLEMENTARY
                    changed = True
                    break
        if changed:
            continue
        # Equations combine (a district and a type share cells): propagate bounds through all of them.
        pinned = _pinned(values, kind, k, [(rows, line_total) for rows, line_total, shown, _ in lines if shown])
        if pinned is None:
            break
        rows, line_total, where = next((r, t, w) for r, t, shown, w in lines if shown and pinned in r)
        if not _hide_smallest(values, kind, rows):
            if where is None:
                total_kind = COMPLEMENTARY
            else:
                sub_kind[where[0]][where[1]] = COMPLEMENTARY
    return kind, sub_kind, total_kind


def _pinned(values: np.ndarray, kind: np.ndarray, k: int, equations: list[tuple[np.ndarray, float]]) -> int | None:
    """A hidden cell whose value follows from the shown totals together (bounds propagation), or None."""
    hidden = np.flatnonzero(kind)
    if not len(hidden):
        return None
    low = {int(i): bounds(int(kind[i]), k)[0] for i in hidden}
    high = {int(i): bounds(int(kind[i]), k)[1] for i in hidden}
    relevant = []
    for rows, line_total in equations:
        members = [int(i) for i in rows if kind[i]]
        if members:
            relevant.append((members, line_total - float(values[rows][kind[rows] == 0].sum())))
    for _ in range(50):
        moved = False
        for members, rest in relevant:
            low_sum = sum(low[i] for i in members)
            high_sum = sum(high[i] for i in members)
            for i in members:
                lo = max(low[i], rest - (high_sum - high[i]))
                hi = min(high[i], rest - (low_sum - low[i]))
                if lo > low[i] or hi < high[i]:
                    low[i], high[i], moved = lo, hi, True
        if not moved:
            break
    return next((i for i in low if high[i] - low[i] < 1), None)


def _hide_smallest(values: np.ndarray, kind: np.ndarray, rows: np.ndarray) -> bool:
    """Hide the smallest non-zero visible cell among ``rows`` (complementary); False if there is none."""
    candidates = rows[(kind[rows] == 0) & (values[rows] > 0)]
    if not len(candidates):
        return False
    kind[candidates[np.argmin(values[candidates])]] = COMPLEMENTARY
    return True


def bounds(kind: int, k: int) -> tuple[float, float]:
    """What a reader knows of a hidden cell: 1..k−1 for ``<k``, at least k for ``*``."""
    return (1.0, k - 1.0) if kind == PRIMARY else (float(k), math.inf)


def _unsafe(values: np.ndarray, kind: np.ndarray, line_total: float, k: int) -> bool:
    """Whether the hidden cells of one equation (cells summing to a shown total) can be pinned down."""
    hidden = kind > 0
    count = int(hidden.sum())
    if count == 0:
        return False
    if count == 1:
        return True
    rest = line_total - float(values[~hidden].sum())
    lows, highs = zip(*(bounds(int(c), k) for c in kind[hidden]), strict=True)
    low_sum, high_sum = sum(lows), sum(highs)
    for low, high in zip(lows, highs, strict=True):
        lo = max(low, rest - (high_sum - high))
        hi = min(high, rest - (low_sum - low))
        if hi - lo < 1:  # one possible value: the reader knows it
            return True
    return False


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den as Float64, 0.0 where the denominator is 0 or either is missing."""
    top = num.to_numpy(dtype="float64", na_value=np.nan)
    bottom = den.to_numpy(dtype="float64", na_value=np.nan)
    defined = (bottom != 0) & ~np.isnan(bottom) & ~np.isnan(top)
    values = np.divide(top, bottom, out=np.zeros(len(top)), where=defined)
    return pd.Series(pd.arrays.FloatingArray(values, np.zeros(len(values), dtype=bool)), index=num.index)


def _rate_kind(kinds: pd.DataFrame, num: str, den: str) -> pd.Series:
    parts = [kinds[c] for c in (num, den) if c in kinds]
    out = parts[0].copy() if parts else pd.Series(0, index=kinds.index, dtype="int8")
    for part in parts[1:]:
        out = np.maximum(out, part)
    return out.astype("int8")


def _masked(series: pd.Series, hide: pd.Series) -> pd.Series:
    # Built from numpy arrays: pandas' astype and mask cost ~0.3 ms a column, most of a small table's suppression.
    hidden = np.asarray(hide, dtype=bool)
    if pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(values)
        array = pd.arrays.FloatingArray(np.where(missing, 0.0, values), missing | hidden)
    else:
        array = pd.arrays.IntegerArray(series.fillna(0).to_numpy(dtype="int64"), hidden.copy())
    return pd.Series(array, index=series.index, name=series.name)


def _display(
    values: pd.DataFrame, kinds: pd.DataFrame, k: int, rates: set[str], number: Callable[[float], str], percent: Callable[[float], str]
) -> pd.DataFrame:
    out = values.copy().astype(object)
    for column in kinds.columns:
        fmt = percent if column in rates else number
        marks = [small_label(k) if c == PRIMARY else COMPLEMENT_MARK for c in kinds[column]]
        shown = values[column]
        out[column] = [mark if c else fmt(v) for mark, c, v in zip(marks, kinds[column], shown, strict=True)]
    return out
