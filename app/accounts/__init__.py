"""Accounts: sign-up, login with TOTP for staff, settings and API tokens."""


def init_app(app) -> None:
    """Register the account blueprints besides the login one (settings pages, password reset)."""
    from app.accounts.reset_views import bp as reset_bp
    from app.accounts.settings_views import bp as settings_bp

    app.register_blueprint(settings_bp)
    app.register_blueprint(reset_bp)
