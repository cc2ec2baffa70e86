"""The moderators' console: queue, item page, claims, decisions, bulk decisions, settings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.core.claims import claim_minutes
from app.core.db import utcnow
from app.core.desk_views import on_to_next
from app.core.errors import ServiceError
from app.core.forms import require_confirm_form
from app.core.roles import MODERATOR_ROLES
from app.core.security import roles_required
from app.core.view_errors import service_errors
from app.extensions import db
from app.messaging import attachments
from app.messaging import services as messaging
from app.moderation import queries, rules
from app.moderation.forms import BulkForm, DecisionForm, SettingsForm
from app.moderation.models import Flag, FlagReason, ItemStatus, ModerationItem, TargetType
from app.moderation.reputation import accuracies
from app.moderation.services import bulk_decide, claim_item, decide, release_item
from app.moderation.settings import set_auto_hide_threshold, set_watched_words
from app.moderation.targets import load_target
from app.staff.risk import person_facts

bp = Blueprint("moderation_staff", __name__, template_folder="templates")


@bp.get("/")
@roles_required(*MODERATOR_ROLES)
def queue():
    """One row per flagged target, by priority or age, with filters and counts."""
    filters = queries.QueueFilters.from_args(request.args)
    page = queries.queue_page(filters, current_user.id, request.args.get("after"))
    return render_template(
        "moderation/queue.html",
        page=page,
        filters=filters,
        reasons=queries.reasons_by_item([i.id for i in page.items]),
        excerpts=queries.excerpts(page.items),
        groups=queries.group_choices(),
        counts=queries.status_counts(),
        count_cap=queries.COUNT_CAP,
        bulk=BulkForm(),
        statuses=[s.value for s in ItemStatus],
        flag_reasons=[r.value for r in FlagReason],
        target_types=[t.value for t in TargetType],
        now=utcnow,
    )


def _item_or_404(item_id: int) -> ModerationItem:
    return db.get_or_404(ModerationItem, item_id)


@bp.get("/items/<int:item_id>")
@roles_required(*MODERATOR_ROLES)
def item(item_id: int):
    """The item with its content in context, flags, history and the decision form."""
    # Flags with their reporters in one more query (the page lists every flag's reporter).
    item = db.get_or_404(
        ModerationItem,
        item_id,
        options=[selectinload(ModerationItem.flags).joinedload(Flag.reporter).lazyload(User.role_rows)],
    )
    try:
        target = load_target(item.target_type, item.target_id)
    except ServiceError:
        target = None
    if target is not None and item.target_type is TargetType.MESSAGE:
        messaging.read_for_moderation(current_user, item.target_id)
    reporters = [f.reporter_id for f in item.flags if f.reporter_id]
    prev_id, next_id = queries.neighbours(item)
    author = db.session.get(User, item.author_id) if item.author_id else None
    return render_template(
        "moderation/item.html",
        risk=[("Author", person_facts(author, current_user, utcnow()))] if author else [],
        item=item,
        target=target,
        context=queries.context_of(item),
        revisions=queries.revisions_of(item),
        history=queries.author_history(item),
        accuracy=accuracies(reporters),
        form=DecisionForm(),
        author=author,
        now=utcnow,
        prev_id=prev_id,
        next_id=next_id,
    )


@bp.get("/items/<int:item_id>/attachments/<int:attachment_id>")
@roles_required(*MODERATOR_ROLES)
def message_attachment(item_id: int, attachment_id: int):
    """A file of the flagged message this item is about, as a download; the opening is audited."""
    item = _item_or_404(item_id)
    if item.target_type is not TargetType.MESSAGE:
        abort(404)
    try:
        row = attachments.open_for_moderation(current_user, item.target_id, attachment_id)
    except ServiceError:
        abort(404)
    return attachments.download(row)


@bp.post("/items/<int:item_id>/claim")
@roles_required(*MODERATOR_ROLES)
def claim(item_id: int):
    """Take the item so no one else decides it meanwhile."""
    item = _item_or_404(item_id)
    require_confirm_form()
    with service_errors():
        claim_item(current_user, item)
        flash(f"You hold this item for {claim_minutes()} minutes.", "success")
    return redirect(url_for("moderation_staff.item", item_id=item_id))


@bp.post("/items/<int:item_id>/release")
@roles_required(*MODERATOR_ROLES)
def release(item_id: int):
    """Give the item back to the queue."""
    item = _item_or_404(item_id)
    require_confirm_form()
    with service_errors():
        release_item(current_user, item)
        flash("Released.", "success")
    return redirect(url_for("moderation_staff.item", item_id=item_id))


@bp.post("/items/<int:item_id>/decision")
@roles_required(*MODERATOR_ROLES)
def decision(item_id: int):
    """Decide the item (and optionally act on its author)."""
    item = _item_or_404(item_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash("Choose a decision (and a number of days between 1 and 365 to suspend).", "error")
        return redirect(url_for("moderation_staff.item", item_id=item_id))
    prev_id, next_id = queries.neighbours(item)
    next_id = next_id or prev_id  # nothing left below: the nearest pending item above
    with service_errors() as outcome:
        decide(current_user, item, form.action.data, form.reason.data or "", author_action=form.author_action.data,
               suspend_days=form.suspend_days.data, edited_body=form.edited_body.data)  # fmt: skip
    if outcome.failed:
        return redirect(url_for("moderation_staff.item", item_id=item_id))
    next_url = url_for("moderation_staff.item", item_id=next_id) if next_id else None
    return on_to_next(f"Item {item_id}: {form.action.data} recorded.", next_url, url_for("moderation_staff.queue"))


@bp.post("/bulk")
@roles_required(*MODERATOR_ROLES)
def bulk():
    """Apply one decision to the selected items."""
    form = BulkForm()
    if not form.validate_on_submit() or not form.item_ids.data:
        flash("Select items and a decision.", "error")
        return redirect(url_for("moderation_staff.queue"))
    result = bulk_decide(current_user, form.item_ids.data, form.action.data, form.reason.data or "",
                         author_action=form.author_action.data, suspend_days=form.suspend_days.data)  # fmt: skip
    if result["done"]:
        flash(f"{form.action.data}: {len(result['done'])} item(s) decided.", "success")
    for item_id, message in result["failed"].items():
        flash(f"Item {item_id}: {message}", "error")
    return redirect(url_for("moderation_staff.queue"))


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(*MODERATOR_ROLES)
def settings():
    """Watched words and the auto-hide threshold."""
    form = SettingsForm(words="\n".join(rules.watched_words()), threshold=rules.get_setting(rules.AUTO_HIDE_THRESHOLD))
    if form.validate_on_submit():
        with service_errors():
            set_watched_words(current_user, (form.words.data or "").splitlines())
            set_auto_hide_threshold(current_user, form.threshold.data)
            flash("Moderation settings saved.", "success")
            return redirect(url_for("moderation_staff.settings"))
    return render_template("moderation/settings.html", form=form)
