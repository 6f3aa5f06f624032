"""Command line: ``python -m safeclass <command>``; every command has ``--help``."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from safeclass import config
from safeclass.domain import Role

DEFAULT_LEARNERS = 100_000  # enough for a living demo dashboard; seeding takes about 15 s


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code."""
    parser = argparse.ArgumentParser(prog="python -m safeclass", description="SafeClass administration commands.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser(
        "check-content",
        help="validate lessons, quizzes and campaigns",
        description=(
            "Validate the content tree (or one file) and print a summary, or every error with file:line. "
            "Exit status 0 when valid, 1 when not."
        ),
    )
    p.add_argument("path", nargs="?", default=str(config.content_root()), help="content root or a single file (default: %(default)s)")
    p.set_defaults(run=_check_content)

    for register in _REGISTRARS:
        register(commands)

    args = parser.parse_args(argv)
    from safeclass.db.engine import DatabaseUnavailable

    try:
        return args.run(args)
    except DatabaseUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _check_content(args: argparse.Namespace) -> int:
    from safeclass.content import load_catalog, load_file
    from safeclass.content.loader import iter_texts
    from safeclass.content.models import CheckSection, ScenarioSection

    path = Path(args.path)
    if not path.exists():
        print(f"error: {path} does not exist", file=sys.stderr)
        return 2
    if path.is_file():
        item, errors = load_file(path)
        if errors:
            for error in errors:
                print(error)
            print(f"\n{len(errors)} error(s) in {path}", file=sys.stderr)
            return 1
        print(f"{path}: ok ({type(item).__name__.lower()} '{item.id}', version {item.content_hash[:12]})")
        return 0
    catalog = load_catalog(path)
    if catalog.errors:
        for error in catalog.errors:
            print(error)
        print(f"\n{len(catalog.errors)} error(s); content refused.", file=sys.stderr)
        return 1
    kinds = Counter()
    for module in catalog.modules.values():
        for group in module.levels or module.audiences or ():
            kinds[(module.kind, str(group))] += 1
    print(f"Content in {path}: ok")
    print(f"  modules: {len(catalog.modules)}")
    for (kind, group), count in sorted(kinds.items()):
        print(f"    {kind:<8} {group:<10} {count}")
    scenarios = [s for m in catalog.modules.values() for s in m.sections if isinstance(s, ScenarioSection)]
    checks = sum(len(m.sections_of(CheckSection)) for m in catalog.modules.values())
    print(f"  inline checks: {checks}; scenarios: {len(scenarios)} with {sum(len(s.nodes) for s in scenarios)} nodes")
    questions = sum(len(q.questions) for q in catalog.quizzes.values())
    print(f"  quizzes: {len(catalog.quizzes)} with {questions} questions in their pools")
    steps = sum(len(g.steps) for g in catalog.guides.values())
    injects = sum(len(d.injects) for d in catalog.drills.values())
    print(f"  case guides: {len(catalog.guides)} with {steps} steps; drills: {len(catalog.drills)} with {injects} injects")
    items = [*catalog.modules.values(), *catalog.quizzes.values(), *catalog.guides.values(), *catalog.drills.values()]
    strings = sum(1 for item in items for _ in iter_texts(item))
    print(f"  languages: ko and en complete ({strings // 2} bilingual strings)")
    for campaign in catalog.campaigns.values():
        roster = catalog.rosters[campaign.id]
        print(f"  campaign {campaign.id}: {len(roster)} sites, {len(campaign.help)} help entries, k={campaign.k}")
    return 0


def _database():
    from safeclass.db.engine import Database

    return Database(config.database_url())


def _campaign(catalog, requested: str | None):  # noqa: ANN001
    from safeclass.services.measures import current_campaign

    current = current_campaign(catalog.campaigns)
    campaign_id = requested or config.campaign_id() or (current.id if current else None)
    if campaign_id is None or campaign_id not in catalog.campaigns:
        known = ", ".join(sorted(catalog.campaigns)) or "none"
        raise SystemExit(f"error: choose a campaign with --campaign (known: {known})")
    return catalog.campaigns[campaign_id]


def _migrate(args: argparse.Namespace) -> int:
    from safeclass.db.migrate import upgrade

    database = _database()
    upgrade(database)
    print(f"database {database.url if database.is_sqlite else 'at DATABASE_URL'} is up to date")
    return 0


