"""Coach Connect: create_app() builds the Flask application."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, ProductionConfig, config_from_env, default_trusted_hosts


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    """Build the app from a config class (APP_ENV when omitted) plus explicit overrides."""
    config = config or config_from_env()
    if issubclass(config, ProductionConfig):
        config.validate()
    app = Flask(__name__, instance_path=config.INSTANCE_PATH)
    app.config.from_object(config)
    app.config.update(overrides)
    if issubclass(config, ProductionConfig) and app.config["TRUSTED_HOSTS"] is None:
        app.config["TRUSTED_HOSTS"] = default_trusted_hosts(app.config["PUBLIC_BASE_URL"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:  # only behind a proxy: otherwise any client could forge X-Forwarded-For (and dodge throttling)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    register_url_converters(app)
    register_extensions(app)
    register_static(app)
    register_observability(app)
    register_adapters(app)
    register_blueprints(app)
    register_security(app)
    register_errors(app)
    register_templates(app)
    register_cli(app)
    register_instrumentation(app)
    return app


def register_url_converters(app: Flask) -> None:
    """`int` path arguments bounded to the integer range of the id columns; JSON bodies the app can hold."""
    from app.core.ids import BoundedIntConverter
    from app.core.inputs import SafeJSONProvider

    app.url_map.converters["int"] = BoundedIntConverter
    app.json = SafeJSONProvider(app)


def register_extensions(app: Flask) -> None:
    """Bind db, migrations, login and CSRF."""
    from app import models  # noqa: F401 - complete metadata
    from app.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    if app.config.get("ALLOW_TEST_EMAIL_DOMAINS"):
        import email_validator

        # The demo accounts use the reserved .test domain, which email-validator refuses by default.
        email_validator.TEST_ENVIRONMENT = True


def register_static(app: Flask) -> None:
    """Versioned, long-cached static URLs and compressed responses."""
    from app.core.static_files import register_static as init_static

    init_static(app)


def register_observability(app: Flask) -> None:
    """Logs (JSON in production), error tracking, the request id, request metrics; before the others' hooks."""
    from app.core.error_tracking import init_error_tracking
    from app.core.log_format import configure_logging
    from app.core.request_log import init_request_log

    configure_logging(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    init_error_tracking(app.config)
    init_request_log(app)


def register_adapters(app: Flask) -> None:
    """Storage, jobs and payment gateway chosen by config."""
    from app.core.jobs import build_jobs
    from app.core.storage import build_storage

    app.extensions["storage"] = build_storage(app.config)
    app.extensions["jobs"] = build_jobs(app.config)


# Each domain package may define init_app(app) to register its blueprints, staff sections and
# queue summaries; the API blueprint is registered after them so domains can add API routes to it.
DOMAINS = (
    "app.coaches",
    "app.verification",
    "app.booking",
    "app.payments",
    "app.realtime",
    "app.messaging",
    "app.notifications",
    "app.video",
    "app.community",
    "app.moderation",
    "app.analytics",
    "app.ops",
)


def register_blueprints(app: Flask) -> None:
    """Public site, accounts, each domain, API and staff console."""
    import importlib

    from app.accounts import init_app as init_accounts
    from app.accounts.session_views import bp as sessions_bp
    from app.accounts.views import bp as accounts_bp
    from app.api import bp as api_bp
    from app.public.views import bp as public_bp
    from app.staff import init_app as init_staff
    from app.staff.admin import init_admin

    app.register_blueprint(public_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(sessions_bp)
    init_accounts(app)
    for name in DOMAINS:
        init_domain = getattr(importlib.import_module(name), "init_app", None)
        if init_domain is not None:
            init_domain(app)
    app.register_blueprint(api_bp, url_prefix="/api")
    init_staff(app)
    init_admin(app)


def register_security(app: Flask) -> None:
    """Login loading, Bearer tokens, CSRF for every unsafe request, security headers."""
    from app.accounts.auth import init_auth

    init_auth(app)


def register_errors(app: Flask) -> None:
    """HTML error pages and the JSON error format under /api."""
    from app.core.error_pages import init_error_handlers

    init_error_handlers(app)


def register_templates(app: Flask) -> None:
    """Template filters and globals (time zones, money, navigation)."""
    from app.core.template_helpers import init_templates

    init_templates(app)


def register_cli(app: Flask) -> None:
    """flask users ..., flask seed ..."""
    from app.accounts.cli import users_cli
    from app.seed.cli import seed_command

    app.cli.add_command(users_cli)
    app.cli.add_command(seed_command)


def register_instrumentation(app: Flask) -> None:
    """Query count and server time headers for `make bench` (BENCH_INSTRUMENT only)."""
    from app.core.instrumentation import init_instrumentation

    init_instrumentation(app)
