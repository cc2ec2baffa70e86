"""Flask-Admin at /admin (admins only): read-only list, search and filter views of the data.

State changes go through services, so raw editing is off; reference data (specializations,
rejection templates) is edited through the same service functions the console uses (role checks,
audit). Money is shown formatted, timestamps to the second in the viewer's zone, and the pages
work under the site's CSP (app/staff/admin_templates.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa
from flask import Flask, flash, g, redirect, request, url_for
from flask_admin import Admin, AdminIndexView, expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.model import typefmt
from flask_admin.theme import Bootstrap4Theme
from flask_login import current_user
from flask_wtf import FlaskForm

from app import models as m
from app.accounts.models import Role
from app.core.errors import ServiceError
from app.core.money import format_money
from app.core.template_helpers import local_time
from app.extensions import db

MAX_PAGE = 200  # 200 pages of 50: OFFSET stays under 10,000 rows on million-row tables


def _is_admin() -> bool:
    return current_user.is_authenticated and current_user.has_role(Role.ADMIN)


def _deny():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path))
    from flask import abort

    abort(403)


class SecureIndexView(AdminIndexView):
    """The /admin landing page, admins only."""

    def is_accessible(self) -> bool:
        return _is_admin()

    def inaccessible_callback(self, name, **kwargs):
        return _deny()

    @expose("/")
    def index(self):
        return self.render("admin/coach_index.html")


def _when(view, value, name=None) -> str:
    return local_time(value, "%Y-%m-%d %H:%M:%S")


TYPE_FORMATTERS = {**typefmt.BASE_FORMATTERS, datetime: _when, date: lambda view, value, name=None: value.isoformat()}


def money(amount_field: str, currency_field: str = "currency") -> Callable:
    """A column formatter: the minor units of `amount_field` as money in the row's currency."""

    def fmt(view, context, model, name):
        amount = getattr(model, amount_field)
        return "—" if amount is None else format_money(amount, getattr(model, currency_field) or "EUR")

    return fmt


class ReadOnlyView(ModelView):
    """List, search, filter and details; no create, edit, delete or bulk actions."""

    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = True
    can_export = False
    action_disallowed_list = ["delete"]
    page_size = 50
    simple_list_pager = True  # no COUNT(*) over million-row tables on every page
    form_base_class = FlaskForm
    column_type_formatters = TYPE_FORMATTERS
    column_type_formatters_detail = TYPE_FORMATTERS
    money_columns: dict[str, str] = {}  # amount column -> currency column

    def __init__(self, *args, **kwargs):
        self.column_formatters = {
            **{col: money(col, cur) for col, cur in self.money_columns.items()},
            **dict(self.column_formatters or {}),
        }
        self.column_formatters_detail = self.column_formatters
        super().__init__(*args, **kwargs)

    def is_accessible(self) -> bool:
        return _is_admin()

    def inaccessible_callback(self, name, **kwargs):
        return _deny()

    def _get_list_extra_args(self):
        """The list's arguments, the page capped: deep OFFSET pages of big tables cost seconds."""
        args = super()._get_list_extra_args()
        if args.page and args.page >= MAX_PAGE:
            flash(
                f"Only the first {MAX_PAGE} pages are listed: narrow the list with a filter or a search, "
                "or sort it the other way, to reach older rows.",
                "info",
            )
            args.page = MAX_PAGE - 1
        args.page_size = min(args.page_size or self.page_size, self.page_size)
        return args

    def scaffold_sortable_columns(self):
        """Every column but JSON ones: PostgreSQL cannot order by json (?sort=N named one: a 500)."""
        columns = super().scaffold_sortable_columns()
        return {k: c for k, c in columns.items() if not isinstance(getattr(c, "type", None), sa.JSON)}

    def scaffold_filters(self, name):
        """Flask-Admin's filters, but an unknown enum value is an invalid filter (flashed), not a KeyError."""
        filters = super().scaffold_filters(name)
        for flt in filters or ():
            flt.validate = _validator(flt)
        return filters


def _validator(flt) -> Callable[[str], bool]:
    def validate(value: str) -> bool:
        try:
            flt.clean(value)
        except (ValueError, LookupError):
            return False
        return True

    return validate


class ServiceEditView(ReadOnlyView):
    """Reference data admins may add and edit: each save goes through the domain's service function
    (its checks, its audit entry, its commit); nothing is deleted."""

    can_create = True
    can_edit = True

    def save(self, model_id: int | None, form):
        """Call the service; returns the saved model."""
        raise NotImplementedError

    def _through_service(self, form, model_id: int | None):
        try:
            return self.save(model_id, form)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return False

    def create_model(self, form):
        return self._through_service(form, None)

    def update_model(self, form, model):
        return bool(self._through_service(form, model.id))


