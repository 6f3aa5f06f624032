"""Principals' certificates: who is certified, issuing once per campaign, public verification, revocation.

"Certified" has one definition, ``is_certified``: a principal who completed the principal assignment of
*this* campaign (every training module, the certification quiz passed), by the completion rule of
``progress.has_completed_assignment``. A pass in another campaign never counts.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safeclass import clock, permissions, throttle
from safeclass.content.models import Campaign
from safeclass.db.base import utcnow
from safeclass.db.models import Account, AuditLog, Certificate, ModuleProgress, QuizAttempt, Site
from safeclass.domain import Role
from safeclass.services import NotAllowed, Refusal, ServiceError, plain_text
from safeclass.services.progress import has_completed_assignment

CODE_BYTES = 10  # 80 random bits: guessing one valid code among 1,300 is hopeless even without the throttle
CODE_LENGTH = 16  # base32 of 10 bytes, no padding
CODE = re.compile(r"^[A-Z2-7]{16}$")
MAX_REASON = 200


class Status(StrEnum):
    """What the verify page says about a certificate."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class CertificateView:
    """A certificate as the verify page and the holder's page show it."""

    code: str
    holder_name: str
    site_name: str
    site_code: str
    campaign_id: str
    issued_on: dt.date
    expires_on: dt.date
    items: tuple[tuple[str, str], ...]  # (module or quiz id, content version it was completed on)
    content_version: str
    status: Status
    revoked_on: dt.date | None
    revoked_reason: str | None


def is_certified(session: Session, account: Account, campaign: Campaign) -> bool:
    """Whether ``account`` is a principal certified in this campaign (training complete and quiz passed here)."""
    return account.role == Role.PRINCIPAL and has_completed_assignment(session, account, campaign)


def new_code() -> str:
    """A fresh verification code: 80 random bits in base32 (no 0/1/8/9 to misread)."""
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode().rstrip("=")


def normalize_code(raw: str) -> str:
    """Upper-case the code and drop spaces and dashes, as people type it from paper."""
    return re.sub(r"[\s-]", "", raw or "").upper()


def status_of(certificate: Certificate, today: dt.date | None = None) -> Status:
    """Valid, expired (after the campaign's end) or revoked."""
    if certificate.revoked_at is not None:
        return Status.REVOKED
    if (today or clock.today()) > certificate.expires_on:
        return Status.EXPIRED
    return Status.VALID


def view_of(certificate: Certificate) -> CertificateView:
    """The certificate as shown to people."""
    revoked_on = certificate.revoked_at.astimezone(clock.SEOUL).date() if certificate.revoked_at else None
    return CertificateView(
        code=certificate.code,
        holder_name=certificate.holder_name,
        site_name=certificate.site_name,
        site_code=certificate.site_code,
        campaign_id=certificate.campaign_id,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        items=tuple((item["id"], item["hash"]) for item in certificate.items),
        content_version=certificate.content_version,
        status=status_of(certificate),
        revoked_on=revoked_on,
        revoked_reason=certificate.revoked_reason,
    )


def own_certificate(session: Session, principal: Account, campaign: Campaign) -> Certificate | None:
    """The principal's certificate of this campaign, if one was issued."""
    if principal.role != Role.PRINCIPAL:
        raise NotAllowed("certificate")
    query = select(Certificate).where(Certificate.account_id == principal.id, Certificate.campaign_id == campaign.id)
    return session.scalar(query)


def issue_certificate(session: Session, principal: Account, campaign: Campaign) -> Certificate:
    """The principal's certificate of this campaign, issued on first call once certified; later calls return it."""
    permissions.require_principal_of(principal, principal.site_id, "certificate")
    existing = own_certificate(session, principal, campaign)
    if existing is not None:
        return existing  # revoked stays revoked: a new call never launders a revocation
    if not is_certified(session, principal, campaign):
        raise ServiceError("not_certified")
    site = session.get(Site, principal.site_id)
    items = _earned_on(session, principal, campaign)
    certificate = Certificate(
        code=new_code(),
        account_id=principal.id,
        campaign_id=campaign.id,
        site_id=site.id,
        holder_name=principal.display_name,
        site_name=site.name,
        site_code=site.code,
        items=items,
        content_version=hashlib.sha256("\n".join(f"{i['id']}:{i['hash']}" for i in items).encode()).hexdigest(),
        issued_on=clock.today(),
        expires_on=campaign.period.end,
    )
    try:
        with session.begin_nested():  # two tabs opening the page at once: one certificate, the first one
            session.add(certificate)
    except IntegrityError:
        return own_certificate(session, principal, campaign)
    session.add(AuditLog(actor_id=principal.id, action="certificate.issue", target=certificate.code, detail={"campaign": campaign.id}))
    return certificate


def _earned_on(session: Session, principal: Account, campaign: Campaign) -> list[dict[str, str]]:
    """Each assigned module and quiz with the content version it was completed or first passed on."""
    assignment = campaign.audiences.principal
    modules = dict(
        session.execute(
            select(ModuleProgress.module_id, ModuleProgress.content_hash).where(
                ModuleProgress.account_id == principal.id,
                ModuleProgress.campaign_id == campaign.id,
                ModuleProgress.completed_at.is_not(None),
            )
        ).all()
    )
    quizzes: dict[str, str] = {}
    passes = session.execute(
        select(QuizAttempt.quiz_id, QuizAttempt.content_hash)
        .where(QuizAttempt.account_id == principal.id, QuizAttempt.campaign_id == campaign.id, QuizAttempt.passed)
        .order_by(QuizAttempt.submitted_at)
    )
    for quiz_id, content_hash in passes:
        quizzes.setdefault(quiz_id, content_hash)
    return [{"id": m, "hash": modules[m]} for m in assignment.modules] + [{"id": q, "hash": quizzes[q]} for q in assignment.quizzes]


def verify_certificate(session: Session, raw_code: str, *, client: str = "unknown") -> CertificateView:
    """Look a code up for the public verify page; unknown codes count against the client's address."""
    throttle.check(session, "verify", client)
    code = normalize_code(raw_code)
    certificate = session.scalar(select(Certificate).where(Certificate.code == code)) if CODE.match(code) else None
    if certificate is None:
        throttle.record_failure(session, "verify", client)
        raise Refusal("certificate_not_found")
    return view_of(certificate)


def revoke_certificate(session: Session, actor: Account, raw_code: str, *, reason: str) -> Certificate:
    """Revoke a certificate (a coordinator of its district, or an admin), with the reason in the audit log."""
    code = normalize_code(raw_code)
    certificate = session.scalar(select(Certificate).where(Certificate.code == code)) if CODE.match(code) else None
    if certificate is None:
        raise ServiceError("certificate_not_found")
    permissions.require_oversight(actor, session.get(Site, certificate.site_id), "revoke_certificate")
    reason = plain_text(reason)
    if not 1 <= len(reason) <= MAX_REASON:
        raise ServiceError("revoke_reason_length", max=MAX_REASON)
    if certificate.revoked_at is not None:
        return certificate  # a second click changes nothing and logs nothing
    certificate.revoked_at = utcnow()
    certificate.revoked_by_id = actor.id
    certificate.revoked_reason = reason
    detail = {"reason": reason, "holder_account_id": certificate.account_id, "campaign": certificate.campaign_id}
    session.add(AuditLog(actor_id=actor.id, action="certificate.revoke", target=certificate.code, detail=detail))
    session.flush()
    return certificate
