"""One way for views to turn a ServiceError into what the user sees: a flash message (and the
field errors beside the form's fields) on HTML pages, the JSON error under /api."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash

from app.core.error_pages import wants_json
from app.core.errors import RateLimited, ServiceError


def _add_error(field, message: str) -> None:
    field.errors = [*field.errors, message]  # a form never validated holds a tuple


class service_errors:  # noqa: N801 - read as a phrase: `with service_errors(form) as outcome:`
    """Run a service call; a ServiceError becomes a flash (HTML) or propagates to the JSON handler.

    ```
    with service_errors(form) as outcome:
        services.approve_membership(current_user, group, user_id)
        flash("Member approved.", "success")
    if outcome.failed:
        return render_template("...", form=form), outcome.status
    return redirect(...)
    ```
    The error's field messages go beside the form's fields and its message is flashed; with
    `beside`, the message goes beside that one field instead; `report(exc)` replaces both where a
    page shows errors its own way.
    """

    def __init__(self, form=None, *, beside: str | None = None, report: Callable[[ServiceError], None] | None = None):
        self.form, self.beside, self.report = form, beside, report
        self.error: ServiceError | None = None

    @property
    def failed(self) -> bool:
        """True when the block raised a ServiceError (already shown to the user)."""
        return self.error is not None

    @property
    def status(self) -> int:
        """The error's HTTP status (200 when nothing failed), for re-rendered forms."""
        return self.error.status if self.error else 200

    @property
    def headers(self) -> dict[str, str]:
        """Retry-After for a rate-limited attempt, else nothing."""
        if isinstance(self.error, RateLimited):
            return {"Retry-After": str(self.error.retry_after)}
        return {}

    def __enter__(self) -> service_errors:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None or not isinstance(exc, ServiceError) or wants_json():
            return False
        self.error = exc
        if self.report is not None:
            self.report(exc)
            return True
        if self.beside is not None:
            _add_error(getattr(self.form, self.beside), exc.message)
            return True
        for name, message in exc.fields.items():
            field = getattr(self.form, name, None) if self.form is not None else None
            if field is not None:
                _add_error(field, message)
        flash(exc.message, "error")
        return True
