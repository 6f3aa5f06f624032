"""Campaign-scale benchmark with reference points measured in the same run.

Usage: python bench/run.py --learners 100000 --json results.json [--database-url URL] [--quick]

Builds a fresh database (a SQLite file in a temporary folder, or a schema of its own on PostgreSQL,
dropped afterwards) with the 1,300-site roster and N simulated learners (safeclass.demo.seed_demo), then:

- dashboard_ms / site_page_ms: the data of the coordinator overview and the principal's *My site*, by
  the same service calls the pages make (app_pages/dashboard.py, app_pages/site.py);
- duckdb_scan_ms / naive_groupby_ms: the same per-site learners-completed counts, by DuckDB over the
  raw records already in memory and by a plain SQL GROUP BY over the raw tables (reference points);
- *_page_ms: one full rerun of a page under streamlit.testing.v1.AppTest with the campaign loaded, and
  empty_page_ms: one rerun of an empty script, the same way;
- submits / joins: quiz submissions and class joins with a PIN through the services, 8 writer threads,
  each operation its own Database.transaction();
- rss_mb: peak resident memory of this process.

Every timing is the median of several runs. One JSON object with exactly the keys in KEYS is written.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from safeclass.content import load_catalog  # noqa: E402
from safeclass.content.models import MultipleChoiceQuestion, OrderingQuestion, SingleChoiceQuestion, TrueFalseQuestion  # noqa: E402
from safeclass.db.engine import Database  # noqa: E402
from safeclass.db.migrate import upgrade  # noqa: E402
from safeclass.db.models import Account, ClassGroup, Learner, ModuleProgress  # noqa: E402
from safeclass.demo import CLASS_SIZE, DEMO_PASSWORD, seed_demo  # noqa: E402
from safeclass.services.accounts import staff_at_site  # noqa: E402
from safeclass.services.classes import MAX_SEAT, check_pin, join_class  # noqa: E402
from safeclass.services.progress import record_module_progress  # noqa: E402
from safeclass.services.quizzes import grade_submission, record_submission, start_quiz_attempt  # noqa: E402
from safeclass.services.reports import by_group, campaign_report, completions_over_time, site_table  # noqa: E402
from safeclass.services.site_report import site_report  # noqa: E402

KEYS = (
    "dashboard_ms",
    "site_page_ms",
    "duckdb_scan_ms",
    "naive_groupby_ms",
    "dashboard_page_ms",
    "site_page_rerun_ms",
    "lesson_page_ms",
    "quiz_submit_page_ms",
    "empty_page_ms",
    "submits_per_s",
    "submit_p95_ms",
    "joins_per_s",
    "join_p95_ms",
    "rss_mb",
)
CAMPAIGN = "seoul-2025"
WRITERS = 8  # concurrent writers: a class of students pressing Submit in the same second
COOKIE_KEY = "bench-cookie-key-" + "x" * 32  # AppTest needs one; nothing outside this process sees it


def median_ms(fn: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    """Median wall-clock milliseconds of ``fn`` over ``repeat`` runs, after ``warmup`` untimed runs."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    """95th percentile (nearest rank) of ``samples``."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


# --- the database -------------------------------------------------------------------------------


def fresh_database(url: str | None) -> tuple[Database, str | None]:
    """A migrated, empty database: a new SQLite file, or a new schema on the PostgreSQL at ``url``."""
    if url is None:
        database = Database(f"sqlite:///{tempfile.mkdtemp(prefix='safeclass-bench-')}/bench.db")
        upgrade(database)
        return database, None
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = Database(url)
    with admin.engine.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    database = Database(f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}")
    upgrade(database)
    return database, schema


def drop_schema(url: str, schema: str) -> None:
    """Leave the shared PostgreSQL as we found it."""
    admin = Database(url)
    with admin.engine.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


# --- the data of the two report pages, by the calls the pages make -------------------------------


