"""action_button: its on_click runs once per click, also when the click reaches a session that never drew the button."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _app() -> None:
    import streamlit as st

    from safeclass.ui.actions import action_button

    def add(step: int) -> None:
        st.session_state["count"] = st.session_state.get("count", 0) + step

    action_button("Add", key="add", on_click=add, args=(1,))
    st.write(f"count={st.session_state.get('count', 0)}")


def _count(at: AppTest) -> str:
    return at.markdown[-1].value


def test_a_click_runs_the_callback_once() -> None:
    at = AppTest.from_function(_app).run()
    assert _count(at) == "count=0"
    at.button(key="add").click().run()
    assert _count(at) == "count=1"  # twice would be a click acted on twice (a section skipped)
    at.button(key="add").click().run()
    assert _count(at) == "count=2"
    at.run()
    assert _count(at) == "count=2"


def test_a_click_sent_to_a_new_session_is_not_lost() -> None:
    """What a browser sends after its replica stopped: the click's widget state, to a session that never drew it."""
    before = AppTest.from_function(_app).run()
    before.button(key="add").click()
    click = before._tree.get_widget_states()  # the browser's message for that click, as the old process would get it

    after = AppTest.from_function(_app)
    after._run(click)  # the new process's first run of this browser's session
    assert _count(after) == "count=1"
    after.run()
    assert _count(after) == "count=1"
