"""The metrics API, the staff analytics page, plotly.js served locally, CSV, and who may see them."""

from __future__ import annotations

import csv
import io

import pytest

from app.accounts.models import Role
from app.analytics.metrics import METRICS
from tests.analytics.conftest import WINDOW, expected_counts
from tests.factories import StaffFactory, UserFactory

QS = f"from={WINDOW.start.isoformat()}&to={WINDOW.end.isoformat()}&granularity=day&tz=Europe/Berlin"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FINANCE])
def test_api_answers_the_exact_shape(world, client, login_as, role):
    login_as(StaffFactory(roles=[role]))
    resp = client.get(f"/api/analytics/metrics?metric=bookings_made&{QS}")
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == {"metric", "granularity", "timezone", "series"}
    assert body["metric"] == "bookings_made" and body["granularity"] == "day" and body["timezone"] == "Europe/Berlin"
    assert {p["period"]: p["value"] for p in body["series"]} == expected_counts([b.created_at for b in world.bookings])


def test_api_money_series_carry_currency_and_empty_sources_answer_empty(world, client, login_as):
    login_as(StaffFactory(roles=[Role.FINANCE]))
    body = client.get(f"/api/analytics/metrics?metric=gross_volume&{QS}").get_json()
    assert {p["currency"] for p in body["series"]} == {"EUR", "USD"}
    body = client.get(f"/api/analytics/metrics?metric=sign_ups&{QS}").get_json()
    assert body["series"] == []


def test_api_errors(client, login_as, app):
    login_as(StaffFactory(roles=[Role.ADMIN]))
    assert client.get("/api/analytics/metrics").status_code == 400
    assert client.get("/api/analytics/metrics?metric=nope").status_code == 400
    resp = client.get("/api/analytics/metrics?metric=bookings_made&granularity=hour")
    assert resp.status_code == 400 and resp.get_json()["error"]["fields"]["granularity"]
    assert client.get("/api/analytics/metrics?metric=bookings_made&tz=Nowhere/Land").status_code == 400


@pytest.mark.parametrize("roles", [[Role.VERIFIER], [Role.MODERATOR], [Role.CLIENT], [Role.COACH]])
def test_api_and_pages_refuse_other_roles(client, login_as, roles, app):
    user = StaffFactory(roles=roles) if roles[0] in (Role.VERIFIER, Role.MODERATOR) else UserFactory(roles=roles)
    login_as(user)
    assert client.get("/api/analytics/metrics?metric=bookings_made").status_code == 403
    assert client.get("/staff/analytics/").status_code == 403
    assert client.get("/staff/analytics/bookings_made.csv").status_code == 403


def test_api_needs_login(client, app):
    assert client.get("/api/analytics/metrics?metric=bookings_made").status_code == 401


def test_openapi_lists_metric_names(client, app):
    spec = client.get("/api/openapi.json").get_json()
    params = spec["paths"]["/api/analytics/metrics"]["get"]["parameters"]
    metric = next(p for p in params if p["name"] == "metric")
    assert metric["schema"]["enum"] == sorted(METRICS)


def test_dashboard_draws_from_local_plotly_with_table_and_csv(world, client, login_as):
    login_as(StaffFactory(roles=[Role.FINANCE]))
    html = client.get(f"/staff/analytics/?group=Bookings&{QS}").get_data(as_text=True)
    assert "/static/vendor/plotly-" in html and "cdn" not in html.lower()
    assert 'id="chart-bookings_made"' in html and f'data-points="{len(WINDOW.periods())}"' in html
    assert '<script type="application/json" id="figure-bookings_made">' in html
    assert "Table view" in html and "/staff/analytics/bookings_made.csv?" in html
    with client.get(html.split('<script src="')[-2].split('"')[0]) as js:
        assert js.status_code == 200 and js.mimetype == "text/javascript"
        assert b"plotly" in js.get_data()[:2000].lower()
        assert "max-age=31536000" in js.headers["Cache-Control"]


def test_dashboard_says_no_data_yet(client, login_as, app):
    login_as(StaffFactory(roles=[Role.ADMIN]))
    html = client.get("/staff/analytics/?group=Moderation").get_data(as_text=True)
    assert "No data yet: there are no flags to chart." in html
    assert client.get("/staff/analytics/?group=Nope").status_code == 404


def test_csv_download_matches_the_series(world, client, login_as):
    login_as(StaffFactory(roles=[Role.ADMIN]))
    resp = client.get(f"/staff/analytics/gross_volume.csv?{QS}")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    api = client.get(f"/api/analytics/metrics?metric=gross_volume&{QS}").get_json()["series"]
    assert [(r["period"], r["currency"], int(r["value"])) for r in rows] == [
        (p["period"], p["currency"], p["value"]) for p in api
    ]


def test_filters_narrow_the_charts(world, client, login_as):
    login_as(StaffFactory(roles=[Role.ADMIN]))
    body = client.get(f"/api/analytics/metrics?metric=bookings_made&{QS}&currency=usd").get_json()
    usd = [b.created_at for b in world.bookings if b.currency == "USD"]
    assert {p["period"]: p["value"] for p in body["series"]} == expected_counts(usd)
    html = client.get(f"/staff/analytics/?group=Funnel&{QS}&currency=EUR").get_data(as_text=True)
    assert "Not filtered by currency." in html
