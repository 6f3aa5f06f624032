"""Exports neutralise formulas and keep numbers; rosters from district offices are read in any of their encodings."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from safeclass.content.roster import decode_roster, parse_roster
from safeclass.services.exports import neutralise, to_csv, to_xlsx

EVIL = ['=HYPERLINK("http://x","click")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_every_formula_start_is_neutralised_in_csv_and_xlsx() -> None:
    frame = pd.DataFrame({"name": [*EVIL, "안전한 이름"], "rate": [0.5] * 7, "students": [1200] * 7})
    assert [neutralise(v) for v in EVIL] == ["'" + v for v in EVIL]
    data = to_csv(frame, {"name": "이름"})
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "이름" in text and "\n=" not in text and "'=HYPERLINK" in text
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(frame, {"name": "이름"}, percent=["rate"]))).active
    values = [sheet.cell(row=r, column=1).value for r in range(2, 9)]
    assert all(not str(v).startswith(("=", "+", "-", "@", "\t", "\r")) for v in values)
    assert sheet.cell(row=2, column=2).value == 0.5 and sheet.cell(row=2, column=2).number_format == "0.0%"
    assert sheet.cell(row=2, column=3).value == 1200


def test_cp949_korean_headers_districts_and_thousands() -> None:
    raw = (
        '학교코드,학교명,자치구,학교급,학생수\n E0001 ,가나초등학교,강남구,초등학교,"1,234"\nH0002,다라고등학교,서울특별시 마포구,고,300\n'
    )
    text, encoding = decode_roster(raw.encode("cp949"))
    assert encoding == "cp949"
    rows, problems = parse_roster(text)
    assert not problems
    assert [(r.code, r.district, r.type.value, r.expected_students) for r in rows] == [
        ("E0001", "Gangnam-gu", "elementary", 1234),
        ("H0002", "Mapo-gu", "high", 300),
    ]
    assert decode_roster(("\ufeff" + raw).encode("utf-8"))[1] == "utf-8-sig"
    assert decode_roster(raw.encode("utf-8"))[1] == "utf-8"


def test_short_english_headers_and_bad_rows_with_line_numbers() -> None:
    rows, problems = parse_roster("code,name,district,type,students\nM1,=cmd,gangnam,middle,10\nM2,Ok,Gotham,college,x\n")
    assert not rows
    assert {(p.line, p.column) for p in problems} == {(2, "name"), (3, "district"), (3, "type"), (3, "expected_students")}
    _, problems = parse_roster("foo,bar\n1,2\n")
    assert problems[0].line == 1 and "학교코드" in problems[0].message and "site_code" in problems[0].message
