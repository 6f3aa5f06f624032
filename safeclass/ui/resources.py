"""Every ``st.cache_*`` of the app: the database and the content catalog."""

from __future__ import annotations

import streamlit as st

from safeclass import config
from safeclass.content import Catalog, load_catalog
from safeclass.content.loader import content_fingerprint
from safeclass.content.models import Campaign
from safeclass.db.engine import Database


@st.cache_resource(show_spinner=False)
def database() -> Database:
    """The process-wide database (connection pool), checked once."""
    db = Database(config.database_url())
    db.check()
    return db


@st.cache_resource(max_entries=2, show_spinner=False)
def _catalog(_root: str, fingerprint: tuple) -> Catalog:
    return load_catalog(_root)


def catalog() -> Catalog:
    """The content catalog, re-read when any content file changes (no restart needed)."""
    root = config.content_root()
    return _catalog(str(root), content_fingerprint(root))


def reload_catalog() -> None:
    """Drop the cached catalog so the next page view parses every file again."""
    _catalog.clear()


def campaign() -> Campaign | None:
    """The campaign this deployment runs."""
    cat = catalog()
    wanted = config.campaign_id()
    if wanted:
        return cat.campaigns.get(wanted)
    return cat.campaigns[sorted(cat.campaigns)[0]] if cat.campaigns else None
