"""The domains' hot pages (issues 4-8), each with the raw SQL the page runs, written as one statement.

Each `sql` is what the page's view sends to PostgreSQL (traced with SQLAlchemy events and
compared with EXPLAIN on the N=100000 data set), minus the session's own user and role lookup:
the main keyset page with its joins, then the page's other reads as sub-selects in the same
statement (counts, filters' totals, related rows), so "raw SQL p50" is the database's share
and "page/SQL" the rest (Python, ORM, templates, network).
Queries with parameters use %(name)s, so a literal percent sign is written %%.
"""

from __future__ import annotations

from benchmarks.page import Page

VERIFIER = "(SELECT id FROM users WHERE email = 'verifier@coachconnect.example')"

# Verification (issue 4): target p95 < 100 ms server time
VERIFICATION_COUNTS = """
  (SELECT count(*) FROM (SELECT id FROM coach_applications WHERE status = 'submitted' LIMIT 10001) s) AS submitted,
  (SELECT count(*) FROM (SELECT id FROM coach_applications WHERE status = 'info_requested' LIMIT 10001) s) AS info,
  (SELECT count(*) FROM (SELECT id FROM coach_applications a WHERE {where} LIMIT 10001) s) AS filtered,
  (SELECT count(DISTINCT u.id) FROM users u JOIN user_roles r ON r.user_id = u.id
    WHERE r.role IN ('verifier', 'admin')) AS reviewers"""
VERIFICATION_QUEUE_SQL = """
SELECT a.*, u.email, c.email AS claimed_by, {counts}
FROM coach_applications a JOIN users u ON u.id = a.user_id LEFT JOIN users c ON c.id = a.claimed_by_id
WHERE {where} ORDER BY a.submitted_at, a.id LIMIT 51"""
QUEUE_WHERE = "a.status = 'submitted' AND a.submitted_at IS NOT NULL"
FILTERED_WHERE = QUEUE_WHERE + " AND a.certification_level = 'master' AND a.has_failing_checks"
REVIEW_SQL = """
SELECT a.*, u.email,
  (SELECT json_agg(e ORDER BY e.id) FROM application_events e WHERE e.application_id = a.id) AS events,
  (SELECT json_agg(c ORDER BY c.id) FROM certificate_checks c WHERE c.application_id = a.id) AS checks,
  (SELECT json_agg(d ORDER BY d.id) FROM application_documents d WHERE d.application_id = a.id) AS documents,
  (SELECT p.id FROM coach_applications p WHERE p.status = 'submitted' AND (p.submitted_at, p.id) < (a.submitted_at, a.id)
    ORDER BY p.submitted_at DESC, p.id DESC LIMIT 1) AS prev_id,
  (SELECT n.id FROM coach_applications n WHERE n.status = 'submitted' AND (n.submitted_at, n.id) > (a.submitted_at, a.id)
    ORDER BY n.submitted_at, n.id LIMIT 1) AS next_id,
  (SELECT json_agg(o) FROM (SELECT o.id FROM coach_applications o WHERE o.user_id = a.user_id AND o.id <> a.id
    ORDER BY o.id DESC LIMIT 20) o) AS same_person,
  (SELECT json_agg(f) FROM (SELECT o.id FROM coach_applications o JOIN application_documents d ON d.application_id = o.id
    WHERE d.sha256 IN (SELECT sha256 FROM application_documents WHERE application_id = a.id) AND o.id <> a.id
    ORDER BY o.id DESC LIMIT 20) f) AS same_file,
  (SELECT json_agg(t) FROM rejection_templates t) AS templates
FROM coach_applications a JOIN users u ON u.id = a.user_id WHERE a.id = %(application_id)s"""

# Booking (issue 5): target p95 < 50 ms server time
LISTED = (
    "cp.is_active AND EXISTS (SELECT 1 FROM users u WHERE u.id = cp.user_id AND u.is_enabled AND u.banned_at IS NULL)"
)
COACH_PAGE_EXTRAS = """
  (SELECT json_agg(s) FROM coach_specializations cs JOIN specializations s ON s.id = cs.specialization_id
    WHERE cs.coach_id = x.id) AS specializations,
  (SELECT json_agg(l.code) FROM coach_languages l WHERE l.coach_id = x.id) AS languages,
  (SELECT count(*) FROM specializations) AS all_specializations"""
