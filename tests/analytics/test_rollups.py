"""Daily rollups: refreshed by the job, read for long ranges, equal to the live figures, freshness shown."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.analytics.metrics import Filters, compute
from app.analytics.models import DailyRollup
from app.analytics.periods import Window
from app.analytics.rollups import ROLLUP_METRICS
from app.core.db import utcnow
from app.extensions import db
from tests.analytics.conftest import BERLIN, FIRST, TZ, WINDOW
from tests.clock import SUITE_NOW, first_of_month
from tests.factories.analytics import BookingFactory
from workers.analytics import refresh_rollups

TODAY = SUITE_NOW.astimezone(BERLIN).date()
# Half a year up to today (so a booking made now falls in it), within the rollups' 400 days.
LONG = Window(first_of_month(FIRST, 5), TODAY + timedelta(days=1), "week", TZ)


def test_rollups_give_the_live_numbers_and_say_how_fresh(world, app, monkeypatch, client, login_as):
    live = {name: compute(name, LONG)[2] for name in ROLLUP_METRICS}
    assert all(r.refreshed_at is None for r in live.values())
    monkeypatch.setitem(app.config, "ANALYTICS_ROLLUP_TIMEZONES", f"{TZ},UTC")
    assert refresh_rollups(days=400) > 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DailyRollup)) > 0
    for name in ROLLUP_METRICS:
        rolled = compute(name, LONG)[2]
        assert rolled.refreshed_at is not None, name
        assert rolled.series == live[name].series, name
    eur = compute("gross_volume", LONG, Filters(currency="EUR"))[2]
    assert eur.refreshed_at is not None and {p["currency"] for p in eur.series} == {"EUR"}
    # Coach filters cannot use the rollups: computed live.
    assert compute("bookings_made", LONG, Filters(level="master"))[2].refreshed_at is None
    # Short ranges stay live.
    assert compute("bookings_made", WINDOW)[2].refreshed_at is None
    # A window older than the rollups' coverage is computed live.
    old = Window(first_of_month(TODAY, 23), LONG.end, "month", TZ)
    assert compute("bookings_made", old)[2].refreshed_at is None
    # Refreshing twice does not double count.
    refresh_rollups(days=400)
    assert compute("bookings_made", LONG)[2].series == live["bookings_made"].series
    # The frequent refresh (since the last one) picks up new rows and keeps the coverage.
    BookingFactory(coach=world.eur_coach, client=world.clients[0], created_at=utcnow())
    refresh_rollups()
    after = compute("bookings_made", LONG)[2]
    assert after.refreshed_at is not None
    assert sum(p["value"] for p in after.series) == sum(p["value"] for p in live["bookings_made"].series) + 1

    from app.accounts.models import Role
    from tests.factories import StaffFactory

    login_as(StaffFactory(roles=[Role.ADMIN], timezone=TZ))
    query = f"group=Bookings&from={LONG.start.isoformat()}&to={LONG.end.isoformat()}&granularity=week"
    html = client.get(f"/staff/analytics/?{query}").get_data(as_text=True)
    assert "From rollups refreshed" in html and "read the daily rollups, refreshed" in html


def test_rollup_zones_default_to_the_readers_zones(app):
    from app.accounts.models import Role
    from app.analytics.rollups import rollup_zones
    from tests.factories import StaffFactory

    StaffFactory(roles=[Role.FINANCE], timezone="America/New_York")
    StaffFactory(roles=[Role.MODERATOR], timezone="Asia/Tokyo")
    assert rollup_zones() == ["UTC", "America/New_York"]
