"""URL converters: ids in URLs are bounded to what the database's integer columns hold."""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER


class BoundedIntConverter(IntegerConverter):
    """`<int:id>` that answers 404 for values no row can have, instead of a database error."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
