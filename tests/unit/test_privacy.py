"""Small-cell suppression: hidden cells cannot be recovered from the totals, subtotals and rates shown."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pandas as pd
import pytest

from safeclass.privacy import COMPLEMENTARY, PRIMARY, hidden_text, suppress


def _table(values, districts, types, expected=None) -> pd.DataFrame:
    return pd.DataFrame({"district": districts, "type": types, "completed": values, "expected": expected or [133] * len(values)})


def test_a_small_count_its_complement_and_their_rates_are_hidden_hand_computed() -> None:
    frame = _table([60, 2, 250, 230, 0], ["Mapo", "Gangnam", "Mapo", "Gangnam", "Gangnam"], ["m", "m", "h", "m", "e"])
    result = suppress(frame, k=5, counts=["completed"], rates={"rate": ("completed", "expected")}, groups=["district", "type"])
    assert result.kinds["completed"].tolist() == [0, PRIMARY, 0, COMPLEMENTARY, 0]
    assert result.kinds["rate"].tolist() == [0, PRIMARY, 0, COMPLEMENTARY, 0]  # 0.752% x 133 would be the count
    shown = result.display()
    assert shown["completed"].tolist() == ["60", "<5", "250", "*", "0"]
    assert shown["rate"].tolist()[1:4] == ["<5", "188.0%", "*"]
    assert result.totals["completed"] == 542 and result.subtotals["district"].loc["Gangnam", "completed"] == 232
    assert pd.isna(result.values.loc[1, "completed"]) and "nan" not in " ".join(shown.astype(str).to_numpy().ravel()).lower()


def test_a_small_total_is_hidden_and_zero_stays_visible() -> None:
    result = suppress(_table([0, 3], ["A", "A"], ["m", "m"]), k=5, counts=["completed"], groups=["district"])
    assert result.totals["completed"] is None and result.total_text("completed") == "<5"
    assert result.display()["completed"].tolist() == ["0", "<5"]
    assert hidden_text(0, 5) == "0" and hidden_text(4, 5) == "<5" and hidden_text(5, 5) == "5"


def _lines(frame: pd.DataFrame, groups: list[str]) -> list[np.ndarray]:
    rows = [np.ones(len(frame), dtype=bool)]
    for g in groups:
        rows += [(frame[g] == v).to_numpy() for v in sorted(frame[g].unique())]
    return rows


def _feasible_values(frame, result, groups, k) -> dict[int, set[int]]:
    """Every value each hidden cell can take given everything shown: brute force over the hidden cells."""
    values = frame["completed"].to_numpy()
    kinds = result.kinds["completed"].to_numpy()
    hidden = np.flatnonzero(kinds)
    cap = 3 * int(values.max()) + k  # a reader who even knows an upper bound for '*' cells
    ranges = [range(1, k) if kinds[i] == PRIMARY else range(k, cap + 1) for i in hidden]
    shown_lines = []
    for mask, (total, kind) in zip(_lines(frame, groups), _line_totals(result, groups), strict=True):
        if kind == 0:
            shown_lines.append((mask, total))
    feasible: dict[int, set[int]] = {i: set() for i in hidden}
    for combo in itertools.product(*ranges):
        trial = values.astype(float).copy()
        trial[hidden] = combo
        if all(trial[mask].sum() == total for mask, total in shown_lines):
            for i, v in zip(hidden, combo, strict=True):
                feasible[i].add(v)
    return feasible


def _line_totals(result, groups):
    out = [(result.totals["completed"], result.total_kinds["completed"])]
    for g in groups:
        sub, kinds = result.subtotals[g], result.subtotal_kinds[g]
        out += [(sub.loc[v, "completed"], kinds.loc[v, "completed"]) for v in sub.index]
    return out


@pytest.mark.parametrize("seed", range(30))
def test_no_hidden_cell_can_be_recovered_from_the_figures_shown(seed) -> None:
    rng = random.Random(seed)
    n = rng.randint(3, 7)
    values = [rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14]) for _ in range(n)]
    frame = _table(values, [rng.choice("AB") for _ in range(n)], [rng.choice("xy") for _ in range(n)])
    groups = ["district", "type"]
    k = 5
    result = suppress(frame, k=k, counts=["completed"], rates={"rate": ("completed", "expected")}, groups=groups)
    kinds = result.kinds["completed"].to_numpy()
    assert ((frame["completed"] > 0) & (frame["completed"] < k)).to_numpy()[kinds == 0].sum() == 0  # every small cell hidden
    assert (result.kinds["rate"].to_numpy() >= (kinds > 0)).all()  # and its rate
    if (kinds > 0).sum() > 4:
        pytest.skip("too many hidden cells to brute-force")
    for cell, possible in _feasible_values(frame, result, groups, k).items():
        assert len(possible) >= 2, f"cell {cell} ({values[cell]}) is pinned to {possible} in {values}"
    # Hidden subtotals must not be recoverable either: the sum over a hidden group's cells takes several values.
    for g in groups:
        for value, kind in result.subtotal_kinds[g]["completed"].items():
            if kind:
                members = (frame[g] == value).to_numpy()
                assert (kinds[members] > 0).any(), f"hidden subtotal {g}={value} has only visible members"
