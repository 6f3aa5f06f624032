"""Property tests: whatever YAML an editor writes, the loader returns located errors and never crashes."""

from __future__ import annotations

import string
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeclass.content import load_file

KEYS = ["id", "kind", "levels", "title", "summary", "minutes", "objectives", "sections", "type", "ko", "en", "choices", "nodes", "next",
        "questions", "draw", "pass_mark", "answer", "items", "help", "period", "audiences"]  # fmt: skip
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 500), st.text(max_size=12), st.sampled_from(["lesson", "text", "scenario", "single", "a"])
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)),
    max_leaves=30,
)


def _check(root: Path, folder: str, text: str) -> None:
    path = root / folder / "fuzz.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    item, errors = load_file(path, root=root)
    assert (item is None) == bool(errors)
    for error in errors:
        assert error.file == f"{folder}/fuzz.yaml"
        assert error.line >= 1
        assert error.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=values, folder=st.sampled_from(["lessons", "quizzes"]))
def test_random_structures_give_located_errors(tmp_path: Path, data: object, folder: str) -> None:
    _check(tmp_path, folder, yaml.safe_dump(data, allow_unicode=True))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=string.printable + "가나{}[]:-#&*!|>'\"%@`", max_size=200))
def test_random_text_gives_located_errors(tmp_path: Path, text: str) -> None:
    _check(tmp_path, "lessons", text)
