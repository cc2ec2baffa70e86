"""Public community pages: groups, discussions, replies, edits, flags and join requests."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.community import queries, services
from app.community.forms import DiscussionForm, EditForm, FlagForm, GroupForm, ReplyForm
from app.community.models import Discussion, Group, Reply
from app.core import ids
from app.core.db import utcnow
from app.core.forms import require_confirm_form
from app.core.security import login_required, public
from app.core.view_errors import service_errors
from app.extensions import db
from app.moderation.models import TargetType
from app.moderation.services import flag_target

bp = Blueprint("community", __name__, template_folder="templates", url_prefix="/community")


def _group_or_404(slug: str) -> Group:
    group = db.first_or_404(db.select(Group).where(Group.slug == slug))
    if not services.can_read(current_user, group):
        abort(404)
    return group


def _discussion_or_404(discussion_id: int) -> Discussion:
    discussion = db.get_or_404(Discussion, discussion_id)
    if not services.can_read(current_user, discussion.group) or not services.can_see_post(current_user, discussion):
        abort(404)
    return discussion


def _post_or_404(kind: str, post_id: int):
    model = {"discussion": Discussion, "reply": Reply}.get(kind) or abort(404)
    post = db.get_or_404(model, post_id)
    group = post.group if kind == "discussion" else post.discussion.group
    if not services.can_read(current_user, group) or not services.can_see_post(current_user, post):
        abort(404)
    return post


def _own_post_or_403(kind: str, post_id: int):
    """A post the current user wrote; anyone else may read it but not change it."""
    post = _post_or_404(kind, post_id)
    if not post.is_written_by(current_user):
        abort(403)
    return post


@bp.get("/")
@public
def groups():
    """Every group, with the user's membership and a join button."""
    return render_template("community/groups.html", groups=queries.groups_for(current_user))


@bp.route("/groups/new", methods=["GET", "POST"])
@login_required
def new_group():
    """Start a group."""
    form = GroupForm()
    if form.validate_on_submit():
        with service_errors(form) as outcome:
            group = services.create_group(current_user, form.name.data, form.description.data, form.is_private.data)
            flash("Group created.", "success")
            return redirect(url_for("community.group", slug=group.slug))
        return render_template("community/group_form.html", form=form), outcome.status
    return render_template("community/group_form.html", form=form)


@bp.get("/groups/<slug>")
@public
def group(slug: str):
    """A group's discussions, most recently active first."""
    group = _group_or_404(slug)
    page = queries.discussions_page(group, current_user, request.args.get("after"))
    membership = services.membership(current_user, group)
    pending = []
    if group.can_be_managed_by(current_user):
        pending = queries.pending_members(group)
    return render_template("community/group.html", group=group, page=page, membership=membership, pending=pending)


@bp.post("/groups/<slug>/join")
@login_required
def join(slug: str):
    """Join a public group, or ask to join a private one."""
    group = db.first_or_404(db.select(Group).where(Group.slug == slug))
    require_confirm_form()
    with service_errors():
        m = services.join_group(current_user, group)
        flash("You joined the group." if m.status == "active" else "Request sent to the group's owner.", "success")
    if services.can_read(current_user, group):
        return redirect(url_for("community.group", slug=slug))
    return redirect(url_for("community.groups"))


@bp.post("/groups/<slug>/members/<int:user_id>/approve")
@login_required
def approve_member(slug: str, user_id: int):
    """The owner (or a moderator) admits someone who asked to join."""
    group = _group_or_404(slug)
    require_confirm_form()
    with service_errors():
        services.approve_membership(current_user, group, user_id)
        flash("Member approved.", "success")
    return redirect(url_for("community.group", slug=slug))


@bp.route("/groups/<slug>/new", methods=["GET", "POST"])
@login_required
def new_discussion(slug: str):
    """Start a discussion in the group."""
    group = _group_or_404(slug)
    form = DiscussionForm()
    if form.validate_on_submit():
        with service_errors(form) as outcome:
            d = services.post_discussion(current_user, group, form.title.data, form.body.data)
            if d.visibility != "visible":
                flash("Your discussion is waiting for a moderator before others can see it.", "info")
            return redirect(url_for("community.discussion", discussion_id=d.id))
        return render_template("community/discussion_form.html", form=form, group=group), outcome.status
    return render_template("community/discussion_form.html", form=form, group=group)


