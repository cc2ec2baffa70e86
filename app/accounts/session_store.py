"""Server-side sessions: the cookie carries a random id; the data lives in `browser_sessions`.

The store reads and writes on its own short connection, apart from the request's ORM session, so
saving the session never commits (or hides) a view's uncommitted work. A row that was deleted
while a request ran (logout elsewhere, an admin disabling the user) is never written back: the
request's cookie is cleared instead. The id changes whenever the session's user changes (login,
the staff second step, logout) and when `rotate_session()` asks for it.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, Request, Response, current_app, g, has_request_context, request, session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from app.accounts.models import STAFF_ROLES, BrowserSession, UserRole
from app.core.db import utcnow
from app.core.security import sha256_hex
from app.extensions import db

log = logging.getLogger(__name__)
TABLE = BrowserSession.__table__
TOUCH_EVERY = timedelta(seconds=60)  # last seen is written at most this often by requests that change nothing
_serializer = TaggedJSONSerializer()


class ServerSession(CallbackDict, SessionMixin):
    """The session dict of one request, with what the store knows about its row."""

    def __init__(self, initial=None, sid: str | None = None, row: dict | None = None, ended: str | None = None):
        def on_update(s):
            s.modified = True
            s.accessed = True

        super().__init__(initial, on_update)
        self.sid = sid
        self.row = row or {}
        self.ended = ended  # "idle" or "absolute" when the cookie named a session that had lapsed
        self.detached = False  # static files and database outages: neither read nor written
        self.unreachable: Exception | None = None  # the store's error when the cookie's session could not be read
        self.rotate = False
        self.modified = False
        self.accessed = False

    @property
    def row_id(self) -> int | None:
        """The browser_sessions id, None before the first save."""
        return self.row.get("id")


def _current() -> ServerSession | None:
    if not has_request_context():
        return None
    current = session._get_current_object()
    return current if isinstance(current, ServerSession) else None


def rotate_session() -> None:
    """Give the current session a new id when it is next saved (the old id stops working)."""
    if _current() is not None:
        session.rotate = True
        session.modified = True


def current_session_id() -> int | None:
    """The id of this request's session row (what `end_other_sessions(keep=...)` takes); None outside one."""
    current = _current()
    return current.row_id if current is not None else None


def session_ended_reason() -> str | None:
    """'idle' or 'absolute' when this request's cookie named a session that had just lapsed."""
    current = _current()
    return current.ended if current is not None else None


def lifetimes(is_staff: bool) -> tuple[timedelta, timedelta]:
    """(idle, absolute) lifetime of a session of a staff member or of anyone else."""
    cfg = current_app.config
    if is_staff:
        return timedelta(minutes=cfg["STAFF_SESSION_IDLE_MINUTES"]), timedelta(hours=cfg["STAFF_SESSION_HOURS"])
    return timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]), timedelta(hours=cfg["SESSION_HOURS"])


def _due_for_touch(row: dict, now: datetime) -> bool:
    """A request that changes nothing still counts as activity once TOUCH_EVERY has passed."""
    return now - row["last_seen_at"] >= TOUCH_EVERY and not g.get("session_no_touch")


def mark_session_active() -> None:
    """Count this request as activity whatever TOUCH_EVERY says ("stay signed in")."""
    g.session_touch = True


def session_remaining() -> dict[str, int] | None:
    """Seconds this browser's session has left once this request is saved: idle and absolute."""
    current = _current()
    if current is None or current.row_id is None:
        return None
    row, now = current.row, utcnow()
    if g.get("session_touch") or _due_for_touch(row, now):
        idle_left = row["idle_seconds"]
    else:
        idle_left = (row["idle_expires_at"] - now).total_seconds()
    absolute_left = (row["expires_at"] - now).total_seconds()
    return {"idle_seconds": max(0, int(idle_left)), "absolute_seconds": max(0, int(absolute_left))}


UNREACHABLE_EXEMPT = frozenset({"ops.livez", "ops.readyz", "static"})


def refuse_when_unreachable() -> None:
    """before_request: a request whose cookie names a session we could not read gets the database's 503."""
    current = _current()
    if current is not None and current.unreachable is not None and request.endpoint not in UNREACHABLE_EXEMPT:
        raise current.unreachable


def _user_is_staff(conn, user_id: int | None) -> bool:
    if user_id is None:
        return False
    roles = conn.scalars(sa.select(UserRole.__table__.c.role).where(UserRole.__table__.c.user_id == user_id))
    return any(role in STAFF_ROLES for role in roles)


def _user_id(data) -> int | None:
    raw = data.get("_user_id")
    return int(raw) if raw not in (None, "") else None


