"""Forms every domain shares: the bare POST (a button with its CSRF token) and its check, a list of ids."""

from __future__ import annotations

from flask import abort
from flask_wtf import FlaskForm
from wtforms import Field

from app.core.inputs import ascii_int


class ConfirmForm(FlaskForm):
    """A bare POST with its CSRF token."""


def require_confirm_form() -> None:
    """Validate a bare POST's ConfirmForm; 400 when it does not (CSRFProtect has refused most already)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


class IdListField(Field):
    """The ids of the checked boxes that share one name (hand-rendered, one a row); junk is dropped."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = [i for i in map(ascii_int, valuelist) if i is not None]

    def _value(self) -> str:
        return ""
