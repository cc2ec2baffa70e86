"""GET /api/coaches/search: the discovery filters as JSON with a cursor."""

from __future__ import annotations

from flask import jsonify, request

from app.api import bp
from app.api.spec import args, operation
from app.booking.api import parse_zone
from app.coaches.presenters import coach_summary
from app.coaches.schemas import SearchPage, SearchQuery
from app.coaches.search import SearchParams, search_coaches
from app.core.errors import ValidationFailed
from app.core.security import public


@bp.get("/coaches/search")
@public
@operation("Search verified coaches", query=SearchQuery, resp={200: SearchPage})
def search():
    """Filters as on /coaches; `after` takes the previous answer's `next`."""
    args()
    params = SearchParams.from_args(request.args)
    if params.errors:
        raise ValidationFailed("Some filters are invalid.", fields=params.errors)
    zone = parse_zone(request.args.get("tz")).key
    page = search_coaches(params)
    return jsonify(results=[coach_summary(c, zone) for c in page.coaches], next=page.next_cursor)
