"""Two moderators deciding the same item at once on PostgreSQL: exactly one decision counts."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from app.accounts.models import Role
from app.core.errors import Conflict
from app.core.models import AuditLog
from app.extensions import db
from app.moderation.models import ModerationAction, ModerationItem
from app.moderation.services import decide, flag_target
from tests.factories import StaffFactory
from tests.factories.community import OldUserFactory, ReplyFactory


def test_two_moderators_deciding_at_once_record_exactly_one_decision(app):
    reply = ReplyFactory()
    flag_target(OldUserFactory(), "reply", reply.id, "spam")
    item_id = db.session.scalar(sa.select(ModerationItem.id))
    moderators = [StaffFactory(roles=[Role.MODERATOR]).id, StaffFactory(roles=[Role.MODERATOR]).id]
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def work(moderator_id: int, action: str) -> None:
        with app.app_context():  # its own session and connection
            from app.accounts.models import User

            moderator = db.session.get(User, moderator_id)
            item = db.session.get(ModerationItem, item_id)
            barrier.wait()
            try:
                decide(moderator, item, action, "Spam link")
                outcomes[moderator_id] = "decided"
            except Conflict as exc:
                outcomes[moderator_id] = exc.message
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(m, a)) for m, a in zip(moderators, ("hide", "keep"), strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(o == "decided" for o in outcomes.values()) == [False, True]
    loser = next(o for o in outcomes.values() if o != "decided")
    assert "already decided" in loser
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAction)) == 1
    decisions = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditLog)
        .where(AuditLog.action.in_(["moderation.hide", "moderation.keep"]))
    )
    assert decisions == 1
    item = db.session.get(ModerationItem, item_id)
    winner = next(m for m, o in outcomes.items() if o == "decided")
    winning_action = dict(zip(moderators, ("hide", "keep"), strict=True))[winner]
    assert (item.decided_by_id, item.status.value) == (winner, {"hide": "hidden", "keep": "kept"}[winning_action])