def dashboard_data(database: Database, viewer: Account, campaign) -> None:
    """What app_pages/dashboard.py computes for a whole-campaign coordinator."""
    with database.reading() as session:
        report = campaign_report(session, viewer, campaign)
        completions_over_time(session, viewer, campaign)
    by_district = by_group(report, "district")
    by_group(report, "site_type")
    assert len(by_district) > 0


def site_data(database: Database, viewer: Account, campaign, catalog) -> None:
    """What app_pages/site.py computes for a principal."""
    with database.reading() as session:
        site_table(session, viewer, campaign.id)
        site_report(session, viewer, campaign, catalog)
        staff_at_site(session, viewer, campaign)


# --- reference points: the same learners-completed counts from the raw records --------------------


def assignments(campaign) -> list[tuple[str, str]]:
    """(level, item) for every module and quiz assigned to students of each level."""
    rows = []
    for level in ("elementary", "middle", "high", "youth"):
        assignment = campaign.audiences.students.for_level(level)
        rows += [(level, item) for item in sorted({*assignment.modules, *assignment.quizzes})]
    return rows


# Learners completed per site: every assigned module completed and every assigned quiz passed.
COMPLETED_SQL = """
WITH assigned(level, item) AS (VALUES {values}),
need AS (SELECT level, COUNT(*) AS n FROM assigned GROUP BY level),
items AS (
    SELECT learner_id AS who, module_id AS item FROM module_progress
    WHERE campaign_id = '{cid}' AND completed_at IS NOT NULL AND learner_id IS NOT NULL
    UNION ALL
    SELECT learner_id AS who, quiz_id AS item FROM quiz_attempt
    WHERE campaign_id = '{cid}' AND passed AND learner_id IS NOT NULL
),
done AS (
    SELECT l.id AS who, cg.site_id
    FROM items i
    JOIN learner l ON l.id = i.who
    JOIN class_group cg ON cg.id = l.class_group_id AND cg.campaign_id = '{cid}'
    JOIN assigned a ON a.level = cg.level AND a.item = i.item
    JOIN need ON need.level = cg.level
    GROUP BY l.id, cg.site_id, need.n
    HAVING COUNT(DISTINCT i.item) = need.n
)
SELECT site_id, COUNT(*) AS learners_completed FROM done GROUP BY site_id
"""


def completed_sql(campaign) -> str:
    """COMPLETED_SQL for this campaign (ids come from the content files, not from users)."""
    values = ", ".join(f"('{level}', '{item}')" for level, item in assignments(campaign))
    return COMPLETED_SQL.format(values=values, cid=campaign.id)


def raw_frames(database: Database, campaign) -> dict[str, pd.DataFrame]:
    """The raw records the counts need, read into memory once (not timed)."""
    cid = campaign.id
    with database.reading() as s:
        c = s.connection()
        return {
            "module_progress": pd.read_sql(
                text(f"SELECT learner_id, module_id, campaign_id, completed_at FROM module_progress WHERE campaign_id = '{cid}'"), c
            ),
            "quiz_attempt": pd.read_sql(
                text(f"SELECT learner_id, quiz_id, campaign_id, passed FROM quiz_attempt WHERE campaign_id = '{cid}'"), c
            ).astype({"passed": "boolean"}),
            "learner": pd.read_sql(text("SELECT id, class_group_id FROM learner"), c),
            "class_group": pd.read_sql(text("SELECT id, site_id, level, campaign_id FROM class_group"), c),
        }


def rollup_completed(database: Database, campaign) -> dict[int, int]:
    """learners_completed per site as the rollups hold it (what the dashboard shows)."""
    with database.reading() as s:
        rows = s.execute(text("SELECT site_id, learners_completed FROM site_rollup WHERE campaign_id = :c"), {"c": campaign.id})
        return {int(site): int(n) for site, n in rows if n}


# --- page reruns under AppTest -------------------------------------------------------------------


