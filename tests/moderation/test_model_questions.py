"""The questions a moderation item answers about itself (issue 17): whose content it is, who flagged
it, who holds it and who may claim and decide it now. The services refuse what the model says no to,
and the item page offers the claim and the decision only where the model says yes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.db import utcnow
from app.core.duties import OwnInterest
from app.core.errors import Conflict
from app.extensions import db
from app.moderation.models import ItemStatus, ModerationItem
from app.moderation.services import claim_item, decide, flag_target
from tests.factories import StaffFactory, UserFactory
from tests.factories.community import OldUserFactory, ReplyFactory


def _item(author=None, reporter=None) -> ModerationItem:
    reply = ReplyFactory(author=author or OldUserFactory(), body_md="Cheap pills here")
    flag_target(reporter or OldUserFactory(), "reply", reply.id, "spam", "advert")
    return db.session.scalar(sa.select(ModerationItem).where(ModerationItem.target_id == reply.id))


def test_a_pending_item_is_for_moderators_without_a_stake_in_it(app):
    author, reporter = StaffFactory(roles=[Role.MODERATOR]), StaffFactory(roles=[Role.ADMIN])
    item = _item(author=author, reporter=reporter)
    now = utcnow()
    assert item.is_pending and item.is_written_by(author) and item.was_flagged_by(reporter)
    assert item.can_be_decided_by(StaffFactory(roles=[Role.MODERATOR]), now)
    assert item.can_be_decided_by(StaffFactory(roles=[Role.ADMIN]), now)
    for nobody in (author, reporter, UserFactory(), StaffFactory(roles=[Role.VERIFIER]), None):
        assert not item.can_be_decided_by(nobody, now)
    with pytest.raises(OwnInterest):
        claim_item(author, item)


def test_a_claim_keeps_others_out_until_it_runs_out_and_the_service_agrees(app):
    item = _item()
    holder, other = StaffFactory(roles=[Role.MODERATOR]), StaffFactory(roles=[Role.MODERATOR])
    claim_item(holder, item)
    now = utcnow()
    assert item.is_claimed(now) and item.is_claimed_by(holder, now) and not item.is_claimed_by(other, now)
    assert item.can_be_decided_by(holder, now) and not item.can_be_decided_by(other, now)
    with pytest.raises(Conflict):
        decide(other, item, "keep")
    later = item.claim_expires_at + timedelta(seconds=1)
    assert not item.is_claimed(later) and item.can_be_decided_by(other, later)


def test_a_decided_item_is_for_nobody(app):
    item = _item()
    moderator = StaffFactory(roles=[Role.MODERATOR])
    decide(moderator, item, "keep")
    item = db.session.get(ModerationItem, item.id)
    assert item.status == ItemStatus.KEPT and not item.can_be_decided_by(moderator, utcnow())


def test_the_item_page_offers_the_claim_and_decision_only_to_who_may(app, client, login_as):
    holder = StaffFactory(roles=[Role.MODERATOR], first_name="Hanna", last_name="Holder")
    item = _item()
    claim_item(holder, item)
    page = f"/staff/moderation/items/{item.id}"
    login_as(StaffFactory(roles=[Role.MODERATOR]))
    html = client.get(page).get_data(as_text=True)
    assert f"{page}/claim" not in html and f"{page}/decision" not in html
    assert "is working on this item until" in html and "Hanna Holder" in html
    login_as(holder)
    html = client.get(page).get_data(as_text=True)
    assert f"{page}/release" in html and f"{page}/decision" in html
    own = _item(author=StaffFactory(roles=[Role.MODERATOR]))
    login_as(own.author)
    html = client.get(f"/staff/moderation/items/{own.id}").get_data(as_text=True)
    assert "This is your own content: another moderator must decide it." in html
    assert f"/staff/moderation/items/{own.id}/claim" not in html
