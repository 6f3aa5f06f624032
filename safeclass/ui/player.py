"""The one module player: students, staff and projector mode use the same section renderers in a different frame.

Each section kind has one renderer, registered with ``@renders(SectionModel)``; a new kind plugs in the
same way. A renderer draws its section and returns whether the learner may move on (a check answered,
a scenario finished). Markdown is rendered without raw HTML (Streamlit's default), help references are
filled from the campaign's directory, and images are read only from ``lessons/media/``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import streamlit as st

from safeclass.content.models import (
    ActivitySection,
    CalloutSection,
    Campaign,
    CheckSection,
    ImageSection,
    Module,
    ScenarioSection,
    Text,
    TextSection,
)
from safeclass.scenarios import debrief, verdict, walk
from safeclass.ui import state
from safeclass.ui.actions import action_button
from safeclass.ui.i18n import t, voiced
from safeclass.ui.i18n import text as localized

Style = Literal["student", "staff", "projector"]


@dataclass(frozen=True)
class Frame:
    """How the player shows a module, and where it records what the learner does."""

    module: Module
    campaign: Campaign
    media_root: Path
    style: Style = "student"
    # Called once per first answer / per choice; None in projector mode, where nothing is recorded.
    record_check: Callable[[str, int], None] | None = None
    # The first answer already stored for a check, read once per check and session: a new session (a reload, a
    # phone's discarded tab, another replica) shows its feedback instead of asking again.
    stored_check: Callable[[str], int | None] | None = None
    record_choice: Callable[[ScenarioSection, str, str, int], None] | None = None

    def text(self, value: Text) -> str:
        """A content string in the current language, help references filled in."""
        return localized(value, self.campaign.help)

    def key(self, what: str) -> str:
        """A session-state key of this module's player."""
        return state.player(self.module.id, what)

    def say(self, key: str, **params: object) -> str:
        """A player string in this frame's voice: staff are addressed formally, students in the friendly style."""
        return voiced(f"player.{key}", self.style == "staff", **params)


RENDERERS: dict[type, Callable[[Any, Frame], bool]] = {}


def renders(kind: type) -> Callable[[Callable[[Any, Frame], bool]], Callable[[Any, Frame], bool]]:
    """Register the renderer of one section kind."""

    def register(function: Callable[[Any, Frame], bool]) -> Callable[[Any, Frame], bool]:
        RENDERERS[kind] = function
        return function

    return register


def render_section(section: Any, frame: Frame) -> bool:
    """Draw one section; True when the learner may move on."""
    renderer = RENDERERS.get(type(section))
    if renderer is None:  # a kind the content model knows but no renderer does: say so, never crash
        st.warning(t("player.unknown_section"))
        return True
    return renderer(section, frame)


@renders(TextSection)
def _text(section: TextSection, frame: Frame) -> bool:
    if section.title:
        st.subheader(frame.text(section.title), anchor=False)
    st.markdown(frame.text(section.body))
    return True


CALLOUT = {
    "tip": (st.success, ":material/lightbulb:"),
    "warning": (st.warning, ":material/warning:"),
    "help": (st.info, ":material/support:"),
}


@renders(CalloutSection)
def _callout(section: CalloutSection, frame: Frame) -> bool:
    box, icon = CALLOUT[section.style]
    body = frame.text(section.body)
    box(f"**{frame.text(section.title)}**  \n{body}" if section.title else body, icon=icon)
    return True


@renders(CheckSection)
def _check(section: CheckSection, frame: Frame) -> bool:
    st.markdown(f"**{frame.text(section.question)}**")
    options = list(range(len(section.choices)))
    if frame.style == "projector":
        # In class: discuss first, then reveal every option's feedback at once.
        revealed = frame.key(f"reveal.{section.id}")
        if not st.session_state.get(revealed):
            for i in options:
                st.markdown(f"{chr(65 + i)}. {frame.text(section.choices[i].text)}")
            action_button(t("player.reveal"), key=f"{revealed}.button", on_click=st.session_state.__setitem__, args=(revealed, True))
            return True
        for i in options:
            choice = section.choices[i]
            (st.success if choice.correct else st.info)(f"**{chr(65 + i)}. {frame.text(choice.text)}**  \n{frame.text(choice.feedback)}")
        return True
    picked_key = state.check(frame.module.id, section.id, "picked")
    answered_key = state.check(frame.module.id, section.id, "answered")
    looked_key = state.check(frame.module.id, section.id, "looked_up")
    if frame.stored_check is not None and st.session_state.get(answered_key) is None and not st.session_state.get(looked_key):
        st.session_state[looked_key] = True
        stored = frame.stored_check(section.id)
        if stored is not None and 0 <= stored < len(options):
            st.session_state[answered_key] = stored
    picked = st.radio(
        t("player.check_choose"),
        options,
        index=None,
        format_func=lambda i: frame.text(section.choices[i].text),
        key=picked_key,
        label_visibility="collapsed",
    )
    if st.button(t("player.check_submit"), key=f"{picked_key}.submit", disabled=picked is None, type="primary"):
        if st.session_state.get(answered_key) is None and frame.record_check is not None:
            frame.record_check(section.id, picked)  # only the first answer is stored
        st.session_state[answered_key] = picked
    shown = st.session_state.get(answered_key)
    if shown is not None:
        choice = section.choices[shown]
        if choice.correct:
            st.success(frame.text(choice.feedback), icon=":material/check_circle:")
        else:
            st.warning(frame.text(choice.feedback) + "  \n" + frame.say("check_try_again"), icon=":material/replay:")
    return shown is not None


