"""Profiles and messages can be flagged too; hiding them uses their own flags."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.accounts.services import create_api_token
from app.coaches.models import CertificationLevel, CoachProfile
from app.core.errors import NotFound
from app.extensions import db
from app.messaging.models import Message, MessageThread
from app.moderation.models import ModerationItem
from app.moderation.services import decide, flag_target
from tests.factories import StaffFactory, UserFactory
from tests.factories.community import OldUserFactory


def _message():
    client, coach = OldUserFactory(), OldUserFactory(roles=[Role.COACH])
    thread = MessageThread(client_id=client.id, coach_user_id=coach.id)
    db.session.add(thread)
    db.session.flush()
    msg = Message(thread_id=thread.id, sender_id=coach.id, recipient_id=client.id, body="Send me your card number")
    db.session.add(msg)
    db.session.commit()
    return msg, client


def test_the_recipient_flags_a_message_through_the_api_and_a_moderator_hides_it(client):
    msg, recipient = _message()
    _, token = create_api_token(recipient, "t")
    resp = client.post("/api/flags", json={"target_type": "message", "target_id": msg.id, "reason": "spam",
                                           "note": "phishing"}, headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert resp.status_code == 201 and resp.get_json()["hidden"] is False
    with pytest.raises(NotFound):  # strangers cannot flag (or learn about) other people's messages
        flag_target(UserFactory(), "message", msg.id, "spam")
    item = db.session.scalars(sa.select(ModerationItem)).one()
    assert item.author_id == msg.sender_id
    decide(StaffFactory(roles=[Role.MODERATOR]), item, "hide", "Phishing")
    assert db.session.get(Message, msg.id).is_hidden


def test_a_coach_profile_can_be_flagged_and_hidden():
    coach = OldUserFactory(roles=[Role.COACH])
    profile = CoachProfile(user_id=coach.id, headline="Life coach", bio="Guaranteed riches", ipec_number="IPEC-1",
                           certification_level=list(CertificationLevel)[0], hourly_rate_amount=9000, currency="EUR",
                           is_active=True)  # fmt: skip
    db.session.add(profile)
    db.session.commit()
    flag_target(OldUserFactory(), "profile", profile.id, "other", "Promises riches")
    item = db.session.scalars(sa.select(ModerationItem)).one()
    decide(StaffFactory(roles=[Role.MODERATOR]), item, "hide", "Misleading claims")
    assert db.session.get(CoachProfile, profile.id).is_active is False