COACH_SEARCH_SQL = f"""
SELECT x.*, {COACH_PAGE_EXTRAS} FROM (
  SELECT cp.*, u.email FROM coach_profiles cp JOIN users u ON u.id = cp.user_id
  WHERE {LISTED}
  ORDER BY coalesce(cp.rating_avg, 0) DESC, cp.rating_count DESC, cp.id DESC LIMIT 21) x"""
COACH_FILTERED_SQL = f"""
SELECT x.*, {COACH_PAGE_EXTRAS} FROM (
  SELECT cp.*, u.email FROM coach_profiles cp JOIN users u ON u.id = cp.user_id
  WHERE {LISTED}
    AND EXISTS (SELECT 1 FROM coach_specializations cs JOIN specializations s ON s.id = cs.specialization_id
                WHERE cs.coach_id = cp.id AND s.slug = 'career')
    AND EXISTS (SELECT 1 FROM coach_languages l WHERE l.coach_id = cp.id AND l.code = 'de')
    AND cp.price_from_amount >= 4000 AND cp.price_from_amount <= 8000
  ORDER BY coalesce(cp.price_from_amount, 4611686018427387904), cp.id LIMIT 21) x"""
COACH_TEXT_SQL = f"""
SELECT x.*, {COACH_PAGE_EXTRAS} FROM (
  SELECT cp.*, u.email, ts_rank(cp.search_vector, websearch_to_tsquery('simple', 'leadership')) AS rank
  FROM coach_profiles cp JOIN users u ON u.id = cp.user_id
  WHERE {LISTED} AND cp.search_vector @@ websearch_to_tsquery('simple', 'leadership')
  ORDER BY rank DESC, cp.id DESC LIMIT 21) x"""
AVAILABILITY_SQL = """
SELECT cp.*, u.email,
  (SELECT json_agg(st ORDER BY st.price_amount, st.id) FROM session_types st
    WHERE st.coach_id = cp.id AND st.is_active) AS session_types,
  (SELECT json_agg(r) FROM availability_rules r WHERE r.coach_id = cp.id) AS rules,
  (SELECT json_agg(e) FROM availability_exceptions e WHERE e.coach_id = cp.id
    AND e.on_date BETWEEN CAST(%(date_from)s AS date) - 2 AND CAST(%(date_to)s AS date) + 2) AS exceptions,
  (SELECT json_agg(json_build_array(b.starts_at, b.ends_at)) FROM bookings b WHERE b.coach_id = cp.id
    AND b.starts_at < CAST(%(date_to)s AS date) + 3 AND b.ends_at > CAST(%(date_from)s AS date) - 2
    AND (b.status = 'confirmed' OR (b.status = 'held' AND (b.hold_expires_at IS NULL OR b.hold_expires_at > now()))))
    AS busy
FROM coach_profiles cp JOIN users u ON u.id = cp.user_id WHERE cp.id = %(coach_id)s"""
AVAILABILITY_PARAMS = (
    "SELECT id AS coach_id, to_char(now(), 'YYYY-MM-DD') AS date_from, "
    "to_char(now() + interval '55 days', 'YYYY-MM-DD') AS date_to FROM coach_profiles WHERE is_active ORDER BY id DESC LIMIT 1"
)

