"""Flag rules: duplicates, auto-hide threshold, keep un-hides, reporters' accuracy, mails, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.accounts.services import create_api_token
from app.community.models import PostVisibility
from app.core.db import utcnow
from app.core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from app.core.models import AuditLog, OutgoingMail
from app.extensions import db
from app.moderation import rules
from app.moderation.models import ActionKind, FlagStatus, ItemStatus, ModerationAction, ModerationItem
from app.moderation.reputation import accuracy
from app.moderation.services import decide, flag_target
from app.moderation.settings import set_auto_hide_threshold, set_watched_words
from tests.factories import StaffFactory
from tests.factories.community import DiscussionFactory, GroupFactory, OldUserFactory, ReplyFactory, set_setting


def mails(template):
    return list(db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.template == template)))


@pytest.fixture
def reply():
    return ReplyFactory(body_md="You are all idiots")


def test_one_open_flag_per_user_per_item(client, reply):
    reporter = OldUserFactory()
    flag_target(reporter, "reply", reply.id, "harassment", "rude")
    with pytest.raises(Conflict, match="already flagged"):
        flag_target(reporter, "reply", reply.id, "spam")
    _, token = create_api_token(reporter, "t")
    resp = client.post("/api/flags", json={"target_type": "reply", "target_id": reply.id, "reason": "spam"},
                       headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "already_flagged"
    item = db.session.scalars(sa.select(ModerationItem)).one()
    assert item.flag_count == 1


def test_flags_gather_into_one_item_with_a_priority(reply):
    a, b = OldUserFactory(), OldUserFactory()
    flag_target(a, "reply", reply.id, "harassment")
    one = db.session.scalars(sa.select(ModerationItem)).one().priority
    flag_target(b, "reply", reply.id, "spam")
    item = db.session.scalars(sa.select(ModerationItem)).one()
    assert item.flag_count == 2 and item.priority > one
    assert item.author_id == reply.author_id and item.group_id == reply.discussion.group_id
    assert [f.reason.value for f in item.flags] == ["harassment", "spam"]


def test_rules_for_reasons_and_targets(reply):
    reporter = OldUserFactory()
    with pytest.raises(ValidationFailed):
        flag_target(reporter, "reply", reply.id, "other", "")
    with pytest.raises(ValidationFailed):
        flag_target(reporter, "reply", reply.id, "watched_word")
    with pytest.raises(InvalidState, match="own"):
        flag_target(reply.author, "reply", reply.id, "spam")
    private = DiscussionFactory(group=GroupFactory(is_private=True))
    with pytest.raises(NotFound):
        flag_target(reporter, "discussion", private.id, "spam")
    flag_target(reporter, "reply", reply.id, "other", "Looks like an advert")


def test_threshold_hides_the_item_and_tells_the_author(reply):
    set_setting(rules.AUTO_HIDE_THRESHOLD, 2)
    flag_target(OldUserFactory(), "reply", reply.id, "harassment")
    assert reply.visibility == PostVisibility.VISIBLE
    flag_target(OldUserFactory(), "reply", reply.id, "harassment")
    db.session.refresh(reply)
    item = db.session.scalars(sa.select(ModerationItem)).one()
    assert reply.visibility == PostVisibility.HIDDEN and item.is_hidden and item.status == ItemStatus.PENDING
    assert reply.discussion.reply_count == 0
    assert db.session.scalar(sa.select(ModerationAction.kind)) == ActionKind.AUTO_HIDE
    [mail] = mails("moderation_auto_hidden")
    assert mail.to_address == reply.author.email and "hidden" in mail.subject


def test_flags_from_users_not_in_good_standing_do_not_hide(reply):
    set_setting(rules.AUTO_HIDE_THRESHOLD, 2)
    suspended = OldUserFactory(suspended_until=utcnow() + timedelta(days=1))
    flag_target(suspended, "reply", reply.id, "spam")
    flag_target(OldUserFactory(), "reply", reply.id, "spam")
    db.session.refresh(reply)
    assert reply.visibility == PostVisibility.VISIBLE


def test_keep_unhides_dismisses_flags_and_lowers_accuracy(reply):
    set_setting(rules.AUTO_HIDE_THRESHOLD, 1)
    reporter = OldUserFactory()
    moderator = StaffFactory(roles=[Role.MODERATOR])
    flag_target(reporter, "reply", reply.id, "spam")
    item = db.session.scalars(sa.select(ModerationItem)).one()
    assert item.is_hidden
    decide(moderator, item, "keep")
    db.session.refresh(reply)
    assert reply.visibility == PostVisibility.VISIBLE and reply.discussion.reply_count == 1
    assert item.status == ItemStatus.KEPT and not item.is_hidden
    assert [f.status for f in item.flags] == [FlagStatus.DISMISSED]
    assert accuracy(reporter.id) < 0.5
    [mail] = mails("moderation_flag_result")
    assert mail.to_address == reporter.email and "decided to keep it" in mail.text_body
    assert not mails("moderation_decision")
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "moderation.keep")) is not None


def test_hide_upholds_flags_raises_accuracy_and_mails_author_and_reporters(reply):
    reporters = [OldUserFactory(), OldUserFactory()]
    for r in reporters:
        flag_target(r, "reply", reply.id, "harassment", "insults")
    moderator = StaffFactory(roles=[Role.MODERATOR])
    item = db.session.scalars(sa.select(ModerationItem)).one()
    decide(moderator, item, "hide", "Personal attacks are not allowed.")
    db.session.refresh(reply)
    assert reply.visibility == PostVisibility.HIDDEN and item.status == ItemStatus.HIDDEN
    assert all(f.status == FlagStatus.UPHELD for f in item.flags)
    assert accuracy(reporters[0].id) > 0.5
    [mail] = mails("moderation_decision")
    assert mail.to_address == reply.author.email and "Personal attacks are not allowed." in mail.text_body
    assert {m.to_address for m in mails("moderation_flag_result")} == {r.email for r in reporters}


def test_a_new_flag_reopens_a_kept_item_but_not_a_removed_one(reply):
    moderator = StaffFactory(roles=[Role.MODERATOR])
    flag_target(OldUserFactory(), "reply", reply.id, "spam")
    item = db.session.scalars(sa.select(ModerationItem)).one()
    decide(moderator, item, "keep")
    flag_target(OldUserFactory(), "reply", reply.id, "spam")
    db.session.refresh(item)
    assert item.status == ItemStatus.PENDING
    decide(moderator, item, "remove", "Spam")
    with pytest.raises(NotFound):  # removed content is gone for members
        flag_target(OldUserFactory(), "reply", reply.id, "spam")


def test_suspend_and_ban_through_a_decision(reply):
    moderator = StaffFactory(roles=[Role.MODERATOR])
    flag_target(OldUserFactory(), "reply", reply.id, "harassment")
    item = db.session.scalars(sa.select(ModerationItem)).one()
    with pytest.raises(ValidationFailed):
        decide(moderator, item, "hide", "")
    with pytest.raises(ValidationFailed):
        decide(moderator, item, "hide", "x", author_action="suspend", suspend_days=0)
    decide(moderator, item, "hide", "Harassment", author_action="suspend", suspend_days=7)
    author = reply.author
    db.session.refresh(author)
    assert author.is_suspended() and author.suspension_reason == "Harassment"
    assert author.suspended_until > utcnow() + timedelta(days=6)
    [mail] = mails("moderation_suspend")
    assert rules.format_until(author.suspended_until) in mail.text_body
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "moderation.user_suspend")) is not None
    kinds = set(db.session.scalars(sa.select(ModerationAction.kind)))
    assert kinds == {ActionKind.HIDE, ActionKind.SUSPEND}


def test_edit_out_keeps_the_old_text_as_a_revision(reply):
    from app.community.models import PostRevision

    moderator = StaffFactory(roles=[Role.MODERATOR])
    flag_target(OldUserFactory(), "reply", reply.id, "inappropriate")
    item = db.session.scalars(sa.select(ModerationItem)).one()
    decide(moderator, item, "edit", "Removed an insult", edited_body="You are all [removed]")
    db.session.refresh(reply)
    assert reply.body_md == "You are all [removed]"
    rev = db.session.scalars(sa.select(PostRevision)).one()
    assert rev.body_md == "You are all idiots" and rev.note == "Removed an insult"


def test_claims_are_exclusive(reply):
    from app.moderation.services import claim_item, release_item

    flag_target(OldUserFactory(), "reply", reply.id, "spam")
    item = db.session.scalars(sa.select(ModerationItem)).one()
    first, second = StaffFactory(roles=[Role.MODERATOR]), StaffFactory(roles=[Role.MODERATOR])
    claim_item(first, item)
    with pytest.raises(Conflict, match=first.full_name):
        claim_item(second, item)
    with pytest.raises(Conflict, match="working on this item"):
        decide(second, item, "keep")
    release_item(first, item)
    claim_item(second, item)
    decide(second, item, "keep")


def test_settings_changes_are_audited():
    moderator = StaffFactory(roles=[Role.MODERATOR])
    set_watched_words(moderator, ["Casino", " crypto ", "casino"])
    assert rules.watched_words() == ["casino", "crypto"]
    set_auto_hide_threshold(moderator, 5)
    assert rules.get_setting(rules.AUTO_HIDE_THRESHOLD) == 5
    actions = list(db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))
    assert actions == ["moderation.watched_words_changed", "moderation.threshold_changed"]
    with pytest.raises(ValidationFailed):
        set_auto_hide_threshold(moderator, 0)
