"""Campaign-scale benchmark: seed N simulated learners over 1,300 sites, then time what users do.

Usage: python bench/run.py [--learners 1000000] [--database-url URL] [--repeat 20]
Times are wall-clock medians on this machine; see docs/performance.md for recorded results.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text

from safeclass.config import content_root
from safeclass.content import load_catalog
from safeclass.db.engine import Database
from safeclass.db.migrate import upgrade
from safeclass.db.models import Account, ClassGroup, Learner, ModuleProgress, QuizAttempt
from safeclass.demo import seed_demo
from safeclass.services.classes import join_class
from safeclass.services.progress import record_module_progress
from safeclass.services.quizzes import start_quiz_attempt, submit_quiz_attempt
from safeclass.services.reports import campaign_summary, completion_by, lagging_sites, site_table


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median and max milliseconds of ``fn`` over ``repeat`` runs."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    """Seed, measure, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=200_000)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='safeclass-bench-')}/bench.db"
    database = Database(url)
    schema = None
    if not database.is_sqlite:  # a PostgreSQL bench starts from an empty schema of its own
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with database.engine.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        database.dispose()
        url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
        database = Database(url)
    upgrade(database)

    rows: list[tuple[str, str]] = []
    start = time.perf_counter()
    catalog = load_catalog(content_root()).require_ok()
    rows.append(
        ("load and check all content (23 modules, 21 quizzes, 1,300-site roster)", f"{(time.perf_counter() - start) * 1000:.0f} ms")
    )
    campaign = catalog.campaigns["seoul-2025"]

    start = time.perf_counter()
    seed_demo(database, catalog, campaign, learners=args.learners)
    elapsed = time.perf_counter() - start
    rows.append((f"seed {args.learners:,} simulated learners (bulk insert + rollup recount)", f"{elapsed:.1f} s"))
    with database.reading() as s:
        counts = {
            m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in (Learner, ModuleProgress, QuizAttempt, ClassGroup)
        }
        coordinator = s.scalar(select(Account).where(Account.username == "coordinator"))
        district = s.scalar(select(Account).where(Account.username == "gangnam.coord"))
        principal = s.scalar(select(Account).where(Account.username == "principal.middle"))
        codes = list(s.scalars(select(ClassGroup.join_code).limit(200)))

    def dashboard(viewer: Account) -> None:
        with database.reading() as s:
            sites = site_table(s, viewer, campaign.id)
        campaign_summary(sites)
        completion_by(sites, "district", campaign.k)
        completion_by(sites, "site_type", campaign.k)
        lagging_sites(sites, campaign.k)

    for label, viewer in (
        ("coordinator dashboard, whole campaign", coordinator),
        ("coordinator dashboard, one district", district),
        ("principal site view", principal),
    ):
        median, worst = timed(lambda v=viewer: dashboard(v), args.repeat)
        rows.append((f"{label} (rollups + pandas)", f"{median:.1f} ms median, {worst:.1f} ms max"))

    rng = random.Random(7)
    lesson = catalog.modules[campaign.audiences.students.middle.modules[0]]

    def student_action() -> None:
        with database.transaction() as s:
            learner = join_class(s, join_code=rng.choice(codes), seat_number=rng.randint(26, 60), pin="2580", client="bench")
        with database.transaction() as s:
            learner = s.get(Learner, learner.id)
            group = s.get(ClassGroup, learner.class_group_id)
            module = catalog.modules[campaign.audiences.students.for_level(group.level).modules[0]]
            record_module_progress(s, learner, campaign, module, sections_done=len(module.sections), completed=True)

    median, worst = timed(student_action, args.repeat * 5)
    rows.append(
        ("student joins and completes a module (2 transactions, rollup updated in each)", f"{median:.1f} ms median, {worst:.1f} ms max")
    )
    quiz = catalog.quizzes[f"quiz-{lesson.id}"]
    with database.reading() as s:
        tried = select(QuizAttempt.learner_id).where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.learner_id.is_not(None))
        finished = select(ModuleProgress.learner_id).where(ModuleProgress.module_id == lesson.id, ModuleProgress.completed_at.is_not(None))
        fresh = select(Learner.id).join(ClassGroup).where(ClassGroup.level == "middle", Learner.id.not_in(tried), Learner.id.in_(finished))
        middle_learners = list(s.scalars(fresh.limit(args.repeat * 5)))

    takers = iter(middle_learners)  # each learner once, so no one runs out of attempts

    def quiz_action() -> None:
        learner_id = next(takers)
        with database.transaction() as s:
            key = start_quiz_attempt(s, s.get(Learner, learner_id), campaign, quiz).attempt_key
        with database.transaction() as s:
            submit_quiz_attempt(s, s.get(Learner, learner_id), campaign, quiz, attempt_key=key, answers={})

    if middle_learners:  # learners who finished the lesson, so its quiz is open to them
        median, worst = timed(quiz_action, len(middle_learners))
        rows.append(("quiz attempt drawn, then graded and recorded (2 transactions)", f"{median:.1f} ms median, {worst:.1f} ms max"))

    backend = "PostgreSQL" if not database.is_sqlite else "SQLite (WAL)"
    print(f"\n### {backend}, {args.learners:,} learners ({counts['learner']:,} rows), {counts['module_progress']:,} progress rows, "
          f"{counts['quiz_attempt']:,} quiz attempts, {counts['class_group']:,} classes\n")  # fmt: skip
    print("| measurement | result |\n|---|---|")
    for label, value in rows:
        print(f"| {label} | {value} |")
    database.dispose()
    if schema is not None:  # leave the shared database as we found it
        admin = Database(args.database_url)
        with admin.engine.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
