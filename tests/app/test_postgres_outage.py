"""A real PostgreSQL outage mid-session: a TCP proxy between the app and PostgreSQL is cut and restored.

The shared server is never stopped: the app's DATABASE_URL points at a small proxy in this test, and cutting
the proxy closes every live connection and refuses new ones, as a failed-over or restarted server does. The
student sees a plain message (no traceback), their picked answers stay in the session, and once the proxy is
back the same submission succeeds and nothing saved before is lost. Skipped only when PostgreSQL is unreachable
(and under CI=true that fails instead, see tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine, make_url

from safeclass.db.engine import Database
from safeclass.db.models import Learner, ModuleProgress, QuizAttempt
from safeclass.domain import Role
from tests.app.conftest import wire_app
from tests.app.test_pages import _texts
from tests.app.test_student_pages import _answer, _app, _click, _code, _finish_lesson, _join
from tests.conftest import _truncate_all
from tests.factories import make_account, make_class, make_site
from tests.security_tally import tally

pytestmark = pytest.mark.postgres

READ_FAILED = "지금은 내용을 불러올 수 없어요. 잠시 후 새로 고쳐 주세요."
WRITE_FAILED = "저장하지 못했습니다. 잠시 후 다시 시도하세요. 입력한 내용은 그대로 있습니다."


class Proxy:
    """A TCP proxy to PostgreSQL that can be cut (live connections closed, new ones closed at once) and restored."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.closed = False
        self.connections = 0  # accepted while up: the app really went through the proxy
        self._live: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # the listener was closed: the test is over
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            self.connections += 1
            with self._lock:
                self._live |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):  # a cut closes the sockets under the pumps
            while data := source.recv(65536):
                sink.sendall(data)
        self._close(source, sink)

    def _close(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with self._lock:
                self._live.discard(sock)
            with contextlib.suppress(OSError):  # already closed by the other side
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def cut(self) -> None:
        """The database is gone: every live connection drops and new ones are closed as they arrive."""
        self.up = False
        with self._lock:
            live = list(self._live)
        self._close(*live)

    def restore(self) -> None:
        """The database is back."""
        self.up = True

    def close(self) -> None:
        """Stop listening and drop everything."""
        self.closed = True
        self.cut()
        self.listener.close()


@pytest.fixture
def outage(monkeypatch, tmp_path: Path, postgres_schema: str) -> Iterator[tuple[Database, Proxy]]:
    """The app on PostgreSQL through a proxy, with the fixture content, a site, a teacher and a class."""
    direct = Database(postgres_schema)  # the test's own view of the data, not through the proxy
    _truncate_all(direct)
    with direct.transaction() as s:
        site = make_site(s, code="M0001")
        make_class(s, make_account(s, "kim", Role.TEACHER, site), label="2-3")
    url = make_url(postgres_schema)
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    wire_app(monkeypatch, proxied, tmp_path / "content")
    yield direct, proxy
    st.cache_resource.clear()
    proxy.close()
    direct.dispose()


def _picked(at) -> dict[str, object]:
    """The student's answers as the session holds them (radios, checkboxes and the ordering)."""
    return {k: at.session_state[k] for k in at.session_state if k.startswith("quiz.") and not k.endswith(("submit", "shown"))}


def test_postgres_gone_mid_quiz_keeps_the_answers_and_saves_them_when_it_returns(outage) -> None:
    direct, proxy = outage
    at = _join(_app(), _code(direct))
    _finish_lesson(at)  # saved before the outage: the lesson's completion
    _click(at, "퀴즈 풀기")
    _click(at, "퀴즈 시작")
    _answer(at, right=True)
    answers = _picked(at)
    assert answers and proxy.connections > 0  # the app talks to PostgreSQL through the proxy

    # 1. The database drops while the student thinks: their next click finds it gone.
    proxy.cut()
    _click(at, "제출하기")
    assert at.error[0].value == READ_FAILED and "Traceback" not in _texts(at) and not at.exception
    assert _picked(at) == answers  # every picked answer is still in the session

    # 2. The database is back, then drops again in the middle of the submission's own transaction.
    proxy.restore()
    at.run()
    assert not at.exception and _picked(at) == answers
    armed = {"cut": True}

    def cut_at_the_first_write(conn, cursor, statement: str, *args) -> None:
        if armed["cut"] and re.match(r"\s*(UPDATE|INSERT|DELETE)\b", statement):
            armed["cut"] = False
            proxy.cut()

    event.listen(Engine, "before_cursor_execute", cut_at_the_first_write)
    try:
        _click(at, "제출하기")
    finally:
        event.remove(Engine, "before_cursor_execute", cut_at_the_first_write)
    assert not armed["cut"], "the submission never reached a write"
    assert at.error[0].value == WRITE_FAILED and "Traceback" not in _texts(at) and not at.exception
    assert _picked(at) == answers
    with direct.reading() as s:  # rolled back whole: nothing half-saved
        assert s.scalar(select(func.count()).select_from(QuizAttempt).where(QuizAttempt.submitted_at.is_not(None))) == 0

    # 3. Back for good: the same click succeeds, and nothing saved before the outage is lost.
    proxy.restore()
    _click(at, "제출하기")
    assert "통과!" in at.success[0].value
    with direct.reading() as s:
        assert s.scalar(select(func.count()).select_from(Learner)) == 1
        assert s.scalar(select(ModuleProgress.completed_at)) is not None
        attempt = s.scalar(select(QuizAttempt))
        assert attempt.submitted_at is not None and attempt.passed
    tally("database outages mid-session (PostgreSQL via a cut proxy)", 2, outcome="a plain message, answers kept, saved once it returned")
