"""/staff/audit: filters, keyset paging (no OFFSET), admins only."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from app.accounts.models import Role
from app.core.db import utcnow
from app.core.models import AuditLog
from app.extensions import db
from tests.factories import StaffFactory, UserFactory
from tests.sql_log import count_queries


def _entries(n: int, actor=None, action: str = "coach.updated", object_type: str = "coach_profiles") -> None:
    start = utcnow() - timedelta(days=1)
    db.session.add_all(
        AuditLog(
            actor_id=actor.id if actor else None,
            action=action,
            object_type=object_type,
            object_id=str(i),
            after={"n": i},
            created_at=start + timedelta(seconds=i),
        )
        for i in range(n)
    )
    db.session.commit()


def _rows(html: str) -> list[str]:
    return re.findall(r"<td>coach_profiles #(\d+)</td>", html)


def _next_link(html: str) -> str | None:
    match = re.search(r'<a href="([^"]+)" rel="next"', html)
    return unescape(match.group(1)) if match else None


def test_keyset_paging_walks_every_entry_once_without_offset(login_as):
    client = login_as(StaffFactory(roles=[Role.ADMIN]))
    _entries(120)
    seen: list[str] = []
    url = "/staff/audit?object_type=coach_profiles"
    pages, links = 0, []
    with count_queries() as statements:
        while url:
            html = client.get(url).get_data(as_text=True)
            seen += _rows(html)
            url = _next_link(html)
            pages += 1
            links.append(url)
    assert pages == 3
    assert links[-1] is None and all("object_type=coach_profiles" in u for u in links[:-1])  # filters survive paging
    assert seen == [str(i) for i in reversed(range(120))]  # newest first, none twice, none lost
    audit_queries = [s for s in statements if "audit_log" in s]
    assert audit_queries and not any("OFFSET" in s.upper() for s in audit_queries)


def test_filters_by_action_object_and_actor(login_as):
    admin = StaffFactory(email="admin@example.org", roles=[Role.ADMIN])
    other = UserFactory(email="other@example.org")
    client = login_as(admin)
    _entries(3, actor=admin, action="coach.updated")
    _entries(2, actor=other, action="coach.deactivated")

    html = client.get("/staff/audit?action=coach.deactivated").get_data(as_text=True)
    assert _rows(html) == ["1", "0"]
    html = client.get("/staff/audit?actor=OTHER@example.org").get_data(as_text=True)
    assert _rows(html) == ["1", "0"] and "coach.deactivated" in html
    html = client.get("/staff/audit?object_type=coach_profiles&object_id=2").get_data(as_text=True)
    assert _rows(html) == ["2"]
    html = client.get("/staff/audit?object_id=2").get_data(as_text=True)
    assert _rows(html) == ["2"]
    html = client.get("/staff/audit?actor=nobody@example.org").get_data(as_text=True)
    assert _rows(html) == [] and "Nothing recorded." in html
    assert 'value="nobody@example.org"' in html  # the filter stays in the form


def test_entries_show_who_what_and_the_change(login_as):
    admin = StaffFactory(email="admin@example.org", roles=[Role.ADMIN])
    db.session.add(
        AuditLog(
            actor_id=admin.id,
            action="user.roles_changed",
            object_type="users",
            object_id="5",
            before={"roles": ["client"]},
            after={"roles": ["coach"]},
            ip_address="203.0.113.9",
        )
    )
    db.session.commit()
    html = login_as(admin).get("/staff/audit").get_data(as_text=True)
    assert "admin@example.org" in html and "user.roles_changed" in html and "users #5" in html
    assert "203.0.113.9" in html and "client" in html and "coach" in html


def test_a_bad_cursor_starts_at_the_first_page(login_as):
    client = login_as(StaffFactory(roles=[Role.ADMIN]))
    _entries(3)
    html = client.get("/staff/audit?after=not-a-cursor!!").get_data(as_text=True)
    assert _rows(html) == ["2", "1", "0"]


def test_audit_log_is_for_admins_only(login_as):
    client = login_as(StaffFactory(roles=[Role.VERIFIER, Role.MODERATOR, Role.FINANCE]))
    assert client.get("/staff/audit").status_code == 403


def test_the_action_and_actor_filters_read_an_index_in_the_lists_order(client, login_as):
    """A page of one action or one actor is an index range read backwards: no sort of all its rows."""
    from tests.sql_log import plans_of_request

    admin = StaffFactory(roles=[Role.ADMIN])
    _entries(40, actor=admin, action="coach.updated")
    _entries(40, action="booking.hold")
    login_as(admin)
    for path, index in (
        ("/staff/audit?action=booking.hold", "ix_audit_log_action_id"),
        (f"/staff/audit?actor={admin.email}", "ix_audit_log_actor_id"),
    ):
        plans = plans_of_request(client, path, "FROM audit_log", off=("seqscan", "bitmapscan", "sort"))
        page_plans = [p for p in plans if "Limit" in p]
        assert page_plans and all(index in p and "Sort" not in p for p in page_plans), plans
