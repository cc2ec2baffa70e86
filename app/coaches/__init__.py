"""Coaches domain: public discovery (search, profiles) and the search API."""


def init_app(app) -> None:
    """Register /coaches, the coach's own /coach/profile and the /api/coaches/search route."""
    from app.coaches import api  # noqa: F401 - adds routes to the API blueprint
    from app.coaches.checklist import own_checklist
    from app.coaches.profile_views import bp as own_profile_bp
    from app.coaches.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(own_profile_bp)
    app.add_template_global(own_checklist, "coach_checklist")
