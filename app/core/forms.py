"""Forms every domain shares: the bare POST (a button with its CSRF token) and its check, ids read leniently."""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.widgets import HiddenInput

from app.core.inputs import ascii_int

F = TypeVar("F", bound=FlaskForm)


class ConfirmForm(FlaskForm):
    """A bare POST with its CSRF token."""


def require_confirm_form() -> None:
    """Validate a bare POST's ConfirmForm; 400 when it does not (CSRFProtect has refused most already)."""
    require_valid(ConfirmForm())


def require_valid(form: F) -> F:
    """The form, validated on POST; 400 when it does not validate.

    For forms whose fields carry no rules of their own (the service checks the values and says what
    is wrong), so only a missing CSRF token or a malformed structure can fail here.
    """
    if not form.validate_on_submit():
        abort(400)
    return form


class IdListField(Field):
    """The ids of the checked boxes that share one name (hand-rendered, one a row); junk is dropped."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = [i for i in map(ascii_int, valuelist) if i is not None]

    def _value(self) -> str:
        return ""


class IdField(Field):
    """One id from a hidden input or a hand-rendered <select>; junk reads as None."""

    widget = HiddenInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = ascii_int(valuelist[0]) if valuelist else None

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)
