"""Accounts: sign-up, login with TOTP for staff, settings and API tokens."""


def init_app(app) -> None:
    """Register the account blueprints besides the login one (settings pages, password reset, Google sign-in)."""
    from app.accounts.oidc_client import oidc_enabled, oidc_provider_name
    from app.accounts.oidc_views import bp as oidc_bp
    from app.accounts.reset_views import bp as reset_bp
    from app.accounts.settings_views import bp as settings_bp

    app.register_blueprint(settings_bp)
    app.register_blueprint(reset_bp)
    app.register_blueprint(oidc_bp)
    app.add_template_global(oidc_enabled)
    app.add_template_global(oidc_provider_name)
