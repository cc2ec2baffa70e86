"""Field types the API's schemas share."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, StrictInt
from pydantic_core import PydanticCustomError

from app.core.ids import MAX_ID

# A row's id in a JSON body: a JSON integer (not true, not "5") that an INTEGER key can hold.
Id = Annotated[StrictInt, Field(gt=0, le=MAX_ID)]


def _query_id(value):
    """'' is absent (as the pages send it); else ASCII digits only ("+5", " 5", "5_000" and "5.0" are
    not ids), as the API read them before the schemas; the bounds are checked after."""
    if value is None or value == "":
        return None
    if not (isinstance(value, str) and value.isascii() and value.isdigit()):
        raise PydanticCustomError("query_id", "Input should be an id (ASCII digits).")
    return int(value)


# A row's id in a query string, if given: ASCII digits of a value an INTEGER key can hold ('' is absent).
QueryId = Annotated[Annotated[int, Field(gt=0, le=MAX_ID)] | None, BeforeValidator(_query_id)]
BINARY = {"type": "string", "format": "binary"}