@renders(ActivitySection)
def _activity(section: ActivitySection, frame: Frame) -> bool:
    with st.container(border=True):
        st.subheader(frame.text(section.title), anchor=False)
        st.caption(t("player.activity_meta", format=t(f"player.format_{section.format}"), minutes=section.minutes))
        st.markdown(frame.text(section.instructions))
    # Teacher notes never reach a student's screen; in projector mode they open in the teacher's panel.
    if frame.style == "projector":
        with st.expander(t("player.teacher_notes"), icon=":material/visibility_off:"):
            st.markdown(frame.text(section.teacher_notes))
    return True


@renders(ImageSection)
def _image(section: ImageSection, frame: Frame) -> bool:
    media = frame.media_root.resolve()
    path = (media / section.file).resolve()
    if not path.is_relative_to(media) or not path.is_file():  # the loader refuses such files; never read elsewhere
        st.caption(frame.text(section.alt))
        return True
    st.image(str(path), caption=frame.text(section.caption) if section.caption else None, alt=frame.text(section.alt), width="content")
    return True


@renders(ScenarioSection)
def _scenario(section: ScenarioSection, frame: Frame) -> bool:
    run_key = state.scenario(frame.module.id, section.id, "run")
    path_key = state.scenario(frame.module.id, section.id, "path")
    seen_key = state.scenario(frame.module.id, section.id, "seen")  # steps whose feedback was read
    if run_key not in st.session_state:
        st.session_state[run_key] = secrets.token_urlsafe(16)
        st.session_state[path_key] = []
        st.session_state[seen_key] = 0
    path: list[int] = st.session_state[path_key]
    run = walk(section, path)
    st.subheader(frame.text(section.title), anchor=False)
    if section.intro and not path:
        st.markdown(frame.text(section.intro))

    if len(path) > st.session_state[seen_key]:
        _choice_feedback(run.steps[-1].choice, frame)
        action_button(
            t("player.scenario_continue"),
            key=f"{run_key}.continue",
            type="primary",
            on_click=st.session_state.__setitem__,
            args=(seen_key, len(path)),
        )
        return False
    if run.finished:
        _ending(section, run, frame)

        def replay() -> None:
            st.session_state[run_key] = secrets.token_urlsafe(16)
            st.session_state[path_key] = []
            st.session_state[seen_key] = 0

        action_button(t("player.scenario_replay"), key=f"{run_key}.replay", icon=":material/replay:", on_click=replay)
        return True

    with st.container(border=True):
        st.markdown(frame.text(run.current.prompt))
        for index, choice in enumerate(run.current.choices):

            def choose(index: int = index, node_id: str = run.current.id) -> None:
                if frame.record_choice is not None:
                    frame.record_choice(section, st.session_state[run_key], node_id, index)
                st.session_state[path_key] = [*st.session_state[path_key], index]

            action_button(frame.text(choice.text), key=f"{run_key}.{run.current.id}.{index}", on_click=choose, width="stretch")
    return False


def _choice_feedback(choice: Any, frame: Frame) -> None:
    st.markdown(f"**{t('player.you_chose')}** {frame.text(choice.text)}")
    if choice.critical:
        st.error(f"**{frame.say('critical')}**  \n{frame.text(choice.feedback)}", icon=":material/report:")
    else:
        st.info(frame.text(choice.feedback), icon=":material/chat:")


