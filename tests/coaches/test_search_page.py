"""The coach search page and profile as a client reads them: languages from the coaches themselves,
a result count, prices compared within one currency, bookable next times in the visitor's zone."""

from __future__ import annotations

from app.coaches.search import refresh_search_fields
from app.extensions import db
from tests.factories.booking import bookable_coach
from tests.factories.coaches import CoachFactory
from tests.html import text_of


def _listed(**fields):
    coach, session_type = bookable_coach(**fields)
    refresh_search_fields(coach.id)
    return coach, session_type


def test_the_language_filter_offers_what_listed_coaches_speak(client):
    _listed(language_codes=("ja", "sv"))
    _listed(language_codes=("en",))
    CoachFactory(is_active=False, language_codes=("pt",))  # not listed: its language is not offered
    html = client.get("/coaches").get_data(as_text=True)
    offered = html[html.index('id="language"') : html.index("</select>", html.index('id="language"'))]
    assert 'value="ja"' in offered and "Japanese" in offered
    assert 'value="sv"' in offered and "Swedish" in offered
    assert 'value="en"' in offered
    assert 'value="pt"' not in offered
    assert 'value="it"' not in offered  # nobody speaks it


def test_the_page_says_how_many_coaches_match(client):
    for codes in (("en",), ("en",), ("de",)):
        _listed(language_codes=codes)
    assert "3 coaches match." in text_of(client.get("/coaches").get_data(as_text=True))
    assert "1 coach matches these filters." in text_of(client.get("/coaches?language=de").get_data(as_text=True))


def test_a_price_range_compares_prices_in_one_currency(client):
    euro, euro_session = _listed(currency="EUR")
    dollar, dollar_session = _listed(currency="USD")
    euro_session.price_amount, dollar_session.price_amount = 8000, 5000
    dollar_session.currency = "USD"
    db.session.commit()
    refresh_search_fields(euro.id)
    refresh_search_fields(dollar.id)

    only_dollars = client.get("/coaches?currency=USD&price_max=60").get_data(as_text=True)
    assert f'href="/coaches/{dollar.id}"' in only_dollars
    assert f'href="/coaches/{euro.id}"' not in only_dollars

    no_currency = text_of(client.get("/coaches?price_max=60").get_data(as_text=True))
    assert "Ignored: price (choose a currency for the price range)." in no_currency
    assert "2 coaches match." in no_currency


def test_a_profile_offers_booking_first_and_each_free_time_is_a_link(client):
    coach, session_type = _listed()
    html = client.get(f"/coaches/{coach.id}").get_data(as_text=True)
    book = f'href="/coaches/{coach.id}/book?session_type_id={session_type.id}"'
    assert html.index(book) < html.index('id="about"')  # above the bio, on the first screen
    assert html.count(f'href="/coaches/{coach.id}/book/review?session_type_id={session_type.id}&amp;starts_at=') >= 3


def test_a_visitor_sees_free_times_in_their_browsers_time_zone(client):
    coach, _ = _listed(timezone="UTC")
    client.set_cookie("tz", "Asia/Tokyo")
    shown = text_of(client.get(f"/coaches/{coach.id}").get_data(as_text=True))
    assert "Times are shown in Asia/Tokyo (your browser's time zone" in shown
    assert " JST" in shown
    client.set_cookie("tz", "Not/AZone")
    assert "Times are shown in UTC" in text_of(client.get(f"/coaches/{coach.id}").get_data(as_text=True))


def test_a_count_past_the_cap_says_so(client, monkeypatch):
    from app.coaches import search

    monkeypatch.setattr(search, "COUNT_CAP", 2)
    for _ in range(3):
        _listed()
    assert "2+ coaches match." in text_of(client.get("/coaches").get_data(as_text=True))
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    assert "3 coaches match." in text_of(client.get("/coaches").get_data(as_text=True))
