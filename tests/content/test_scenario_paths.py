"""Every path through every shipped scenario: a path that takes a critical choice never ends 'safe'."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from safeclass.content import load_catalog
from safeclass.content.models import ScenarioChoice, ScenarioSection

ROOT = Path(__file__).resolve().parents[2]
VALID = Path(__file__).resolve().parent / "valid"


def all_paths(scenario: ScenarioSection) -> Iterator[tuple[list[ScenarioChoice], str]]:
    """Each path from the start as (choices taken, ending id); the loader guarantees no loops."""

    def walk(node_id: str, taken: list[ScenarioChoice]) -> Iterator[tuple[list[ScenarioChoice], str]]:
        node = scenario.node(node_id)
        if node.is_ending:
            yield taken, node_id
            return
        for choice in node.choices:
            yield from walk(choice.next, [*taken, choice])

    yield from walk(scenario.start, [])


def _scenarios(root: Path) -> list[tuple[str, ScenarioSection]]:
    catalog = load_catalog(root).require_ok()
    return [(m.id, s) for m in catalog.modules.values() for s in m.sections_of(ScenarioSection)]


SHIPPED = _scenarios(ROOT)


def test_every_lesson_and_training_module_is_walked() -> None:
    kinds = {module_id.split("-")[0] for module_id, _ in SHIPPED}
    assert {"elementary", "middle", "high", "youth", "training", "staff"} <= kinds
    assert len(SHIPPED) >= 20


@pytest.mark.parametrize(("module_id", "scenario"), SHIPPED, ids=[f"{m}:{s.id}" for m, s in SHIPPED])
def test_no_path_with_a_critical_choice_ends_safe(module_id: str, scenario: ScenarioSection) -> None:
    outcomes = set()
    for taken, ending in all_paths(scenario):
        outcome = scenario.node(ending).outcome
        outcomes.add(outcome)
        if any(c.critical for c in taken):
            assert outcome != "safe", f"{module_id}: {' -> '.join(c.next for c in taken)} takes a critical choice and ends safe"
    assert "safe" in outcomes and outcomes - {"safe"}, f"{module_id}: needs a safe ending and at least one that is not"


def test_the_walk_catches_a_critical_path_to_a_safe_ending() -> None:
    scenario = dict(_scenarios(VALID))["test-training"]
    broken = scenario.model_copy(
        update={"nodes": tuple(n.model_copy(update={"outcome": "safe"}) if n.id == "late" else n for n in scenario.nodes)}
    )
    critical_to_safe = [e for taken, e in all_paths(broken) if any(c.critical for c in taken) and broken.node(e).outcome == "safe"]
    assert critical_to_safe == ["late"]


def test_valid_training_fixture_has_each_outcome_and_a_critical_choice() -> None:
    scenario = dict(_scenarios(VALID))["test-training"]
    assert {n.outcome for n in scenario.nodes if n.is_ending} == {"safe", "partial", "unsafe"}
    assert any(c.critical for n in scenario.nodes for c in n.choices or ())
