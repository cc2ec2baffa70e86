"""Forms every domain shares: the bare POST (a button with its CSRF token) and its check."""

from __future__ import annotations

from flask import abort
from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """A bare POST with its CSRF token."""


def require_confirm_form() -> None:
    """Validate a bare POST's ConfirmForm; 400 when it does not (CSRFProtect has refused most already)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
