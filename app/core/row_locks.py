"""Reading a row locked for the rest of the transaction (SELECT ... FOR UPDATE), as it is now."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa

from app.extensions import db

M = TypeVar("M")


def lock_row(model: type[M], value: Any, column: Any = None) -> M | None:
    """The row of `model` whose `column` (its id unless named) is `value`, locked until the transaction
    ends and read afresh (what another transaction committed before the lock wins over the session's copy)."""
    column = model.id if column is None else column
    stmt = sa.select(model).where(column == value).with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(stmt)
