"""The JSON body of an API request: an object, or a 400 in the API's error shape."""

from __future__ import annotations

from flask import request

from app.core.errors import ValidationFailed


def json_object(*, optional: bool = False) -> dict:
    """The request's JSON object; an absent body is {} when `optional`; anything else is a 400."""
    data = request.get_json(silent=True)
    if data is None and optional and not request.get_data(cache=True):
        return {}
    if not isinstance(data, dict):
        raise ValidationFailed("Send a JSON object.")
    return data
