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

# The inbox's reads (issue 18): every queue's capped count and oldest item, the merged keys (each
# queue's oldest 100, past target first, then oldest, cut to 100), then the shown rows with their
# people and (moderation) the flagged text; the two big queues' rows stand for all nine.
_INBOX_QUEUES = [  # (table, since, condition, target hours)
    ("coach_applications", "submitted_at", "status = 'submitted' AND submitted_at IS NOT NULL", 48),
    ("moderation_items", "first_flagged_at", "status = 'pending'", 24),
    ("refunds", "created_at", "status = 'pending_approval'", 24),
    ("refunds", "created_at", "status IN ('failed', 'unknown')", 4),
    ("webhook_events", "received_at", "status = 'failed'", 4),
    ("reconciliation_items", "found_at", "resolved_at IS NULL", 4),
    ("session_outcomes", "coalesce(contested_at, decided_at)", "status IN ('awaiting_staff', 'contested')", 24),
    ("reports", "created_at", "status = 'failed'", 4),
    ("job_failures", "created_at", "retried_at IS NULL", 4),
]
_HEADS = ",\n       ".join(
    f"(SELECT count(*) FROM (SELECT 1 FROM {t} WHERE {w} LIMIT 10001) c{n}), "
    f"(SELECT {s} FROM {t} WHERE {w} ORDER BY {s}, id LIMIT 1)"
    for n, (t, s, w, _h) in enumerate(_INBOX_QUEUES)
)
_KEYS = "\n    UNION ALL ".join(
    f"(SELECT {n} AS pos, id, {s} AS since, {s} < now() - interval '{h} hours' AS overdue FROM {t} WHERE {w}"
    f" ORDER BY {s}, id LIMIT 100)"
    for n, (t, s, w, h) in enumerate(_INBOX_QUEUES)
)
QUEUE_HOME_SQL = f"""
WITH keys AS (
  SELECT pos, id FROM (
    {_KEYS}
  ) k ORDER BY overdue DESC, since, pos, id LIMIT 100
)
SELECT {_HEADS},
       (SELECT max(u.email) || max(a.last_name) FROM keys k JOIN coach_applications a ON k.pos = 0 AND a.id = k.id
        JOIN users u ON u.id = a.user_id LEFT JOIN users h ON h.id = a.claimed_by_id),
       (SELECT max(u.email) || sum(length(r.body_html)) FROM keys k JOIN moderation_items m ON k.pos = 1 AND m.id = k.id
        LEFT JOIN users u ON u.id = m.author_id LEFT JOIN users h ON h.id = m.claimed_by_id
        LEFT JOIN replies r ON m.target_type = 'reply' AND r.id = m.target_id)
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
