"""Exports of what a coordinator sees: CSV (UTF-8 with BOM), XLSX (real numbers, percent formats) and
learning records as xAPI statements (JSON lines, cmi5 style); every export goes into the audit log.

Spreadsheet programs run a cell that begins with ``= + - @``, a tab or a carriage return as a formula
(CSV injection: a roster name ``=HYPERLINK(…)`` becomes a live link). Every text cell is neutralised by
``neutralise`` before it is written; numbers are written as numbers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeclass import permissions
from safeclass.content.catalog import Catalog
from safeclass.content.models import Campaign, Text
from safeclass.db.models import Account, AuditLog, CheckAnswer, ClassGroup, Learner, ModuleProgress, QuizAttempt, Site
from safeclass.services import ServiceError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PERCENT_FORMAT = "0.0%"
NUMBER_FORMAT = "#,##0"
MAX_XAPI_STATEMENTS = 250_000  # a browser download beyond this is unwieldy: narrow by district or date instead

XAPI_VERSION = "1.0.3"
VERBS = {
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
}
CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
CONTENT_VERSION = "https://safeclass.seoul.kr/xapi/extensions/content-version"
CAMPAIGN_EXT = "https://safeclass.seoul.kr/xapi/extensions/campaign"
DEFAULT_BASE = "https://safeclass.seoul.kr"


def neutralise(value: object) -> object:
    """A cell value safe for spreadsheets: text starting like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cells(frame: pd.DataFrame) -> list[list[object]]:
    rows = []
    for record in frame.itertuples(index=False, name=None):
        rows.append([None if _missing(v) else neutralise(v) for v in record])
    return rows


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def to_csv(frame: pd.DataFrame, headers: Mapping[str, str]) -> bytes:
    """CSV in UTF-8 with a byte-order mark (Excel then opens Korean correctly); headers renamed, cells neutralised."""
    out = pd.DataFrame(_cells(frame), columns=[neutralise(headers.get(c, c)) for c in frame.columns])
    return out.to_csv(index=False).encode("utf-8-sig")


