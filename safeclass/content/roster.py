"""The site roster (``sites.csv``): reading the files district offices send, with an error per bad row and column.

Offices export from Excel or NEIS, so a roster may be UTF-8, UTF-8 with a byte-order mark or CP949
(EUC-KR), comma- or tab-separated, with Korean headers (학교코드, 학교명, 자치구, 학교급, 학생수) or short
English ones (code, name, district, type, students), district names in Korean or romanised, and
numbers with thousands separators. All of that is accepted; anything else is reported with its line.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from safeclass.domain import SEOUL_DISTRICTS, SiteType

ROSTER_COLUMNS = ("site_code", "name", "district", "type", "expected_students")
MAX_EXPECTED_STUDENTS = 10_000  # the largest Seoul school has about 2,500 students; more is a typo
MAX_ROSTER_BYTES = 2 * 1024 * 1024  # 2 MiB: about 20,000 sites, ten times Seoul's schools and facilities
MAX_ROSTER_ROWS = 20_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs such a cell as a formula

# Header names seen in office exports, normalised (lower case, no spaces, underscores or dots) -> ours.
HEADER_ALIASES: dict[str, str] = {
    **dict.fromkeys(["sitecode", "code", "schoolcode", "학교코드", "기관코드", "시설코드", "코드", "표준학교코드"], "site_code"),
    **dict.fromkeys(["name", "sitename", "schoolname", "학교명", "기관명", "시설명", "이름", "학교·시설명"], "name"),
    **dict.fromkeys(["district", "gu", "자치구", "구", "지역", "소재지", "district(gu)"], "district"),
    **dict.fromkeys(["type", "sitetype", "kind", "level", "학교급", "유형", "구분", "학교종류"], "type"),
    **dict.fromkeys(
        ["expectedstudents", "students", "expected", "studentcount", "학생수", "학생", "대상학생수", "재학생수", "인원"],
        "expected_students",
    ),
}
TYPE_ALIASES: dict[str, SiteType] = {
    **{t.value: t for t in SiteType},
    **dict.fromkeys(["초등학교", "초등", "초"], SiteType.ELEMENTARY),
    **dict.fromkeys(["중학교", "중등", "중"], SiteType.MIDDLE),
    **dict.fromkeys(["고등학교", "고등", "고", "고교"], SiteType.HIGH),
    **dict.fromkeys(["특수학교", "특수"], SiteType.SPECIAL),
    **dict.fromkeys(["청소년시설", "청소년", "청소년기관", "청소년센터"], SiteType.YOUTH),
}
_KOREAN_TO_DISTRICT = {ko: en for en, ko in SEOUL_DISTRICTS.items()}


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


class RosterUnreadable(ValueError):
    """The file is too large or in an encoding we do not read."""


def decode_roster(data: bytes) -> tuple[str, str]:
    """The roster's text and the encoding it was read with: UTF-8 (with or without BOM), CP949/EUC-KR, or UTF-16."""
    if len(data) > MAX_ROSTER_BYTES:
        raise RosterUnreadable(f"the file is {len(data):,} bytes; the limit is {MAX_ROSTER_BYTES:,}")
    # A file that announces its encoding with a byte-order mark and then breaks it is refused, not guessed at.
    for bom, encoding in ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"), (b"\xef\xbb\xbf", "utf-8-sig")):
        if data.startswith(bom):  # UTF-16: Excel's "Unicode text"
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise RosterUnreadable(
                    f"the file starts as {encoding} but is not {encoding} throughout; save it as 'CSV UTF-8' and try again"
                ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949"), "cp949"  # Windows Korean; a superset of EUC-KR
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise RosterUnreadable("the file is not text in UTF-8 or CP949 (EUC-KR); save it as 'CSV UTF-8' and try again")
    return str(best), best.encoding


def normalise_district(value: str) -> str | None:
    """A district as rosters write it (강남구, 강남, 서울특별시 강남구, Gangnam-gu, gangnam) -> ours (Gangnam-gu)."""
    text = " ".join(value.split())
    text = re.sub(r"^(서울특별시|서울시|서울)\s*", "", text)
    if text in SEOUL_DISTRICTS:
        return text
    if text in _KOREAN_TO_DISTRICT:
        return _KOREAN_TO_DISTRICT[text]
    if text + "구" in _KOREAN_TO_DISTRICT:
        return _KOREAN_TO_DISTRICT[text + "구"]
    folded = text.casefold().replace(" ", "").removesuffix("-gu").removesuffix("gu").rstrip("-")
    for english in SEOUL_DISTRICTS:
        if english.casefold().removesuffix("-gu") == folded:
            return english
    return None


def _header_key(name: str) -> str:
    return re.sub(r"[\s_.\-]", "", unicodedata.normalize("NFKC", name).strip().casefold())


def accepted_headers() -> dict[str, list[str]]:
    """For each of our columns, the header names a roster may use (for the message when none match)."""
    out: dict[str, list[str]] = {c: [] for c in ROSTER_COLUMNS}
    for alias, column in HEADER_ALIASES.items():
        out[column].append(alias)
    return out


def _number(value: str) -> int | None:
    text = value.replace(",", "").replace(" ", "").removesuffix("명")
    return int(text) if text.isdigit() else None


def parse_roster(text: str) -> tuple[list[SiteRow], list[RosterProblem]]:
    """Parse roster CSV text; every bad row and column is reported, good rows are returned."""
    if len(text) > MAX_ROSTER_BYTES:
        return [], [RosterProblem(1, "(file)", f"the roster is longer than {MAX_ROSTER_BYTES:,} characters")]
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    # newline="": the csv module handles \r, \n and \r\n itself, so a stray \r is a line break, not an exception.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [RosterProblem(reader.line_num or 1, "(header)", f"not CSV: {exc}")]
    if header is None:
        return [], [RosterProblem(1, "(header)", "the roster is empty")]
    mapped = [HEADER_ALIASES.get(_header_key(h)) for h in header]
    missing = [c for c in ROSTER_COLUMNS if c not in mapped]
    if missing:
        accepted = "; ".join(f"{c}: {', '.join(names)}" for c, names in accepted_headers().items())
        found = ", ".join(h.strip() for h in header)
        return [], [RosterProblem(1, "(header)", f"missing column(s) {', '.join(missing)}; found {found}. Accepted headers — {accepted}")]
    position = {column: mapped.index(column) for column in ROSTER_COLUMNS}
    rows: list[SiteRow] = []
    problems: list[RosterProblem] = []
    first_line: dict[str, int] = {}
    for line, raw in _numbered(reader, problems):
        if not any(cell.strip() for cell in raw):
            continue
        if line > MAX_ROSTER_ROWS + 1:
            problems.append(RosterProblem(line, "(row)", f"more than {MAX_ROSTER_ROWS:,} sites; split the file"))
            break
        if len(raw) < len(header):
            problems.append(RosterProblem(line, "(row)", f"expected {len(header)} columns, found {len(raw)}"))
            continue
        cells = {column: " ".join(raw[i].split()) for column, i in position.items()}
        code, name, district_text, kind_text, expected = (cells[c] for c in ROSTER_COLUMNS)
        row_problems = []
        for column, value in cells.items():
            cell = raw[position[column]]
            if cell.lstrip(" ").startswith(FORMULA_STARTS):
                start = cell.lstrip(" ")[:1]
                row_problems.append(
                    RosterProblem(line, column, f"{_shown(value)} begins with {start!r}: a spreadsheet would run it as a formula")
                )
        if not code:
            row_problems.append(RosterProblem(line, "site_code", "empty"))
        elif code in first_line:
            row_problems.append(RosterProblem(line, "site_code", f"'{code}' already used on line {first_line[code]}"))
        if not name:
            row_problems.append(RosterProblem(line, "name", "empty"))
        district = normalise_district(district_text)
        if district is None:
            row_problems.append(
                RosterProblem(line, "district", f"'{district_text}' is not one of Seoul's 25 districts (e.g. 강남구 or Gangnam-gu)")
            )
        kind = TYPE_ALIASES.get(kind_text.casefold())
        if kind is None:
            allowed = ", ".join(t.value for t in SiteType)
            row_problems.append(
                RosterProblem(line, "type", f"'{kind_text}' is not one of {allowed} (or 초등학교, 중학교, 고등학교, 특수학교, 청소년시설)")
            )
        students = _number(expected)
        if students is None or not 0 <= students <= MAX_EXPECTED_STUDENTS:
            row_problems.append(
                RosterProblem(line, "expected_students", f"'{expected}' is not a whole number from 0 to {MAX_EXPECTED_STUDENTS:,}")
            )
        if code and code not in first_line:
            first_line[code] = line
        if row_problems:
            problems.extend(dict.fromkeys(row_problems))
        else:
            rows.append(SiteRow(code, name, district, kind, students))
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
