"""Events: names, no personal data, truncated addresses, sign-up and login hooks, retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts import services as accounts
from app.accounts import sign_up
from app.analytics import tracking
from app.analytics.models import AnalyticsEvent
from app.core.db import utcnow
from app.extensions import db
from tests.factories import UserFactory
from tests.factories.analytics import EventFactory
from workers.analytics import purge_old_events


def test_ip_addresses_are_truncated():
    assert tracking.truncate_ip("203.0.113.77") == "203.0.113.0/24"
    assert tracking.truncate_ip("2001:db8:abcd:12::1") == "2001:db8:abcd::/48"
    assert tracking.truncate_ip("::ffff:198.51.100.9") == "198.51.100.0/24"
    assert tracking.truncate_ip("not an ip") is None


def test_properties_keep_no_personal_data(app):
    event = tracking.track(
        tracking.COACH_SEARCH,
        ip="198.51.100.23",
        specialization="career",
        email="ada@example.org",
        first_name="Ada",
        query="anxiety coach in Berlin",
        contact="ada@example.org",
        page=2,
    )
    db.session.commit()
    stored = db.session.get(AnalyticsEvent, event.id)
    assert stored.properties == {"specialization": "career", "page": 2}
    assert stored.ip_prefix == "198.51.100.0/24"


def test_unknown_event_names_are_refused(app):
    with pytest.raises(ValueError):
        tracking.track("clicked_something")


def test_sign_up_and_login_are_tracked(app):
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.200"}):
        sign_up.sign_up("new@example.org", "long-enough-password", "New", "Client", "UTC", "192.0.2.200")
        user = accounts.find_user("new@example.org")
        accounts.record_login(user)
    events = db.session.scalars(sa.select(AnalyticsEvent).order_by(AnalyticsEvent.id)).all()
    assert [e.name for e in events] == ["sign_up", "login"]
    assert all(e.user_id == user.id and e.ip_prefix == "192.0.2.0/24" for e in events)
    assert "new@example.org" not in str([e.properties for e in events])


def test_retention_job_deletes_only_old_events(app):
    user = UserFactory()
    old = EventFactory(name="login", user_id=user.id, occurred_at=utcnow() - timedelta(days=400))
    recent = EventFactory(name="login", user_id=user.id, occurred_at=utcnow() - timedelta(days=10))
    old_id, recent_id = old.id, recent.id
    assert purge_old_events() == 1  # ANALYTICS_RETENTION_DAYS defaults to 395
    assert db.session.get(AnalyticsEvent, old_id) is None
    assert db.session.get(AnalyticsEvent, recent_id) is not None


def test_anonymous_visitors_are_tracked_without_a_user(app):
    from flask_login import AnonymousUserMixin

    event = tracking.track(tracking.PROFILE_VIEW, user=AnonymousUserMixin(), coach_id=7, ip="10.1.2.3")
    db.session.commit()
    assert (event.user_id, event.coach_id, event.ip_prefix) == (None, 7, "10.1.2.0/24")


def test_record_commits_at_once_and_never_breaks_the_page(app, caplog):
    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        tracking.record(tracking.COACH_SEARCH, specialization="career", level="master")
        tracking.record("not_an_event")  # logged, not raised
    db.session.remove()
    event = db.session.scalars(sa.select(AnalyticsEvent)).one()
    assert event.properties == {"specialization": "career", "level": "master"} and event.ip_prefix == "203.0.113.0/24"
    assert "could not record analytics event not_an_event" in caplog.text
