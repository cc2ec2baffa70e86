"""Coach search: full-text, filters, the four orders, cursors, and the API shape."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from app.booking.models import AvailabilityException, ExceptionKind
from app.coaches.models import CertificationLevel
from app.coaches.search import SearchParams, refresh_search_fields, search_coaches
from app.core.db import utcnow
from app.extensions import db
from tests.factories.accounts import UserFactory
from tests.factories.booking import SessionTypeFactory
from tests.factories.coaches import CoachFactory, SpecializationFactory


@pytest.fixture
def coaches():
    """Four coaches with distinct specializations, languages, levels, prices, ratings and availability."""
    career = SpecializationFactory(slug="career", name="Career")
    love = SpecializationFactory(slug="relationships", name="Relationships")
    made = {}
    specs = [
        ("anna", "Career transitions for engineers", [career], ("en", "de"), CertificationLevel.MASTER, 12000, 4.9, 1),
        ("ben", "Mindful relationships coaching", [love], ("en",), CertificationLevel.ASSOCIATE, 6000, 4.2, 3),
        (
            "cleo",
            "Leadership and career growth",
            [career, love],
            ("fr",),
            CertificationLevel.PROFESSIONAL,
            9000,
            None,
            20,
        ),
        ("dan", "Sleep and stress", [], ("en",), CertificationLevel.PROFESSIONAL, 4000, 3.1, None),
    ]
    for name, headline, specializations, langs, level, price, rating, days_until_free in specs:
        user = UserFactory(first_name=name.title(), last_name="Coach")
        coach = CoachFactory(
            user=user,
            headline=headline,
            bio=f"{name} helps people.",
            specializations=specializations,
            language_codes=langs,
            certification_level=level,
            rating_avg=rating,
            rating_count=10 if rating else 0,
            min_notice_hours=0,
            timezone="UTC",
        )
        SessionTypeFactory(coach=coach, price_amount=price)
        if days_until_free is not None:
            on = (utcnow() + timedelta(days=days_until_free)).date()
            db.session.add(
                AvailabilityException(
                    coach_id=coach.id,
                    on_date=on,
                    kind=ExceptionKind.EXTRA_HOURS,
                    start_time=time(10),
                    end_time=time(12),
                )
            )
            db.session.commit()
        refresh_search_fields(coach.id)
        made[name] = coach
    CoachFactory(is_active=False, headline="Career inactive")  # never listed
    return made


def names(**args):
    args = {k: str(v) for k, v in args.items()}
    return [c.user.first_name.lower() for c in search_coaches(SearchParams.from_args(args)).coaches]


def test_only_active_coaches_and_default_order_is_rating(coaches):
    assert names() == ["anna", "ben", "dan", "cleo"]


def test_full_text_over_name_bio_and_specializations(coaches):
    assert sorted(names(q="career")) == ["anna", "cleo"]
    # Ben's text names "relationships" twice (headline and specialization), Cleo's once.
    assert names(q="relationships") == ["ben", "cleo"]
    assert names(q="Anna") == ["anna"]
    assert names(q="stress sleep") == ["dan"]
    assert names(q="nothing-matches-this") == []


def test_filters(coaches):
    assert sorted(names(specialization="career")) == ["anna", "cleo"]
    assert names(language="de") == ["anna"]
    assert names(level="associate") == ["ben"]
    assert sorted(names(currency="EUR", price_min=50, price_max=100)) == ["ben", "cleo"]
    assert names(min_rating=4.5) == ["anna"]
    assert sorted(names(free_within=7)) == ["anna", "ben"]
    assert names(specialization="career", language="fr", free_within=30) == ["cleo"]


def test_orders(coaches):
    assert names(sort="price") == ["dan", "ben", "cleo", "anna"]
    assert names(sort="soonest") == ["anna", "ben", "cleo", "dan"]
    assert names(sort="rating") == ["anna", "ben", "dan", "cleo"]
    # Anna and Cleo both name "career" twice: equal rank, ties go to the newer profile (higher id).
    assert names(q="career", sort="relevance") == ["cleo", "anna"]


@pytest.mark.parametrize("sort", ["rating", "price", "soonest", "relevance"])
def test_cursor_pages_cover_everything_once(coaches, sort):
    seen, cursor = [], None
    for _ in range(10):
        args = {"sort": sort, "limit": "1"} | ({"after": cursor} if cursor else {})
        page = search_coaches(SearchParams.from_args(args))
        seen += [c.id for c in page.coaches]
        cursor = page.next_cursor
        if not cursor:
            break
    assert sorted(seen) == sorted(c.id for c in coaches.values())
    assert seen == [c.id for c in search_coaches(SearchParams.from_args({"sort": sort})).coaches]


def test_bad_filters_are_reported_not_fatal(coaches):
    params = SearchParams.from_args({"price_min": "cheap", "sort": "random", "level": "guru"})
    assert set(params.errors) == {"price_min", "sort", "level"}
    assert len(search_coaches(params).coaches) == 4


def test_api_search_shape_and_cursor(client, coaches):
    resp = client.get("/api/coaches/search?specialization=career&sort=price&limit=1&tz=Europe/Berlin")
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == {"results", "next"}
    (result,) = body["results"]
    assert set(result) == {
        "id",
        "name",
        "specializations",
        "languages",
        "certification_level",
        "rating",
        "price_from",
        "next_slot",
    }
    assert result["name"] == "Cleo Coach"
    assert result["price_from"] == {"amount": 9000, "currency": "EUR"}
    assert result["specializations"] == ["career", "relationships"]
    assert (
        result["languages"] == ["fr"] and result["certification_level"] == "professional" and result["rating"] is None
    )
    assert result["next_slot"].endswith(("+01:00", "+02:00"))
    second = client.get(f"/api/coaches/search?specialization=career&sort=price&limit=1&after={body['next']}").get_json()
    assert [r["name"] for r in second["results"]] == ["Anna Coach"] and second["next"] is None
    assert client.get("/api/coaches/search?min_rating=x").status_code == 400


def test_search_page_keeps_filters_in_the_url(client, coaches):
    html = client.get("/coaches?specialization=career&sort=price&limit=1").get_data(as_text=True)
    assert "Cleo Coach" in html and "Anna Coach" not in html
    assert 'value="career" selected' in html
    assert "specialization=career" in html and "sort=price" in html and "after=" in html
    assert "Career inactive" not in client.get("/coaches?q=career").get_data(as_text=True)


def test_profile_page(client, coaches):
    anna = coaches["anna"]
    html = client.get(f"/coaches/{anna.id}").get_data(as_text=True)
    for text in (
        "Anna Coach",
        "Master",
        "Career",
        "German",
        "EUR 120.00",
        "4.9",
        "Cancellation policy",
        "Book Coaching session",
    ):
        assert text in html
    assert client.get("/coaches/9999").status_code == 404
    db.session.get(type(anna), anna.id).is_active = False
    db.session.commit()
    assert client.get(f"/coaches/{anna.id}").status_code == 404


def test_banned_or_disabled_coaches_are_hidden(client, coaches):
    anna, ben = coaches["anna"], coaches["ben"]
    anna.user.banned_at = utcnow()
    ben.user.is_enabled = False
    db.session.commit()
    assert names() == ["dan", "cleo"]
    assert client.get(f"/coaches/{anna.id}").status_code == 404
    assert client.get(f"/api/coaches/{ben.id}/availability").status_code == 404
