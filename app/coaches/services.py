"""A coach's own profile: details, photo, payout details, going live and pausing the listing."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import available_timezones

import sqlalchemy as sa

from app.accounts.models import User
from app.coaches import payout, photos
from app.coaches.checklist import can_go_live, checklist
from app.coaches.models import LANGUAGES, CoachLanguage, CoachProfile, PayoutAccount, Specialization
from app.coaches.search import update_search_fields
from app.core import audit
from app.core.db import utcnow
from app.core.effects import commit, on_commit
from app.core.errors import InvalidState, PermissionDenied, ValidationFailed
from app.core.jobs import enqueue_after_commit
from app.core.mail import external_url, queue_mail
from app.core.storage import storage
from app.extensions import db

HEADLINE_MAX = 160
BIO_MAX = 10_000


def _require_owner(coach: CoachProfile, actor: User) -> None:
    if coach.user_id != actor.id:
        raise PermissionDenied("Only the coach may change this profile.")


def _refresh_later(coach: CoachProfile) -> None:
    if coach.is_active:
        enqueue_after_commit("workers.bookings.refresh_coach_search", coach.id)


def _snapshot(coach: CoachProfile) -> dict:
    return {
        "headline": coach.headline,
        "bio_chars": len(coach.bio),
        "specializations": sorted(s.slug for s in coach.specializations),
        "languages": sorted(lang.code for lang in coach.languages),
        "years_experience": coach.years_experience,
        "timezone": coach.timezone,
    }


def update_profile(
    coach: CoachProfile,
    actor: User,
    *,
    headline: str,
    bio: str,
    specialization_ids: list[int],
    language_codes: list[str],
    years_experience: int,
    timezone: str,
) -> CoachProfile:
    """Save the editable part of the profile (level and iPEC number come from the application)."""
    _require_owner(coach, actor)
    headline, bio = (headline or "").strip(), (bio or "").strip()
    errors = {}
    if len(headline) > HEADLINE_MAX:
        errors["headline"] = f"At most {HEADLINE_MAX} characters."
    if len(bio) > BIO_MAX:
        errors["bio"] = f"At most {BIO_MAX} characters."
    if not 0 <= years_experience <= 70:
        errors["years_experience"] = "0 to 70 years."
    if timezone not in available_timezones():
        errors["timezone"] = "Pick a time zone from the list, e.g. Europe/Berlin."
    unknown = [c for c in language_codes if c not in LANGUAGES]
    if unknown:
        errors["languages"] = f"Unknown language: {', '.join(unknown)}."
    chosen = list(db.session.scalars(sa.select(Specialization).where(Specialization.id.in_(specialization_ids))))
    if len(chosen) != len(set(specialization_ids)):
        errors["specializations"] = "Pick specializations from the list."
    if errors:
        raise ValidationFailed("Please correct the marked fields.", fields=errors)
    before = _snapshot(coach)
    coach.headline, coach.bio = headline, bio
    coach.years_experience, coach.timezone = years_experience, timezone
    coach.specializations = sorted(chosen, key=lambda s: s.name)
    keep = {lang.code: lang for lang in coach.languages}
    coach.languages = [keep.get(code) or CoachLanguage(code=code) for code in dict.fromkeys(language_codes)]
    audit.record(actor, "coach.profile_update", coach, before, _snapshot(coach))
    _refresh_later(coach)
    commit()
    return coach


def set_photo(coach: CoachProfile, actor: User, data: bytes) -> CoachProfile:
    """Replace the photo with re-encoded renditions of the upload; the old files go after the commit."""
    _require_owner(coach, actor)
    processed = photos.process(data)
    stem = f"coach-photos/{coach.id}/{processed.stem}"
    for edge, body in processed.renditions.items():
        storage().put(photos.photo_key(stem, edge), body, "image/jpeg")
    old = coach.photo_key
    coach.photo_key = stem
    audit.record(actor, "coach.photo_update", coach, {"photo": old}, {"photo": stem})
    if old:
        for edge in photos.SIZES:
            on_commit(storage().delete, photos.photo_key(old, edge))
    commit()
    return coach


def save_payout_details(coach: CoachProfile, actor: User, holder_name: str, iban: str) -> PayoutAccount:
    """Store the payout name and IBAN (checked, encrypted); audited and mailed to the coach."""
    _require_owner(coach, actor)
    holder_name = " ".join((holder_name or "").split())
    errors = {}
    if not 2 <= len(holder_name) <= 140:
        errors["holder_name"] = "Give the account holder's name."
    try:
        clean = payout.normalise_iban(iban)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed("Please correct the marked fields.", fields=errors)
    account = db.session.scalar(sa.select(PayoutAccount).where(PayoutAccount.coach_id == coach.id))
    before = None if account is None else {"holder_name": account.holder_name, "iban": account.masked}
    if account is None:
        account = PayoutAccount(coach_id=coach.id)
        db.session.add(account)
    account.holder_name = holder_name
    account.iban_encrypted = payout.encrypt(clean)
    account.iban_last4 = clean[-4:]
    account.country = clean[:2]
    db.session.flush()
    audit.record(actor, "coach.payout_update", account, before, {"holder_name": holder_name, "iban": account.masked})
    queue_mail(
        coach.user.email,
        "coach_payout_changed",
        "Your payout details changed",
        {"user": coach.user, "account": account, "profile_url": external_url("coach_profile.edit")},
    )
    commit()
    return account


def go_live(coach: CoachProfile, actor: User, now: datetime | None = None) -> CoachProfile:
    """List the coach in search once every checklist item holds; search fields refresh at once."""
    _require_owner(coach, actor)
    now = now or utcnow()
    if coach.is_active:
        raise InvalidState("Your profile is already listed.")
    missing = [item.label for item in checklist(coach, now) if not item.done]
    if missing:
        raise InvalidState(f"Before going live, complete: {'; '.join(missing)}.")
    first = coach.activated_at is None
    coach.is_active = True
    coach.activated_at = coach.activated_at or now
    update_search_fields(coach)
    audit.record(actor, "coach.go_live" if first else "coach.resume", coach, {"listed": False}, {"listed": True})
    commit()
    return coach


def pause_listing(coach: CoachProfile, actor: User) -> CoachProfile:
    """Take the profile out of search (bookings already made stay); go_live resumes it."""
    _require_owner(coach, actor)
    if not coach.is_active:
        raise InvalidState("Your profile is not listed.")
    coach.is_active = False
    audit.record(actor, "coach.pause", coach, {"listed": True}, {"listed": False})
    commit()
    return coach


def is_ready(coach: CoachProfile, now: datetime | None = None) -> bool:
    """Every checklist item holds (the Go live button is enabled)."""
    return can_go_live(checklist(coach, now))


def save_specialization(actor: User, specialization_id: int | None, slug: str, name: str) -> Specialization:
    """Create or rename a coaching area (admins; audited). The slug is lower-case letters, digits, dashes."""
    from app.accounts.models import Role
    from app.core.errors import Conflict, NotFound

    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("Only admins edit specializations.")
    slug = "-".join(re.findall(r"[a-z0-9]+", (slug or "").lower()))[:60]
    name = (name or "").strip()[:80]
    if not slug or not name:
        raise ValidationFailed(
            "A specialization needs a slug and a name.", fields={"slug": "Required.", "name": "Required."}
        )
    spec = db.session.get(Specialization, specialization_id) if specialization_id else Specialization()
    if spec is None:
        raise NotFound("No such specialization.")
    clash = db.session.scalar(
        sa.select(Specialization.id).where(Specialization.slug == slug, Specialization.id != specialization_id)
    )
    if clash:
        raise Conflict(f"Another specialization has the slug {slug}.")
    before = {"slug": spec.slug, "name": spec.name} if specialization_id else None
    spec.slug, spec.name = slug, name
    db.session.add(spec)
    db.session.flush()
    audit.record(actor, "specialization.saved", spec, before, {"slug": slug, "name": name})
    commit()
    return spec
