"""No student names, birthdates or free text: the migrated schema of every learner-related table is an allow-list.

The rule: a table is learner-related when it is ``learner`` or has a foreign key to it (found by inspecting the
migrated database, so a new table is caught too). Every column of such a table must be listed below with its
kind: ids and counts (integer), flags (boolean), timestamps (datetime), short codes and hashes (string of at
most 64 characters; 100 for a bcrypt hash), and two JSON columns that hold question ids and option indexes only.
A date column (a birthdate), a long string or text column (a name, a comment) or any unlisted column fails, and
must be argued for here before it can be added.
"""

from __future__ import annotations

import pytest
from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, String, Text, inspect

from tests.security_tally import tally

ID, FLAG, TIME, JSON_IDS = "integer", "boolean", "datetime", "json of ids and option indexes"


def code(length: int = 64) -> tuple[str, int]:
    """A short code, id or hash: at most ``length`` characters."""
    return ("string", length)


COMMON = {"id": ID, "learner_id": ID, "account_id": ID, "campaign_id": code(), "content_hash": code()}
ALLOWED: dict[str, dict[str, object]] = {
    "learner": {"id": ID, "class_group_id": ID, "seat_number": ID, "pin_hash": code(100), "created_at": TIME},
    "module_progress": {
        **COMMON,
        "module_id": code(),
        "sections_done": ID,
        "position": ID,
        "alternative": FLAG,
        "started_at": TIME,
        "completed_at": TIME,
    },
    "quiz_attempt": {
        **COMMON,
        "attempt_key": code(),
        "quiz_id": code(),
        "drawn": JSON_IDS,
        "score": ID,
        "max_score": ID,
        "passed": FLAG,
        "answers": JSON_IDS,
        "started_at": TIME,
        "submitted_at": TIME,
    },
    "scenario_choice": {
        **COMMON,
        "run_key": code(),
        "module_id": code(),
        "scenario_id": code(),
        "node_id": code(),
        "choice_index": ID,
        "points": ID,
        "critical": FLAG,
        "chosen_at": TIME,
    },
    "check_answer": {
        **COMMON,
        "module_id": code(),
        "check_id": code(),
        "choice_index": ID,
        "correct": FLAG,
        "answered_at": TIME,
    },
}


def _kind(column_type) -> object:
    if isinstance(column_type, Date) and not isinstance(column_type, DateTime):
        return "date"
    if isinstance(column_type, DateTime):
        return TIME
    if isinstance(column_type, Boolean):
        return FLAG
    if isinstance(column_type, Integer):
        return ID
    if isinstance(column_type, JSON):
        return JSON_IDS
    if isinstance(column_type, Text) or (isinstance(column_type, String) and column_type.length is None):
        return "text"
    if isinstance(column_type, String):
        return ("string", column_type.length)
    return type(column_type).__name__


def _allowed(kind: object, rule: object) -> bool:
    if isinstance(rule, tuple) and isinstance(kind, tuple):
        return kind[0] == rule[0] and kind[1] <= rule[1]
    # SQLite reports a Boolean as BOOLEAN, PostgreSQL too; JSON may come back as JSON or (PostgreSQL) JSON.
    return kind == rule


def learner_tables(inspector) -> set[str]:
    """``learner`` and every table with a foreign key to it."""
    tables = {"learner"}
    for table in inspector.get_table_names():
        if any(fk["referred_table"] == "learner" for fk in inspector.get_foreign_keys(table)):
            tables.add(table)
    return tables


def schema_problems(bind) -> list[str]:
    """Every column of a learner-related table that the allow-list does not permit, as ``table.column: why``."""
    inspector = inspect(bind)
    problems = []
    for table in sorted(learner_tables(inspector)):
        allowed = ALLOWED.get(table)
        if allowed is None:
            problems.append(f"{table}: a new learner-related table; list its columns in ALLOWED after a privacy review")
            continue
        for column in inspector.get_columns(table):
            kind, rule = _kind(column["type"]), allowed.get(column["name"])
            if rule is None:
                problems.append(f"{table}.{column['name']}: not in the allow-list ({kind})")
            elif not _allowed(kind, rule):
                problems.append(f"{table}.{column['name']}: is {kind}, only {rule} is allowed")
    return problems


def test_learner_tables_hold_no_names_birthdates_or_free_text(database) -> None:
    inspector = inspect(database.engine)
    assert learner_tables(inspector) == set(ALLOWED)  # the rule finds each table by its foreign key
    assert schema_problems(database.engine) == []
    columns = sum(len(inspector.get_columns(t)) for t in ALLOWED)
    tally("learner-table columns checked against the privacy allow-list", columns, outcome="each an id, flag, time, code or hash")


@pytest.mark.parametrize(
    ("ddl", "expected"),
    [
        ("ALTER TABLE learner ADD COLUMN nickname VARCHAR(64)", "learner.nickname: not in the allow-list"),
        ("ALTER TABLE learner ADD COLUMN birthdate DATE", "learner.birthdate: not in the allow-list"),
        ("ALTER TABLE check_answer ADD COLUMN comment TEXT", "check_answer.comment: not in the allow-list"),
        ("CREATE TABLE learner_note (id INTEGER PRIMARY KEY, learner_id INTEGER REFERENCES learner(id), body TEXT)", "learner_note: a new"),
    ],
    ids=["name", "birthdate", "free-text", "new-table"],
)
def test_the_rule_catches_a_column_that_could_hold_a_child_s_details(database, ddl: str, expected: str) -> None:
    assert any(p.startswith(expected) for p in _problems_after(database, ddl))
    tally("privacy-violating schema changes", outcome="all caught by the schema rule")


def test_a_widened_code_column_is_caught(database) -> None:
    if not database.is_sqlite:
        problems = _problems_after(database, "ALTER TABLE scenario_choice ALTER COLUMN node_id TYPE VARCHAR(2000)")
        assert "scenario_choice.node_id: is ('string', 2000), only ('string', 64) is allowed" in problems
    else:  # SQLite cannot alter a column's type in place: check the rule on the reported type instead
        assert not _allowed(("string", 2000), code())
    tally("privacy-violating schema changes", outcome="all caught by the schema rule")


def _problems_after(database, ddl: str) -> list[str]:
    """The rule's findings with ``ddl`` applied inside a transaction that is rolled back (the schema is shared)."""
    with database.engine.connect() as connection:
        transaction = connection.begin()
        try:
            connection.exec_driver_sql(ddl)
            return schema_problems(connection)
        finally:
            transaction.rollback()