def _seed_demo(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    if not config.demo_mode():
        # The demo accounts share a published password: they must never exist on a real install.
        print("error: seed-demo runs only in demo mode (SAFECLASS_DEMO=1); it creates accounts with a public password", file=sys.stderr)
        return 2

    from safeclass.content import load_catalog
    from safeclass.db.models import Account
    from safeclass.demo import DEMO_PASSWORD, demo_accounts, demo_class_codes, seed_demo

    catalog = load_catalog(config.content_root()).require_ok()
    campaign = _campaign(catalog, args.campaign)
    database = _database()
    database.check()
    with database.reading() as session:
        empty = not session.scalar(select(func.count()).select_from(Account))
    if empty:
        print(f"seeding the demo campaign '{campaign.id}' with {args.learners:,} simulated learners …", flush=True)
        seed_demo(database, catalog, campaign, learners=args.learners)
    elif not args.if_empty:
        print("error: the database already has accounts; seed-demo only fills an empty database", file=sys.stderr)
        return 1
    with database.reading() as session:
        accounts = demo_accounts(session)
        classes = demo_class_codes(session)
    # The shared demo password is printed only in demo mode, so a log of a real install never carries it.
    password = DEMO_PASSWORD if config.demo_mode() else "shown only with SAFECLASS_DEMO=1"
    print(f"\nDemo sign-ins (password for all: {password}):")
    for account in accounts:
        print(f"  {account.username:<22} {account.role.value:<12} {account.what}")
    print("\nTry the student side (Join a class: code, a free seat number, a 4-digit PIN you choose):")
    for group in classes:
        print(f"  {group.level:<11} code {group.join_code}  seats {group.first_free_seat}–60 free  ({group.site})")
    return 0


def _create_user(args: argparse.Namespace) -> int:
    from safeclass.services import ServiceError
    from safeclass.services.accounts import create_account

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    database = _database()
    database.check()
    try:
        with database.transaction() as session:
            account, used = create_account(
                session,
                username=args.username,
                display_name=args.name or args.username,
                role=args.role,
                password=password,
                site_code=args.site,
                district=args.district,
            )
    except ServiceError as exc:
        print(f"error: {exc.code.replace('_', ' ')} {exc.params or ''}".rstrip(), file=sys.stderr)
        return 1
    print(f"created {account.role} '{account.username}'")
    if password is None:
        print(f"one-time password (must be changed at first sign-in): {used}")
    return 0


def _import_sites(args: argparse.Namespace) -> int:
    from safeclass.content import load_catalog
    from safeclass.content.roster import MAX_ROSTER_BYTES, RosterUnreadable, decode_roster, parse_roster
    from safeclass.content.source import too_large
    from safeclass.services.roster import import_sites

    path = Path(args.csv)
    try:
        oversized = too_large(path, MAX_ROSTER_BYTES)
        if oversized:
            print(f"{path}:1 (file): {oversized}", file=sys.stderr)
            return 1
        text, _encoding = decode_roster(path.read_bytes())
    except (OSError, RosterUnreadable) as exc:
        print(f"error: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    rows, problems = parse_roster(text)
    if problems:
        for p in problems:
            print(f"{path}:{p.line} {p.column}: {p.message}")
        print(f"\n{len(problems)} error(s); nothing imported.", file=sys.stderr)
        return 1
    campaign = _campaign(load_catalog(config.content_root()), args.campaign)
    database = _database()
    database.check()
    with database.transaction() as session:
        added, updated = import_sites(session, rows, campaign.id)
    print(f"{len(rows)} sites: {added} added, {updated} updated (campaign {campaign.id})")
    return 0


def _curriculum_doc(args: argparse.Namespace) -> int:
    from safeclass.content import load_catalog
    from safeclass.content.curriculum import curriculum_markdown

    sys.stdout.write(curriculum_markdown(load_catalog(config.content_root()).require_ok()))
    return 0


def _register_admin_commands(commands) -> None:  # noqa: ANN001
    p = commands.add_parser(
        "migrate",
        help="create or upgrade the database schema",
        description=("Apply every Alembic migration to the database (DATABASE_URL, or data/safeclass.db). Safe to run again."),
    )
    p.set_defaults(run=_migrate)

    p = commands.add_parser(
        "seed-demo",
        help="load the synthetic demo campaign",
        description=(
            "Fill an empty database with the synthetic roster, demo accounts and simulated progress, and print the "
            "demo sign-ins. Use --learners to scale the simulation (up to 1,000,000 for benchmarks)."
        ),
    )
    p.add_argument("--learners", type=int, default=DEFAULT_LEARNERS, help="simulated learners (default: %(default)s)")
    p.add_argument("--campaign", help="campaign id (default: SAFECLASS_CAMPAIGN, or the campaign running today)")
    p.add_argument("--if-empty", action="store_true", help="do nothing (but print the sign-ins) when already seeded")
    p.set_defaults(run=_seed_demo)

    p = commands.add_parser(
        "create-user",
        help="create a staff account",
        description=(
            "Create a teacher, principal, coordinator or admin account. Without --password-stdin a one-time "
            "password is printed, which must be changed at first sign-in."
        ),
    )
    p.add_argument("--username", required=True)
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--name", help="display name (staff only; never a student)")
    p.add_argument("--site", help="site code (required for teacher and principal)")
    p.add_argument("--district", help="limit a coordinator to one district, e.g. Gangnam-gu")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of standard input")
    p.set_defaults(run=_create_user)

    p = commands.add_parser(
        "import-sites",
        help="import or update the site roster from CSV",
        description=(
            "Add new sites and update changed ones from a roster CSV (site_code,name,district,type,expected_students, or the "
            "Korean headers 학교코드,학교명,자치구,학교급,학생수; UTF-8 or CP949). "
            "Every bad row is reported with its line; nothing is imported unless the whole file is valid."
        ),
    )
    p.add_argument("csv", help="path to the roster CSV")
    p.add_argument("--campaign", help="campaign id (default: SAFECLASS_CAMPAIGN, or the campaign running today)")
    p.set_defaults(run=_import_sites)

    p = commands.add_parser(
        "curriculum-doc",
        help="print the curriculum map (docs/curriculum.md)",
        description=("Print every module with its objectives, minutes, checks, scenario and sources, and every quiz, as Markdown."),
    )
    p.set_defaults(run=_curriculum_doc)


def _backup(args: argparse.Namespace) -> int:
    import datetime as dt

    from safeclass.db.backup import BackupRefused, backup_sqlite

    database = _database()
    target = Path(args.path) if args.path else config.data_dir() / "backups" / f"safeclass-{dt.datetime.now():%Y%m%d-%H%M%S}.db"
    try:
        if database.is_sqlite:
            database.check()
        result = backup_sqlite(database, target)
    except BackupRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"backed up to {result.path} ({result.size:,} bytes; integrity ok)")
    for table in ("site", "account", "class_group", "learner", "module_progress", "quiz_attempt"):
        if table in result.rows:
            print(f"  {table:<16} {result.rows[table]:>10,} rows")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from safeclass import i18n
    from safeclass.content import load_catalog
    from safeclass.services import ServiceError
    from safeclass.services.retention import purge_learners

    catalog = load_catalog(config.content_root())
    campaign = catalog.campaigns.get(args.campaign)
    if campaign is None:
        known = ", ".join(sorted(catalog.campaigns)) or "none"
        print(f"error: no campaign '{args.campaign}' in the content (known: {known})", file=sys.stderr)
        return 2
    database = _database()
    database.check()
    try:
        with database.transaction() as session:
            report = purge_learners(session, campaign, dry_run=args.dry_run)
            if args.dry_run:
                session.rollback()  # a dry run changes nothing, not even the audit log
    except ServiceError as exc:
        print(f"error: {i18n.translate('error.' + exc.code, 'en', **exc.params)}", file=sys.stderr)
        return 1
    verb = "would delete" if args.dry_run else "deleted"
    print(f"campaign {campaign.id}: learner records kept until {report.kept_until}; {verb}:")
    for table, count in report.counts().items():
        print(f"  {table:<16} {count:>10,} rows")
    if not args.dry_run:
        print("rollups recounted; the purge is in the audit log (learners.purge)")
    return 0


def _register_data_commands(commands) -> None:  # noqa: ANN001
    p = commands.add_parser(
        "backup",
        help="copy the SQLite database consistently while the app runs",
        description=(
            "Copy the embedded SQLite database with SQLite's online backup API (safe while the app runs), check the "
            "copy and print its row counts. For PostgreSQL it refuses and names the pg_dump command to use instead."
        ),
    )
    p.add_argument("path", nargs="?", help="file to write (default: data/backups/safeclass-<date-time>.db); never overwritten")
    p.set_defaults(run=_backup)

    p = commands.add_parser(
        "purge",
        help="delete a campaign's learner records after its retention period",
        description=(
            "Delete every learner of the campaign's classes with their progress, quiz attempts, scenario choices and "
            "check answers, once retention_days after the campaign's end have passed; recount the rollups; write the "
            "audit log. Refused before that date. Staff records, classes and attestations stay."
        ),
    )
    p.add_argument("--campaign", required=True, help="campaign id, e.g. seoul-2025")
    p.add_argument("--dry-run", action="store_true", help="count what would be deleted; change nothing")
    p.set_defaults(run=_purge)


_REGISTRARS = [_register_admin_commands, _register_data_commands]
