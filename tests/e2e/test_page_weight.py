"""Page weight and speed on a slow network, measured in Chromium as a first-time visitor.

Budgets (issue: the public site on a phone): every public page under 200 KB of JavaScript and CSS
and under 500 KB in all, as transferred (compressed); the staff analytics page, which loads
plotly.js, under 1.5 MB. On a "Slow 3G"-like network (400 kbit/s each way, 400 ms round trip) the
largest contentful paint of the home page, the coach search, a profile and the booking page comes
within 3 s. Both tables print at the end of the run.
"""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.coaches.search import refresh_search_fields
from tests.e2e.budgets import SLOW_NETWORK_ROWS, WEIGHT_ROWS
from tests.e2e.conftest import client_login, staff_login
from tests.factories import StaffFactory, UserFactory
from tests.factories.booking import bookable_coach

pytestmark = pytest.mark.e2e

KB = 1024
PUBLIC_ASSETS, PUBLIC_TOTAL, ANALYTICS_TOTAL = 200 * KB, 500 * KB, 1536 * KB
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
LCP_BUDGET_MS = 3000

LCP_SCRIPT = """() => new Promise(resolve => {
  new PerformanceObserver(list => {
    const entries = list.getEntries();
    resolve(entries[entries.length - 1].startTime);
  }).observe({type: "largest-contentful-paint", buffered: true});
})"""


def _cold(page):
    """The page with the browser cache off, so each load is a first visit's."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    return page


def _transferred(page, url: str) -> tuple[int, int]:
    """(JS and CSS bytes, all bytes) the page transferred, bodies as sent (compressed)."""
    sizes: list[tuple[str, int]] = []

    def finished(request):
        sizes.append((request.resource_type, request.sizes()["responseBodySize"]))

    page.on("requestfinished", finished)
    page.goto(url, wait_until="networkidle")
    page.remove_listener("requestfinished", finished)
    assets = sum(n for kind, n in sizes if kind in ("script", "stylesheet"))
    return assets, sum(n for _, n in sizes)


@pytest.fixture
def world():
    coach, _ = bookable_coach(headline="Leadership coaching for new managers")
    refresh_search_fields(coach.id)
    return {"coach": coach, "client": UserFactory(), "admin": StaffFactory(roles=[Role.ADMIN])}


def test_public_pages_stay_within_their_weight_and_analytics_within_its_own(browser, live_server, world):
    coach = world["coach"]
    over = []
    context = browser.new_context()
    page = _cold(context.new_page())
    anonymous = ["/", "/coaches", f"/coaches/{coach.id}", "/community/", "/login", "/register", "/become-a-coach/"]
    for path in anonymous:
        assets, total = _transferred(page, f"{live_server}{path}")
        WEIGHT_ROWS.append(f"{path:<28} {assets / KB:7.1f} {total / KB:8.1f}  public")
        if assets >= PUBLIC_ASSETS or total >= PUBLIC_TOTAL:
            over.append(f"{path}: {assets} B of JS+CSS, {total} B in all")
    context.close()

    for who, paths in (("client", ["/dashboard", f"/coaches/{coach.id}/book", "/bookings", "/payments"]),):
        context = browser.new_context()
        page = _cold(context.new_page())
        client_login(page, live_server, world[who])
        for path in paths:
            assets, total = _transferred(page, f"{live_server}{path}")
            WEIGHT_ROWS.append(f"{path:<28} {assets / KB:7.1f} {total / KB:8.1f}  public ({who})")
            if assets >= PUBLIC_ASSETS or total >= PUBLIC_TOTAL:
                over.append(f"{path} ({who}): {assets} B of JS+CSS, {total} B in all")
        context.close()

    context = browser.new_context()
    page = _cold(context.new_page())
    staff_login(page, live_server, world["admin"])
    assets, total = _transferred(page, f"{live_server}/staff/analytics")
    WEIGHT_ROWS.append(f"{'/staff/analytics':<28} {assets / KB:7.1f} {total / KB:8.1f}  analytics")
    context.close()
    assert total < ANALYTICS_TOTAL, f"the analytics page transferred {total} B"
    assert assets > 1000 * KB, "plotly.js was loaded (it is the page's charts)"
    assert not over, "pages over their budget:\n" + "\n".join(over)


def test_first_pages_paint_within_three_seconds_on_a_slow_network(browser, live_server, world):
    coach = world["coach"]
    slow = []
    pages = [("/", None), ("/coaches", None), (f"/coaches/{coach.id}", None), (f"/coaches/{coach.id}/book", "client")]
    for path, who in pages:
        context = browser.new_context()
        page = context.new_page()
        if who:
            client_login(page, live_server, world[who])
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        page.goto(f"{live_server}{path}")
        lcp = page.evaluate(LCP_SCRIPT)
        SLOW_NETWORK_ROWS.append(f"{path:<28} {lcp:7.0f} ms")
        if lcp >= LCP_BUDGET_MS:
            slow.append(f"{path}: {lcp:.0f} ms")
        context.close()
    assert not slow, "largest contentful paint over 3 s on a slow network:\n" + "\n".join(slow)
