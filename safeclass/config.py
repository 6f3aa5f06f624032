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
    """The campaign this deployment runs (``SAFECLASS_CAMPAIGN``); the only one shipped when unset."""
    return os.environ.get("SAFECLASS_CAMPAIGN") or None
