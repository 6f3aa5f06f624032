"""The site roster (``sites.csv``): parsing with an error per bad row and column."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from safeclass.domain import SEOUL_DISTRICTS, SiteType

ROSTER_COLUMNS = ("site_code", "name", "district", "type", "expected_students")
MAX_EXPECTED_STUDENTS = 10_000  # the largest Seoul school has about 2,500 students; more is a typo
# The campaign's 1,300 sites take about 75 KB; a roster can grow twenty-fold before it meets this limit.
MAX_ROSTER_BYTES = 2 * 1024 * 1024
# A cell starting with one of these is run as a formula when a coordinator opens an export in a spreadsheet
# (CSV injection: `=HYPERLINK(...)`, `=cmd|...`). No school's name or code starts with one, so it is refused.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    if len(text) > MAX_ROSTER_BYTES:
        return [], [RosterProblem(1, "(file)", f"the roster is longer than {MAX_ROSTER_BYTES:,} characters")]
    # newline="": the csv module handles \r, \n and \r\n itself, so a stray \r is a line break, not an exception.
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [RosterProblem(reader.line_num or 1, "(header)", f"not CSV: {exc}")]
    if header is None:
        return [], [RosterProblem(1, "(header)", "the roster is empty")]
    header = [h.strip() for h in header]
    if tuple(header) != ROSTER_COLUMNS:
        return [], [RosterProblem(1, "(header)", f"columns must be {','.join(ROSTER_COLUMNS)}; found {','.join(header)}")]
    rows: list[SiteRow] = []
    problems: list[RosterProblem] = []
    first_line: dict[str, int] = {}
    for line, raw in _numbered(reader, problems):
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(ROSTER_COLUMNS):
            problems.append(RosterProblem(line, "(row)", f"expected {len(ROSTER_COLUMNS)} columns, found {len(raw)}"))
            continue
        code, name, district, kind, expected = (cell.strip() for cell in raw)
        row_problems = [
            RosterProblem(
                line, column, f"{_shown(cell)} begins with {_shown(cell.lstrip(' ')[:1])}: a spreadsheet would run it as a formula"
            )
            for column, cell in (("site_code", raw[0]), ("name", raw[1]))
            if cell.lstrip(" ").startswith(FORMULA_STARTS)
        ]
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


def _shown(value: str) -> str:
    """A cell quoted for a message, with tabs and line breaks visible."""
    return repr(value[:40])


def _numbered(reader, problems: list[RosterProblem]):  # noqa: ANN001
    """Rows with the line each starts on; a row the csv module cannot read ends the file with a located problem."""
    while True:
        start = reader.line_num + 1
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(RosterProblem(start, "(row)", f"not CSV: {exc}"))
            return
        yield start, raw