def to_xlsx(
    frame: pd.DataFrame, headers: Mapping[str, str], *, percent: Sequence[str] = (), sheet: str = "SafeClass", note: str | None = None
) -> bytes:
    """An XLSX workbook: numbers stay numbers (percent columns formatted as %), text neutralised, headers in bold."""
    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append([neutralise(headers.get(c, c)) for c in frame.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in _cells(frame):
        ws.append([_plain(v) for v in row])
    for index, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(index)
        fmt = PERCENT_FORMAT if column in percent else NUMBER_FORMAT
        if column in percent or pd.api.types.is_numeric_dtype(frame[column]):
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                if isinstance(cell.value, int | float):
                    cell.number_format = fmt
        width = max([len(str(headers.get(column, column)))] + [len(str(v)) for v in frame[column].head(200)]) + 2
        ws.column_dimensions[letter].width = min(max(width, 8), 60)
    ws.freeze_panes = "A2"
    if note:
        ws.cell(row=ws.max_row + 2, column=1, value=neutralise(note))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _plain(value: object) -> object:
    """numpy and pandas scalars as the Python values openpyxl writes as numbers and dates."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def record_export(session: Session, actor: Account, what: str, *, rows: int, filters: Mapping[str, Any], file_format: str) -> None:
    """Put an export in the audit log: who, what, which filters, how many rows, which format."""
    permissions.require_campaign_staff(actor, "export")
    clean = {k: v for k, v in filters.items() if v not in (None, "", [], ())}
    session.add(
        AuditLog(
            actor_id=actor.id, action=f"export.{file_format}", target=what, detail={"rows": rows, "filters": clean, "scope": actor.district}
        )
    )


# --- xAPI ----------------------------------------------------------------------------------------


def pseudonym(secret: str, kind: str, row_id: int) -> str:
    """An opaque, stable id for a learner or staff account: an HMAC, so it cannot be turned back into the row."""
    return hmac.new(secret.encode(), f"{kind}:{row_id}".encode(), hashlib.sha256).hexdigest()[:32]


def _lang_map(value: Text) -> dict[str, str]:
    return {"ko-KR": value.ko, "en-US": value.en}


def xapi_statements(
    session: Session,
    viewer: Account,
    campaign: Campaign,
    catalog: Catalog,
    *,
    secret: str,
    districts: Sequence[str] = (),
    site_codes: Sequence[str] = (),
    base: str = DEFAULT_BASE,
) -> Iterator[dict]:
    """The learning records of the viewer's sites (filtered) as xAPI statements a learning record store accepts.

    Verbs: completed (module), passed / failed (quiz), answered (inline check); the actor is an ``account``
    with a pseudonymous name; the content version is in the context; statement ids are stable, so
    re-sending an export is idempotent.
    """
    permissions.require_campaign_staff(viewer, "export_xapi")
    scope = permissions.visible_sites(viewer)
    if districts:
        scope = scope & Site.district.in_(list(districts))
    if site_codes:
        scope = scope & Site.code.in_(list(site_codes))
    learners = (
        select(Learner.id).join(ClassGroup).join(Site, Site.id == ClassGroup.site_id).where(scope, ClassGroup.campaign_id == campaign.id)
    )
    campaign_activity = f"{base}/campaigns/{campaign.id}"
    registration = str(uuid.uuid5(uuid.NAMESPACE_URL, campaign_activity))

    def statement(
        kind: str,
        row_id: int,
        learner_id: int,
        verb: str,
        activity: str,
        name: Text,
        content_hash: str,
        at: dt.datetime | None,
        result: dict,
    ) -> dict:
        return {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{campaign_activity}/{kind}/{row_id}/{verb}")),
            "actor": {"objectType": "Agent", "account": {"homePage": f"{base}/learners", "name": pseudonym(secret, "learner", learner_id)}},
            "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
            "object": {
                "objectType": "Activity",
                "id": f"{base}/activities/{activity}",
                "definition": {"name": _lang_map(name), "type": _activity_type(kind)},
            },
            "result": result,
            "context": {
                "registration": registration,
                "contextActivities": {"category": [{"id": CMI5_CATEGORY}], "grouping": [{"id": campaign_activity}]},
                "extensions": {CONTENT_VERSION: content_hash, CAMPAIGN_EXT: campaign.id},
            },
            "timestamp": _iso(at),
            "version": XAPI_VERSION,
        }

    progress = session.execute(
        select(
            ModuleProgress.id, ModuleProgress.learner_id, ModuleProgress.module_id, ModuleProgress.content_hash, ModuleProgress.completed_at
        )
        .where(ModuleProgress.campaign_id == campaign.id, ModuleProgress.learner_id.in_(learners), ModuleProgress.completed_at.is_not(None))
        .order_by(ModuleProgress.id)
    )
    for row_id, learner_id, module_id, content_hash, at in progress:
        module = catalog.modules.get(module_id)
        name = module.title if module else Text(ko=module_id, en=module_id)
        yield statement("module", row_id, learner_id, "completed", f"modules/{module_id}", name, content_hash, at, {"completion": True})
    attempts = session.execute(
        select(
            QuizAttempt.id,
            QuizAttempt.learner_id,
            QuizAttempt.quiz_id,
            QuizAttempt.content_hash,
            QuizAttempt.submitted_at,
            QuizAttempt.score,
            QuizAttempt.max_score,
            QuizAttempt.passed,
        )
        .where(QuizAttempt.campaign_id == campaign.id, QuizAttempt.learner_id.in_(learners), QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.id)
    )
    for row_id, learner_id, quiz_id, content_hash, at, score, max_score, passed in attempts:
        quiz = catalog.quizzes.get(quiz_id)
        name = quiz.title if quiz else Text(ko=quiz_id, en=quiz_id)
        result = {"success": bool(passed), "completion": True}
        if max_score:
            result["score"] = {"scaled": round(score / max_score, 4), "raw": score, "min": 0, "max": max_score}
        verb = "passed" if passed else "failed"
        yield statement("quiz", row_id, learner_id, verb, f"quizzes/{quiz_id}", name, content_hash, at, result)
    checks = session.execute(
        select(CheckAnswer.id, CheckAnswer.learner_id, CheckAnswer.module_id, CheckAnswer.check_id, CheckAnswer.content_hash)
        .add_columns(CheckAnswer.answered_at, CheckAnswer.correct, CheckAnswer.choice_index)
        .where(CheckAnswer.campaign_id == campaign.id, CheckAnswer.learner_id.in_(learners))
        .order_by(CheckAnswer.id)
    )
    for row_id, learner_id, module_id, check_id, content_hash, at, correct, choice in checks:
        name = Text(ko=f"{module_id} · {check_id}", en=f"{module_id} · {check_id}")
        result = {"success": bool(correct), "response": str(choice)}
        yield statement("check", row_id, learner_id, "answered", f"modules/{module_id}/checks/{check_id}", name, content_hash, at, result)


def xapi_jsonl(statements: Iterator[dict], limit: int = MAX_XAPI_STATEMENTS) -> tuple[bytes, int]:
    """Statements as JSON lines (one statement a line); refused beyond ``limit`` statements."""
    lines = []
    for count, item in enumerate(statements, start=1):
        if count > limit:
            raise ServiceError("export_too_large", limit=f"{limit:,}")
        lines.append(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
    return ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"), len(lines)


def _activity_type(kind: str) -> str:
    return {
        "module": "http://adlnet.gov/expapi/activities/module",
        "quiz": "http://adlnet.gov/expapi/activities/assessment",
        "check": "http://adlnet.gov/expapi/activities/cmi.interaction",
    }[kind]


def _iso(at: dt.datetime | None) -> str:
    at = at or dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