def page_reruns(database: Database, campaign, catalog, repeat: int, quiz_repeat: int) -> dict[str, float]:
    """Median ms of one rerun of each page under AppTest with the campaign loaded, and of an empty script."""
    # The benchmark drives the pages, as the tests do.
    import streamlit.testing.v1.app_test as app_test  # noqa: TID251
    import streamlit.testing.v1.local_script_runner as local_runner  # noqa: TID251
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: TID251
    from streamlit.testing.v1 import AppTest  # noqa: TID251

    # AppTest compiles app.py and the page afresh on every run (a new ScriptCache each time: 4–8 ms of
    # parsing and Streamlit's "magic" rewrite here); a server compiles each file once per process. One cache
    # for the whole benchmark measures the rerun a server does, for the empty script too.
    compiled = ScriptCache()
    app_test.ScriptCache = local_runner.ScriptCache = lambda: compiled  # type: ignore[misc]

    os.environ.update(
        DATABASE_URL=database.url, SAFECLASS_CONTENT=str(ROOT), SAFECLASS_COOKIE_KEY=COOKIE_KEY, SAFECLASS_CAMPAIGN=campaign.id
    )
    os.environ.pop("SAFECLASS_DEMO", None)
    labels = _labels()

    def app() -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        _ok(at)
        return at

    def click(at: AppTest, label: str) -> AppTest:
        matches = [b for b in at.button if b.label == label and not b.disabled]
        if not matches:
            raise RuntimeError(f"no button {label!r} in {[b.label for b in at.button]}")
        matches[0].click().run()
        return _ok(at)

    def signed_in(username: str) -> AppTest:
        at = app()
        at.switch_page("app_pages/sign_in.py").run()
        at.text_input[0].input(username)
        at.text_input[1].input(DEMO_PASSWORD)
        return click(at, labels["sign_in.submit"])

    seats = free_seats(database, "middle", from_top=True)

    def joined() -> AppTest:
        code, seat = next(seats)
        at = app()
        at.text_input[0].input(code)
        at.text_input[1].input(str(seat))
        at.text_input[2].input("2580")
        return click(at, labels["join.submit"])

    out = {}
    at = AppTest.from_string("", default_timeout=60)
    out["empty_page_ms"] = median_ms(lambda: at.run(), repeat, warmup=2)

    at = signed_in("coordinator")
    at.switch_page("app_pages/dashboard.py").run()
    _ok(at)
    out["dashboard_page_ms"] = median_ms(lambda: _ok(at.run()), repeat)

    at = signed_in("principal.middle")
    at.switch_page("app_pages/site.py").run()
    _ok(at)
    out["site_page_rerun_ms"] = median_ms(lambda: _ok(at.run()), repeat)

    at = joined()
    click(at, labels["student.next_start"])
    click(at, labels["player.warning_continue"])  # the middle-school lessons open with a content warning
    assert at.get("progress"), "not on a lesson section"
    out["lesson_page_ms"] = median_ms(lambda: _ok(at.run()), repeat)

    samples = []
    for _ in range(quiz_repeat):  # each submission needs a learner with an open attempt: a new seat each time
        at = joined()
        click(at, labels["student.next_start"])
        click(at, labels["player.warning_alternative"])
        click(at, labels["player.alternative_done"])
        click(at, labels["lesson.take_quiz"])
        click(at, labels["quiz.start"])
        for radio in at.radio:  # every question answered (right or wrong does not matter here)
            if radio.key and radio.key.startswith("quiz."):
                at.session_state[radio.key] = True if radio.options[0] == labels["quiz.true"] else 0
        for checkbox in at.checkbox:
            if checkbox.key and checkbox.key.startswith("quiz.") and checkbox.key.endswith(".0"):
                at.session_state[checkbox.key] = True
        at.run()
        submit = next(b for b in at.button if b.label == labels["quiz.submit"])
        submit.click()
        start = time.perf_counter()
        at.run()
        samples.append((time.perf_counter() - start) * 1000)
        _ok(at)
        if not (at.success or at.warning):
            raise RuntimeError(f"the quiz was not graded: {[e.value for e in at.error]}")
    out["quiz_submit_page_ms"] = statistics.median(samples)
    return out


def _ok(at):
    if at.exception:
        raise RuntimeError(f"page raised: {at.exception[0].message}")
    return at


