"""docs/content-format.md stays true: every YAML example in it loads."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from safeclass.content import load_catalog

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "content-format.md"


def _examples() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_docs_examples_load_together(tmp_path: Path) -> None:
    module, quiz, campaign, guide, drill = _examples()
    (tmp_path / "lessons" / "media").mkdir(parents=True)
    shutil.copy(Path(__file__).parent / "valid" / "lessons" / "media" / "consent-light.svg", tmp_path / "lessons" / "media")
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "campaigns" / "example-campaign").mkdir(parents=True)
    for folder, name, text in (("guides", "example-guide", guide), ("drills", "example-drill", drill)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "lessons" / "example-consent.yaml").write_text(module, encoding="utf-8")
    (tmp_path / "quizzes" / "example-consent-quiz.yaml").write_text(quiz, encoding="utf-8")
    (tmp_path / "campaigns" / "example-campaign" / "campaign.yaml").write_text(campaign, encoding="utf-8")
    roster = re.search(r"```\n(site_code,.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S).group(1)
    (tmp_path / "campaigns" / "example-campaign" / "sites.csv").write_text(roster, encoding="utf-8")
    catalog = load_catalog(tmp_path)
    assert [str(e) for e in catalog.errors] == []
    assert set(catalog.modules) == {"example-consent"}
    assert set(catalog.quizzes) == {"example-consent-quiz"}
    assert set(catalog.guides) == {"example-guide"} and set(catalog.drills) == {"example-drill"}