def _ending(section: ScenarioSection, run: Any, frame: Frame) -> None:
    ending = run.current
    with st.container(border=True):
        st.markdown(frame.text(ending.prompt))
        st.markdown(frame.text(ending.debrief))
    result = verdict(run)
    if ending.outcome:  # the ending's declared outcome, next to the verdict the path itself earns
        st.caption(t("player.outcome", outcome=t(f"player.outcome_{ending.outcome}")))
    if frame.style != "student":
        if result.safe:
            st.success(t("player.verdict_safe", percent=result.percent), icon=":material/verified:")
        else:
            st.error(t("player.verdict_critical", count=result.critical, percent=result.percent), icon=":material/report:")
    elif not result.safe:
        st.warning(t("player.verdict_student_critical"), icon=":material/report:")
    st.markdown(f"**{t('player.debrief_title')}**")
    for number, item in enumerate(debrief(run), start=1):
        with st.container(border=True):
            st.markdown(f"**{number}. {frame.text(item.node.prompt)}**")
            points = t("player.points", points=item.step.choice.points, best=item.best.points) if frame.style != "student" else ""
            # Material icons, not emoji: a machine without an emoji font would show an empty box.
            mark = (
                ":red[:material/report:] " if item.step.choice.critical else (":green[:material/check_circle:] " if item.was_best else "")
            )
            st.markdown(f"{mark}{t('player.you_chose')} {frame.text(item.step.choice.text)} {points}".rstrip())
            st.caption(frame.text(item.step.choice.feedback))
            if not item.was_best:
                # The author's own words for the better choice where given (check-content asks for them).
                better = item.step.choice.better or item.best.text
                st.markdown(f"**{t('player.better_choice')}** {frame.text(better)}")
                st.caption(frame.text(item.best.feedback))


# --- a whole module: content warning, one section at a time, completion ---------------------------

Save = Callable[..., bool]  # save(position=, sections_done=, completed=, alternative=) -> saved?


def play_module(frame: Frame, *, resume_at: int, completed: bool, started: bool, save: Save) -> bool:
    """Play ``frame.module`` from ``resume_at``; True once it is finished (the caller shows what comes next)."""
    module = frame.module
    at_key, warned_key, alt_key, done_key = frame.key("at"), frame.key("warned"), frame.key("alternative"), frame.key("finished")
    if st.session_state.get(done_key):
        return True
    if st.session_state.get(alt_key):
        return _alternative(frame, save)
    if module.content_warning is not None and not started and not st.session_state.get(warned_key):
        return _content_warning(frame, save)
    total = len(module.sections)
    at = st.session_state.setdefault(at_key, min(resume_at, total - 1) if not completed else 0)
    st.progress((at + 1) / total, text=t("player.progress", at=at + 1, total=total))
    ready = render_section(module.sections[at], frame)

    def move(to: int) -> None:
        if save(position=to, sections_done=max(at + 1, to), completed=False, alternative=False):
            st.session_state[at_key] = to

    def finish() -> None:
        if save(position=at, sections_done=total, completed=True, alternative=False):
            st.session_state[done_key] = True

    with st.container(horizontal=True, gap="small"):
        back = frame.key("back")
        action_button(t("player.back"), key=back, disabled=at == 0, on_click=move, args=(at - 1,), icon=":material/arrow_back:")
        if at + 1 < total:
            action_button(t("player.next"), key=frame.key("next"), type="primary", disabled=not ready, on_click=move, args=(at + 1,))
        else:
            action_button(t("player.finish"), key=frame.key("finish"), type="primary", disabled=not ready, on_click=finish)
    if not ready:
        st.caption(frame.say("answer_first"))
    return False


def _content_warning(frame: Frame, save: Save) -> bool:
    warning = frame.module.content_warning
    with st.container(border=True):
        st.subheader(t("player.warning_title"), anchor=False)
        st.markdown(frame.text(warning.notice))
        st.caption(t("player.warning_no_penalty"))

    def go_on() -> None:
        if save(position=0, sections_done=0, completed=False, alternative=False):
            st.session_state[frame.key("warned")] = True

    with st.container(horizontal=True, gap="small"):
        action_button(t("player.warning_continue"), key=frame.key("warning_continue"), type="primary", on_click=go_on)
        action_button(
            t("player.warning_alternative"),
            key=frame.key("warning_alternative"),
            on_click=st.session_state.__setitem__,
            args=(frame.key("alternative"), True),
        )
    return False


def _alternative(frame: Frame, save: Save) -> bool:
    with st.container(border=True):
        st.subheader(t("player.alternative_title"), anchor=False)
        st.markdown(frame.text(frame.module.content_warning.alternative))

    def done() -> None:
        if save(position=0, sections_done=0, completed=True, alternative=True):
            st.session_state[frame.key("finished")] = True

    with st.container(horizontal=True, gap="small"):
        action_button(t("player.alternative_done"), key=frame.key("alternative_done"), type="primary", on_click=done)
        action_button(
            t("player.alternative_back"),
            key=frame.key("alternative_back"),
            on_click=st.session_state.__setitem__,
            args=(frame.key("alternative"), False),
        )
    return False


def remember_summary(frame: Frame) -> None:
    """The module's objectives as "what to remember", shown when it is finished."""
    st.success(frame.say("finished", title=frame.text(frame.module.title)), icon=":material/celebration:")
    with st.container(border=True):
        st.subheader(t("player.remember"), anchor=False)
        st.markdown("\n".join(f"- {frame.text(objective)}" for objective in frame.module.objectives))


def restart(frame: Frame) -> None:
    """Forget this module's on-screen state (to go through it again)."""
    prefix = state.player(frame.module.id, "")
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]
