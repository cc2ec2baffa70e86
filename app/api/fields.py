"""Field types the API's schemas share."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictInt

from app.core.ids import MAX_ID

# A row's id in a JSON body: a JSON integer (not true, not "5") that an INTEGER key can hold.
Id = Annotated[StrictInt, Field(gt=0, le=MAX_ID)]
# A row's id in a query string: ASCII digits of a value an INTEGER key can hold.
QueryId = Annotated[int, Field(gt=0, le=MAX_ID)]
BINARY = {"type": "string", "format": "binary"}
