"""The demo campaign: exact learner counts, labelled synthetic data, demo accounts that can sign in."""

from __future__ import annotations

from sqlalchemy import func, select

from safeclass.db.models import Account, Learner, Site, SiteRollup
from safeclass.demo import DEMO_PASSWORD, demo_accounts, demo_class_codes, seed_demo
from safeclass.security import verify_password
from safeclass.services.classes import join_class


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

    # `make run` prints one class code per school level with a free seat a newcomer can take.
    with database.reading() as s:
        classes = demo_class_codes(s)
    assert {c.level for c in classes} == {"elementary", "middle", "high", "youth"}
    with database.transaction() as s:
        for demo_class in classes:
            learner = join_class(s, join_code=demo_class.join_code, seat_number=demo_class.first_free_seat, pin="2468")
            assert learner.class_group.level == demo_class.level
