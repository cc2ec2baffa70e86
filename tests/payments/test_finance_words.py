"""Issue 18's finance fixes: the timeline in words, the refund form after a partial refund, the
"partly refunded" status, a clear message for an unusable amount filter, no wrapping of amounts."""

from __future__ import annotations

import re

from app.accounts.models import Role
from app.payments import refunds
from tests.factories import StaffFactory
from tests.factories.payments import PaidPaymentFactory


def test_timeline_says_what_happened_in_words(client, login_as):
    payment = PaidPaymentFactory(amount=9000)
    finance = StaffFactory(roles=[Role.FINANCE], first_name="Fin", last_name="Ance")
    refunds.request_refund(finance, payment.id, 3000, "goodwill", "sorry", "key-words-1")
    login_as(finance)
    page = client.get(f"/staff/finance/payments/{payment.id}").get_data(as_text=True)
    timeline = page[page.index("<h2>Timeline</h2>") :]
    assert re.search(r"Refund #\d+ of EUR 30\.00 requested by Fin Ance \(goodwill gesture\)", timeline)
    assert re.search(r"Refund #\d+ of EUR 30\.00 succeeded", timeline)
    assert "payment_id:" not in timeline and "amount: 3000" not in timeline and "reason: goodwill" not in timeline


def test_after_a_partial_refund_the_form_is_not_prefilled_and_the_status_says_partly_refunded(client, login_as):
    payment = PaidPaymentFactory(amount=9000)
    finance = StaffFactory(roles=[Role.FINANCE])
    login_as(finance)
    fresh = client.get(f"/staff/finance/payments/{payment.id}").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="amount"[^>]*value="90.00"', fresh)
    refunds.request_refund(finance, payment.id, 2500, "goodwill", "", "key-words-2")
    page = client.get(f"/staff/finance/payments/{payment.id}").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="amount"[^>]*value=""', page) and "at most EUR 65.00" in page
    assert "partly refunded" in page[page.index("<h1>") : page.index("</h1>")]
    listing = client.get("/staff/finance/").get_data(as_text=True)
    assert "partly refunded" in listing


def test_an_unusable_amount_filter_is_said_not_ignored(client, login_as):
    PaidPaymentFactory(amount=9000)
    login_as(StaffFactory(roles=[Role.FINANCE]))
    page = client.get("/staff/finance/?amount_min=abc").get_data(as_text=True)
    assert "“abc” is not an amount" in page and 'aria-invalid="true"' in page
    assert "not an amount" not in client.get("/staff/finance/?amount_min=0").get_data(as_text=True)


def test_amounts_and_dates_do_not_wrap(client, login_as):
    PaidPaymentFactory(amount=123456)
    login_as(StaffFactory(roles=[Role.FINANCE]))
    page = client.get("/staff/finance/").get_data(as_text=True)
    assert '<td class="when">' in page and '<td class="num">EUR 1,234.56</td>' in page
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert ".table td.when { white-space: nowrap;" in css and "tabular-nums; white-space: nowrap; }" in css
