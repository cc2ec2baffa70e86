"""The reviewer's claim on an application: claim, release, reassign, and the claim every decision takes.

The claim is enforced by PostgreSQL: every claim and decision starts with a conditional
UPDATE ... WHERE status IN (...) AND (unclaimed OR expired OR mine), so of two concurrent
reviewers exactly one wins; the other's UPDATE matches no row and gets a clear 409.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role, User
from app.core import audit, duties
from app.core.claims import RELEASED, claim_values, claimable_by
from app.core.db import utcnow
from app.core.effects import commit
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.roles import require_role
from app.extensions import db
from app.verification.models import OPEN_FOR_REVIEW, REVIEWER_ROLES, CoachApplication

CLAIMABLE = OPEN_FOR_REVIEW


def require_reviewer(actor: User) -> None:
    """Only verification staff and admins review applications."""
    require_role(actor, REVIEWER_ROLES, "Only verification staff can review applications.")


def fresh_application(application_id: int) -> CoachApplication:
    """The application as the database has it now (404 if there is none)."""
    application = db.session.get(CoachApplication, application_id, populate_existing=True)
    if application is None:
        raise NotFound("No such application.")
    return application


def _refusal(application_id: int, statuses: tuple) -> Conflict:
    """Why a conditional UPDATE matched nothing, in words a reviewer understands."""
    application = fresh_application(application_id)
    if application.status not in statuses:
        who = application.decided_by.full_name if application.decided_by else "someone"
        when = f" at {application.decided_at:%Y-%m-%d %H:%M} UTC" if application.decided_at else ""
        return Conflict(
            f"Application #{application.id} was already decided: it is {application.status.value.replace('_', ' ')}"
            f" (by {who}{when}).",
            code="already_decided",
        )
    holder = application.claimed_by.full_name if application.claimed_by else "another reviewer"
    return Conflict(
        f"{holder} is reviewing application #{application.id} until "
        f"{application.claim_expires_at:%H:%M} UTC; you cannot decide it at the same time.",
        code="claimed_by_other",
    )


OWN_APPLICATION = "This is your own application: another reviewer must handle it."


def refuse_own(application_id: int, actor: User, attempted: str, user_id: int | None = None) -> None:
    """Nobody claims or decides their own application (admins included); the refusal is audited."""
    application = db.session.get(CoachApplication, application_id)
    if application is not None and (user_id or actor.id) == application.user_id:
        message = OWN_APPLICATION if user_id is None else "That reviewer is the applicant: choose another reviewer."
        raise duties.refuse(actor, attempted, application, message)


def take_application(
    application_id: int, actor: User, statuses: tuple, attempted: str, force: bool = False
) -> CoachApplication:
    """Claim (or extend my claim on) an application in one of `statuses`, atomically; 409 otherwise."""
    refuse_own(application_id, actor, attempted)
    now = utcnow()
    conditions = [CoachApplication.id == application_id, CoachApplication.status.in_(statuses)]
    if not force:
        conditions.append(claimable_by(CoachApplication, actor, now))
    result = db.session.execute(
        sa.update(CoachApplication)
        .where(*conditions)
        .values(**claim_values(actor, now))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        if db.session.get(CoachApplication, application_id) is None:
            raise NotFound("No such application.")
        raise _refusal(application_id, statuses)
    return fresh_application(application_id)


def claim_application(application_id: int, actor: User) -> CoachApplication:
    """Assign the application to the reviewer for CLAIM_MINUTES; 409 if someone else holds it."""
    require_reviewer(actor)
    application = take_application(application_id, actor, CLAIMABLE, "application.claim")
    commit()
    return application


def release_claim(application_id: int, actor: User) -> None:
    """Give up my claim (leaving without deciding); admins may release anyone's."""
    require_reviewer(actor)
    stmt = sa.update(CoachApplication).where(CoachApplication.id == application_id)
    if not actor.has_role(Role.ADMIN):
        stmt = stmt.where(CoachApplication.claimed_by_id == actor.id)
    result = db.session.execute(stmt.values(**RELEASED).execution_options(synchronize_session=False))
    if result.rowcount:
        application = fresh_application(application_id)
        audit.record(actor, "application.claim_released", application)
    commit()


def reassign_claim(application_id: int, actor: User, assignee_id: int) -> CoachApplication:
    """Hand the claim to another reviewer (admins may take it from whoever holds it)."""
    require_reviewer(actor)
    assignee = db.session.get(User, assignee_id)
    if assignee is None or not assignee.has_role(*REVIEWER_ROLES):
        raise ValidationFailed("Choose a verification reviewer.", fields={"assignee": "Not a reviewer."})
    refuse_own(application_id, actor, "application.reassign", user_id=assignee.id)
    before = fresh_application(application_id).claimed_by_id
    take_application(application_id, actor, CLAIMABLE, "application.reassign", force=actor.has_role(Role.ADMIN))
    db.session.execute(
        sa.update(CoachApplication)
        .where(CoachApplication.id == application_id)
        .values(claimed_by_id=assignee.id)
        .execution_options(synchronize_session=False)
    )
    application = fresh_application(application_id)
    audit.record(
        actor, "application.claim_reassigned", application, {"claimed_by": before}, {"claimed_by": assignee.id}
    )
    commit()
    return application
