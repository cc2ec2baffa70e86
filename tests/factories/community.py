"""Community and moderation factories: groups, memberships, discussions, replies."""

from __future__ import annotations

from datetime import timedelta

import factory
import pytest

from app.community.models import Discussion, Group, GroupMembership, MemberRole, MembershipStatus, Reply
from app.community.rendering import render_markdown
from app.core.db import utcnow
from app.core.models import Setting
from app.extensions import db
from tests.factories.accounts import BaseFactory, UserFactory


class OldUserFactory(UserFactory):
    """A client whose account is old enough for the normal posting limits."""

    created_at = factory.LazyFunction(lambda: utcnow() - timedelta(days=90))


class GroupFactory(BaseFactory):
    """A public group; the owner is also an owner member."""

    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")
    description = "A place to talk."
    is_private = False
    owner = factory.SubFactory(OldUserFactory)

    @factory.post_generation
    def owner_membership(obj, create, extracted, **kwargs):
        if create:
            db.session.add(GroupMembership(group_id=obj.id, user_id=obj.owner_id, role=MemberRole.OWNER))
            db.session.commit()


def add_member(group: Group, user=None, status: MembershipStatus = MembershipStatus.ACTIVE):
    """Make `user` (a new old-enough client by default) a member of `group`; returns the user."""
    user = user or OldUserFactory()
    db.session.add(GroupMembership(group_id=group.id, user_id=user.id, status=status))
    db.session.commit()
    return user


class DiscussionFactory(BaseFactory):
    """A visible discussion."""

    class Meta:
        model = Discussion

    group = factory.SubFactory(GroupFactory)
    author = factory.SubFactory(OldUserFactory)
    title = factory.Sequence(lambda n: f"Discussion {n}")
    body_md = "Hello **everyone**."
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body_md))


class ReplyFactory(BaseFactory):
    """A visible reply; bumps the discussion's reply count."""

    class Meta:
        model = Reply

    discussion = factory.SubFactory(DiscussionFactory)
    author = factory.SubFactory(OldUserFactory)
    body_md = "I agree."
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body_md))

    @factory.post_generation
    def count(obj, create, extracted, **kwargs):
        if create:
            obj.discussion.reply_count += 1
            db.session.commit()


def set_setting(key: str, value) -> None:
    """Store a Setting row (tests change thresholds and limits this way)."""
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    db.session.commit()


@pytest.fixture
def switching_login_as(client):
    """login_as(user or None) that also works when a test switches users.

    The suite's app context spans the whole test, so flask.g (flask-login's cached user, the CSRF
    token) would outlive a request; they are dropped here before the session is changed.
    """

    def do(user):
        from flask import g

        for key in ("_login_user", "csrf_token"):
            g.pop(key, None)
        db.session.expire_all()
        with client.session_transaction() as session:
            session.clear()
            if user is not None:
                session["_user_id"] = str(user.id)
                session["_fresh"] = True
        return client

    return do
