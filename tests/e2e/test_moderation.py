"""A member flags a reply; a moderator (TOTP) hides it and suspends the author; the author sees it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.accounts.models import Role, User
from app.community import services
from app.community.models import PostVisibility, Reply
from app.extensions import db
from tests.e2e.conftest import assert_accessible, client_login, snap, staff_login
from tests.factories import StaffFactory
from tests.factories.community import DiscussionFactory, GroupFactory, OldUserFactory, ReplyFactory, add_member

pytestmark = pytest.mark.e2e


def _log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()


def test_flag_hide_and_suspend_walk(page, base):
    group = GroupFactory(name="Career changers", description="Switching careers after 40.")
    discussion = DiscussionFactory(group=group, title="How did you find your first client?",
                                   body_md="Share what worked for you.")  # fmt: skip
    author = add_member(group, OldUserFactory(first_name="Rex", last_name="Rude"))
    reply = ReplyFactory(discussion=discussion, author=author, body_md="Only idiots need a coach.")
    member = add_member(group, OldUserFactory(first_name="Mia", last_name="Member"))
    moderator = StaffFactory(roles=[Role.MODERATOR], first_name="Mo", last_name="Derator")
    discussion_id, reply_id, author_id = discussion.id, reply.id, author.id

    # A member reads the discussion; a new reply arrives without a reload; she flags the rude one.
    client_login(page, base, member)
    page.goto(f"{base}/community/")
    expect(page.get_by_role("link", name="Career changers")).to_be_visible()
    assert_accessible(page)
    snap(page, "community-0-groups")
    page.get_by_role("link", name="Career changers").click()
    expect(page.get_by_role("link", name="How did you find your first client?")).to_be_visible()
    assert_accessible(page)
    snap(page, "community-0-group")
    page.get_by_role("link", name="How did you find your first client?").click()
    expect(page.get_by_text("Only idiots need a coach.")).to_be_visible()
    services.post_reply(add_member(group, OldUserFactory()), discussion, "Networking events!")
    expect(page.get_by_text("Networking events!")).to_be_visible(timeout=10_000)
    flag_box = page.locator(f"#reply-{reply_id}")
    flag_box.locator("summary").click()
    flag_box.get_by_label("Harassment").check()
    flag_box.get_by_label("Note for the moderators").fill("Insulting everyone who asks for help.")
    flag_box.get_by_role("button", name="Send flag").click()
    expect(page.get_by_text("Thank you. The moderators will review it.")).to_be_visible()
    expect(page.locator(f"#reply-{reply_id}").get_by_text("You flagged this")).to_be_visible()
    assert_accessible(page)
    snap(page, "moderation-1-member-flagged")
    _log_out(page)

    # The moderator logs in with TOTP, opens the item, hides it with a reason and suspends the author.
    staff_login(page, base, moderator)
    page.goto(f"{base}/staff/moderation/")
    expect(page.get_by_text("harassment × 1")).to_be_visible()
    assert_accessible(page)
    snap(page, "moderation-2-queue")
    # Keyboard: j selects the first row, Enter opens it, c claims, h picks "Hide" and focuses the reason.
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Insulting everyone who asks for help.")).to_be_visible()
    page.keyboard.press("c")
    expect(page.get_by_text("You hold this item for 30 minutes.")).to_be_visible()
    assert_accessible(page)
    snap(page, "moderation-3-item")
    page.keyboard.press("h")
    expect(page.get_by_label("Hide", exact=True)).to_be_checked()
    expect(page.get_by_label("Reason (sent to the author)")).to_be_focused()
    page.keyboard.type("Personal attacks are not allowed here.")
    page.get_by_label("And the author").select_option("suspend")
    page.get_by_label("Suspend for (days)").fill("7")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("hide recorded")).to_be_visible()
    snap(page, "moderation-4-decided")
    _log_out(page)

    db.session.expire_all()
    assert db.session.get(Reply, reply_id).visibility == PostVisibility.HIDDEN
    suspended = db.session.get(User, author_id)
    assert suspended.is_suspended()

    # The author logs in and sees the suspension notice with its end date; the reply form is gone.
    client_login(page, base, suspended)
    page.goto(f"{base}/community/discussions/{discussion_id}")
    notice = page.locator("[data-suspension]")
    expect(notice).to_contain_text("Your account is suspended until")
    expect(notice).to_contain_text("Personal attacks are not allowed here.")
    expect(page.get_by_text("hidden by moderators")).to_be_visible()
    expect(page.get_by_role("button", name="Reply")).to_have_count(0)
    assert_accessible(page)
    snap(page, "moderation-5-author-suspended")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reply)) == 2
