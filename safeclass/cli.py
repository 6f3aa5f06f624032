"""Command line: ``python -m safeclass <command>``; every command has ``--help``."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from safeclass import config


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code."""
    parser = argparse.ArgumentParser(prog="python -m safeclass", description="SafeClass administration commands.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("check-content", help="validate lessons, quizzes and campaigns", description=(
        "Validate the content tree (or one file) and print a summary, or every error with file:line. "
        "Exit status 0 when valid, 1 when not."))
    p.add_argument("path", nargs="?", default=str(config.content_root()), help="content root or a single file (default: %(default)s)")
    p.set_defaults(run=_check_content)

    for register in _REGISTRARS:
        register(commands)

    args = parser.parse_args(argv)
    return args.run(args)


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
    strings = sum(1 for item in [*catalog.modules.values(), *catalog.quizzes.values()] for _ in iter_texts(item))
    print(f"  languages: ko and en complete ({strings // 2} bilingual strings)")
    for campaign in catalog.campaigns.values():
        roster = catalog.rosters[campaign.id]
        print(f"  campaign {campaign.id}: {len(roster)} sites, {len(campaign.help)} help entries, k={campaign.k}")
    return 0


_REGISTRARS: list = []
