"""GET /api/coaches/search: the discovery filters as JSON with a cursor."""

from __future__ import annotations

from flask import jsonify, request

from app.api import bp
from app.api.openapi import document
from app.booking.api import parse_zone
from app.coaches.presenters import coach_summary
from app.coaches.search import SearchParams, search_coaches
from app.core.errors import ValidationFailed
from app.core.security import public

FILTERS = (
    "q",
    "specialization",
    "language",
    "level",
    "price_min",
    "price_max",
    "min_rating",
    "free_within",
    "sort",
    "after",
    "limit",
    "tz",
)
RESULT = {
    "type": "object",
    "required": [
        "id",
        "name",
        "specializations",
        "languages",
        "certification_level",
        "rating",
        "price_from",
        "next_slot",
    ],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "specializations": {"type": "array", "items": {"type": "string"}},
        "languages": {"type": "array", "items": {"type": "string"}},
        "certification_level": {"type": "string"},
        "rating": {"type": ["number", "null"]},
        "price_from": {
            "type": "object",
            "properties": {"amount": {"type": "integer"}, "currency": {"type": "string"}},
        },
        "next_slot": {"type": ["string", "null"], "format": "date-time"},
    },
}


@bp.get("/coaches/search")
@document(
    "Search verified coaches",
    parameters=[{"name": n, "in": "query", "required": False, "schema": {"type": "string"}} for n in FILTERS],
    responses={
        "200": {
            "type": "object",
            "required": ["results", "next"],
            "properties": {"results": {"type": "array", "items": RESULT}, "next": {"type": ["string", "null"]}},
        }
    },
)
@public
def search():
    """Filters as on /coaches; `after` takes the previous answer's `next`."""
    params = SearchParams.from_args(request.args)
    if params.errors:
        raise ValidationFailed("Some filters are invalid.", fields=params.errors)
    zone = parse_zone(request.args.get("tz")).key
    page = search_coaches(params)
    return jsonify(results=[coach_summary(c, zone) for c in page.coaches], next=page.next_cursor)
