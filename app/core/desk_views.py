"""The staff desks' "decide an item, say so, go on to the next one" flow, for their POST views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect

from app.core.view_errors import service_errors
from app.extensions import db


def on_to_next(message: str, next_url: str | None, queue_url: str):
    """Flash the decision and go on to the next item, as staff work down a queue (else back to the queue)."""
    flash(message + (" Here is the next one." if next_url else ""), "success")
    return redirect(next_url or queue_url)


def decide_item(
    row: Any,
    form: Any,
    page: Callable[[Any, Any, int], Any],
    decide: Callable[[], Any],
    done: Callable[[], tuple[str, str | None, str]],
):
    """Validate the decision `form` on `row` and run `decide()` (the service call).

    An invalid form or a refused decision shows the item's `page(row, form, status)` again, with
    what was typed and the error beside its field; a decision made answers `on_to_next(*done())`,
    `done` being read after the decision (the message, the next item's URL or None, the queue's).
    """
    if not form.validate_on_submit():
        return page(row, form, 400)  # the typed note stays in the form
    with service_errors(form) as outcome:
        decide()
    if outcome.failed:
        db.session.refresh(row)
        return page(row, form, outcome.status)
    return on_to_next(*done())
