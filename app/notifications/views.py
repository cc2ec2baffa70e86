"""The notification list, opening one (marks it read), mark read, mark all read."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.errors import NotFound
from app.core.forms import require_confirm_form
from app.core.security import login_required
from app.notifications import push, services
from app.notifications.models import Notification
from app.notifications.queries import latest

bp = Blueprint("notifications", __name__, template_folder="templates", url_prefix="/notifications")


def _own(notification_id: int) -> Notification:
    try:
        return services.own_notification(current_user, notification_id)
    except NotFound:
        abort(404)


@bp.get("")
@login_required
def index():
    """Your notifications, newest first, unread ones marked."""
    return render_template(
        "notifications/index.html",
        rows=latest(current_user.id),
        push_key=current_app.config["VAPID_PUBLIC_KEY"] if push.is_enabled() else None,
    )


@bp.get("/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int):
    """Follow a notification's link; it counts as read."""
    row = _own(notification_id)
    services.mark_read(current_user, row.id)
    return redirect(row.link)


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    """Mark one read and come back to the list."""
    require_confirm_form()
    services.mark_read(current_user, _own(notification_id).id)
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
@login_required
def read_all():
    """Mark every notification read."""
    require_confirm_form()
    services.mark_all_read(current_user)
    return redirect(request.referrer if _same_site(request.referrer) else url_for("notifications.index"))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)
