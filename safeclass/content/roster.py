"""The site roster (``sites.csv``): parsing with an error per bad row and column."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from safeclass.domain import SEOUL_DISTRICTS, SiteType

ROSTER_COLUMNS = ("site_code", "name", "district", "type", "expected_students")
MAX_EXPECTED_STUDENTS = 10_000  # the largest Seoul school has about 2,500 students; more is a typo


@dataclass(frozen=True)
class SiteRow:
    """One site of the roster."""

    code: str
    name: str
    district: str
    type: SiteType
    expected_students: int


@dataclass(frozen=True)
class RosterProblem:
    """A problem in one row (line) and column of the roster."""

    line: int
    column: str
    message: str


def parse_roster(text: str) -> tuple[list[SiteRow], list[RosterProblem]]:
    """Parse roster CSV text; every bad row and column is reported, good rows are returned."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        return [], [RosterProblem(1, "(header)", "the roster is empty")]
    header = [h.strip() for h in header]
    if tuple(header) != ROSTER_COLUMNS:
        return [], [RosterProblem(1, "(header)", f"columns must be {','.join(ROSTER_COLUMNS)}; found {','.join(header)}")]
    rows: list[SiteRow] = []
    problems: list[RosterProblem] = []
    first_line: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(ROSTER_COLUMNS):
            problems.append(RosterProblem(line, "(row)", f"expected {len(ROSTER_COLUMNS)} columns, found {len(raw)}"))
            continue
        code, name, district, kind, expected = (cell.strip() for cell in raw)
        row_problems = []
        if not code:
            row_problems.append(RosterProblem(line, "site_code", "empty"))
        elif code in first_line:
            row_problems.append(RosterProblem(line, "site_code", f"'{code}' already used on line {first_line[code]}"))
        if not name:
            row_problems.append(RosterProblem(line, "name", "empty"))
        if district not in SEOUL_DISTRICTS:
            row_problems.append(RosterProblem(line, "district", f"'{district}' is not one of Seoul's 25 districts (e.g. Gangnam-gu)"))
        if kind not in {t.value for t in SiteType}:
            allowed = ", ".join(t.value for t in SiteType)
            row_problems.append(RosterProblem(line, "type", f"'{kind}' is not one of {allowed}"))
        if not expected.isdigit() or not 0 <= int(expected) <= MAX_EXPECTED_STUDENTS:
            row_problems.append(
                RosterProblem(line, "expected_students", f"'{expected}' is not a whole number from 0 to {MAX_EXPECTED_STUDENTS}")
            )
        if code and code not in first_line:
            first_line[code] = line
        if row_problems:
            problems.extend(row_problems)
        else:
            rows.append(SiteRow(code, name, district, SiteType(kind), int(expected)))
    return rows, problems
