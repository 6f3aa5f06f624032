"""Pictures come only from lessons/media/: a picture in text is refused at load, and the renderer never shows one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from pydantic import ValidationError

from safeclass.cli import main
from safeclass.content import load_catalog, load_file
from safeclass.content.models import Text
from safeclass.content.render import plain, without_pictures
from tests.security_tally import tally

HERE = Path(__file__).resolve().parent
VALID = HERE / "valid"
ADVICE = "text may not show pictures: put it in an 'image' section with a file under lessons/media/"
# CommonMark, as Streamlit's Markdown renderer reads it: the judge of what would show as a picture.
COMMONMARK = MarkdownIt("commonmark")

LESSON = """\
id: pictures
kind: lesson
levels: [middle]
title: {{ko: 제목, en: Title}}
summary: {{ko: 요약, en: Summary}}
minutes: 20
objectives: [{{ko: 목표, en: Goal}}]
sections:
  - type: text
    body: {{ko: 본문, en: Body}}
  - type: {kind}
{fields}
"""

CASES = {
    "inline": (
        "text",
        "    body:\n      ko: 본문\n      en: 'See ![x](https://evil.example/a.png) here'",
        "lessons/pictures.yaml:14 sections[1].body.en: a Markdown image '![x](https://evil.example/a.png)'",
    ),
    "reference": (
        "callout",
        '    style: tip\n    body:\n      ko: "![로고][r]\\n\\n[r]: https://evil.example/r.png"\n      en: Body',
        "lessons/pictures.yaml:14 sections[1].body.ko: a Markdown image '![로고][r]'",
    ),
    "html": (
        "text",
        "    title: {ko: '<IMG SRC=https://evil.example/t.png>', en: Title}\n    body: {ko: 본문, en: Body}",
        "lessons/pictures.yaml:12 sections[1].title.ko: an HTML image '<IMG SRC=https://evil.example/t.png>'",
    ),
    "data-url": (
        "check",
        "    id: c1\n    question: {ko: 질문, en: Question}\n    choices:\n"
        "      - {text: {ko: 예, en: 'Yes'}, correct: true, feedback: {ko: 좋아요, en: '[open](data:image/svg+xml;base64,PHN2Zz4=)'}}\n"
        "      - {text: {ko: 아니요, en: 'No'}, feedback: {ko: 다시, en: Again}}",
        "lessons/pictures.yaml:15 sections[1].choices[0].feedback.en: a data: URL 'data:image/svg+xml;base64,PHN2Zz4='",
    ),
}


def _content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    return root


@pytest.mark.parametrize("case", list(CASES))
def test_a_picture_in_text_is_refused_with_file_line_field_and_what_was_found(tmp_path: Path, case: str, capsys) -> None:
    kind, fields, where = CASES[case]
    root = _content(tmp_path)
    path = root / "lessons" / "pictures.yaml"
    path.write_text(LESSON.format(kind=kind, fields=fields), encoding="utf-8")
    expected = f"{where}: {ADVICE}"
    item, errors = load_file(path, root=root)
    assert item is None and [str(e) for e in errors] == [expected]
    # The app's cached catalog and its Reload button call load_catalog; the good files still load beside it.
    catalog = load_catalog(root)
    assert [str(e) for e in catalog.errors] == [expected] and "test-lesson" in catalog.modules
    assert main(["check-content", str(root)]) == 1
    assert expected in capsys.readouterr().out
    tally("pictures in content text", 1)


def test_pictures_from_lessons_media_still_load_through_an_image_section() -> None:
    catalog = load_catalog(VALID).require_ok()
    images = [s for m in catalog.modules.values() for s in m.sections if s.type == "image"]
    assert images and all((VALID / "lessons" / "media" / s.file).is_file() for s in images)


def pictures(markdown: str) -> list[str]:
    """What CommonMark would show as a picture: image tokens, and raw HTML holding an <img."""
    found = []
    for token in COMMONMARK.parse(markdown):
        if token.type == "html_block" and "<img" in token.content.lower():
            found.append(token.content)
        for child in token.children or ():
            if child.type == "image" or (child.type == "html_inline" and "<img" in child.content.lower()):
                found.append(child.content)
    return found


# Markdown's picture syntax in pieces, with escapes, entities, code spans and a little text between them.
SYNTAX = ["![", "!", "[", "]", "(", ")", "][", "](", "]: ", "\\", "`", "*", "<", ">", "&#33;", "&excl;", "\n", "\n\n", " ", "가", "r"]
WHOLE = ["<img ", "<IMG src=", "<img src=x>", "![a](https://e.example/a.png)", "![a][r]", "![r]", "\n\n[r]: /x.png\n"]
URLS = ["https://e.example/a.png", "data:image/png;base64,AA", "/x.png", "media/a.svg", "alt"]
PIECES = st.lists(st.sampled_from([*SYNTAX, *WHOLE, *URLS]), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=PIECES)
def test_the_renderer_never_shows_a_picture(text: str) -> None:
    assert pictures(without_pictures(text)) == []
    tally("pictures in rendered text (property)", outcome="none shown by a CommonMark parser")


@settings(max_examples=300, deadline=None)
@given(text=PIECES)
def test_text_that_would_show_a_picture_is_always_refused(text: str) -> None:
    try:
        Text(ko=text, en="x")
    except ValidationError as exc:
        messages = [error["msg"] for error in exc.errors()]
        assert messages == ["String should match pattern '\\S'"] or messages[0].endswith(ADVICE), messages
        tally("pictures in content text (property)", outcome="refused when CommonMark would show one")
        return
    assert pictures(text) == []  # accepted text shows no picture even before the renderer escapes it


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("![]()<>*_`#|~$\\-.:+{}aZ가 /=")), max_size=40))
def test_typed_data_shows_as_typed_never_as_markdown(value: str) -> None:
    html = COMMONMARK.render(plain(value))
    assert "<img" not in html and "<a " not in html and "<em>" not in html and "<code>" not in html
    shown = COMMONMARK.parseInline(plain(value))[0].children or []
    assert "".join(token.content for token in shown if token.type == "text") == value.replace("\n", "")
