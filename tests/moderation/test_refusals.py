"""Decisions a moderator is refused: each with its message, and nothing about the item changes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.core.errors import InvalidState, NotFound, PermissionDenied, ValidationFailed
from app.extensions import db
from app.moderation.models import ItemStatus, ModerationAction, ModerationItem
from app.moderation.services import claim_item, decide, flag_target, release_item
from tests.factories import StaffFactory, UserFactory
from tests.factories.community import OldUserFactory, ReplyFactory


@pytest.fixture
def item():
    reply = ReplyFactory(body_md="Buy cheap pills at example.test")
    flag_target(OldUserFactory(), "reply", reply.id, "spam")
    return db.session.scalars(sa.select(ModerationItem)).one()


def _unchanged(item_id: int) -> tuple:
    db.session.expire_all()
    row = db.session.get(ModerationItem, item_id)
    actions = db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAction))
    return row.status, row.is_hidden, row.decided_by_id, actions


@pytest.mark.parametrize(
    ("action", "options", "field", "message"),
    [
        ("obliterate", {}, "action", "Unknown action."),
        ("hide", {"author_action": "keep"}, "action", "Unknown action."),
        ("hide", {}, "reason", "Give a reason; it is sent to the author."),
        ("suspend", {"reason": "Spam", "suspend_days": 0}, "suspend_days", "Suspend for 1 to 365 days."),
        ("suspend", {"reason": "Spam", "suspend_days": 366}, "suspend_days", "Suspend for 1 to 365 days."),
    ],
)
def test_a_malformed_decision_is_refused_with_its_field(app, item, action, options, field, message):
    moderator = StaffFactory(roles=[Role.MODERATOR])
    reason = options.pop("reason", "")
    with pytest.raises(ValidationFailed) as refused:
        decide(moderator, item, action, reason, **options)
    assert (refused.value.message, field in refused.value.fields) == (message, True)
    assert _unchanged(item.id) == (ItemStatus.PENDING, False, None, 0)


def test_only_moderators_decide(app, item):
    for role in (Role.CLIENT, Role.VERIFIER, Role.FINANCE):
        who = StaffFactory(roles=[role]) if role != Role.CLIENT else UserFactory()
        with pytest.raises(PermissionDenied, match="Only moderators can do this."):
            decide(who, item, "hide", "Spam")
    assert _unchanged(item.id) == (ItemStatus.PENDING, False, None, 0)


def test_only_the_holder_releases_an_item(app, item):
    holder, other = StaffFactory(roles=[Role.MODERATOR]), StaffFactory(roles=[Role.MODERATOR])
    claim_item(holder, item)
    with pytest.raises(InvalidState, match="You do not hold this item."):
        release_item(other, db.session.get(ModerationItem, item.id))
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).claimed_by_id == holder.id
    release_item(holder, db.session.get(ModerationItem, item.id))
    db.session.expire_all()
    assert db.session.get(ModerationItem, item.id).claimed_by_id is None


def test_removed_content_is_gone_for_a_late_flagger(app, item):
    decide(StaffFactory(roles=[Role.MODERATOR]), item, "remove", "Spam")
    reply_id = db.session.get(ModerationItem, item.id).target_id
    with pytest.raises(NotFound, match="No such reply."):
        flag_target(OldUserFactory(), "reply", reply_id, "spam")
    assert _unchanged(item.id)[0] == ItemStatus.REMOVED
