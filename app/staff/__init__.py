"""The /staff console: layout, role navigation, home, outbox, audit log, jobs, accounts."""

from flask import Blueprint

bp = Blueprint("staff", __name__, template_folder="templates")

from app.staff import views  # noqa: E402,F401
