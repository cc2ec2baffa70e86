"""Finance's reconciliation pages: open differences with Stripe, the history of resolved ones,
one difference with both sides and the resolve form, and the Reconcile now button."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.desk_views import decide_item
from app.core.roles import FINANCE_ROLES
from app.core.security import roles_required
from app.core.view_errors import service_errors
from app.extensions import db
from app.payments import reconciliation_items, staff_bp
from app.payments.bookkeeping import ReconciliationItem
from app.payments.forms import RESOLUTION_LABELS, ResolveDifferenceForm
from app.staff.forms import ConfirmForm


@staff_bp.get("/reconciliation")
@roles_required(*FINANCE_ROLES)
def reconciliation():
    """Open differences (or, with ?show=resolved, the resolved ones) and the Reconcile button."""
    from app.payments.reconciliation import DEFAULT_DAYS

    history = request.args.get("show") == "resolved"
    items = reconciliation_items.resolved_items() if history else reconciliation_items.open_items()
    return render_template(
        "payments/staff/reconciliation.html",
        items=items,
        history=history,
        open_count=reconciliation_items.open_count(),
        days=DEFAULT_DAYS,
        form=ConfirmForm(),
        labels=RESOLUTION_LABELS,
    )


@staff_bp.get("/reconciliation/<int:item_id>")
@roles_required(*FINANCE_ROLES)
def reconciliation_item(item_id: int):
    """One difference: both sides, and the resolve form while it is open (else how it was resolved)."""
    return _item_page(db.get_or_404(ReconciliationItem, item_id), ResolveDifferenceForm(formdata=None))


def _item_page(item: ReconciliationItem, form: ResolveDifferenceForm, status: int = 200):
    page = render_template("payments/staff/reconciliation_item.html", item=item, form=form, labels=RESOLUTION_LABELS)
    return page, status


@staff_bp.post("/reconciliation/<int:item_id>/resolve")
@roles_required(*FINANCE_ROLES)
def reconciliation_resolve(item_id: int):
    """Resolve the difference; then on to the next open one, as finance works down the queue."""
    item = db.get_or_404(ReconciliationItem, item_id)
    form = ResolveDifferenceForm()

    def done():
        next_id = reconciliation_items.next_open(item)
        next_url = url_for("finance_staff.reconciliation_item", item_id=next_id) if next_id else None
        message = f"Difference #{item.id} resolved ({RESOLUTION_LABELS[item.resolution]})."
        return message, next_url, url_for("finance_staff.reconciliation")

    return decide_item(
        item,
        form,
        _item_page,
        lambda: reconciliation_items.resolve_item(current_user, item.id, form.resolution.data, form.note.data),
        done,
    )


@staff_bp.post("/reconciliation/run")
@roles_required(*FINANCE_ROLES)
def reconciliation_run():
    """Start a reconciliation now (audited; runs as a job)."""
    from app.payments.reconciliation import start_reconciliation

    form = ConfirmForm()
    if form.validate_on_submit():
        with service_errors():
            start_reconciliation(current_user)
            flash("Reconciliation started: differences appear on this page.", "success")
    return redirect(url_for("finance_staff.reconciliation"))
