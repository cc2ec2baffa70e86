"""The pages `make bench` measures, each with the raw SQL that does the same work.

Add a page by appending a Page (the domains' hot pages live in benchmarks/pages_domains.py).
`path` may hold {placeholders}: `params` is a SQL query whose single row's columns fill them (and are passed to `sql` as %(name)s). `roles` names
the demo user the page is requested as (first role that has a login; empty: anonymous). A page that
answers 404 is reported as "not in this build" and skipped, so domains can list theirs early.
Paths end with "/" where the route does, so no redirect is timed.
"""

from __future__ import annotations

from benchmarks.page import Page
from benchmarks.pages_domains import DOMAIN_PAGES

__all__ = ["PAGES", "Page"]

QUEUE_HOME_SQL = """
SELECT (SELECT count(*) FROM (SELECT 1 FROM coach_applications WHERE status = 'submitted' LIMIT 10001) a),
       (SELECT count(*) FROM (SELECT 1 FROM moderation_items WHERE status = 'pending' LIMIT 10000) m),
       (SELECT count(*) FROM (SELECT 1 FROM refunds WHERE status = 'pending_approval' LIMIT 10001) r),
       (SELECT array_agg(id) FROM (SELECT id FROM coach_applications WHERE status = 'submitted'
                                   ORDER BY submitted_at, id LIMIT 100) a2),
       (SELECT array_agg(id) FROM (SELECT id FROM moderation_items WHERE status = 'pending'
                                   ORDER BY first_flagged_at, id LIMIT 100) m2)
"""

TIMELINE_SQL = """
SELECT (SELECT array_agg(id) FROM (SELECT id FROM bookings WHERE client_id = %(user_id)s
                                   ORDER BY created_at DESC LIMIT 100) b),
       (SELECT array_agg(id) FROM (SELECT id FROM payments WHERE client_id = %(user_id)s
                                   ORDER BY created_at DESC LIMIT 100) p),
       (SELECT array_agg(id) FROM (SELECT id FROM audit_log WHERE object_type = 'users'
                                   AND object_id = %(user_id)s::text ORDER BY created_at DESC LIMIT 100) a)
"""

PAGES: list[Page] = [
    # Foundation (issue 3)
    Page("health", "/healthz", (), "SELECT 1"),
    Page(
        "api me",
        "/api/me",
        ("admin",),
        "SELECT u.*, r.role FROM users u JOIN user_roles r ON r.user_id = u.id WHERE u.email = 'admin@coachconnect.example'",
    ),
    Page("staff inbox", "/staff/", ("admin",), QUEUE_HOME_SQL, target_p95_ms=50),  # issue 18
    Page(
        "person timeline",
        "/staff/people/{user_id}",
        ("admin",),
        TIMELINE_SQL,
        params="SELECT client_id AS user_id FROM payments ORDER BY id DESC LIMIT 1",
    ),
    Page(
        "audit log",
        "/staff/audit",
        ("admin",),
        "SELECT a.*, u.email FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id ORDER BY a.id DESC LIMIT 51",
    ),
    Page("users", "/staff/users", ("admin",), "SELECT * FROM users ORDER BY id DESC LIMIT 51"),
    Page(
        "users by role",
        "/staff/users?role=coach",
        ("admin",),
        "SELECT * FROM users WHERE id IN (SELECT user_id FROM user_roles WHERE role = 'coach') ORDER BY id DESC LIMIT 51",
    ),
    Page(
        "users search",
        "/staff/users?q=kaur",
        ("admin",),
        "SELECT * FROM users WHERE email ILIKE '%kaur%' OR last_name ILIKE '%kaur%' ORDER BY id DESC LIMIT 51",
    ),
    Page("outbox", "/staff/outbox", ("admin",), "SELECT * FROM outgoing_mails ORDER BY id DESC LIMIT 51"),
    Page("jobs", "/staff/jobs", ("admin",), "SELECT * FROM job_failures ORDER BY id DESC LIMIT 51"),
    # Flask-Admin list views on the big tables (a page of 50, no COUNT(*) of the whole table)
    Page("admin index", "/admin/", ("admin",), "SELECT 1"),
    Page("admin payments", "/admin/payment/", ("admin",), "SELECT * FROM payments ORDER BY id DESC LIMIT 50"),
    Page(
        "admin bookings",
        "/admin/booking/",
        ("admin",),
        "SELECT b.*, c.*, cp.*, cu.*, st.* FROM bookings b LEFT JOIN users c ON c.id = b.client_id "
        "LEFT JOIN coach_profiles cp ON cp.id = b.coach_id LEFT JOIN users cu ON cu.id = cp.user_id "
        "LEFT JOIN session_types st ON st.id = b.session_type_id LIMIT 50",
    ),
    Page(
        "admin flags",
        "/admin/flag/",
        ("admin",),
        "SELECT f.*, m.*, u.* FROM flags f LEFT JOIN moderation_items m ON m.id = f.item_id "
        "LEFT JOIN users u ON u.id = f.reporter_id LIMIT 50",
    ),
    Page(
        "admin applications",
        "/admin/coachapplication/",
        ("admin",),
        "SELECT * FROM coach_applications ORDER BY id DESC LIMIT 50",
    ),
    # Verification, booking, payments, moderation (issues 4-7): benchmarks/pages_domains.py
    *DOMAIN_PAGES,
    # Analytics (issue 8): target p95 < 300 ms server time
    Page(
        "analytics",
        "/staff/analytics/",
        ("admin",),
        # The page reads the daily rollups (refreshed by `flask analytics refresh-rollups`), not the raw rows.
        "SELECT metric, date_trunc('day', day), dimension, sum(value) FROM daily_rollups "
        "WHERE day >= current_date - 30 AND dimension LIKE 'UTC|%%' GROUP BY 1, 2, 3",
        target_p95_ms=300,
    ),
    Page(
        "analytics money, a year by week",
        "/staff/analytics/?group=Money&from={year_ago}&to={today}&granularity=week",
        ("admin",),
        "SELECT metric, date_trunc('week', day), dimension, sum(value) FROM daily_rollups "
        "WHERE day >= CAST(%(year_ago)s AS date) AND dimension LIKE 'UTC|%%' GROUP BY 1, 2, 3",
        params="SELECT to_char(now() - interval '364 days', 'YYYY-MM-DD') AS year_ago, "
        "to_char(now(), 'YYYY-MM-DD') AS today",
        target_p95_ms=300,
    ),
    Page(
        "analytics metrics API",
        "/api/analytics/metrics?metric=gross_volume&from={month_ago}&to={today}&granularity=day",
        ("admin",),
        "SELECT day, dimension, value FROM daily_rollups WHERE metric = 'gross_volume' "
        "AND day BETWEEN CAST(%(month_ago)s AS date) AND CAST(%(today)s AS date) AND dimension LIKE 'UTC|%%'",
        params="SELECT to_char(now() - interval '29 days', 'YYYY-MM-DD') AS month_ago, "
        "to_char(now(), 'YYYY-MM-DD') AS today",
        target_p95_ms=300,
    ),
]
