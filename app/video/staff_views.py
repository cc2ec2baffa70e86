"""Staff's video queue (/staff/video/): sessions that need a person's decision, with their
attendance timeline, and the decision form; finance staff and admins."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from app.core.desk_views import decide_item
from app.core.roles import FINANCE_ROLES
from app.core.security import roles_required
from app.extensions import db
from app.video import attendance, outcomes, queries
from app.video.forms import OUTCOME_LABELS, RESOLUTION_LABELS, ResolveOutcomeForm
from app.video.models import SessionOutcome

staff_bp = Blueprint("video_staff", __name__, template_folder="templates")
PAGE = 100


@staff_bp.get("/")
@roles_required(*FINANCE_ROLES)
def queue():
    """Sessions awaiting a decision, oldest first (or, with ?show=decided, the latest outcomes)."""
    decided = request.args.get("show") == "decided"
    rows = queries.queue_rows(decided, PAGE)
    return render_template(
        "video/staff/queue.html", rows=rows, decided=decided, labels=OUTCOME_LABELS, resolutions=RESOLUTION_LABELS
    )


def _page(row: SessionOutcome, form: ResolveOutcomeForm, status: int = 200):
    html = render_template(
        "video/staff/outcome.html",
        row=row,
        form=form,
        timeline=attendance.intervals(row.booking),
        labels=OUTCOME_LABELS,
        resolutions=RESOLUTION_LABELS,
    )
    return html, status


@staff_bp.get("/<int:outcome_id>")
@roles_required(*FINANCE_ROLES)
def outcome(outcome_id: int):
    """One session: its measures, the attendance timeline, the refund, and the decision form while open."""
    return _page(db.get_or_404(SessionOutcome, outcome_id), ResolveOutcomeForm(formdata=None))


@staff_bp.post("/<int:outcome_id>/resolve")
@roles_required(*FINANCE_ROLES)
def resolve(outcome_id: int):
    """Decide the session; back to the queue."""
    row = db.get_or_404(SessionOutcome, outcome_id)
    form = ResolveOutcomeForm()
    return decide_item(
        row,
        form,
        _page,
        lambda: outcomes.resolve_outcome(current_user, row.id, form.resolution.data, form.note.data),
        lambda: (
            f"Session #{row.booking_id} decided: {RESOLUTION_LABELS[row.resolution]}.",
            None,
            url_for("video_staff.queue"),
        ),
    )
