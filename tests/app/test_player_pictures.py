"""The player never shows a picture in text, even one that slipped past the loader's refusal."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from safeclass.content.models import Text, TextSection
from safeclass.content.render import localize
from tests.content.test_pictures import pictures
from tests.security_tally import tally

VALID = Path(__file__).resolve().parents[1] / "content" / "valid"


def _player(section, root) -> None:  # no annotations: AppTest runs this source alone, without the module's imports
    from safeclass.content import load_catalog
    from safeclass.ui.player import Frame, render_section

    catalog = load_catalog(root).require_ok()
    frame = Frame(module=catalog.modules["test-lesson"], campaign=catalog.campaigns["test-campaign"], media_root=root / "lessons" / "media")
    render_section(section, frame)


def test_the_player_shows_a_picture_that_slipped_past_the_loader_as_plain_text() -> None:
    # model_construct skips validation: the way a picture could reach the player without the loader's refusal.
    body = Text.model_construct(ko="보세요 ![x](https://evil.example/a.png) <img src=https://evil.example/b.png>", en="x")
    section = TextSection.model_construct(type="text", title=None, body=body)
    at = AppTest.from_function(_player, args=(section, VALID), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    shown = at.markdown[0].value
    assert "evil.example/a.png" in shown and pictures(shown) == []
    assert localize(body, {}, "ko") == shown
    tally("pictures in rendered text", 1, outcome="shown as plain text")
