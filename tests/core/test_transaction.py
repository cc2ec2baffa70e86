"""`with transaction():` commits once, runs the after-commit effects, rolls back on error; the
view helper `service_errors` turns a ServiceError into a flash (HTML) or lets /api answer JSON."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages
from wtforms import Form, StringField

from app.core.effects import on_commit, transaction
from app.core.errors import InvalidState, ServiceError, ValidationFailed
from app.core.models import AuditLog
from app.core.view_errors import service_errors
from app.extensions import db


def _committed_actions() -> list[str]:
    """Audit actions as another connection sees them (only what was committed)."""
    with db.engine.connect() as conn:
        return list(conn.scalars(sa.text("SELECT action FROM audit_log ORDER BY id")))


def _entry(action: str) -> AuditLog:
    return AuditLog(action=action, object_type="test", object_id="1")


def test_transaction_commits_and_then_runs_effects():
    seen = []
    with transaction():
        db.session.add(_entry("one"))
        on_commit(lambda: seen.append(_committed_actions()))
    assert seen == [["one"]]  # the effect ran after the commit, and saw the row committed


def test_transaction_rolls_back_and_drops_effects_on_error():
    seen = []
    with pytest.raises(InvalidState):
        with transaction():
            db.session.add(_entry("lost"))
            db.session.flush()
            on_commit(seen.append, "mail")
            raise InvalidState("no")
    assert (_committed_actions(), seen) == ([], [])


def test_nested_transaction_commits_once_at_the_outer_block():
    with transaction():
        with transaction():
            db.session.add(_entry("inner"))
        inside = _committed_actions()
        db.session.add(_entry("outer"))
    assert (inside, _committed_actions()) == ([], ["inner", "outer"])


def test_error_in_a_nested_block_rolls_back_the_outer_work_too():
    with pytest.raises(ServiceError):
        with transaction():
            db.session.add(_entry("outer"))
            with transaction():
                raise ServiceError("inner failed")
    assert _committed_actions() == []


class _NameForm(Form):
    name = StringField()


def test_service_error_on_a_page_becomes_a_flash_and_field_error(app):
    form = _NameForm()
    with app.test_request_context("/community/groups/new", method="POST"):
        with service_errors(form) as outcome:
            raise ValidationFailed("Pick another name.", fields={"name": "That name is taken."})
        flashed = get_flashed_messages(with_categories=True)
    assert (outcome.failed, outcome.status, flashed, form.name.errors) == (
        True,
        400,
        [("error", "Pick another name.")],
        ["That name is taken."],
    )


def test_service_error_under_api_propagates_to_the_json_handler(app):
    with app.test_request_context("/api/bookings", method="POST"):
        with pytest.raises(InvalidState):
            with service_errors():
                raise InvalidState("Booking is closed.")
        assert get_flashed_messages() == []


def test_block_without_error_reports_success(app):
    with app.test_request_context("/"):
        with service_errors() as outcome:
            pass
    assert (outcome.failed, outcome.status) == (False, 200)
