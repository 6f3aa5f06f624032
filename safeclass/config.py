"""Settings read from the environment, with the defaults an embedded single-machine install needs."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def content_root() -> Path:
    """Folder holding lessons/, quizzes/ and campaigns/ (``SAFECLASS_CONTENT``)."""
    return Path(os.environ.get("SAFECLASS_CONTENT", PROJECT_ROOT))


def data_dir() -> Path:
    """Folder for the embedded database and local secrets (``SAFECLASS_DATA``)."""
    return Path(os.environ.get("SAFECLASS_DATA", PROJECT_ROOT / "data"))


def database_url() -> str:
    """``DATABASE_URL``, or the embedded SQLite file under the data folder."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir() / 'safeclass.db'}"


def demo_mode() -> bool:
    """Demo mode (``SAFECLASS_DEMO=1``): synthetic campaign, printed demo passwords, local cookie key."""
    return os.environ.get("SAFECLASS_DEMO", "").lower() in {"1", "true", "yes"}


def campaign_id() -> str | None:
    """The campaign this deployment runs (``SAFECLASS_CAMPAIGN``); when unset, the one running today."""
    return os.environ.get("SAFECLASS_CAMPAIGN") or None


# The coordinators' overview reruns itself this often: a student's completion shows within 30 s, no reload.
DEFAULT_OVERVIEW_REFRESH_SECONDS = 30


def overview_refresh_seconds() -> int:
    """How often the overview refreshes itself (``SAFECLASS_OVERVIEW_REFRESH``, whole seconds); anything else: 30."""
    raw = os.environ.get("SAFECLASS_OVERVIEW_REFRESH", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_OVERVIEW_REFRESH_SECONDS


# A page a student can be seen on without questions: Naver's weather (Korea's most used portal).
DEFAULT_QUICK_EXIT_URL = "https://weather.naver.com/"


def quick_exit_url() -> str:
    """Where *Quick exit* sends a student (``SAFECLASS_QUICK_EXIT_URL``): a neutral site, never SafeClass."""
    return os.environ.get("SAFECLASS_QUICK_EXIT_URL") or DEFAULT_QUICK_EXIT_URL


def trust_forwarded_for() -> bool:
    """Whether a proxy in front sets X-Forwarded-For (``SAFECLASS_TRUST_PROXY=1``); otherwise it could be forged."""
    return os.environ.get("SAFECLASS_TRUST_PROXY", "").lower() in {"1", "true", "yes"}


# Where people reach this deployment; printed in QR codes on certificates and join slips.
DEFAULT_PUBLIC_URL = "http://localhost:8501"


def public_url() -> str:
    """The address people open SafeClass at (``SAFECLASS_PUBLIC_URL``, no trailing slash), for printed links and QR codes."""
    return (os.environ.get("SAFECLASS_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")


def verify_url(code: str) -> str:
    """The public verification page of a certificate code."""
    return f"{public_url()}/verify?code={code}"
