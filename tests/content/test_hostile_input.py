"""Hostile content and rosters: alias bombs, deep nesting, huge files and spreadsheet formulas are refused, located, fast."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from safeclass.cli import main
from safeclass.content import load_catalog, load_file
from safeclass.content.roster import MAX_ROSTER_BYTES, ROSTER_COLUMNS, parse_roster
from safeclass.content.source import MAX_CONTENT_BYTES, MAX_DEPTH, parse_yaml
from tests.security_tally import tally

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VALID = HERE / "valid"
HEADER = ",".join(ROSTER_COLUMNS)
# Written out, not imported: a test that took the list from the code would shrink with it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BLOCK_DEPTH = 70  # fixed, not MAX_DEPTH + n: a test must not grow with the limit it checks


def billion_laughs(levels: int = 6) -> str:
    """``levels`` levels of nine aliases: six (about 400 bytes) expand to 9**6 strings, nine (under 600) to 9**9.

    In-process tests use six, so that a loader without the alias limit fails them in seconds instead of
    hanging the suite; the full bomb runs in a subprocess with a timeout.
    """
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    return root


def test_billion_laughs_is_refused_in_milliseconds_with_its_line(tmp_path: Path) -> None:
    root = _content(tmp_path)
    bomb = root / "lessons" / "bomb.yaml"
    bomb.write_text(billion_laughs(), encoding="utf-8")
    assert bomb.stat().st_size < 400
    started = time.perf_counter()
    item, errors = load_file(bomb, root=root)
    assert time.perf_counter() - started < 1.0
    assert item is None
    assert str(errors[0]) == "lessons/bomb.yaml:2 (document): YAML alias '*l0' is not allowed in content files: write the value out"
    assert len(errors) == 5  # one per line that holds aliases
    tally("hostile content files", 1)


def test_billion_laughs_in_check_content_and_in_the_apps_reload(tmp_path: Path) -> None:
    root = _content(tmp_path)
    (root / "quizzes" / "bomb.yaml").write_text(billion_laughs(9), encoding="utf-8")  # 387 million strings
    assert (root / "quizzes" / "bomb.yaml").stat().st_size < 600
    # The command line, in its own process with a deadline: without the limit it would hang and eat gigabytes.
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "safeclass", "check-content", str(root)], capture_output=True, text=True, cwd=ROOT, timeout=20
    )
    assert time.perf_counter() - started < 10  # nearly all of it starting Python and loading the tree
    assert done.returncode == 1
    assert "quizzes/bomb.yaml:2 (document): YAML alias '*l0' is not allowed in content files: write the value out" in done.stdout
    (root / "quizzes" / "bomb.yaml").write_text(billion_laughs(), encoding="utf-8")
    started = time.perf_counter()
    catalog = load_catalog(root)  # what the app's cached catalog and its Reload button call
    assert time.perf_counter() - started < 1.0
    assert [e.file for e in catalog.errors] == ["quizzes/bomb.yaml"] * 5
    assert "test-quiz" in catalog.quizzes  # the good files still load beside it
    tally("hostile content files", 2)


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 5000 + "]" * 5000,
        "a: " + "{a: " * 5000 + "}" * 5000,
        "".join("  " * i + f"k{i}:\n" for i in range(BLOCK_DEPTH)) + "  " * BLOCK_DEPTH + "end\n",
        "- " * 5000 + "x\n",
        "? " * 5000 + "x\n",
    ],
    ids=["flow-lists", "flow-maps", "block-maps", "compact-lists", "complex-keys"],
)
def test_deep_nesting_is_refused_before_it_is_built(text: str) -> None:
    assert MAX_DEPTH < BLOCK_DEPTH
    started = time.perf_counter()
    located = parse_yaml(text)
    assert time.perf_counter() - started < 1.0
    assert located.data is None
    assert located.problems and located.problems[0][2] == f"nested more than {MAX_DEPTH} levels deep"
    tally("hostile content files", 1)


def test_nesting_that_would_crash_libyaml_is_refused_by_check_content(tmp_path: Path) -> None:
    # 300,000 levels crash libyaml's composer with a segmentation fault: run it in its own process.
    root = _content(tmp_path)
    path = root / "lessons" / "deep.yaml"
    path.write_text("a: " + "[" * 150_000 + "]" * 150_000 + "\n", encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "safeclass", "check-content", str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 1, done.stderr[-500:]
    assert time.perf_counter() - started < 10  # most of it is starting Python
    assert "lessons/deep.yaml:1 (document): nested more than 64 levels deep" in done.stdout
    tally("hostile content files", 1)


def test_an_oversized_content_file_is_refused_unread(tmp_path: Path) -> None:
    root = _content(tmp_path)
    big = root / "lessons" / "big.yaml"
    big.write_text("id: big\n" + "# padding\n" * (MAX_CONTENT_BYTES // 10 + 1), encoding="utf-8")
    item, errors = load_file(big, root=root)
    assert item is None
    size = big.stat().st_size
    assert [str(e) for e in errors] == [
        f"lessons/big.yaml:1 (file): the file is {size:,} bytes; content files are limited to {MAX_CONTENT_BYTES:,} bytes "
        "(split it into smaller files)"
    ]
    assert parse_yaml("a: b\n" + " " * MAX_CONTENT_BYTES).problems[0][2].startswith("the text is longer than")
    tally("hostile content files", 2)


def test_the_largest_shipped_file_is_well_within_the_limit() -> None:
    largest = max(p.stat().st_size for p in [*ROOT.glob("lessons/*.yaml"), *ROOT.glob("quizzes/*.yaml")])
    assert largest * 3 < MAX_CONTENT_BYTES
    assert max(p.stat().st_size for p in ROOT.glob("campaigns/*/sites.csv")) * 10 < MAX_ROSTER_BYTES


def test_an_oversized_roster_is_refused_in_the_tree_and_on_the_command_line(tmp_path: Path, capsys) -> None:
    root = _content(tmp_path)
    roster = root / "campaigns" / "test-campaign" / "sites.csv"
    roster.write_text(roster.read_text(encoding="utf-8") + "\n" * (MAX_ROSTER_BYTES + 1), encoding="utf-8")
    errors = [str(e) for e in load_catalog(root).errors]
    assert len(errors) == 1 and errors[0].startswith("campaigns/test-campaign/sites.csv:1 (file): the file is ")
    assert main(["import-sites", str(roster), "--campaign", "test-campaign"]) == 1
    assert f"{roster}:1 (file): the file is " in capsys.readouterr().err
    assert parse_roster(HEADER + "\n" * MAX_ROSTER_BYTES)[1][0].message.startswith("the roster is longer than")
    tally("hostile roster files", 3)


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=repr)
@pytest.mark.parametrize("column", ["site_code", "name"])
def test_roster_cells_that_a_spreadsheet_would_run_are_refused(start: str, column: str) -> None:
    cell = f'"{start}HYPERLINK(""http://evil.example"",""click"")"'
    code, name = (cell, "[가상] 중학교") if column == "site_code" else ("M0009", cell)
    rows, problems = parse_roster(f"{HEADER}\nM0001,[가상] 초등학교,Mapo-gu,elementary,300\n{code},{name},Mapo-gu,middle,300\n")
    assert [r.code for r in rows] == ["M0001"]
    assert [(p.line, p.column) for p in problems] == [(3, column)]
    assert problems[0].message.endswith(f"begins with {start!r}: a spreadsheet would run it as a formula")
    tally("hostile roster rows", 1)


def test_a_formula_behind_spaces_is_refused_too_and_ordinary_names_pass() -> None:
    rows, problems = parse_roster(f"{HEADER}\nM0001,  =1+1,Mapo-gu,middle,300\nM0002,서울 중학교 (A+),Mapo-gu,middle,300\n")
    assert [(p.line, p.column) for p in problems] == [(2, "name")]
    assert [r.name for r in rows] == ["서울 중학교 (A+)"]
    tally("hostile roster rows", 1)
