"""Property tests over hostile input: garbled YAML and rosters give located problems, never an exception or a hang."""

from __future__ import annotations

import csv
import io
import shutil
import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from safeclass.content import load_file
from safeclass.content.roster import MAX_EXPECTED_STUDENTS, ROSTER_COLUMNS, SiteRow, parse_roster
from safeclass.db.engine import Database
from safeclass.db.models import AuditLog, Site
from safeclass.domain import SEOUL_DISTRICTS, SiteType
from safeclass.services.roster import import_sites
from tests.content.test_hostile_input import FORMULA_STARTS
from tests.security_tally import tally

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# YAML's structural characters, anchors, aliases, tags and directives, with a little text between them.
YAML_HOSTILE = st.text(alphabet="&*[]{}:-?,|>!%@`'\"#\n  abl0가", max_size=300)
ANCHORED = st.lists(st.sampled_from(["&a ", "*a", "&b [", "*b, ", "[", "]", "{", "}", ": ", "- ", "\n  ", "x", "<<: *a\n"]), max_size=80)


def _check(root: Path, text: str) -> None:
    path = root / "lessons" / "fuzz.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    item, errors = load_file(path, root=root)  # any exception fails the property
    assert item is None and errors  # none of these texts is a whole lesson
    for error in errors:
        assert error.file == "lessons/fuzz.yaml" and error.line >= 1 and error.message


@FAST
@given(text=YAML_HOSTILE)
def test_garbled_yaml_gives_located_errors(tmp_path: Path, text: str) -> None:
    _check(tmp_path, text)
    tally("garbled YAML texts (property)", outcome="all refused with located errors, no exception")


@FAST
@given(parts=ANCHORED)
def test_anchors_and_aliases_anywhere_give_located_errors(tmp_path: Path, parts: list[str]) -> None:
    text = "".join(parts)
    _check(tmp_path, text)
    tally("garbled YAML texts (property)", outcome="all refused with located errors, no exception")


@FAST
@given(text=st.text(alphabet=string.printable + "가\ufeff\x00\u2028", max_size=400))
def test_garbled_roster_gives_located_problems(text: str) -> None:
    rows, problems = parse_roster(text)
    lines = text.count("\n") + text.count("\r") + 2
    for problem in problems:
        assert 1 <= problem.line <= lines and problem.column and problem.message
    for row in rows:
        _assert_safe(row)
    tally("garbled roster texts (property)", outcome="parsed without an exception, bad rows located")


cells = st.text(alphabet=string.ascii_letters + string.digits + " =+-@\t가,\"'", max_size=12)
DISTRICTS = st.one_of(st.sampled_from(sorted(SEOUL_DISTRICTS)), cells)
KINDS = st.one_of(st.sampled_from([t.value for t in SiteType]), cells)
row_values = st.tuples(cells, cells, DISTRICTS, KINDS, st.one_of(st.integers(-5, MAX_EXPECTED_STUDENTS + 5).map(str), cells))


@FAST
@given(raw_rows=st.lists(row_values, min_size=1, max_size=8))
def test_each_roster_row_loads_exactly_when_every_cell_is_valid(raw_rows: list[tuple[str, ...]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROSTER_COLUMNS)
    writer.writerows(raw_rows)
    rows, problems = parse_roster(out.getvalue())
    bad_lines = {p.line for p in problems}
    assert len(rows) + len(bad_lines) <= len(raw_rows)
    for row in rows:
        _assert_safe(row)
    for line, raw in enumerate(raw_rows, start=2):
        if raw[1].lstrip(" ").startswith(FORMULA_STARTS) and any(c.strip() for c in raw):
            assert (line, "name") in {(p.line, p.column) for p in problems}
            tally("hostile roster rows")


def _assert_safe(row: SiteRow) -> None:
    assert row.code and row.name and not row.code.startswith(FORMULA_STARTS) and not row.name.startswith(FORMULA_STARTS)
    assert row.district in SEOUL_DISTRICTS and 0 <= row.expected_students <= MAX_EXPECTED_STUDENTS


valid_rows = st.lists(
    st.builds(
        SiteRow,
        code=st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=8),
        # The reader folds runs of spaces into one (offices' exports have stray ones), so names are generated folded.
        name=st.text(alphabet="가나다 중학교()" + string.ascii_letters, min_size=1, max_size=20)
        .map(lambda s: " ".join(s.split()))
        .filter(bool),
        district=st.sampled_from(sorted(SEOUL_DISTRICTS)),
        type=st.sampled_from(list(SiteType)),
        expected_students=st.integers(0, MAX_EXPECTED_STUDENTS),
    ),
    max_size=10,
    unique_by=lambda r: r.code,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=valid_rows, second=valid_rows)
def test_importing_parsed_rosters_stores_exactly_the_last_values(tmp_path: Path, sqlite_template: Path, first, second) -> None:
    path = tmp_path / "roster.db"
    path.unlink(missing_ok=True)
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    try:
        for rows in (first, second):
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(
                [ROSTER_COLUMNS, *((r.code, r.name, r.district, r.type.value, r.expected_students) for r in rows)]
            )
            parsed, problems = parse_roster(out.getvalue())
            assert problems == [] and parsed == rows  # what was written is what is read back
            with database.transaction() as session:
                added, updated = import_sites(session, parsed, "test-campaign")
            assert added + updated <= len(rows)
        expected = {r.code: r for r in first} | {r.code: r for r in second}
        with database.reading() as session:
            stored = {s.code: (s.name, s.district, s.site_type, s.expected_students) for s in session.scalars(select(Site))}
            assert session.scalar(select(AuditLog.action).limit(1)) == "roster.import"
        assert stored == {c: (r.name, r.district, r.type.value, r.expected_students) for c, r in expected.items()}
    finally:
        database.dispose()
