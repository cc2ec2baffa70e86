"""A stock Flask-Admin over the same tables, as a team would start one: one ModelView per table,
20 rows a page with the COUNT(*) pager, a status filter and ILIKE search. `make bench` serves it
beside the app (`python -m benchmarks.versus`) and compares the staff lists with it (issue 20).

Served only on loopback by the benchmark, without login: it is a yardstick, never deployed.
"""

from __future__ import annotations

import os
import time

from flask import Flask, g
from flask_admin import Admin
from flask_admin.contrib.sqla import ModelView

import app.models as models
from app.extensions import db


class StockView(ModelView):
    """Flask-Admin's defaults, read-only."""

    page_size = 20
    can_create = can_edit = can_delete = False


# endpoint -> (model, filters, searchable columns): the filter and search each staff list offers.
VIEWS = {
    "payment": (models.Payment, ["status"], ["client.email"]),
    "coachapplication": (models.CoachApplication, ["status"], ["first_name", "last_name", "ipec_number"]),
    "moderationitem": (models.ModerationItem, ["status"], []),
    "user": (models.User, ["is_enabled"], ["email", "last_name"]),
    "auditlog": (models.AuditLog, ["action"], ["action"]),
}


def create_app() -> Flask:
    """The yardstick app on BENCH_DATABASE_URL, with X-Server-Time-ms like the instrumented app."""
    flask_app = Flask(__name__)
    url = os.environ["BENCH_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    flask_app.config.update(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=os.urandom(16).hex())
    db.init_app(flask_app)
    admin = Admin(flask_app, name="Stock admin", url="/stock", endpoint="stock")
    for endpoint, (model, filters, search) in VIEWS.items():
        view = type(
            f"Stock{model.__name__}View", (StockView,), {"column_filters": filters, "column_searchable_list": search}
        )
        admin.add_view(view(model, db, endpoint=endpoint))

    @flask_app.before_request
    def _start() -> None:
        g.started = time.perf_counter()

    @flask_app.after_request
    def _server_time(response):
        response.headers["X-Server-Time-ms"] = f"{(time.perf_counter() - g.started) * 1000:.2f}"
        return response

    return flask_app