def _labels() -> dict[str, str]:
    """The Korean labels of the buttons the benchmark presses (the app's default language)."""
    import yaml

    strings = yaml.safe_load((ROOT / "safeclass" / "locales" / "ko.yaml").read_text(encoding="utf-8"))

    def flat(prefix: str, node) -> dict[str, str]:
        if isinstance(node, dict):
            return {k: v for key, child in node.items() for k, v in flat(f"{prefix}{key}.", child).items()}
        return {prefix[:-1]: str(node)}

    return flat("", strings)


def free_seats(database: Database, level: str, *, from_top: bool = False):
    """(join code, seat) pairs nobody sits in yet, at classes of ``level``: seats above the simulated ones.

    The pages take seats from the top (60, 59, ...), the concurrent joins from the bottom, so they never meet.
    """
    with database.reading() as s:
        codes = list(s.scalars(select(ClassGroup.join_code).where(ClassGroup.level == level).order_by(ClassGroup.id).limit(2000)))
    seats = range(MAX_SEAT, CLASS_SIZE, -1) if from_top else range(CLASS_SIZE + 1, MAX_SEAT + 1)
    for seat in seats:
        for code in codes:
            yield code, seat


# --- concurrent writers --------------------------------------------------------------------------


def concurrent(ops: list[Callable[[], object]], writers: int = WRITERS) -> tuple[float, list[float], int, int]:
    """Run ``ops`` on ``writers`` threads; (operations per second, latencies ms, locked errors, other errors)."""
    lock = threading.Lock()
    queue = list(reversed(ops))
    latencies: list[float] = []
    errors = {"locked": 0, "other": 0}
    deadline = time.monotonic() + 600  # bounded: a stuck writer cannot keep the benchmark forever

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                if not queue:
                    return
                op = queue.pop()
            start = time.perf_counter()
            try:
                op()
            except OperationalError as exc:
                with lock:
                    errors["locked" if "locked" in str(exc).lower() else "other"] += 1
                continue
            except Exception as exc:
                with lock:
                    errors["other"] += 1
                    if errors["other"] <= 3:
                        print(f"  writer error: {type(exc).__name__}: {exc}", file=sys.stderr)
                continue
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(writers)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=660)
    wall = time.perf_counter() - start
    return len(latencies) / wall, latencies, errors["locked"], errors["other"]


def answers_for(quiz, drawn: list[str], right: bool) -> dict:
    """Answers to every drawn question: all right, or all the first option."""
    out = {}
    for qid in drawn:
        q = quiz.question(qid)
        if isinstance(q, SingleChoiceQuestion):
            out[qid] = min(q.correct_indexes) if right else (0 if 0 not in q.correct_indexes else 1)
        elif isinstance(q, MultipleChoiceQuestion):
            out[qid] = sorted(q.correct_indexes) if right else [0]
        elif isinstance(q, TrueFalseQuestion):
            out[qid] = q.answer if right else not q.answer
        elif isinstance(q, OrderingQuestion):
            out[qid] = list(range(len(q.items))) if right else list(reversed(range(len(q.items))))
    return out


def submit_ops(database: Database, campaign, catalog, count: int) -> list[Callable[[], object]]:
    """``count`` learners with the first lesson completed and its quiz started (untimed), each one submission to time."""
    module = catalog.modules[campaign.audiences.students.middle.modules[0]]
    quiz = catalog.quizzes[f"quiz-{module.id}"]
    with database.reading() as s:
        # NOT EXISTS, not NOT IN: PostgreSQL runs NOT IN over millions of rows as a nested loop (over 13 minutes
        # at 1,000,000 learners); both databases plan NOT EXISTS as an anti-join on the learner's index.
        has_progress = select(ModuleProgress.id).where(ModuleProgress.learner_id == Learner.id)
        fresh = list(
            s.scalars(
                select(Learner.id)
                .join(ClassGroup)
                .where(ClassGroup.level == "middle", ~has_progress.exists())
                .order_by(Learner.id)
                .limit(count)
            )
        )
    rng = random.Random(12)
    keys = []
    for learner_id in fresh:
        with database.transaction() as s:
            learner = s.get(Learner, learner_id)
            record_module_progress(s, learner, campaign, module, sections_done=len(module.sections), completed=True)
        with database.transaction() as s:
            attempt = start_quiz_attempt(s, s.get(Learner, learner_id), campaign, quiz)
            keys.append((learner_id, attempt.attempt_key, answers_for(quiz, list(attempt.drawn), rng.random() < 0.7)))

    def op(learner_id: int, key: str, answers: dict) -> None:
        # As app_pages/quiz.py does: graded in a read session, then written in a short transaction.
        with database.reading() as s:
            submission = grade_submission(s, s.get(Learner, learner_id), campaign, quiz, attempt_key=key, answers=answers)
        with database.transaction() as s:
            record_submission(s, submission)

    return [lambda a=a: op(*a) for a in keys]


