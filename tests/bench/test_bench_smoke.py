"""The benchmarks run and write their JSON (no timings asserted: those belong in docs/performance.md)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

from tests.conftest import ROOT, require

RUN_KEYS = {
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
}
LOAD_KEYS = {"sessions", "interaction_p50_ms", "interaction_p95_ms", "errors", "server_rss_mb", "rss_per_session_kib", "reruns_per_s"}


def test_run_quick_and_a_three_session_load_test_write_their_json(tmp_path) -> None:
    require(importlib.util.find_spec("duckdb") is not None, "duckdb is not installed (pip install -r requirements-dev.txt)")
    run_json, load_json = tmp_path / "run.json", tmp_path / "load.json"
    # Side by side: each spends most of its time seeding the 1,300-site roster.
    run = subprocess.Popen(
        [sys.executable, "bench/run.py", "--quick", "--json", str(run_json)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    load = subprocess.Popen(
        [sys.executable, "bench/load.py", "--sessions", "3", "--quick", "--json", str(load_json)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _, run_err = run.communicate(timeout=600)
        _, load_err = load.communicate(timeout=600)
    finally:
        for process in (run, load):
            if process.poll() is None:
                process.kill()
    assert run.returncode == 0, run_err[-3000:]
    assert load.returncode == 0, load_err[-3000:]
    assert set(json.loads(run_json.read_text())) == RUN_KEYS
    result = json.loads(load_json.read_text())
    assert set(result) >= LOAD_KEYS
    assert result["sessions"] == 3
    assert result["interaction_p50_ms"] is not None
