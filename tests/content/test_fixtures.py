"""Content fixtures: every valid kind loads; each invalid file fails with exactly its expected, located errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from safeclass.cli import main
from safeclass.content import load_catalog, load_file
from safeclass.content.models import QUESTION_KINDS, SECTION_KINDS

HERE = Path(__file__).resolve().parent
VALID, INVALID = HERE / "valid", HERE / "invalid"
INVALID_FILES = sorted(
    p
    for p in [*INVALID.glob("*/*.yaml"), *INVALID.glob("campaigns/*/campaign.yaml")]
    if p.parent.name != "ok" and p.stem != "ok"  # the good campaign and guide that broken files refer to
)


def test_valid_tree_loads_and_uses_every_kind() -> None:
    catalog = load_catalog(VALID).require_ok()
    sections = {s.type for m in catalog.modules.values() for s in m.sections}
    questions = {q.type for quiz in catalog.quizzes.values() for q in quiz.questions}
    assert sections == set(SECTION_KINDS)
    assert questions == set(QUESTION_KINDS)
    assert {m.kind for m in catalog.modules.values()} == {"lesson", "training"}
    assert len(catalog.rosters["test-campaign"]) == 3
    assert set(catalog.guides) == {"test-guide"} and set(catalog.drills) == {"test-drill"}


def test_invalid_fixtures_cover_the_guide_and_drill_kinds() -> None:
    folders = {p.parent.name for p in INVALID_FILES}
    assert {"guides", "drills"} <= folders


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: str(p.relative_to(INVALID)))
def test_invalid_file_reports_exactly_its_errors(path: Path) -> None:
    expected = [line.removeprefix("# expect: ") for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# expect: ")]
    assert expected, f"{path} names no expected error"
    item, errors = load_file(path, root=INVALID)
    assert item is None
    assert [str(e) for e in errors] == expected


def test_invalid_tree_reports_every_file_at_once() -> None:
    catalog = load_catalog(INVALID)
    files_with_errors = {e.file.split(":")[0] for e in catalog.errors}
    for path in INVALID_FILES:
        rel = str(path.relative_to(INVALID))
        roster = rel.replace("campaign.yaml", "sites.csv")
        assert rel in files_with_errors or roster in files_with_errors, rel
    assert "ok" in catalog.campaigns and "ok" in catalog.guides  # a good file still loads beside broken ones


def _copy_valid(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    return root


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    root = _copy_valid(tmp_path)
    (root / "lessons" / "copy.yaml").write_text((root / "lessons" / "test-training.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    errors = [str(e) for e in load_catalog(root).errors]
    assert "lessons/test-training.yaml:1 id: id 'test-training' is already used by lessons/copy.yaml" in errors


def test_campaign_names_a_missing_module_and_a_wrong_audience(tmp_path: Path) -> None:
    root = _copy_valid(tmp_path)
    path = root / "campaigns" / "test-campaign" / "campaign.yaml"
    text = path.read_text(encoding="utf-8").replace("middle: {modules: [test-lesson]", "middle: {modules: [test-lesson, nowhere]")
    text = text.replace("principal: {modules: [test-training]", "principal: {modules: [test-lesson]")
    path.write_text(text, encoding="utf-8")
    errors = [str(e) for e in load_catalog(root).errors]
    assert errors == [
        "campaigns/test-campaign/campaign.yaml:8 audiences.students.middle.modules[1]: no module 'nowhere'",
        "campaigns/test-campaign/campaign.yaml:10 audiences.principal.modules[0]: module 'test-lesson' is not training for principal",
    ]


def test_quiz_follows_a_missing_module(tmp_path: Path) -> None:
    root = _copy_valid(tmp_path)
    path = root / "quizzes" / "test-quiz.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("module: test-lesson", "module: gone"), encoding="utf-8")
    assert [str(e) for e in load_catalog(root).errors] == ["quizzes/test-quiz.yaml:4 module: no module 'gone'"]


def test_help_key_missing_from_the_assigning_campaign(tmp_path: Path) -> None:
    root = _copy_valid(tmp_path)
    path = root / "campaigns" / "test-campaign" / "campaign.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("  youth1388:")], encoding="utf-8")
    errors = [str(e) for e in load_catalog(root).errors]
    # The case guide serves every campaign, so its references (in text and in `help:`) must exist in each.
    assert errors == [
        "guides/test-guide.yaml:31 phases[1].steps[0].body.en: no help entry 'youth1388' in campaign test-campaign",
        "guides/test-guide.yaml:31 phases[1].steps[0].body.ko: no help entry 'youth1388' in campaign test-campaign",
        "guides/test-guide.yaml:32 phases[1].steps[0].help[0]: no help entry 'youth1388' in campaign test-campaign",
        "lessons/test-lesson.yaml:22 sections[1].body.en: no help entry 'youth1388' in campaign test-campaign",
        "lessons/test-lesson.yaml:22 sections[1].body.ko: no help entry 'youth1388' in campaign test-campaign",
    ]


def test_check_content_cli_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-content", str(VALID)]) == 0
    assert "campaign test-campaign: 3 sites" in capsys.readouterr().out
    assert main(["check-content", str(INVALID)]) == 1
    out = capsys.readouterr().out
    assert "lessons/scenario-loop.yaml:33 sections[1].nodes[1].choices[0].next" in out
    assert main(["check-content", str(INVALID / "lessons" / "phone-number.yaml")]) == 1
    assert main(["check-content", str(VALID / "quizzes" / "test-quiz.yaml")]) == 0


def test_content_hash_ignores_comments_and_layout(tmp_path: Path) -> None:
    root = _copy_valid(tmp_path)
    path = root / "quizzes" / "test-certification.yaml"
    before = load_file(path, root=root)[0].content_hash
    path.write_text(
        "# a comment\n\n" + path.read_text(encoding="utf-8").replace("pass_mark: 100", "pass_mark:    100  # all"), encoding="utf-8"
    )
    assert load_file(path, root=root)[0].content_hash == before
    path.write_text(path.read_text(encoding="utf-8").replace("pass_mark:    100", "pass_mark: 90"), encoding="utf-8")
    assert load_file(path, root=root)[0].content_hash != before
