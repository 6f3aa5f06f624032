"""A real load test: N concurrent students over Streamlit's own WebSocket protocol.

Usage: python bench/load.py --sessions N --json PATH [--replicas K | --url URL] [--duration S] [--think S]
                            [--server-option runner.postScriptGC=false ...] [--stop-replica-after S]

Without --url it builds a fresh database (SQLite; PostgreSQL for --replicas) with the 1,300-site roster
and simulated classes, starts the app itself on free 127.0.0.1 ports (one process, or K replicas behind
HAProxy via bench/replicas.sh) and stops everything it started afterwards.

Each session is one student's browser tab, speaking the protocol the Streamlit frontend speaks: a
WebSocket to /_stcore/stream (subprotocol "streamlit"), BackMsg.rerun_script with the widget states
(widget ids taken from the ForwardMsg deltas of the previous run), and an interaction counts as done at
the run's final ForwardMsg.script_finished (not FINISHED_EARLY_FOR_RERUN, which st.rerun and switch_page
send before the run that follows). The journey: load the page, join with a class code, a seat and a
PIN, start the first lesson, move through its sections (answering each check, choosing through the
scenario), take its quiz, answer every question, submit. Each student waits ``--think`` seconds (±50%)
between clicks. Bounded: at most --max-steps interactions per session and --duration seconds in all.

A closed connection (a replica stopped) is answered as the browser does: reconnect through the load
balancer with the cookies it holds (the seat cookie the app set by script, the balancer's), rerun the same
page (in a browser the student's next click makes that run: Streamlit's client does not rerun on a
reconnect), and go on; the report says what the sessions saw.

Memory: each app process gets one warm-up page load on its own address (with replicas, its own port, not
through the balancer, whose leastconn would send every warm-up to the same idle replica), then its RSS is
read by pid as its baseline and sampled every 0.5 s. rss_per_session_kib is the sum over processes of
(peak - baseline) / sessions. With replicas it also prints each one's baseline, peak and the sessions
whose WebSocket reached it, as HAProxy's SAFECLASS_REPLICA cookie says.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
import yaml  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402, TID251 (the protocol's own messages)
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo  # noqa: E402, TID251
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402, TID251
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates  # noqa: E402, TID251

LOOPBACK = "127.0.0.1"
COOKIE_KEY = "load-test-cookie-key-" + "y" * 32
PIN = "2468"
SEAT_COOKIE = "safeclass_seat"
REPLICA_COOKIE = "SAFECLASS_REPLICA"  # bench/replicas.sh: HAProxy's sticky cookie, "r<i>" for replica i
FINAL = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def labels() -> dict[str, str]:
    """The Korean UI strings (the app's default language), flattened to dotted keys."""
    strings = yaml.safe_load((ROOT / "safeclass" / "locales" / "ko.yaml").read_text(encoding="utf-8"))

    def flat(prefix: str, node) -> dict[str, str]:
        if isinstance(node, dict):
            return {k: v for key, child in node.items() for k, v in flat(f"{prefix}{key}.", child).items()}
        return {prefix[:-1]: str(node)}

    return flat("", strings)


L = labels()


# --- what one run of the page showed --------------------------------------------------------------


@dataclass
class Widget:
    """A widget of the last run, as its ForwardMsg delta described it."""

    kind: str
    id: str
    label: str
    disabled: bool
    form_id: str
    submitter: bool
    options: list[str]

    @property
    def key(self) -> str:
        """The user key Streamlit put at the end of the id ("$$ID-<hash>-<key>"), or "None"."""
        return self.id.split("-", 2)[2] if self.id.startswith("$$ID-") and self.id.count("-") >= 2 else ""


@dataclass
class Page:
    """What the last run sent: widgets, errors, the progress text, the seat cookie's script."""

    widgets: list[Widget] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    progress: str = ""
    seat_token: str | None = None
    exception: str | None = None

    def button(self, *, label: str | None = None, key_end: str | None = None, key_start: str = "") -> Widget | None:
        """The first enabled button with this label or whose key ends so."""
        for w in self.widgets:
            if w.kind != "button" or w.disabled:
                continue
            if label is not None and w.label == label:
                return w
            if key_end is not None and w.key.endswith(key_end) and w.key.startswith(key_start):
                return w
        return None


SEAT_SCRIPT = re.compile(r'"safeclass_seat" \+ \'=\' \+ encodeURIComponent\("([^"]+)"\)')


def read_element(page: Page, element) -> None:
    """Note a delta's element: widgets by id, alerts, progress, the seat cookie the page sets."""
    kind = element.WhichOneof("type")
    if kind is None:
        return
    proto = getattr(element, kind)
    if kind == "exception":
        page.exception = f"{proto.type}: {proto.message}"
        return
    if kind == "alert":
        page.alerts.append(proto.body)
        if proto.format == 1:  # Alert.ERROR
            page.errors.append(proto.body)
        return
    if kind == "progress":
        page.progress = proto.text
        return
    if kind == "html":
        found = SEAT_SCRIPT.search(proto.body)
        if found:
            page.seat_token = found.group(1)
        return
    fields = proto.DESCRIPTOR.fields_by_name
    if "id" in fields and proto.id:
        page.widgets.append(
            Widget(
                kind=kind,
                id=proto.id,
                label=getattr(proto, "label", "") if "label" in fields else "",
                disabled=bool(getattr(proto, "disabled", False)) if "disabled" in fields else False,
                form_id=getattr(proto, "form_id", "") if "form_id" in fields else "",
                submitter=bool(getattr(proto, "is_form_submitter", False)) if "is_form_submitter" in fields else False,
                options=list(proto.options) if "options" in fields else [],
            )
        )


# --- one student's browser tab ---------------------------------------------------------------------


class Disconnected(Exception):
    """The WebSocket closed under us (a replica stopped)."""


@dataclass
class Stats:
    """What every session saw, added up."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    journeys_done: int = 0
    sessions_started: int = 0
    disconnects: int = 0
    reconnects: int = 0
    resumed_same_or_later: int = 0
    resumed_earlier: int = 0
    first_interaction_at: float | None = None
    last_interaction_at: float | None = None
    served: dict[str, int] = field(default_factory=dict)  # replica name -> sessions whose WebSocket reached it

    def error(self, kind: str) -> None:
        """Count one error of this kind."""
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


class Student:
    """A browser tab: a WebSocket, the widget values it holds, the page and query string it is on."""

    def __init__(self, url: str, code: str, seat: int, stats: Stats, args: argparse.Namespace, rng: random.Random) -> None:
        self.base = url.rstrip("/")
        self.code, self.seat, self.stats, self.args, self.rng = code, seat, stats, args, rng
        self.ws = None
        self.cookies: dict[str, str] = {}
        self.session_id = ""
        self.page_hash = ""
        self.query = ""
        self.values: dict[str, WidgetState] = {}
        self.page = Page()
        self.answered: set[str] = set()
        self.last_position = 0  # the furthest lesson section the server confirmed (a progress "k / n")
        self.replicas: set[str] = set()  # the balancer's names of the replicas this tab's WebSockets reached

    async def open(self) -> None:
        """Load the page over HTTP (the balancer's cookie comes with it), open the WebSocket, note the replica it reached."""
        await asyncio.to_thread(self._get_index)
        ws_url = self.base.replace("http://", "ws://") + "/_stcore/stream"
        # As the frontend: the subprotocol, an XSRF token slot (unused here), then the session to resume.
        protocols = ["streamlit", "none", self.session_id] if self.session_id else ["streamlit"]
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        self.ws = await asyncio.wait_for(
            websockets.connect(ws_url, subprotocols=protocols, additional_headers=headers, max_size=None, open_timeout=30),
            timeout=40,
        )
        # HAProxy routes by the cookie sent and, when it picks another server (none yet, or that one down and
        # redispatched), sets the new one on the 101 response: that one, else the cookie sent, names the replica.
        self._keep_cookies(self.ws.response.headers)
        if REPLICA_COOKIE in self.cookies:
            self.replicas.add(self.cookies[REPLICA_COOKIE])

    def _get_index(self) -> None:
        request = urllib.request.Request(self.base + "/", headers={"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())})
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            self._keep_cookies(response.headers)

    def _keep_cookies(self, headers) -> None:
        """Keep the cookies a response sets (the page's, or the WebSocket's 101), as a browser does."""
        for header in headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    async def close(self) -> None:
        """Close the tab."""
        if self.ws is not None:
            with contextlib.suppress(Exception):  # closing a dead connection: nothing to do
                await asyncio.wait_for(self.ws.close(), timeout=5)

    async def rerun(self, trigger: Widget | None = None, set_values: dict[str, WidgetState] | None = None) -> Page:
        """Send one rerun request (the held widget values, any new ones, a button's trigger) and read to the final script_finished."""
        for wid, value in (set_values or {}).items():
            self.values[wid] = value
        current = {w.id for w in self.page.widgets}
        states = [v for wid, v in self.values.items() if wid in current]
        if trigger is not None:
            states = [s for s in states if s.id != trigger.id] + [WidgetState(id=trigger.id, trigger_value=True)]
        msg = BackMsg(
            rerun_script=ClientState(
                query_string=self.query,
                widget_states=WidgetStates(widgets=states),
                page_script_hash=self.page_hash,
                context_info=ContextInfo(timezone="Asia/Seoul", timezone_offset=-540, locale="ko-KR", url=self.base + "/"),
            )
        )
        start = time.perf_counter()
        try:
            await self.ws.send(msg.SerializeToString())
            page = await asyncio.wait_for(self._read_run(), timeout=self.args.timeout)
        except TimeoutError:
            raise  # no final script_finished within --timeout (TimeoutError is an OSError: keep it apart)
        except (websockets.ConnectionClosed, OSError) as exc:
            raise Disconnected(str(exc)) from exc
        elapsed = (time.perf_counter() - start) * 1000
        now = time.monotonic()
        self.stats.latencies.append(elapsed)
        self.stats.first_interaction_at = self.stats.first_interaction_at or now
        self.stats.last_interaction_at = now
        self.page = page
        if page.seat_token:
            self.cookies[SEAT_COOKIE] = page.seat_token
        if page.exception:
            self.stats.error("page exception")
            print(f"  page exception: {page.exception}", file=sys.stderr)
        self._note_position()
        return page

    async def _read_run(self) -> Page:
        page = Page()
        while True:
            raw = await self.ws.recv()
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                page = Page()  # a run starts: only what it sends is on screen
                if msg.new_session.initialize.session_id:
                    self.session_id = msg.new_session.initialize.session_id
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                read_element(page, msg.delta.new_element)
            elif kind == "navigation":
                self.page_hash = msg.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "script_finished" and msg.script_finished in FINAL:
                return page

    def _note_position(self) -> None:
        found = re.match(r"\s*(\d+)\s*/\s*(\d+)", self.page.progress)
        if found:
            self.last_position = max(self.last_position, int(found.group(1)))

    # --- the journey ---------------------------------------------------------------------------

    def next_action(self) -> tuple[Widget | None, dict[str, WidgetState]] | None:
        """The click (and any values) a student makes next on this page; None when the journey is over."""
        page = self.page
        widget_by_key = {w.key: w for w in page.widgets}
        inputs = [w for w in page.widgets if w.kind == "text_input"]
        submit = next((w for w in page.widgets if w.submitter and w.label == L["join.submit"]), None)
        if submit is not None and len(inputs) >= 3:  # the join form
            texts = [self.code, str(self.seat), PIN]
            return submit, {w.id: WidgetState(id=w.id, string_value=v) for w, v in zip(inputs, texts, strict=False)}
        for label in (L["student.next_resume"], L["student.next_start"], L["lesson.take_quiz"], L["quiz.start"]):
            if (button := page.button(label=label)) is not None:
                return button, {}
        for end in (".finish", ".next", ".warning_continue", ".run.continue"):
            if (button := page.button(key_end=end, key_start="player.")) is not None:
                return button, {}
        for w in page.widgets:  # an inline check: pick an answer (a rerun), then press Check
            if w.kind == "radio" and w.key.endswith(".picked") and w.options:
                if w.id not in self.values:
                    return None, {w.id: WidgetState(id=w.id, string_value=w.options[0])}
                if (button := widget_by_key.get(w.key + ".submit")) is not None and not button.disabled:
                    return button, {}
        choices = [w for w in page.widgets if w.kind == "button" and not w.disabled and re.search(r"\.run\.[^.]+\.\d+$", w.key)]
        if choices:  # a scenario's choices: the student picks one
            return self.rng.choice(choices), {}
        for w in page.widgets:  # the quiz: answer one question per click, as a thumb does
            if w.key.startswith("quiz.") and w.id not in self.values:
                if w.kind == "radio" and w.options:
                    return None, {w.id: WidgetState(id=w.id, string_value=self.rng.choice(w.options))}
                if w.kind == "checkbox" and w.key.endswith(".0"):
                    return None, {w.id: WidgetState(id=w.id, bool_value=True)}
        quiz_submit = page.button(key_end=".submit", key_start="quiz.")
        if quiz_submit is not None:
            return quiz_submit, {}
        return None

    async def journey(self, deadline: float) -> None:
        """Walk the journey until it is over, the step budget is spent or the deadline passes."""
        self.stats.sessions_started += 1
        submitted = False
        steps = 0
        reconnects = 0
        await self.open()
        try:
            await self.rerun()  # the first page load
        except TimeoutError:
            self.stats.error("first load timed out")
            return
        while steps < self.args.max_steps and time.monotonic() < deadline:
            steps += 1
            action = self.next_action()
            if action is None:
                if submitted:
                    self.stats.journeys_done += 1
                else:
                    self.stats.error("stuck")
                    print(f"  stuck on a page: {[(w.kind, w.label, w.key) for w in self.page.widgets][:12]}", file=sys.stderr)
                return
            trigger, values = action
            if trigger is not None and trigger.key.startswith("quiz.") and trigger.key.endswith(".submit"):
                submitted = True
            await asyncio.sleep(self.args.think * self.rng.uniform(0.5, 1.5))
            try:
                page = await self.rerun(trigger, values)
            except TimeoutError:
                self.stats.error("timeout")
                return
            except Disconnected:
                self.stats.disconnects += 1
                self.stats.error("disconnected")
                if reconnects >= 3 or time.monotonic() >= deadline:
                    return
                reconnects += 1
                if not await self.reconnect(deadline):
                    return
                continue
            if page.errors and trigger is not None and trigger.submitter:
                self.stats.error("refused")
                print(f"  refused: {page.errors[0]}", file=sys.stderr)
                return

    async def reconnect(self, deadline: float) -> bool:
        """As the browser does after a lost connection: reconnect (new replica), rerun the same page, compare positions."""
        before = self.last_position
        last_error = ""
        for _ in range(20):
            if time.monotonic() >= deadline:
                return False
            try:
                await self.open()
                self.values = {}
                self.page = Page()
                await self.rerun()
                break
            except (TimeoutError, Disconnected, OSError, websockets.InvalidHandshake) as exc:
                last_error = f"{type(exc).__name__}: {exc}"
                await asyncio.sleep(1)
        else:
            print(f"  could not reconnect: {last_error}", file=sys.stderr)
            return False
        self.stats.reconnects += 1
        found = re.match(r"\s*(\d+)\s*/\s*(\d+)", self.page.progress)
        if found:
            if int(found.group(1)) >= before:
                self.stats.resumed_same_or_later += 1
            else:
                self.stats.resumed_earlier += 1
                print(f"  resumed at section {found.group(1)}, had reached {before}", file=sys.stderr)
        return True


# --- the servers ------------------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on the loopback address (never 8501: a developer's app may use it)."""
    while True:
        with socket.socket() as s:
            s.bind((LOOPBACK, 0))
            port = s.getsockname()[1]
        if port != 8501:
            return port


def rss_kib(pid: int) -> int:
    """Resident memory of one process, KiB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def wait_healthy(url: str, timeout: float = 120) -> None:
    """Wait for /_stcore/health to answer 200 (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=3) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not become healthy within {timeout:.0f} s")


def prepare_database(url: str | None, learners: int) -> tuple[str, str | None, list[tuple[str, int]]]:
    """A fresh, seeded database: (its URL, a PostgreSQL schema to drop or None, free middle-school seats)."""
    from sqlalchemy import select, text

    from safeclass.content import load_catalog
    from safeclass.db.engine import Database
    from safeclass.db.migrate import upgrade
    from safeclass.db.models import ClassGroup
    from safeclass.demo import CLASS_SIZE, seed_demo
    from safeclass.services.classes import MAX_SEAT

    schema = None
    if url is None:
        db_url = f"sqlite:///{tempfile.mkdtemp(prefix='safeclass-load-')}/load.db"
    else:
        schema = f"load_{uuid.uuid4().hex[:8]}"
        admin = Database(url)
        with admin.engine.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        db_url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    database = Database(db_url)
    upgrade(database)
    catalog = load_catalog(ROOT).require_ok()
    with cheap_demo_passwords():
        seed_demo(database, catalog, catalog.campaigns["seoul-2025"], learners=learners)
    with database.reading() as s:
        codes = list(s.scalars(select(ClassGroup.join_code).where(ClassGroup.level == "middle").order_by(ClassGroup.id)))
    database.dispose()
    seats = [(code, seat) for seat in range(CLASS_SIZE + 1, MAX_SEAT + 1) for code in codes]
    return db_url, schema, seats


@contextlib.contextmanager
def cheap_demo_passwords():
    """Hash the demo staff passwords at bcrypt's lowest cost while seeding: nobody signs in with them here.

    Only the seed's seven demo accounts are affected (12 rounds cost 0.3-2.5 s each on a loaded 2-core
    machine); the PIN hashes the app computes during the test keep their real cost.
    """
    from safeclass import security
    from safeclass.services import accounts

    real = accounts.hash_password
    accounts.hash_password = lambda password, rounds=4: security.hash_password(password, rounds)
    try:
        yield
    finally:
        accounts.hash_password = real


def drop_schema(url: str, schema: str) -> None:
    """Leave the shared PostgreSQL as it was."""
    from sqlalchemy import text

    from safeclass.db.engine import Database

    admin = Database(url)
    with admin.engine.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@dataclass
class Process:
    """One app process this run started: its name (the balancer's cookie value for a replica), pid and own address."""

    name: str
    pid: int
    url: str


class Servers:
    """The app processes this run started (and the balancer), so it can stop exactly those."""

    def __init__(self, args: argparse.Namespace, db_url: str) -> None:
        self.args = args
        self.env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "SAFECLASS_CONTENT": str(ROOT),
            "SAFECLASS_COOKIE_KEY": COOKIE_KEY,
            "SAFECLASS_CAMPAIGN": "seoul-2025",
            "PYTHON": sys.executable,
        }
        self.env.pop("SAFECLASS_DEMO", None)
        self.options = [part for opt in args.server_option for part in (f"--{opt.split('=', 1)[0]}", opt.split("=", 1)[1])]
        self.process: subprocess.Popen | None = None
        self.rundir: Path | None = None
        self.url = ""

    def start(self) -> None:
        """One process on a free port, or K replicas behind HAProxy."""
        if self.args.replicas:
            self.rundir = Path(tempfile.mkdtemp(prefix="safeclass-replicas-"))
            lb = free_port()
            ports = [free_port() for _ in range(self.args.replicas)]
            env = {**self.env, "LB_PORT": str(lb), "PORTS": " ".join(map(str, ports))}
            subprocess.run(
                ["bash", str(ROOT / "bench" / "replicas.sh"), "start", str(self.rundir), str(self.args.replicas), *self.options],
                env=env,
                check=True,
                timeout=300,
            )
            self.url = f"http://{LOOPBACK}:{lb}"
        else:
            port = free_port()
            self.log = open(Path(tempfile.gettempdir()) / f"safeclass-load-{port}.log", "w")  # noqa: SIM115
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", LOOPBACK, "--server.port", str(port),
                 "--server.headless", "true", "--browser.gatherUsageStats", "false", *self.options],
                cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            self.url = f"http://{LOOPBACK}:{port}"
        wait_healthy(self.url)

    def processes(self) -> list[Process]:
        """The app processes (not the balancer); a replica's own port and pid as bench/replicas.sh wrote them to RUNDIR."""
        if self.process is not None:
            return [Process("app", self.process.pid, self.url)]
        if self.rundir is None:
            return []
        return [
            Process(
                f"r{i}",
                int((self.rundir / f"replica-{i}.pid").read_text()),
                f"http://{LOOPBACK}:{int((self.rundir / f'replica-{i}.port').read_text())}",
            )
            for i in range(1, self.args.replicas + 1)
        ]

    def stop_one_replica(self) -> int | None:
        """Stop the first replica as an operator or a crash would (SIGTERM); returns its pid."""
        if self.rundir is None:
            return None
        pidfile = sorted(self.rundir.glob("replica-*.pid"))[0]
        pid = int(pidfile.read_text())
        os.kill(pid, signal.SIGKILL if self.args.kill_hard else signal.SIGTERM)
        return pid

    def stop(self) -> None:
        """Stop everything this run started."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.log.close()
        if self.rundir is not None:
            subprocess.run(["bash", str(ROOT / "bench" / "replicas.sh"), "stop", str(self.rundir)], timeout=120, check=False)


# --- main --------------------------------------------------------------------------------------------


async def drive(url: str, seats: list[tuple[str, int]], args: argparse.Namespace, servers: Servers | None) -> tuple[Stats, dict]:
    """Run every session; sample each server process's memory while they run."""
    stats = Stats()
    deadline = time.monotonic() + args.duration
    rng = random.Random(args.seed)
    processes = servers.processes() if servers else []
    # Warm each process (imports, caches, first script run) before its baseline, on its own address: through
    # the balancer every warm-up reached the same idle replica and the others' warm-up counted as growth.
    for target in [p.url for p in processes] or [url]:
        warm = Student(target, *seats[-1], Stats(), args, random.Random(0))
        await warm.open()
        await warm.rerun()
        await warm.close()
    await asyncio.sleep(1)
    baseline = {p.pid: rss_kib(p.pid) for p in processes}
    peak = dict(baseline)
    peak_total = {"kib": sum(baseline.values())}
    replica_event: dict = {}

    def take_sample() -> None:
        now = {pid: rss_kib(pid) for pid in baseline}
        # A stopped replica reads 0 from then on: max keeps the peak it reached while it served its sessions.
        for pid, kib in now.items():
            peak[pid] = max(peak[pid], kib)
        peak_total["kib"] = max(peak_total["kib"], sum(now.values()))

    async def sample() -> None:
        while time.monotonic() < deadline + 5:
            take_sample()
            await asyncio.sleep(0.5)

    health: list[float] = []

    def probe() -> None:
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=30) as r:
                r.read()
        except OSError:
            health.append(30_000.0)  # no answer within 30 s: a balancer would long have marked it down
            return
        health.append((time.perf_counter() - start) * 1000)

    async def health_checks() -> None:  # what a load balancer's health check sees meanwhile, every 2 s
        while time.monotonic() < deadline:
            await asyncio.to_thread(probe)
            await asyncio.sleep(2)

    async def stopper() -> None:
        await asyncio.sleep(args.stop_replica_after)
        if servers is not None:
            replica_event["stopped_pid"] = servers.stop_one_replica()
            replica_event["stopped_at_s"] = args.stop_replica_after
            print(f"  stopped replica pid {replica_event['stopped_pid']} at {args.stop_replica_after:.0f} s", file=sys.stderr)

    async def one(i: int) -> None:
        await asyncio.sleep(args.ramp * i / max(1, args.sessions))
        student = Student(url, *seats[i], stats, args, random.Random(rng.random()))
        try:
            await student.journey(deadline)
        except TimeoutError:
            stats.error("timeout")
        except (Disconnected, OSError, websockets.InvalidHandshake, websockets.ConnectionClosed) as exc:
            stats.error("connect failed")
            print(f"  session {i}: {type(exc).__name__}: {exc}", file=sys.stderr)
        finally:
            await student.close()
            for name in student.replicas:
                stats.served[name] = stats.served.get(name, 0) + 1

    sampler = asyncio.create_task(sample())
    checker = asyncio.create_task(health_checks())
    extra = [asyncio.create_task(stopper())] if args.stop_replica_after and args.replicas else []
    await asyncio.gather(*(one(i) for i in range(args.sessions)))
    sampler.cancel()
    checker.cancel()
    for task in extra:
        task.cancel()
    take_sample()
    memory = {
        "baseline_kib": sum(baseline.values()),
        "peak_kib": peak_total["kib"],
        "growth_kib": sum(peak[pid] - baseline[pid] for pid in baseline),
        "processes": [{**asdict(p), "baseline_kib": baseline[p.pid], "peak_kib": peak[p.pid]} for p in processes],
    }
    return stats, {**memory, "health": health, **replica_event}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--json", type=Path)
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--replicas", type=int, default=0, help="K app processes on PostgreSQL behind HAProxy (bench/replicas.sh)")
    target.add_argument("--url", help="drive an app that is already running (loopback only)")
    parser.add_argument("--database-url", help=f"PostgreSQL for --replicas (default {DEFAULT_PG}); a schema of its own, dropped after")
    parser.add_argument("--learners", type=int, default=5_000, help="simulated learners seeded before the test")
    parser.add_argument("--duration", type=float, default=180, help="seconds before every session stops (bound)")
    parser.add_argument("--max-steps", type=int, default=80, help="interactions per session at most (bound)")
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds a student waits between clicks")
    parser.add_argument("--ramp", type=float, default=10.0, help="seconds over which the sessions arrive")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one interaction may take before it counts as an error")
    parser.add_argument("--server-option", action="append", default=[], help="a Streamlit option for the processes started, KEY=VALUE")
    parser.add_argument("--stop-replica-after", type=float, default=0, help="with --replicas: stop one replica after this many seconds")
    parser.add_argument("--kill-hard", action="store_true", help="stop that replica with SIGKILL instead of SIGTERM")
    parser.add_argument("--join-codes", help="with --url: comma-separated class codes whose seats 26-60 are free")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="checks that it runs: 2,000 learners, no thinking, 12 steps, 90 s")
    args = parser.parse_args()
    if args.quick:
        args.learners, args.think, args.ramp, args.max_steps, args.duration = 2_000, 0.0, 0.0, 12, 90.0
    if args.url and not re.match(r"^http://(127\.0\.0\.1|localhost)(:\d+)?/?$", args.url):
        parser.error("--url must be a loopback http:// address")

    servers, schema, pg, db_url = None, None, None, None
    started = time.monotonic()
    try:
        if args.url:
            url = args.url
            if not args.join_codes:
                parser.error("--url needs --join-codes: open class codes with free seats 26-60 (e.g. the demo's)")
            seats = [(code, seat) for seat in range(26, 61) for code in args.join_codes.split(",")]
        else:
            pg = (args.database_url or DEFAULT_PG) if args.replicas else args.database_url
            db_url, schema, seats = prepare_database(pg, args.learners)
            rng = random.Random(args.seed)
            rng.shuffle(seats)
            if len(seats) < args.sessions:
                parser.error(f"only {len(seats)} free seats for {args.sessions} sessions; raise --learners")
            servers = Servers(args, db_url)
            servers.start()
            url = servers.url
        print(f"driving {args.sessions} sessions against {url} (prepared in {time.monotonic() - started:.0f} s)", file=sys.stderr)
        run_start = time.monotonic()
        stats, memory = asyncio.run(drive(url, seats, args, servers))
        wall = time.monotonic() - run_start
    finally:
        if servers is not None:
            servers.stop()
        if schema is not None:
            drop_schema(pg, schema)
        elif db_url and db_url.startswith("sqlite:///"):  # the SQLite file this run made
            shutil.rmtree(Path(db_url.removeprefix("sqlite:///")).parent, ignore_errors=True)

    lat = sorted(stats.latencies)
    active = (stats.last_interaction_at or 0) - (stats.first_interaction_at or 0)
    result = {
        "sessions": args.sessions,
        "interaction_p50_ms": round(statistics.median(lat), 1) if lat else None,
        "interaction_p95_ms": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 1) if lat else None,
        "errors": stats.errors,
        "server_rss_mb": round(memory["peak_kib"] / 1024, 1),
        # Each process's own growth. A replica stopped mid-run counts up to the stop, and the sessions that then
        # moved grow the other one as well: a stop run counts those sessions' memory twice.
        "rss_per_session_kib": round(memory["growth_kib"] / max(1, args.sessions), 1),
        "reruns_per_s": round(len(lat) / active, 1) if active > 0 else None,
        "interactions": len(lat),
        "journeys_completed": stats.journeys_done,
        "error_kinds": stats.error_kinds,
        "think_s": args.think,
        "wall_s": round(wall, 1),
        "replicas": args.replicas or 1,
        "server_options": args.server_option,
        "server_rss_baseline_mb": round(memory["baseline_kib"] / 1024, 1),
        "health_p50_ms": round(statistics.median(memory["health"]), 1) if memory["health"] else None,
        "health_max_ms": round(max(memory["health"]), 1) if memory["health"] else None,
    }
    if args.replicas:
        result["replica_memory"] = []
        for proc in memory["processes"]:
            row = {
                "replica": proc["name"],
                "pid": proc["pid"],
                "baseline_mb": round(proc["baseline_kib"] / 1024, 1),
                "peak_mb": round(proc["peak_kib"] / 1024, 1),
                "sessions_served": stats.served.get(proc["name"], 0),
            }
            result["replica_memory"].append(row)
            stopped = ", stopped mid-run (its peak is from before the stop)" if proc["pid"] == memory.get("stopped_pid") else ""
            print(
                f"  replica {row['replica']} (pid {row['pid']}, {proc['url']}): baseline {row['baseline_mb']} MB, "
                f"peak {row['peak_mb']} MB, {row['sessions_served']} sessions served{stopped}",
                file=sys.stderr,
            )
        print("  (a session that reconnected to another replica counts on each replica it reached)", file=sys.stderr)
    if args.stop_replica_after and args.replicas:
        result["replica_stop"] = {
            "stopped_pid": memory.get("stopped_pid"),
            "stopped_at_s": memory.get("stopped_at_s"),
            "disconnects": stats.disconnects,
            "reconnected": stats.reconnects,
            "resumed_same_or_later_section": stats.resumed_same_or_later,
            "resumed_earlier_section": stats.resumed_earlier,
        }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