class ServerSessionInterface(SessionInterface):
    """Flask's session interface backed by the browser_sessions table."""

    def _is_static(self, app: Flask, request: Request) -> bool:
        prefix = (app.static_url_path or "/static") + "/"
        return request.path.startswith(prefix)

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        """The session the cookie names, or a new empty one (flagged when the named one lapsed)."""
        if self._is_static(app, request):
            fresh = ServerSession()
            fresh.detached = True
            return fresh
        sid = request.cookies.get(self.get_cookie_name(app))
        if not sid:
            return ServerSession()
        now = utcnow()
        try:
            with db.engine.begin() as conn:
                row = conn.execute(sa.select(TABLE).where(TABLE.c.id_hash == sha256_hex(sid))).mappings().first()
                if row is None:
                    return ServerSession()
                if now >= row["idle_expires_at"] or now >= row["expires_at"]:
                    conn.execute(sa.delete(TABLE).where(TABLE.c.id == row["id"]))
                    return ServerSession(ended="idle" if now >= row["idle_expires_at"] else "absolute")
        except sa.exc.SQLAlchemyError as exc:
            # Not "logged out": `refuse_when_unreachable` answers the friendly 503 before the view runs.
            log.warning("session store unreachable", exc_info=True)
            down = ServerSession()
            down.detached, down.unreachable = True, exc
            return down
        try:
            data = _serializer.loads(row["data"]) if row["data"] else {}
        except ValueError:
            data = {}
        return ServerSession(data, sid=sid, row=dict(row))

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:
        """Insert, update or delete the row, and set or clear the cookie to match."""
        if not isinstance(session, ServerSession) or session.detached:
            return
        if not session and session.row_id is None:
            if session.sid is not None or session.ended:
                self._clear_cookie(app, response)
            return
        now, user_id = utcnow(), _user_id(session)
        values = {}
        if session and session.row_id is not None and not session.rotate and user_id == session.row["user_id"]:
            if session.modified:
                values["data"] = _serializer.dumps(dict(session))
            if values or g.get("session_touch") or _due_for_touch(session.row, now):
                idle = timedelta(seconds=session.row["idle_seconds"])
                values |= {"last_seen_at": now, "idle_expires_at": now + idle, "ip_address": _address()}
            if not values:
                return  # nothing changed and seen a moment ago: no statement at all
        try:
            with db.engine.begin() as conn:
                if conn.dialect.name == "postgresql":  # never wait long on a row a stuck request holds
                    conn.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
                if not session:
                    conn.execute(sa.delete(TABLE).where(TABLE.c.id == session.row_id))
                    self._clear_cookie(app, response)
                elif values:
                    done = conn.execute(sa.update(TABLE).where(TABLE.c.id == session.row_id).values(**values))
                    if done.rowcount == 0:  # ended while this request ran: do not bring it back
                        self._clear_cookie(app, response)
                else:
                    self._insert(app, conn, session, response, user_id, now)
        except sa.exc.SQLAlchemyError:
            # A page whose session cannot be kept (a form's CSRF token, a login) would fail on its next
            # step: the error answers as the database's friendly 503, and nothing retries the save.
            session.detached = True
            raise

    def _insert(self, app: Flask, conn, session: ServerSession, response: Response, user_id, now: datetime) -> None:
        if session.row_id is not None:
            conn.execute(sa.delete(TABLE).where(TABLE.c.id == session.row_id))
        idle, absolute = lifetimes(_user_is_staff(conn, user_id))
        sid = secrets.token_urlsafe(32)
        row = {
            "id_hash": sha256_hex(sid),
            "user_id": user_id,
            "data": _serializer.dumps(dict(session)),
            "created_at": now,
            "last_seen_at": now,
            "idle_seconds": int(idle.total_seconds()),
            "idle_expires_at": now + idle,
            "expires_at": now + absolute,
            "user_agent": (request.headers.get("User-Agent") or "")[:255],
            "ip_address": _address(),
        }
        row["id"] = conn.execute(sa.insert(TABLE).values(**row).returning(TABLE.c.id)).scalar_one()
        if user_id is not None:  # logins are rare enough to sweep lapsed rows as they happen
            conn.execute(sa.delete(TABLE).where(sa.or_(TABLE.c.idle_expires_at < now, TABLE.c.expires_at < now)))
        session.sid, session.row, session.rotate = sid, row, False
        expires = row["expires_at"] if session.permanent else None
        response.set_cookie(self.get_cookie_name(app), sid, expires=expires, **self._cookie_args(app))
        response.vary.add("Cookie")

    def _clear_cookie(self, app: Flask, response: Response) -> None:
        response.delete_cookie(self.get_cookie_name(app), **self._cookie_args(app))
        response.vary.add("Cookie")

    def _cookie_args(self, app: Flask) -> dict:
        return {
            "domain": self.get_cookie_domain(app),
            "path": self.get_cookie_path(app),
            "secure": self.get_cookie_secure(app),
            "httponly": self.get_cookie_httponly(app),
            "samesite": self.get_cookie_samesite(app),
        }


def _address() -> str:
    from app.core.security import client_ip

    return client_ip()[:45]
