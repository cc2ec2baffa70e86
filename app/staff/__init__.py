"""The /staff console: layout, role navigation, home, outbox, audit log, jobs, accounts."""

from flask import Blueprint, Flask, has_request_context
from flask_login import current_user

from app.accounts.models import Role

bp = Blueprint("staff", __name__, template_folder="templates")

from app.staff import views  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Register the console's blueprint, the failed-jobs queue, the timeline's account section and the role navigation its layout shows."""
    from app.staff.inbox import InboxQueue, failed_jobs_keys, failed_jobs_load, register_inbox_queue
    from app.staff.navigation import sections_for
    from app.staff.timeline import TimelineSection, account_read, register_timeline_section

    app.register_blueprint(bp, url_prefix="/staff")
    register_inbox_queue(
        InboxQueue("failed_jobs", "Failed jobs", "staff.jobs", frozenset({Role.ADMIN}), "FAILURE_TARGET_HOURS",
                   failed_jobs_keys, failed_jobs_load)
    )  # fmt: skip
    register_timeline_section(TimelineSection("account", "Logins and account", frozenset({Role.ADMIN}), account_read))

    @app.context_processor
    def staff_navigation():
        # Mails render outside requests (jobs, CLI), where there is no current user.
        if has_request_context() and current_user.is_authenticated:
            return {"staff_sections": sections_for(current_user)}
        return {"staff_sections": []}
