"""The app's process-wide caches: the database, the content catalog, the pages of the navigation and the response PDFs."""

from __future__ import annotations

import copy
import functools
import time
from dataclasses import dataclass

import streamlit as st

from safeclass import config, response_pdf
from safeclass.content import Catalog, load_catalog
from safeclass.content.catalog import with_fallback
from safeclass.content.loader import content_fingerprint
from safeclass.content.models import Campaign, Guide
from safeclass.db.engine import Database
from safeclass.drills import AfterAction
from safeclass.services.measures import current_campaign


@st.cache_resource(show_spinner=False)
def database() -> Database:
    """The process-wide database (connection pool), checked once."""
    db = Database(config.database_url())
    db.check()
    return db


# How long a page may serve the catalog before the content files are looked at again. Looking is a stat of
# every content file (~100): under load each stat gives up the GIL and waits to get it back behind the other
# sessions' threads, and done on every run it was 30% of a loaded server's samples (py-spy, 150 students).
# An edited file shows within this many seconds.
CONTENT_RECHECK_SECONDS = 2.0
_monotonic = time.monotonic  # a seam for the tests' clock


@dataclass
class _Held:
    """One content root's catalog as read, the fingerprint it was read at and when that was last checked."""

    fingerprint: tuple
    catalog: Catalog
    checked_at: float


@st.cache_resource(show_spinner=False)
def _loaded() -> dict[str, _Held]:
    """Per content root, what was read (one per process)."""
    return {}


@st.cache_resource(show_spinner=False)
def _last_good() -> dict[str, Catalog]:
    return {}


def catalog() -> Catalog:
    """The content catalog, re-read when any content file changes (no restart needed).

    A file that breaks in an edit keeps serving its last good version (its errors are still reported to
    admins): one typo in campaign.yaml must not empty the help directory for every student.
    """
    root = str(config.content_root())
    held = _loaded().get(root)
    now = _monotonic()
    if held is None or now - held.checked_at >= CONTENT_RECHECK_SECONDS:
        fingerprint = content_fingerprint(root)  # compared as is, not hashed by st.cache_*
        if held is None or held.fingerprint != fingerprint:
            held = _Held(fingerprint, load_catalog(root), now)  # two sessions may both read an edit: the last one is kept
            _loaded()[root] = held
        held.checked_at = now
    fresh = held.catalog
    kept = _last_good()
    if fresh.ok:
        kept[root] = fresh
        return fresh
    good = kept.get(root)
    return with_fallback(fresh, good) if good is not None else fresh


def reload_catalog() -> None:
    """Drop the cached catalog so the next page view parses every file again."""
    _loaded().clear()


def campaign(cat: Catalog | None = None) -> Campaign | None:
    """The campaign this deployment runs: ``SAFECLASS_CAMPAIGN``, else the one running today (``measures.current_campaign``)."""
    cat = cat or catalog()
    wanted = config.campaign_id()
    if wanted:
        return cat.campaigns.get(wanted)
    return current_campaign(cat.campaigns)


@st.cache_data(max_entries=8, show_spinner=False)
def guide_pdf(_guide: Guide, _campaign: Campaign, guide_hash: str, campaign_hash: str, lang: str) -> bytes:
    """The case guide's PDF, built once per version and language (embedding the fonts takes about two seconds)."""
    return response_pdf.guide_pdf(_guide, _campaign, lang)


@st.cache_data(max_entries=64, show_spinner=False)
def report_pdf(_after: AfterAction, _campaign: Campaign, run_id: int, drill_hash: str, lang: str, **meta: object) -> bytes:
    """A finished drill's report PDF: a finished run never changes, so one build per run and language."""
    return response_pdf.report_pdf(_after, _campaign, lang, **meta)


def page(script: str, *, title: str, icon: str, url_path: str, default: bool, visibility: str) -> st.Page:
    """An ``st.Page`` for a script of the app, built once per process and copied for each run.

    Building one resolves its path and stats the file: five system calls, each of which gives up the GIL
    and waits to get it back behind the other sessions' threads, for each of a dozen pages on every run.
    A copy is the run's own: ``st.navigation`` marks the page it picks (``_default``, ``_can_be_called``).
    """
    return copy.copy(_page(script, title, icon, url_path, default, visibility))


@functools.lru_cache(maxsize=512)  # pages × languages × default or not
def _page(script: str, title: str, icon: str, url_path: str, default: bool, visibility: str) -> st.Page:
    return st.Page(script, title=title, icon=icon, url_path=url_path, default=default, visibility=visibility)
