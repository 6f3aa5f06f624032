"""The current language and translation helpers bound to it."""

from __future__ import annotations

import streamlit as st

from safeclass import i18n
from safeclass.content.models import Text
from safeclass.content.render import localize
from safeclass.ui import browser, state


def lang() -> str:
    """The language chosen in this session (Korean by default)."""
    return st.session_state.get(state.LANG, i18n.DEFAULT_LANGUAGE)


def t(key: str, **params: object) -> str:
    """A UI string in the current language."""
    return i18n.translate(key, lang(), **params)


def voiced(key: str, staff: bool, **params: object) -> str:
    """``key`` in the reader's voice: staff get its formal ``<key>_staff`` version where one exists."""
    formal = f"{key}_staff"
    return t(formal if staff and formal in i18n.all_keys(i18n.DEFAULT_LANGUAGE) else key, **params)


def text(value: Text, help_directory: dict | None = None) -> str:
    """A content string in the current language, help references filled in."""
    return localize(value, help_directory or {}, lang())


def _chosen() -> None:
    chosen = st.session_state[state.LANG_PICKER]
    st.session_state[state.LANG] = chosen
    st.session_state[state.LANG_COOKIE_PENDING] = chosen


def language_picker() -> None:
    """Sidebar switch between 한국어 and English; the browser remembers the choice across reloads.

    The language lives in a plain session key, not the widget's: Streamlit drops a widget's state when
    a page switch interrupts a run, and the language must never flip back mid-lesson.
    """
    if state.LANG not in st.session_state:
        remembered = browser.cookie(browser.LANG_COOKIE)
        st.session_state[state.LANG] = remembered if remembered in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    st.session_state[state.LANG_PICKER] = st.session_state[state.LANG]
    names = {"ko": "한국어", "en": "English"}
    st.sidebar.radio(
        i18n.translate("app.language", lang()),
        list(names),
        format_func=names.get,
        key=state.LANG_PICKER,
        horizontal=True,
        on_change=_chosen,
    )
    pending = st.session_state.pop(state.LANG_COOKIE_PENDING, None)
    if pending:
        browser.set_cookie(browser.LANG_COOKIE, pending, browser.YEAR)
