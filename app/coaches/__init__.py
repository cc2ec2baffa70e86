"""Coaches domain: public discovery (search, profiles) and the search API."""


def init_app(app) -> None:
    """Register /coaches and the /api/coaches/search route."""
    from app.coaches import api  # noqa: F401 - adds routes to the API blueprint
    from app.coaches.views import bp

    app.register_blueprint(bp)