class SpecializationAdmin(ServiceEditView):
    form_columns = ("slug", "name")

    def save(self, model_id, form):
        from app.coaches.services import save_specialization

        return save_specialization(current_user, model_id, form.slug.data, form.name.data)


class RejectionTemplateAdmin(ServiceEditView):
    form_columns = ("title", "body")

    def save(self, model_id, form):
        from app.verification.review import save_rejection_template

        return save_rejection_template(current_user, model_id, form.title.data, form.body.data)


class UserAdmin(ReadOnlyView):
    column_list = ("id", "email", "first_name", "last_name", "is_enabled", "created_at", "last_login_at")
    column_searchable_list = ("email", "last_name")
    column_filters = ("is_enabled",)
    column_exclude_list = ("password_hash", "totp_secret")
    column_details_exclude_list = ("password_hash", "totp_secret", "totp_last_step")


class TokenAdmin(ReadOnlyView):
    column_exclude_list = ("token_hash",)
    column_details_exclude_list = ("token_hash",)


class AuditAdmin(ReadOnlyView):
    column_list = ("id", "created_at", "actor", "action", "object_type", "object_id", "ip_address")
    column_filters = ("action", "object_type", "object_id")
    column_default_sort = ("id", True)


class PaymentAdmin(ReadOnlyView):
    money_columns = {"amount": "currency", "amount_refunded": "currency", "fee_amount": "currency"}
    column_list = (
        "id",
        "created_at",
        "status",
        "amount",
        "amount_refunded",
        "currency",
        "gateway",
        "provider_intent_id",
    )
    column_filters = ("status", "currency", "gateway", "is_disputed")
    column_searchable_list = ("provider_intent_id",)
    column_default_sort = ("id", True)


class MoneyView(ReadOnlyView):
    """A table with one amount column named `amount`."""

    money_columns = {"amount": "currency"}


class SessionTypeAdmin(ReadOnlyView):
    money_columns = {"price_amount": "currency"}


class CoachProfileAdmin(ReadOnlyView):
    money_columns = {"hourly_rate_amount": "currency", "price_from_amount": "currency"}


class ApplicationAdmin(ReadOnlyView):
    money_columns = {"hourly_rate_amount": "currency"}
    column_list = ("id", "status", "first_name", "last_name", "ipec_number", "certification_level", "submitted_at")
    column_filters = ("status", "certification_level", "has_failing_checks")
    column_searchable_list = ("ipec_number", "last_name")
    column_default_sort = ("id", True)


def init_admin(app: Flask) -> None:
    """Mount Flask-Admin on the app, its templates made to work under the CSP."""
    from app.staff.admin_templates import install

    install(app)
    admin = Admin(
        app,
        name="Coach Connect data",
        index_view=SecureIndexView(url="/admin"),
        theme=Bootstrap4Theme(base_template="admin/coach_base.html", fluid=True),
        csp_nonce_generator=lambda: getattr(g, "csp_nonce", ""),
    )
    s = db
    admin.add_view(UserAdmin(m.User, s, category="Accounts"))
    admin.add_view(TokenAdmin(m.ApiToken, s, category="Accounts"))
    admin.add_view(CoachProfileAdmin(m.CoachProfile, s, category="Coaches"))
    admin.add_view(SpecializationAdmin(m.Specialization, s, category="Coaches"))
    admin.add_view(ApplicationAdmin(m.CoachApplication, s, category="Verification"))
    admin.add_view(ReadOnlyView(m.CertificateCheck, s, category="Verification"))
    admin.add_view(RejectionTemplateAdmin(m.RejectionTemplate, s, category="Verification"))
    admin.add_view(MoneyView(m.Booking, s, category="Booking"))
    admin.add_view(SessionTypeAdmin(m.SessionType, s, category="Booking"))
    admin.add_view(PaymentAdmin(m.Payment, s, category="Payments"))
    admin.add_view(MoneyView(m.Refund, s, category="Payments"))
    admin.add_view(ReadOnlyView(m.WebhookEvent, s, category="Payments"))
    admin.add_view(ReadOnlyView(m.Group, s, category="Community"))
    admin.add_view(ReadOnlyView(m.Discussion, s, category="Community"))
    admin.add_view(ReadOnlyView(m.Flag, s, category="Moderation"))
    admin.add_view(ReadOnlyView(m.ModerationItem, s, category="Moderation"))
    admin.add_view(AuditAdmin(m.AuditLog, s, category="System"))
    admin.add_view(ReadOnlyView(m.OutgoingMail, s, category="System"))
    admin.add_view(ReadOnlyView(m.JobFailure, s, category="System"))
