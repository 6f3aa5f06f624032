"""Walking a branching scenario (pure)."""

from __future__ import annotations

import pytest

from safeclass.scenarios import InvalidChoice, walk


def _scenario(fixture_catalog):
    return fixture_catalog.modules["test-lesson"].sections[-1]


def test_walk_scores_and_flags_critical_choices(fixture_catalog) -> None:
    scenario = _scenario(fixture_catalog)
    bad = walk(scenario, [0])
    assert bad.finished and bad.current.id == "harm" and bad.points == 0
    assert [s.node_id for s in bad.critical_steps] == ["start"]
    good = walk(scenario, [1])
    assert good.current.id == "told" and good.points == good.max_points == 2 and not good.critical_steps


def test_invalid_walks_are_refused(fixture_catalog) -> None:
    scenario = _scenario(fixture_catalog)
    assert not walk(scenario, []).finished
    with pytest.raises(InvalidChoice):
        walk(scenario, [2])
    with pytest.raises(InvalidChoice):
        walk(scenario, [1, 0])
