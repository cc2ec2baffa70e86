"""The coach's own profile page: details, the checklist, payout details, going live and pausing."""

from __future__ import annotations

from datetime import time

import sqlalchemy as sa

from app.coaches.models import CoachProfile, PayoutAccount
from app.core.models import AuditLog, OutgoingMail
from app.extensions import db
from tests.coaches import page
from tests.coaches.images import jpeg
from tests.conftest import csrf_token_from
from tests.factories.booking import AvailabilityRuleFactory, SessionTypeFactory
from tests.factories.coaches import CoachFactory, SpecializationFactory

BIO = "I help engineers change careers without starting over. " * 5  # 280 characters
IBAN = "DE89 3704 0044 0532 0130 00"  # the textbook valid German IBAN


def approved_coach(**fields) -> CoachProfile:
    """A coach as approval leaves them: role and profile, nothing to show, not listed."""
    values = dict(headline="", bio="", is_active=False, activated_at=None, language_codes=(), specializations=[])
    return CoachFactory(**{**values, **fields})


def ready_coach() -> CoachProfile:
    """An unlisted coach with every checklist item done except the payout details."""
    career = SpecializationFactory(slug="career", name="Career")
    coach = approved_coach(headline="Career changes for engineers", bio=BIO, specializations=[career],
                           language_codes=("en",))  # fmt: skip
    from app.coaches import services

    services.set_photo(coach, coach.user, jpeg())
    SessionTypeFactory(coach=coach, price_amount=8000)
    for weekday in range(7):
        AvailabilityRuleFactory(coach_id=coach.id, weekday=weekday, start_time=time(0), end_time=time(23, 59))
    return coach


def post(client, path, data):
    token = csrf_token_from(client, "/coach/profile")
    return client.post(path, data={"csrf_token": token, **data})


def listed_names(client, q: str) -> list[str]:
    return page.result_names(client.get("/coaches", query_string={"q": q}).get_data(as_text=True))


def test_an_approved_coach_sees_every_item_to_do_and_go_live_disabled(client, login_as):
    coach = approved_coach()
    html = login_as(coach.user).get("/coach/profile").get_data(as_text=True)
    assert page.checklist(html) == {"profile": "todo", "session_type": "todo", "hours": "todo", "payout": "todo"}
    assert "disabled" in page.button(html, "Go live").attrs


def test_going_live_before_the_checklist_holds_is_refused_and_stays_unlisted(client, login_as):
    coach = ready_coach()
    login_as(coach.user)
    resp = post(client, "/coach/profile/go-live", {})
    assert resp.status_code == 409
    assert "Before going live, complete: Payout details." in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CoachProfile, coach.id).is_active is False


def test_saving_the_profile_keeps_level_and_ipec_number_and_renders_markdown(client, login_as):
    coach = approved_coach()
    career = SpecializationFactory(slug="career", name="Career")
    login_as(coach.user)
    resp = post(client, "/coach/profile", {
        "headline": "Career changes", "bio": "**Bold** move <script>x()</script>" + "." * 200,
        "specializations": [str(career.id)], "languages": ["en", "de"], "years_experience": "7",
        "timezone": "America/New_York", "ipec_number": "IPEC-HACKED", "certification_level": "master",
    })  # fmt: skip
    assert resp.status_code == 302
    db.session.expire_all()
    saved = db.session.get(CoachProfile, coach.id)
    assert (saved.headline, saved.years_experience, saved.timezone) == ("Career changes", 7, "America/New_York")
    assert [s.slug for s in saved.specializations] == ["career"]
    assert sorted(lang.code for lang in saved.languages) == ["de", "en"]
    assert (saved.ipec_number, saved.certification_level.value) == (coach.ipec_number, "professional")


