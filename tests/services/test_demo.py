"""The demo campaign: exact learner counts, labelled synthetic data, demo accounts that can sign in."""

from __future__ import annotations

from sqlalchemy import func, select

from safeclass.db.models import Account, Learner, Site, SiteRollup
from safeclass.demo import DEMO_PASSWORD, demo_accounts, seed_demo
from safeclass.security import verify_password


def test_seed_demo_builds_a_living_synthetic_campaign(database, catalog, campaign) -> None:
    seed_demo(database, catalog, campaign, learners=2_000)
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(Site)) == 1300
        assert s.scalar(select(func.count()).select_from(Site).where(~Site.synthetic)) == 0
        assert s.scalar(select(func.count()).select_from(Learner)) == 2_000
        assert s.scalar(select(func.sum(SiteRollup.learners_joined))) == 2_000
        started = s.scalar(select(func.count()).select_from(SiteRollup).where(SiteRollup.learners_started > 0))
        assert 0 < started < 1300  # some sites lag: the dashboard has something to show
        accounts = demo_accounts(s)
        for demo in accounts:
            account = s.scalar(select(Account).where(Account.username == demo.username))
            assert account.role == demo.role and verify_password(DEMO_PASSWORD, account.password_hash)
