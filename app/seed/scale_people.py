"""Scale data, people side: users and roles, active coach profiles with offers, applications."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from app.seed.scale import Plan, batches, insert_select, max_id, rnd

STAFF = 6  # 3 verifiers, 3 moderators (decide applications and moderation items)


def user_ids(plan: Plan) -> dict[str, int]:
    """Offsets: the id of coach c is coach + c, of client k is client + k, of applicant a is applicant + a."""
    base = plan.bases["users"]
    return {
        "verifier": base,
        "moderator": base + 3,
        "coach": base + STAFF,
        "client": base + STAFF + plan.coaches,
        "applicant": base + STAFF + plan.coaches + plan.clients,
    }


def _users(plan: Plan, p: dict) -> Iterator[int]:
    plan.bases["users"] = base = max_id("users")
    total = STAFF + plan.coaches + plan.clients + plan.n
    for lo, hi in batches(total):
        insert_select(
            "users",
            {
                "id": f"{base} + g",
                "email": "'scale-' || :tag || '-' || g || '@scale.coachconnect.example'",
                "password_hash": ":pw",
                "first_name": "(CAST(:first AS text[]))[1 + g % cardinality(CAST(:first AS text[]))]",
                "last_name": "(CAST(:last AS text[]))[1 + (g / 7) % cardinality(CAST(:last AS text[]))]",
                "timezone": "(CAST(:zones AS text[]))[1 + g % cardinality(CAST(:zones AS text[]))]",
                "is_enabled": "true",
                "created_at": f"now() - {rnd('g', 720, 1)} * interval '12 hours'",
                "updated_at": "now()",
            },
            "generate_series(CAST(:lo AS int), CAST(:hi AS int)) g",
            {**p, "lo": lo, "hi": hi},
        )
        role = f"CASE WHEN g <= 3 THEN 'verifier' WHEN g <= {STAFF} THEN 'moderator' WHEN g <= {STAFF + plan.coaches} THEN 'coach' ELSE 'client' END"
        insert_select(
            "user_roles",
            {"user_id": f"{base} + g", "role": role, "granted_at": "now()"},
            "generate_series(CAST(:lo AS int), CAST(:hi AS int)) g",
            {"lo": lo, "hi": hi},
        )
        yield hi - lo + 1


def _coach_profiles(plan: Plan, p: dict) -> Iterator[int]:
    plan.bases["coach_profiles"] = base = max_id("coach_profiles")
    coach_user = user_ids(plan)["coach"]
    zone = "1 + c % cardinality(CAST(:zones AS text[]))"
    for lo, hi in batches(plan.coaches):
        q = {**p, "lo": lo, "hi": hi}
        insert_select(
            "coach_profiles",
            {
                "id": f"{base} + c",
                "user_id": f"{coach_user} + c",
                "headline": "'Certified coach #' || c",
                "bio": "'iPEC-certified coach working online with clients across time zones. Profile ' || c || '.'",
                "timezone": f"(CAST(:zones AS text[]))[{zone}]",
                "certification_level": f"(ARRAY['associate','associate','professional','master'])[1 + {rnd('c', 4, 2)}]",
                "ipec_number": f"'IPEC-' || (5000000 + {coach_user} + c)",
                "certified_on": f"current_date - (365 + {rnd('c', 3000, 3)})",
                "years_experience": rnd("c", 25, 4),
                "hourly_rate_amount": f"6000 + {rnd('c', 39, 5)} * 500",
                "currency": f"(CAST(:zone_cur AS text[]))[{zone}]",
                "is_active": "true",
                "activated_at": f"now() - {rnd('c', 400, 6)} * interval '1 day'",
                "buffer_minutes": "15",
                "min_notice_hours": "24",
                "horizon_days": "60",
                "client_cancel_notice_hours": "24",
                "rating_count": "0",
                "search_text": "''",  # filled by scale_search once session types and bookings exist
                "created_at": "now() - interval '400 days'",
                "updated_at": "now()",
            },
            "generate_series(CAST(:lo AS int), CAST(:hi AS int)) c",
            q,
        )
        insert_select(
            "coach_specializations",
            {"coach_id": f"{base} + c", "specialization_id": "s.a[1 + (c + k * 5) % cardinality(s.a)]"},
            "generate_series(CAST(:lo AS int), CAST(:hi AS int)) c, generate_series(0, 1) k, (SELECT array_agg(id ORDER BY id) a FROM specializations) s",
            q,
        )
        insert_select(
            "coach_languages",
            {
                "coach_id": f"{base} + c",
                "code": "CASE WHEN k = 0 THEN 'en' ELSE (CAST(:langs AS text[]))[2 + c % 9] END",
            },
            "generate_series(CAST(:lo AS int), CAST(:hi AS int)) c, generate_series(0, 1) k",
            q,
        )
        yield hi - lo + 1


def _session_types(plan: Plan, p: dict) -> Iterator[int]:
    plan.bases["session_types"] = base = max_id("session_types")
    coach = plan.bases["coach_profiles"]
    for lo, hi in batches(plan.coaches):
        insert_select(
            "session_types",
            {
                "id": f"{base} + 2 * (c - 1) + k",
                "coach_id": "cp.id",
                "name": "CASE WHEN k = 1 THEN 'Coaching session' ELSE 'Discovery call' END",
                "duration_minutes": "CASE WHEN k = 1 THEN 60 ELSE 30 END",
                "price_amount": "CASE WHEN k = 1 THEN cp.hourly_rate_amount ELSE cp.hourly_rate_amount * 4 / 10 END",
                "currency": "cp.currency",
                "is_active": "true",
            },
            f"generate_series(CAST(:lo AS int), CAST(:hi AS int)) c JOIN coach_profiles cp ON cp.id = {coach} + c, generate_series(1, 2) k",
            {"lo": lo, "hi": hi},
        )
        insert_select(
            "availability_rules",
            {"coach_id": f"{coach} + c", "weekday": "d", "start_time": "time '09:00'", "end_time": "time '17:00'"},
            "generate_series(CAST(:lo AS int), CAST(:hi AS int)) c, generate_series(0, 4) d",
            {"lo": lo, "hi": hi},
        )
        yield 2 * (hi - lo + 1)


STATUS = f"""CASE WHEN {rnd("a", 100, 20)} < 65 THEN 'submitted' WHEN {rnd("a", 100, 20)} < 73 THEN 'info_requested'
    WHEN {rnd("a", 100, 20)} < 85 THEN 'approved' WHEN {rnd("a", 100, 20)} < 95 THEN 'rejected' ELSE 'draft' END"""


def _applications(plan: Plan, p: dict) -> Iterator[int]:
    plan.bases["coach_applications"] = base = max_id("coach_applications")
    ids = user_ids(plan)
    for lo, hi in batches(plan.n):
        source = f"""(SELECT a, {STATUS} AS status,
                 CASE WHEN {rnd("a", 100, 20)} < 95 THEN now() - {rnd("a", 525600, 21)} * interval '1 minute' END AS submitted_at
              FROM generate_series(CAST(:lo AS int), CAST(:hi AS int)) a) x"""
        decided = "status IN ('approved', 'rejected')"
        decided_at = f"LEAST(submitted_at + (1 + {rnd('a', 120, 22)}) * interval '1 hour', now())"
        insert_select(
            "coach_applications",
            {
                "id": f"{base} + a",
                "user_id": f"{ids['applicant']} + a",
                "status": "status",
                "step": "CASE WHEN status = 'draft' THEN 2 ELSE 4 END",
                "first_name": "(CAST(:first AS text[]))[1 + a % cardinality(CAST(:first AS text[]))]",
                "last_name": "(CAST(:last AS text[]))[1 + (a / 7) % cardinality(CAST(:last AS text[]))]",
                "phone": "'+44 20 ' || (7000000 + a % 999999)",
                "ipec_number": f"'IPEC-' || (5000000 + {ids['applicant']} + a)",
                "certification_level": f"(ARRAY['associate','associate','professional','master'])[1 + {rnd('a', 4, 23)}]",
                "certification_date": f"current_date - (30 + {rnd('a', 3000, 24)})",
                "years_experience": rnd("a", 20, 25),
                "specializations": "json_build_array((CAST(:specs AS text[]))[1 + a % 12], (CAST(:specs AS text[]))[1 + (a + 5) % 12])",
                "previous_coaching": "'Private clients.'",
                "other_certifications": "''",
                "hourly_rate_amount": f"6000 + {rnd('a', 30, 26)} * 500",
                "currency": f"(ARRAY['EUR','USD','GBP'])[1 + {rnd('a', 3, 27)}]",
                "availability_summary": "'Weekdays.'",
                "languages": "json_build_array('en')",
                "services": "'One-to-one coaching.'",
                "bio": "'Applicant ' || a || ', iPEC-trained coach.'",
                "submitted_at": "submitted_at",
                "decided_at": f"CASE WHEN {decided} THEN {decided_at} END",
                "decided_by_id": f"CASE WHEN {decided} THEN {ids['verifier']} + 1 + a % 3 END",
                "decision_reason": "CASE status WHEN 'rejected' THEN 'The certificate could not be verified.' "
                "WHEN 'info_requested' THEN 'Please upload a clearer scan.' WHEN 'approved' THEN 'Verified.' END",
                "reapply_after": f"CASE WHEN status = 'rejected' THEN {decided_at} + interval '30 days' END",
                "has_failing_checks": f"status <> 'draft' AND {rnd('a', 100, 28)} < 12",
                "checks_state": "CASE WHEN status = 'draft' THEN 'pending' ELSE 'done' END",
                "version": "1",
                "created_at": "COALESCE(submitted_at, now()) - interval '1 hour'",
                "updated_at": f"CASE WHEN {decided} THEN {decided_at} ELSE COALESCE(submitted_at, now()) END",
            },
            source,
            {**p, "lo": lo, "hi": hi},
        )
        yield hi - lo + 1


def _approved_coaches(plan: Plan, p: dict) -> Iterator[int]:
    """Approval gave each approved applicant the coach role and an inactive profile to complete."""
    base = plan.bases["coach_applications"]
    for lo, hi in batches(plan.n):
        q = {"lo": base + lo, "hi": base + hi}
        where = "ca.id BETWEEN :lo AND :hi AND ca.status = 'approved'"
        insert_select(
            "user_roles",
            {"user_id": "ca.user_id", "role": "'coach'", "granted_at": "ca.decided_at"},
            f"coach_applications ca WHERE {where}",
            q,
        )
        insert_select(
            "coach_profiles",
            {
                "user_id": "ca.user_id",
                "headline": "''",
                "bio": "ca.bio",
                "timezone": "'UTC'",
                "certification_level": "ca.certification_level",
                "ipec_number": "ca.ipec_number",
                "certified_on": "ca.certification_date",
                "years_experience": "ca.years_experience",
                "hourly_rate_amount": "ca.hourly_rate_amount",
                "currency": "ca.currency",
                "is_active": "false",
                "buffer_minutes": "15",
                "min_notice_hours": "24",
                "horizon_days": "60",
                "client_cancel_notice_hours": "24",
                "rating_count": "0",
                "search_text": "''",  # inactive until the coach completes the profile
                "created_at": "ca.decided_at",
                "updated_at": "ca.decided_at",
            },
            f"coach_applications ca WHERE {where}",
            q,
        )
        yield hi - lo + 1


def _documents(plan: Plan, p: dict) -> Iterator[int]:
    """One certificate per application (all pointing at one sample PDF) and its check results."""
    base = plan.bases["coach_applications"]
    for lo, hi in batches(plan.n):
        q = {**p, "lo": base + lo, "hi": base + hi}
        insert_select(
            "application_documents",
            {
                "application_id": "ca.id",
                "kind": "'certificate'",
                "storage_key": ":cert_key",
                "original_filename": "'certificate-' || ca.id || '.pdf'",
                "sha256": "md5(:tag || ca.id) || md5(ca.id || :tag)",
                "size_bytes": ":cert_size",
                "content_type": "'application/pdf'",
                "page_count": "1",
                "decision": "CASE WHEN ca.status = 'approved' THEN 'accepted' ELSE 'pending' END",
                "uploaded_at": "ca.created_at + interval '30 minutes'",
            },
            "coach_applications ca WHERE ca.id BETWEEN :lo AND :hi",
            q,
        )
        insert_select(
            "certificate_checks",
            {
                "application_id": "ca.id",
                "name": "c.name",
                "result": "CASE WHEN c.name = 'name_match' AND ca.has_failing_checks THEN 'fail' "
                "WHEN c.name = 'ipec_number' AND ca.id % 20 = 0 THEN 'warn' ELSE 'pass' END",
                "message": "CASE WHEN c.name = 'name_match' AND ca.has_failing_checks "
                "THEN 'The applicant''s name does not appear in the certificate text.' ELSE c.ok END",
                "created_at": "ca.submitted_at + interval '1 minute'",
            },
            "coach_applications ca, (VALUES ('file_type', 'The file is a PDF and opens.'), "
            "('name_match', 'The applicant''s name appears in the certificate.'), "
            "('ipec_number', 'The iPEC number is well-formed and not held by another coach.')) c(name, ok) "
            "WHERE ca.id BETWEEN :lo AND :hi AND ca.status <> 'draft'",
            q,
        )
        yield hi - lo + 1


def _events(plan: Plan, p: dict) -> Iterator[int]:
    base = plan.bases["coach_applications"]
    for lo, hi in batches(plan.n):
        q = {"lo": base + lo, "hi": base + hi}
        insert_select(
            "application_events",
            {
                "application_id": "id",
                "actor_id": "user_id",
                "kind": "'submitted'",
                "message": "''",
                "is_staff_only": "false",
                "created_at": "submitted_at",
            },
            "coach_applications WHERE id BETWEEN :lo AND :hi AND status <> 'draft'",
            q,
        )
        insert_select(
            "application_events",
            {
                "application_id": "id",
                "actor_id": "decided_by_id",
                "kind": "status",
                "message": "decision_reason",
                "is_staff_only": "false",
                "created_at": "COALESCE(decided_at, submitted_at + interval '1 day')",
            },
            "coach_applications WHERE id BETWEEN :lo AND :hi AND status IN ('approved', 'rejected', 'info_requested')",
            q,
        )
        yield hi - lo + 1


def steps(plan: Plan, params: dict) -> list[tuple[str, Callable[[], Iterator[int]]]]:
    """(table, fill) pairs, in dependency order."""
    return [
        ("users", lambda: _users(plan, params)),
        ("coach_profiles", lambda: _coach_profiles(plan, params)),
        ("session_types", lambda: _session_types(plan, params)),
        ("coach_applications", lambda: _applications(plan, params)),
        ("approved_coaches", lambda: _approved_coaches(plan, params)),
        ("application_documents", lambda: _documents(plan, params)),
        ("application_events", lambda: _events(plan, params)),
    ]