def test_an_unknown_time_zone_is_shown_beside_the_field_and_nothing_is_saved(client, login_as):
    coach = approved_coach(timezone="Europe/Berlin")
    login_as(coach.user)
    resp = post(client, "/coach/profile", {"headline": "New", "years_experience": "3", "timezone": "Mars/Olympus"})
    assert resp.status_code == 400
    error = page.by_id(resp.get_data(as_text=True), "timezone-err")
    assert error.text == "Pick a time zone from the list, e.g. Europe/Berlin."
    db.session.expire_all()
    assert db.session.get(CoachProfile, coach.id).headline == ""


def test_a_wrong_iban_checksum_is_refused_beside_the_field(client, login_as):
    coach = ready_coach()
    login_as(coach.user)
    resp = post(client, "/coach/profile/payout", {"holder_name": "Ada Lovelace", "iban": "DE89 3704 0044 0532 0130 01"})
    assert resp.status_code == 400
    error = page.by_id(resp.get_data(as_text=True), "iban-err")
    assert error.text == "The IBAN's check digits do not match; please check for a typo."
    assert db.session.scalar(sa.select(sa.func.count(PayoutAccount.id))) == 0


def test_payout_details_are_encrypted_shown_masked_audited_and_mailed(client, login_as):
    coach = ready_coach()
    login_as(coach.user)
    assert post(client, "/coach/profile/payout", {"holder_name": "Ada Lovelace", "iban": IBAN}).status_code == 302
    stored = db.session.execute(sa.text("SELECT iban_encrypted FROM payout_accounts")).scalar_one()
    assert "3704" not in stored and "DE89" not in stored
    html = client.get("/coach/profile").get_data(as_text=True)
    assert next(e.text for e in page.elements(html) if "data-iban" in e.attrs) == "DE•• •••• •••• 3000"
    assert "DE89370400440532013000" not in html
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "coach.payout_update"))
    assert audit.after == {"holder_name": "Ada Lovelace", "iban": "DE•• •••• •••• 3000"}
    mail = db.session.scalar(sa.select(OutgoingMail).where(OutgoingMail.template == "coach_payout_changed"))
    assert (mail.to_address, "DE•• •••• •••• 3000" in mail.text_body) == (coach.user.email, True)


def test_going_live_lists_the_coach_at_once_and_is_audited(client, login_as):
    coach = ready_coach()
    login_as(coach.user)
    post(client, "/coach/profile/payout", {"holder_name": "Ada Lovelace", "iban": IBAN})
    assert listed_names(client, "engineers") == []
    assert post(client, "/coach/profile/go-live", {}).status_code == 302
    assert listed_names(client, "engineers") == [coach.user.full_name]
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.action.like("coach.%")).order_by(AuditLog.id)
    ).all()
    assert actions[-1] == "coach.go_live"


def test_pausing_takes_the_coach_out_of_search_and_resuming_brings_them_back(client, login_as):
    coach = ready_coach()
    login_as(coach.user)
    post(client, "/coach/profile/payout", {"holder_name": "Ada Lovelace", "iban": IBAN})
    post(client, "/coach/profile/go-live", {})
    post(client, "/coach/profile/pause", {})
    paused = listed_names(client, "engineers")
    post(client, "/coach/profile/go-live", {})
    resumed = listed_names(client, "engineers")
    assert (paused, resumed) == ([], [coach.user.full_name])
    trail = db.session.scalars(
        sa.select(AuditLog.action)
        .where(AuditLog.action.in_(["coach.go_live", "coach.pause", "coach.resume"]))
        .order_by(AuditLog.id)
    ).all()
    assert trail == ["coach.go_live", "coach.pause", "coach.resume"]


def test_the_dashboard_links_each_open_item_to_its_page(client, login_as):
    coach = approved_coach()
    html = login_as(coach.user).get("/dashboard").get_data(as_text=True)
    assert page.checklist_links(html) == {
        "Profile complete": "/coach/profile#profile",
        "At least one active session type with a price": "/coach/availability#types",
        "Weekly hours with a free slot in the next 14 days": "/coach/availability#weekly",
        "Payout details": "/coach/profile#payout",
    }
