"""Every public, client and coach page at 390 px: nothing scrolls sideways, the menu folds and opens;\naxe finds no serious or critical violation at 390 px nor at 1280 px.

The pages come from the reviewed permission table (tests/permissions.csv): each HTML GET route that
an anonymous visitor, a client or a coach may open. A route that takes an id gets one from the
object-check builders (tests/object_access.csv) or from the public ones below; a new page without a
way to build its path fails the test instead of going unvisited.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest

from app.coaches.search import refresh_search_fields
from app.core.db import utcnow
from tests.e2e.conftest import assert_accessible, client_login, serious_violations, snap
from tests.factories import UserFactory
from tests.factories.booking import bookable_coach
from tests.object_owners import BUILDERS
from tests.permissions import reviewed_table

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PRINCIPALS = ("anonymous", "client", "coach")
NOT_PAGES = ("/api/", "/staff", "/admin", "/static/", "/webhooks/", "/healthz", "/livez", "/readyz", "/metrics")
JSON_RULES = ("/session",)  # JSON outside /api: the staff pages' session clock
OBJECTS = Path(__file__).parents[1] / "object_access.csv"


def _pages() -> dict[str, set[str]]:
    """endpoint -> the principals the table lets in (200, or 404 for the table's made-up ids)."""
    from tests.permissions import TABLE

    with TABLE.open(newline="") as f:
        rules = {(row["endpoint"], row["method"]): row["rule"] for row in csv.DictReader(f)}
    pages: dict[str, set[str]] = {}
    for (endpoint, method), cells in reviewed_table().items():
        rule = rules[(endpoint, method)]
        if (
            method != "GET"
            or rule.startswith(NOT_PAGES)
            or rule in JSON_RULES
            or rule.endswith((".json", ".ics", ".jpg"))
        ):
            continue
        allowed = {who for who in PRINCIPALS if cells[who] in ("200", "404")}
        if allowed:
            pages[endpoint] = allowed
    return pages


def _owned_builders() -> dict[str, tuple[str, str]]:
    """endpoint -> (owner role, builder name) for GET routes whose objects have an owner."""
    with OBJECTS.open(newline="") as f:
        return {
            row["endpoint"]: (row["owner"], row["object"])
            for row in csv.DictReader(f)
            if row["method"] == "GET" and row["object"] != "-"
        }


def _public_values(coach, session_type) -> dict[str, dict]:
    """Path (and query) values for id routes anyone allowed may open (rows marked "-" in
    object_access.csv); the booking review takes a time the coach, who works all day, has free."""
    starts_at = (utcnow() + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    return {
        "coaches.profile": {"coach_id": coach.id},
        "bookings.book": {"coach_id": coach.id},
        "bookings.review_booking": {
            "coach_id": coach.id,
            "session_type_id": session_type.id,
            "starts_at": starts_at.isoformat(),
        },
        "messaging.new": {"coach_user_id": coach.user_id},
        "verification.step": {"number": 1},
    }


def _mailed_links(user) -> dict[str, dict]:
    """The pages a mailed link opens, with live tokens (Google linking is off without OIDC_*: its 404)."""
    from datetime import timedelta as span

    from app.accounts.account_tokens import issue_token
    from app.accounts.models import AccountTokenPurpose
    from app.extensions import db

    reset = issue_token(user, AccountTokenPurpose.PASSWORD_RESET, span(hours=1))
    change = issue_token(user, AccountTokenPurpose.EMAIL_CHANGE, span(hours=24), {"email": "new-phone@example.org"})
    welcome = issue_token(UserFactory(), AccountTokenPurpose.SIGN_UP_CONFIRM, span(hours=48))  # never logged in
    db.session.commit()
    return {
        "password_reset.choose_password": {"token": reset},
        "settings.confirm_email": {"token": change},
        "accounts.confirm_sign_up": {"token": welcome},
        "oidc.confirm_link": {"token": "not-configured"},
    }


def test_every_page_fits_a_phone_and_the_menu_opens(app, browser, live_server):
    coach, session_type = bookable_coach(headline="Leadership coaching for new managers and their teams")
    refresh_search_fields(coach.id)
    users = {"client": UserFactory(), "coach": coach.user}
    public = _public_values(coach, session_type) | _mailed_links(users["client"])
    owned = _owned_builders()

    visits: list[tuple[str, str]] = []
    unbuildable: list[str] = []
    for endpoint, allowed in sorted(_pages().items()):
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        before = len(visits)
        for who in sorted(allowed):
            if not rule.arguments:
                values = {}
            elif endpoint in public:
                values = public[endpoint]
            elif endpoint in owned and owned[endpoint][0] == who:
                built = BUILDERS[owned[endpoint][1]](users[who])
                values = {k: v for k, v in built.items() if k in rule.arguments}
            else:
                continue
            with app.test_request_context():
                path = app.url_for(endpoint, **values)
            visits.append((who, path))
        if len(visits) == before:
            unbuildable.append(endpoint)
    assert not unbuildable, f"no path for these pages at 390 px; add one: {unbuildable}"

    too_wide, missing, inaccessible = [], set(), []
    for who in PRINCIPALS:
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("response", lambda r: r.status >= 400 and r.request.resource_type != "document" and missing.add(r.url))
        if who != "anonymous":
            client_login(page, live_server, users[who])
        for _, path in (v for v in visits if v[0] == who):
            for viewport in (PHONE, DESKTOP):  # axe at both widths; the phone's scroll width
                page.set_viewport_size(viewport)
                page.goto(f"{live_server}{path}")
                if (
                    viewport is PHONE
                    and (width := page.evaluate("document.documentElement.scrollWidth")) > PHONE["width"]
                ):
                    too_wide.append(f"{who} {path}: {width} px")
                if bad := serious_violations(page):
                    inaccessible.append(f"{who} {path} at {viewport['width']} px: {bad}")
            page.set_viewport_size(PHONE)
        page.goto(f"{live_server}/coaches")
        menu = page.get_by_role("button", name="Menu")
        assert menu.get_attribute("aria-expanded") == "false"
        assert not page.get_by_role("link", name="Find a coach").is_visible()
        menu.click()
        assert menu.get_attribute("aria-expanded") == "true"
        assert page.get_by_role("link", name="Find a coach").is_visible()
        assert_accessible(page)
        snap(page, f"phone-menu-{who}")
        context.close()
    assert not too_wide, "pages wider than the phone:\n" + "\n".join(too_wide)
    assert not inaccessible, "serious or critical axe violations:\n" + "\n".join(inaccessible)
    assert not missing, f"files the pages asked for and did not get: {sorted(missing)}"
    assert len(visits) >= 25


def test_the_coach_filters_fold_behind_a_button_on_a_phone(browser, live_server):
    coach, _ = bookable_coach()
    refresh_search_fields(coach.id)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/coaches?language=en")
    filters = page.locator("summary", has_text="Filters (1 active)")
    assert filters.is_visible()
    assert not page.get_by_label("Certification level").is_visible()
    assert page.get_by_label("Keywords").is_visible()
    filters.click()
    assert page.get_by_label("Certification level").is_visible()
    assert_accessible(page)
    snap(page, "phone-coach-filters")
    context.close()

    wide = browser.new_context(viewport={"width": 1280, "height": 800})
    page = wide.new_page()
    page.goto(f"{live_server}/coaches")
    assert page.get_by_label("Certification level").is_visible()
    assert not page.locator("summary", has_text="Filters").is_visible()
    wide.close()