# Payments (issue 6): target p95 < 100 ms server time
FINANCE_WHERE = (
    "p.status = 'succeeded' AND p.created_at >= CAST(%(date_from)s AS date) "
    "AND p.created_at < CAST(%(date_to)s AS date) + 1 AND p.amount >= 5000 AND p.amount <= 15000"
)
FINANCE_SQL = """
WITH page AS (
  SELECT p.*, c.email AS client, cu.email AS coach FROM payments p
  JOIN users c ON c.id = p.client_id JOIN coach_profiles cp ON cp.id = p.coach_id JOIN users cu ON cu.id = cp.user_id
  WHERE {where} ORDER BY p.created_at DESC, p.id DESC LIMIT 51),
totals AS (
  SELECT p.currency, count(*), sum(CASE WHEN p.status = 'succeeded' THEN p.amount ELSE 0 END) AS paid,
         sum(p.amount_refunded) AS refunded
  FROM payments p WHERE {where} GROUP BY p.currency)
SELECT page.*, (SELECT json_agg(totals) FROM totals) FROM page"""
FINANCE_DEFAULT_WHERE = "p.created_at >= CAST(%(date_from)s AS date)"
FINANCE_PARAMS = (
    "SELECT to_char(now() - interval '90 days', 'YYYY-MM-DD') AS date_from, to_char(now(), 'YYYY-MM-DD') AS date_to"
)
PAYMENT_SQL = """
SELECT p.*, c.email, cu.email, b.*, st.name,
  (SELECT coalesce(sum(r.amount), 0) FROM refunds r WHERE r.payment_id = p.id AND r.status IN ('pending', 'pending_approval'))
    AS pending,
  (SELECT json_agg(r ORDER BY r.id) FROM refunds r WHERE r.payment_id = p.id) AS refunds,
  (SELECT json_agg(a) FROM audit_log a WHERE (a.object_type = 'payments' AND a.object_id = p.id::text)
    OR (a.object_type = 'refunds' AND a.object_id IN (SELECT r.id::text FROM refunds r WHERE r.payment_id = p.id))) AS audit,
  (SELECT json_agg(w) FROM webhook_events w WHERE w.payment_id = p.id) AS webhooks
FROM payments p JOIN users c ON c.id = p.client_id JOIN coach_profiles cp ON cp.id = p.coach_id
JOIN users cu ON cu.id = cp.user_id JOIN bookings b ON b.id = p.booking_id JOIN session_types st ON st.id = b.session_type_id
WHERE p.id = %(payment_id)s"""

# Moderation (issue 7): target p95 < 100 ms server time
MODERATION_SQL = """
WITH page AS (
  SELECT m.*, a.email AS author, c.email AS claimed_by FROM moderation_items m
  LEFT JOIN users a ON a.id = m.author_id LEFT JOIN users c ON c.id = m.claimed_by_id
  WHERE {where} ORDER BY m.priority DESC, m.id DESC LIMIT 51)
SELECT page.*,
  (SELECT json_agg(x) FROM (SELECT f.item_id, f.reason, count(*) FROM flags f
    WHERE f.item_id IN (SELECT id FROM page) GROUP BY 1, 2) x) AS reasons,
  (SELECT json_agg(s) FROM (SELECT st, (SELECT count(*) FROM (SELECT id FROM moderation_items
    WHERE status = st LIMIT 10000) l) FROM unnest(ARRAY['pending', 'kept', 'hidden', 'removed', 'edited']) st) s) AS counts
FROM page"""
ITEM_SQL = """
SELECT m.*, au.email, g.name, r.body_html, d.title,
  (SELECT json_agg(x) FROM (SELECT f.*, u.first_name, u.last_name FROM flags f LEFT JOIN users u ON u.id = f.reporter_id
    WHERE f.item_id = m.id ORDER BY f.id) x) AS flags,
  (SELECT n.id FROM moderation_items n WHERE n.status = 'pending' AND (n.priority, n.id) > (m.priority, m.id)
    ORDER BY n.priority, n.id LIMIT 1) AS prev_id,
  (SELECT n.id FROM moderation_items n WHERE n.status = 'pending' AND (n.priority, n.id) < (m.priority, m.id)
    ORDER BY n.priority DESC, n.id DESC LIMIT 1) AS next_id,
  (SELECT json_agg(c ORDER BY c.id) FROM replies c WHERE c.discussion_id = r.discussion_id
    AND c.id BETWEEN r.id - 50 AND r.id + 50) AS around,
  (SELECT json_agg(v) FROM post_revisions v WHERE v.target_type = m.target_type AND v.target_id = m.target_id) AS revisions,
  (SELECT json_agg(x) FROM (SELECT * FROM moderation_actions a WHERE a.target_user_id = m.author_id
    ORDER BY a.created_at DESC LIMIT 20) x) AS actions,
  (SELECT json_agg(x) FROM (SELECT o.id FROM moderation_items o WHERE o.author_id = m.author_id AND o.status = 'pending'
    AND o.id <> m.id ORDER BY o.priority DESC LIMIT 20) x) AS open_items,
  (SELECT coalesce(sum(o.flag_count), 0) FROM moderation_items o WHERE o.author_id = m.author_id) AS flags_received,
  (SELECT json_agg(x) FROM (SELECT f.reporter_id, count(*) FILTER (WHERE f.status = 'upheld'),
    count(*) FILTER (WHERE f.status = 'dismissed') FROM flags f WHERE f.status <> 'open'
    AND f.reporter_id IN (SELECT reporter_id FROM flags WHERE item_id = m.id) GROUP BY 1) x) AS accuracy
FROM moderation_items m LEFT JOIN users au ON au.id = m.author_id LEFT JOIN groups g ON g.id = m.group_id
LEFT JOIN replies r ON m.target_type = 'reply' AND r.id = m.target_id
LEFT JOIN discussions d ON d.id = coalesce(r.discussion_id, CASE WHEN m.target_type = 'discussion' THEN m.target_id END)
WHERE m.id = %(item_id)s"""

