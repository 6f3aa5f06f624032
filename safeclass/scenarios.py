"""Pure scenario logic: walk a branching scenario, score it and flag critical choices. No I/O."""

from __future__ import annotations

from dataclasses import dataclass

from safeclass.content.models import ScenarioChoice, ScenarioNode, ScenarioSection


class InvalidChoice(ValueError):
    """A choice that does not exist at the current node."""


@dataclass(frozen=True)
class Step:
    """A choice taken at a node."""

    node_id: str
    choice_index: int
    choice: ScenarioChoice


@dataclass(frozen=True)
class Walk:
    """Where a run of a scenario stands after a sequence of choices."""

    scenario: ScenarioSection
    steps: tuple[Step, ...]
    current: ScenarioNode

    @property
    def finished(self) -> bool:
        """Whether the run has reached an ending."""
        return self.current.is_ending

    @property
    def points(self) -> int:
        """Points earned so far."""
        return sum(s.choice.points for s in self.steps)

    @property
    def critical_steps(self) -> tuple[Step, ...]:
        """Dangerous choices taken, for the debrief and reports."""
        return tuple(s for s in self.steps if s.choice.critical)

    @property
    def max_points(self) -> int:
        """The most points any path through the scenario can earn."""
        return best_points(self.scenario, self.scenario.start)


def walk(scenario: ScenarioSection, choice_indexes: list[int]) -> Walk:
    """Follow ``choice_indexes`` from the start node."""
    node = scenario.node(scenario.start)
    steps: list[Step] = []
    for index in choice_indexes:
        if node.is_ending:
            raise InvalidChoice(f"scenario '{scenario.id}' already ended at '{node.id}'")
        if not 0 <= index < len(node.choices):
            raise InvalidChoice(f"node '{node.id}' has no choice {index}")
        choice = node.choices[index]
        steps.append(Step(node.id, index, choice))
        node = scenario.node(choice.next)
    return Walk(scenario, tuple(steps), node)


def best_points(scenario: ScenarioSection, node_id: str) -> int:
    """The most points reachable from ``node_id`` (the loader guarantees the graph has no loops)."""
    node = scenario.node(node_id)
    if node.is_ending:
        return 0
    return max(c.points + best_points(scenario, c.next) for c in node.choices)


def best_choice(scenario: ScenarioSection, node: ScenarioNode) -> int:
    """The index of the choice at ``node`` that leads to the most points (the first of equals)."""
    totals = [c.points + best_points(scenario, c.next) for c in node.choices]
    return totals.index(max(totals))


@dataclass(frozen=True)
class DebriefStep:
    """One choice of a finished run, beside the best choice at the same node."""

    node: ScenarioNode
    step: Step
    best_index: int

    @property
    def was_best(self) -> bool:
        """Whether the choice made was (as good as) the best one at this node."""
        best = self.node.choices[self.best_index]
        return self.step.choice_index == self.best_index or (self.step.choice.points >= best.points and not self.step.choice.critical)

    @property
    def best(self) -> ScenarioChoice:
        """The best choice at this node."""
        return self.node.choices[self.best_index]


@dataclass(frozen=True)
class Verdict:
    """What the path taken says: critical choices made and the share of the best path's points earned."""

    critical: int
    points: int
    max_points: int

    @property
    def percent(self) -> int:
        """Points earned as a whole percentage of the best path's (rounded down)."""
        return self.points * 100 // self.max_points if self.max_points else 100

    @property
    def safe(self) -> bool:
        """No critical choice on the path: an ending alone never makes a path safe."""
        return self.critical == 0


def debrief(run: Walk) -> tuple[DebriefStep, ...]:
    """Walk back through a run: each choice made and the best choice at that node."""
    scenario = run.scenario
    return tuple(DebriefStep(scenario.node(s.node_id), s, best_choice(scenario, scenario.node(s.node_id))) for s in run.steps)


def verdict(run: Walk) -> Verdict:
    """The verdict of a run, from the path taken (never only from which ending it reached)."""
    return Verdict(critical=len(run.critical_steps), points=run.points, max_points=run.max_points)
