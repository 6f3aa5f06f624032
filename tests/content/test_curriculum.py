"""The shipped curriculum meets the campaign's minimums, in both languages, with sources."""

from __future__ import annotations

import re

import pytest

from safeclass.content.loader import HELP_REF, iter_texts
from safeclass.content.models import ActivitySection, CheckSection, ScenarioSection
from safeclass.domain import Level

HANGUL = re.compile(r"[가-힣]")
STUDENT_TOPICS = ("deepfake-basics", "consent", "if-it-happens", "upstander")
PRINCIPAL_MODULES = ("first-hour", "protecting-student", "evidence-deletion", "school-violence", "leading-prevention")


def _scenario(module) -> ScenarioSection | None:
    scenarios = module.sections_of(ScenarioSection)
    return scenarios[0] if scenarios else None


@pytest.mark.parametrize("level", list(Level))
def test_each_level_has_the_four_lessons_with_their_minimums(catalog, level) -> None:
    lessons = {m.id: m for m in catalog.lessons_for(level)}
    assert {f"{level}-{topic}" for topic in STUDENT_TOPICS} <= set(lessons)
    for module in lessons.values():
        assert 20 <= module.minutes <= 40, module.id
        assert len(module.sections_of(CheckSection)) >= 3, module.id
        activities = module.sections_of(ActivitySection)
        assert activities and all(a.teacher_notes.ko and a.teacher_notes.en for a in activities), module.id
        assert sum(a.minutes for a in activities) <= module.minutes, module.id
        if level != Level.ELEMENTARY:
            scenario = _scenario(module)
            assert scenario is not None, module.id
            assert len(scenario.nodes) >= 6 and sum(n.is_ending for n in scenario.nodes) >= 2, module.id
    for topic in ("deepfake-basics", "if-it-happens", "upstander"):
        assert lessons[f"{level}-{topic}"].content_warning is not None  # with an alternative for a student who opts out


def test_principal_training_has_five_modules_with_branching_scenarios(catalog) -> None:
    modules = {m.id: m for m in catalog.training_for("principal")}
    assert {f"training-{name}" for name in PRINCIPAL_MODULES} <= set(modules)
    staff = {m.id for m in catalog.training_for("staff")}
    assert {"staff-first-hour", "staff-protecting-student"} <= staff
    for module in [*modules.values(), *(catalog.modules[m] for m in staff)]:
        scenario = _scenario(module)
        assert scenario is not None, module.id
        assert len(scenario.nodes) >= 8, module.id
        assert sum(c.critical for n in scenario.nodes for c in n.choices or ()) >= 2, module.id
        assert sum(n.is_ending for n in scenario.nodes) >= 3, module.id
        assert all(n.debrief.ko and n.debrief.en for n in scenario.nodes if n.is_ending)


def test_quizzes_per_module_per_level_and_for_certification(catalog) -> None:
    for module in (m for m in catalog.modules.values() if m.kind == "lesson"):
        quizzes = catalog.quizzes_for_module(module.id)
        assert len(quizzes) == 1, module.id
        quiz = quizzes[0]
        assert len(quiz.questions) >= 10 and 6 <= quiz.draw <= 8 and quiz.pass_mark, quiz.id
    for level in Level:
        final = catalog.quizzes[f"final-{level}"]
        assert final.module is None and len(final.questions) >= 10
    certification = catalog.quizzes["certification-principal"]
    assert len(certification.questions) >= 30 and certification.draw == 20 and certification.pass_mark == 80
    prefixes = {q.id.split("-")[0] for q in certification.questions}
    assert {"first", "protect", "evidence", "sv", "prevention"} <= prefixes  # all five modules are examined
    for quiz in catalog.quizzes.values():
        assert all(q.explanation.ko.strip() and q.explanation.en.strip() for q in quiz.questions)


def test_every_module_cites_dated_sources(catalog) -> None:
    for item in [*catalog.modules.values(), *catalog.quizzes.values()]:
        assert item.as_of is not None and item.sources, item.id
        assert all("facts.md" in source for source in item.sources), item.id


def test_both_languages_are_complete(catalog) -> None:
    for item in [*catalog.modules.values(), *catalog.quizzes.values()]:
        for path, raw in iter_texts(item):
            text = HELP_REF.sub("", raw)
            if path[-1] == "ko":
                assert HANGUL.search(text) or not re.search(r"[A-Za-z]{4}", text), (item.id, path)
            else:
                assert len(HANGUL.findall(text)) <= 12, (item.id, path)  # English may name a Korean service, no more


def test_campaign_assigns_everything_and_its_help_directory_matches_the_reference(catalog, campaign) -> None:
    for level in Level:
        assignment = campaign.audiences.students.for_level(level)
        assert {f"{level}-{t}" for t in STUDENT_TOPICS} == set(assignment.modules)
        assert f"final-{level}" in assignment.quizzes
    assert campaign.audiences.principal.quizzes == ("certification-principal",)
    assert any(t.audience == "principal" and t.metric == "certified" and t.percent == 100 for t in campaign.targets)
    numbers = {key: (entry.phone, entry.text) for key, entry in campaign.help.items()}
    # From shared/reference/facts.md §2 (note the circulating typo 02-735-8894 for ACOSAV).
    assert numbers["police"][0] == "112"
    assert numbers["school117"] == ("117", "#0117")
    assert numbers["hotline1366"][0] == "1366"
    assert numbers["youth1388"] == ("1388", "#1388")
    assert numbers["acosav"][0] == "02-735-8994"
    assert numbers["seoul_center"][0] == "02-815-0382"
    assert numbers["kcsc"][0] == "1377"
    assert numbers["teacher1395"][0] == "1395"
    assert {"wee", "take_it_down", "sunflower", "stopncii", "seoul_sos_chat"} <= set(campaign.help)


def test_curriculum_doc_is_current(catalog) -> None:
    from pathlib import Path

    from safeclass.content.curriculum import curriculum_markdown

    doc = Path(__file__).resolve().parents[2] / "docs" / "curriculum.md"
    assert doc.read_text(encoding="utf-8") == curriculum_markdown(catalog), (
        "regenerate: python -m safeclass curriculum-doc > docs/curriculum.md"
    )