def join_ops(database: Database, count: int) -> list[Callable[[], object]]:
    """``count`` first joins to free seats, each with a new PIN."""
    seats = free_seats(database, "middle")
    pairs = [next(seats) for _ in range(count)]
    rng = random.Random(5)

    def op(code: str, seat: int, n: int) -> None:
        pin = f"{rng.randint(0, 9999):04d}"
        # As app_pages/join.py does: the PIN hashed in a read session, then the seat taken in a short transaction.
        with database.reading() as s:
            checked = check_pin(s, join_code=code, seat_number=seat, pin=pin)
        with database.transaction() as s:
            join_class(s, join_code=code, seat_number=seat, pin=pin, client=f"10.1.{n % 250}.{n % 7}", checked=checked)

    return [lambda c=c, seat=seat, n=n: op(c, seat, n) for n, (c, seat) in enumerate(pairs)]


@contextlib.contextmanager
def cheap_demo_passwords():
    """Hash the seed's seven demo staff passwords at bcrypt's lowest cost: sign-in is not what is measured here.

    (12 rounds cost 0.3-2.5 s per hash on this loaded machine.) The PIN hashes of the timed joins keep the app's cost.
    """
    from safeclass import security
    from safeclass.services import accounts

    real = accounts.hash_password
    accounts.hash_password = lambda password, rounds=4: security.hash_password(password, rounds)
    try:
        yield
    finally:
        accounts.hash_password = real