def _discussion_context(discussion: Discussion, reply_form=None) -> dict:
    replies = queries.replies_after(discussion, current_user)
    flagged = queries.flagged_by(current_user, TargetType.REPLY, [r.id for r in replies])
    flagged_discussion = bool(queries.flagged_by(current_user, TargetType.DISCUSSION, [discussion.id]))
    return dict(
        discussion=discussion,
        edit_window=services.edit_window(),
        now=utcnow(),
        replies=replies,
        flagged=flagged,
        flagged_discussion=flagged_discussion,
        reply_form=reply_form or ReplyForm(),
        last_id=replies[-1].id if replies else 0,
    )


@bp.get("/discussions/<int:discussion_id>")
@public
def discussion(discussion_id: int):
    """A discussion and its replies; new replies appear by polling."""
    d = _discussion_or_404(discussion_id)
    return render_template("community/discussion.html", **_discussion_context(d))


@bp.post("/discussions/<int:discussion_id>/replies")
@login_required
def reply(discussion_id: int):
    """Post a reply."""
    d = _discussion_or_404(discussion_id)
    form = ReplyForm()
    if form.validate_on_submit():
        with service_errors(form) as outcome:
            r = services.post_reply(current_user, d, form.body.data)
            if r.visibility != "visible":
                flash("Your reply is waiting for a moderator before others can see it.", "info")
            return redirect(url_for("community.discussion", discussion_id=d.id, _anchor=f"reply-{r.id}"))
        return render_template("community/discussion.html", **_discussion_context(d, form)), outcome.status
    return render_template("community/discussion.html", **_discussion_context(d, form)), 400


@bp.get("/discussions/<int:discussion_id>/replies.json")
@public
def replies_since(discussion_id: int):
    """Replies after ?after=<reply id>, rendered, for the page's polling script."""
    d = _discussion_or_404(discussion_id)
    after = ids.clamp(request.args.get("after", 0, type=int))
    replies = queries.replies_after(d, current_user, after, limit=50)
    flagged = queries.flagged_by(current_user, TargetType.REPLY, [r.id for r in replies])
    html = render_template(
        "community/_replies.html",
        replies=replies,
        flagged=flagged,
        discussion=d,
        edit_window=services.edit_window(),
        now=utcnow(),
    )
    return jsonify(
        count=len(replies),
        last_id=replies[-1].id if replies else after,
        reply_count=d.reply_count,
        html=html,
    )


@bp.route("/posts/<kind>/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(kind: str, post_id: int):
    """The author edits a post within the edit window."""
    post = _own_post_or_403(kind, post_id)
    form = EditForm(title=getattr(post, "title", None), body=post.body_md)
    if form.validate_on_submit():
        with service_errors(form) as outcome:
            services.edit_post(current_user, post, form.body.data, form.title.data)
            flash("Saved.", "success")
            d_id = post.id if kind == "discussion" else post.discussion_id
            return redirect(url_for("community.discussion", discussion_id=d_id))
        return render_template("community/edit.html", form=form, post=post, kind=kind), outcome.status
    return render_template("community/edit.html", form=form, post=post, kind=kind)


@bp.post("/posts/<kind>/<int:post_id>/delete")
@login_required
def delete(kind: str, post_id: int):
    """The author deletes a post (moderators can still see it)."""
    post = _own_post_or_403(kind, post_id)
    require_confirm_form()
    with service_errors():
        services.delete_post(current_user, post)
        flash("Deleted.", "success")
    if kind == "discussion":
        return redirect(url_for("community.group", slug=post.group.slug))
    return redirect(url_for("community.discussion", discussion_id=post.discussion_id))


def _safe_next(target: str | None) -> str:
    target = target or ""
    if target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("community.groups")


@bp.post("/flags")
@login_required
def flag():
    """Flag a discussion, reply, profile or message."""
    form = FlagForm()
    back = _safe_next(form.next.data)
    if not form.validate_on_submit():
        flash("Choose a reason for the flag.", "error")
        return redirect(back)
    with service_errors():
        flag_target(current_user, form.target_type.data, form.target_id.data, form.reason.data, form.note.data or "")
        flash("Thank you. The moderators will review it.", "success")
    return redirect(back)