DOMAIN_PAGES: list[Page] = [
    Page(
        "verification queue",
        "/staff/verification/",
        ("verifier",),
        VERIFICATION_QUEUE_SQL.format(counts=VERIFICATION_COUNTS.format(where=QUEUE_WHERE), where=QUEUE_WHERE),
        target_p95_ms=100,
    ),
    Page(
        "verification queue filtered",
        "/staff/verification/?level=master&failing=yes",
        ("verifier",),
        VERIFICATION_QUEUE_SQL.format(counts=VERIFICATION_COUNTS.format(where=FILTERED_WHERE), where=FILTERED_WHERE),
        target_p95_ms=100,
    ),
    Page(
        "verification review",
        "/staff/verification/{application_id}",
        ("verifier",),
        REVIEW_SQL,
        params="SELECT id AS application_id FROM coach_applications WHERE status = 'submitted' "
        f"AND (claimed_by_id IS NULL OR claimed_by_id = {VERIFIER} OR claim_expires_at < now()) "
        "ORDER BY submitted_at, id LIMIT 1",
        target_p95_ms=100,
    ),
    Page("coach search", "/coaches", ("client",), COACH_SEARCH_SQL, target_p95_ms=50),
    Page(
        "coach search filtered",
        "/coaches?specialization=career&language=de&price_min=40&price_max=80&sort=price",
        ("client",),
        COACH_FILTERED_SQL,
        target_p95_ms=50,
    ),
    Page("coach search text", "/coaches?q=leadership", ("client",), COACH_TEXT_SQL, target_p95_ms=50),
    Page(
        "coach availability 8 weeks",
        "/api/coaches/{coach_id}/availability?from={date_from}&to={date_to}",
        ("client",),
        AVAILABILITY_SQL,
        params=AVAILABILITY_PARAMS,
        target_p95_ms=50,
    ),
    Page(
        "finance payments",
        "/staff/finance/",
        ("finance",),
        FINANCE_SQL.format(where=FINANCE_DEFAULT_WHERE),
        params="SELECT to_char(now() - interval '30 days', 'YYYY-MM-DD') AS date_from",
        target_p95_ms=100,
    ),
    Page(
        "finance payments filtered",
        "/staff/finance/?status=succeeded&date_from={date_from}&date_to={date_to}&amount_min=50&amount_max=150",
        ("finance",),
        FINANCE_SQL.format(where=FINANCE_WHERE),
        params=FINANCE_PARAMS,
        target_p95_ms=100,
    ),
    Page(
        "finance payment",
        "/staff/finance/payments/{payment_id}",
        ("finance",),
        PAYMENT_SQL,
        params="SELECT id AS payment_id FROM payments WHERE amount_refunded > 0 ORDER BY id DESC LIMIT 1",
        target_p95_ms=100,
    ),
    Page(
        "moderation queue",
        "/staff/moderation/",
        ("moderator",),
        MODERATION_SQL.format(where="m.status = 'pending'"),
        target_p95_ms=100,
    ),
    Page(
        "moderation queue by reason",
        "/staff/moderation/?reason=spam",
        ("moderator",),
        MODERATION_SQL.format(where="m.status = 'pending' AND m.top_reason = 'spam'"),
        target_p95_ms=100,
    ),
    Page(
        "moderation item",
        "/staff/moderation/items/{item_id}",
        ("moderator",),
        ITEM_SQL,
        params="SELECT id AS item_id FROM moderation_items WHERE status = 'pending' "
        "ORDER BY priority DESC, id DESC LIMIT 1",
        target_p95_ms=100,
    ),
]
