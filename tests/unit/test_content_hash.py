"""Content hashes are computed once per content object, and a changed copy has its own."""

from __future__ import annotations

import gc

from safeclass.content import models


def test_a_content_hash_is_kept_per_object_and_a_changed_copy_gets_its_own(fixture_catalog, monkeypatch) -> None:
    quiz = fixture_catalog.quizzes["test-quiz"]
    first = quiz.content_hash
    dumps = []
    real = type(quiz).model_dump_json
    monkeypatch.setattr(type(quiz), "model_dump_json", lambda self, **kw: dumps.append(1) or real(self, **kw))
    assert quiz.content_hash == first and dumps == []  # asked again: not serialised again
    changed = quiz.model_copy(update={"draw": 2})
    assert changed.content_hash != first and len(dumps) == 1
    same = quiz.model_copy()
    assert same.content_hash == first  # equal content, equal hash, computed for the copy
    # A copy that is gone leaves no entry behind (its id may be reused by another object).
    key = id(changed)
    del changed
    gc.collect()
    assert key not in models._HASHES