@contextlib.contextmanager
def timed_recount():
    """Seconds spent in the seed's full recount (``rebuild_rollups``, issue 12's 66 s on PostgreSQL), listed as it runs."""
    from safeclass import demo

    real, spent = demo.rebuild_rollups, []

    def timed(session, campaign) -> None:
        start = time.perf_counter()
        real(session, campaign)
        spent.append(time.perf_counter() - start)

    demo.rebuild_rollups = timed
    try:
        yield spent
    finally:
        demo.rebuild_rollups = real


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--json", type=Path, help="write the results here as one JSON object")
    parser.add_argument("--database-url", help="a PostgreSQL URL (a schema of its own is made and dropped); default: a fresh SQLite file")
    parser.add_argument("--quick", action="store_true", help="2,000 learners and few repeats: checks that everything runs")
    parser.add_argument("--repeat", type=int, default=15, help="runs per timing (median)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file afterwards (to profile against it)")
    parser.add_argument("--writes", type=int, default=1600, help="submissions and joins, each, for the concurrent writers")
    args = parser.parse_args()
    if args.quick:
        args.learners, args.repeat, args.writes = min(args.learners, 2_000), 3, 16

    database, schema = fresh_database(args.database_url)
    try:
        result, notes = run(database, args)
    finally:
        database.dispose()
        if schema is not None:
            drop_schema(args.database_url, schema)
        elif not args.keep:  # the SQLite file of a large run takes gigabytes of /tmp
            shutil.rmtree(Path(database.engine.url.database).parent, ignore_errors=True)
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {key: round(float(result[key]), 2) for key in KEYS}

    backend = "SQLite (WAL)" if schema is None else "PostgreSQL"
    print(f"\n### {backend}, {args.learners:,} learners — {notes.pop('rows')}\n")
    print("| measurement | result |\n|---|---|")
    for key in KEYS:
        unit = "" if key.endswith(("_per_s", "_mb")) else " ms"
        print(f"| {key} | {result[key]:,.2f}{unit} |")
    for label, value in notes.items():
        print(f"| {label} | {value} |")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def run(database: Database, args: argparse.Namespace) -> tuple[dict[str, float], dict[str, str]]:
    """Seed, then measure; returns the results and notes for the table."""
    notes: dict[str, str] = {}
    catalog = load_catalog(ROOT).require_ok()
    campaign = catalog.campaigns[CAMPAIGN]
    start = time.perf_counter()
    with cheap_demo_passwords(), timed_recount() as recount:
        seed_demo(database, catalog, campaign, learners=args.learners)
    notes["seed (bulk insert + rebuild_rollups)"] = f"{time.perf_counter() - start:.1f} s"
    notes["rebuild_rollups inside the seed"] = f"{sum(recount):.1f} s"
    notes["database"] = database.url.split("?")[0]
    if not database.is_sqlite:
        # Right after a bulk load PostgreSQL has no statistics yet (autovacuum analyzes later): without
        # them the plain GROUP BY ran for over 6 minutes at 100,000 learners instead of 4 s. Measure the
        # steady state, as autovacuum would leave it.
        start = time.perf_counter()
        with database.engine.connect() as c:
            c.execute(text("ANALYZE"))
            c.commit()
        notes["ANALYZE after the seed"] = f"{time.perf_counter() - start:.1f} s"
    with database.reading() as s:
        counts = {t: s.scalar(text(f"SELECT COUNT(*) FROM {t}")) for t in ("learner", "module_progress", "quiz_attempt", "class_group")}
        coordinator = s.scalar(select(Account).where(Account.username == "coordinator"))
        principal = s.scalar(select(Account).where(Account.username == "principal.middle"))
    notes["rows"] = ", ".join(f"{n:,} {t}" for t, n in counts.items())

    out: dict[str, float] = {}
    out["dashboard_ms"] = median_ms(lambda: dashboard_data(database, coordinator, campaign), args.repeat)
    out["site_page_ms"] = median_ms(lambda: site_data(database, principal, campaign, catalog), args.repeat)

    sql = completed_sql(campaign)
    expected = rollup_completed(database, campaign)

    def naive() -> dict[int, int]:
        with database.reading() as s:
            return {int(a): int(b) for a, b in s.execute(text(sql))}

    out["naive_groupby_ms"] = median_ms(naive, 3, warmup=0)  # seconds per run at scale: three are enough
    if naive() != expected:
        notes["naive GROUP BY check"] = "MISMATCH with the rollups"
    frames = raw_frames(database, campaign)
    con = duckdb.connect()
    for name, frame in frames.items():  # into DuckDB's own in-memory tables (untimed), so the scan is DuckDB's best
        con.register(f"{name}_frame", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_frame")
        con.unregister(f"{name}_frame")

    def scan() -> dict[int, int]:
        return {int(a): int(b) for a, b in con.execute(sql).fetchall()}

    out["duckdb_scan_ms"] = median_ms(scan, args.repeat)
    if scan() != expected:
        notes["DuckDB check"] = "MISMATCH with the rollups"
    con.close()
    del frames

    out.update(page_reruns(database, campaign, catalog, args.repeat, quiz_repeat=2 if args.quick else 5))

    rate, latencies, locked, other = concurrent(submit_ops(database, campaign, catalog, args.writes))
    out["submits_per_s"], out["submit_p95_ms"] = rate, p95(latencies)
    notes["submits: done / 'database is locked' / other errors"] = f"{len(latencies)} / {locked} / {other}"
    rate, latencies, locked, other = concurrent(join_ops(database, args.writes))
    out["joins_per_s"], out["join_p95_ms"] = rate, p95(latencies)
    notes["joins: done / 'database is locked' / other errors"] = f"{len(latencies)} / {locked} / {other}"
    return out, notes


if __name__ == "__main__":
    main()
