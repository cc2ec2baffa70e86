"""Scale data, activity side: bookings, payments, refunds, reviews, discussions, flags and items."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import sqlalchemy as sa

from app.extensions import db
from app.seed.scale import Plan, batches, insert_select, max_id, rnd
from app.seed.scale_people import user_ids

# Each coach gets ~100 bookings 87 hours apart, from 330 days ago to about a month ahead:
# never overlapping, whatever constraint the booking domain adds.
STARTS = "date_trunc('hour', now()) - interval '330 days' + s * interval '87 hours' + (c % 8) * interval '1 hour'"


def _bookings(plan: Plan, p: dict) -> Iterator[int]:
    plan.bases["bookings"] = base = max_id("bookings")
    st, client = plan.bases["session_types"], user_ids(plan)["client"]
    for lo, hi in batches(10 * plan.n):
        source = f"""(SELECT g, starts_at, starts_at + st.duration_minutes * interval '1 minute' AS ends_at,
                 st.id AS st_id, st.coach_id, st.price_amount, st.currency,
                 LEAST(starts_at - (1 + {rnd("g", 20, 30)}) * interval '1 day', now() - interval '1 hour') AS created_at,
                 CASE WHEN starts_at < now() - interval '3 hours' THEN
                   CASE WHEN {rnd("g", 100, 31)} < 86 THEN 'completed' WHEN {rnd("g", 100, 31)} < 94 THEN 'cancelled' ELSE 'expired' END
                 ELSE
                   CASE WHEN {rnd("g", 100, 31)} < 90 THEN 'confirmed' WHEN {rnd("g", 100, 31)} < 96 THEN 'cancelled' ELSE 'held' END
                 END AS status
              FROM (SELECT g, 1 + (g - 1) % {plan.coaches} AS c, (g - 1) / {plan.coaches} AS s
                    FROM generate_series(CAST(:lo AS int), CAST(:hi AS int)) g) gs
              CROSS JOIN LATERAL (SELECT {STARTS} AS starts_at) t
              JOIN session_types st ON st.id = {st} + 2 * (c - 1) + 1 + {rnd("g", 2, 32)}) x"""
        paid = "status IN ('completed', 'confirmed', 'cancelled')"
        insert_select(
            "bookings",
            {
                "id": f"{base} + g",
                "client_id": f"{client} + 1 + {rnd('g', plan.clients, 33)}",
                "coach_id": "coach_id",
                "session_type_id": "st_id",
                "starts_at": "starts_at",
                "ends_at": "ends_at",
                "status": "status",
                "hold_expires_at": "CASE status WHEN 'held' THEN now() + interval '15 minutes' "
                "WHEN 'expired' THEN created_at + interval '15 minutes' END",
                "amount": "price_amount",
                "currency": "currency",
                "notes": "''",
                "confirmed_at": f"CASE WHEN {paid} THEN created_at + interval '5 minutes' END",
                "cancelled_at": "CASE WHEN status = 'cancelled' THEN LEAST(created_at + interval '1 day', now()) END",
                "cancelled_by_id": f"CASE WHEN status = 'cancelled' THEN {client} + 1 + {rnd('g', plan.clients, 33)} END",
                "cancel_reason": "CASE WHEN status = 'cancelled' THEN 'Plans changed.' END",
                "completed_at": "CASE WHEN status = 'completed' THEN ends_at + interval '30 minutes' END",
                "created_at": "created_at",
                "updated_at": "created_at",
            },
            source,
            {"lo": lo, "hi": hi},
        )
        yield hi - lo + 1


def _payments(plan: Plan, p: dict) -> Iterator[int]:
    plan.bases["payments"] = base = max_id("payments")
    bk = plan.bases["bookings"]
    for lo, hi in batches(10 * plan.n):
        paid = "b.status IN ('completed', 'confirmed', 'cancelled')"
        refunded = f"""CASE WHEN b.status = 'cancelled' THEN
                         CASE WHEN {rnd("b.id", 2, 40)} = 0 THEN b.amount ELSE b.amount / 2 END
                       WHEN b.status = 'completed' AND {rnd("b.id", 100, 41)} < 2 THEN b.amount / 4 ELSE 0 END"""
        insert_select(
            "payments",
            {
                "id": f"{base} + (b.id - {bk})",
                "booking_id": "b.id",
                "client_id": "b.client_id",
                "coach_id": "b.coach_id",
                "amount": "b.amount",
                "currency": "b.currency",
                "amount_refunded": refunded,
                "fee_amount": f"CASE WHEN {paid} THEN round(b.amount * 0.029) + 30 END",
                "status": f"CASE WHEN {paid} THEN 'succeeded' WHEN b.status = 'held' THEN 'requires_payment' ELSE 'failed' END",
                "gateway": "'offline'",
                "provider_intent_id": "'offline_pi_' || :tag || '_' || b.id",
                "provider_charge_id": f"CASE WHEN {paid} THEN 'offline_ch_' || :tag || '_' || b.id END",
                "idempotency_key": "'scale-' || :tag || '-p' || b.id",
                "failure_message": "CASE WHEN b.status = 'expired' THEN 'Your card was declined.' END",
                "is_disputed": f"{paid} AND {rnd('b.id', 1000, 42)} = 0",
                "succeeded_at": f"CASE WHEN {paid} THEN b.confirmed_at END",
                "created_at": "b.created_at",
                "updated_at": "COALESCE(b.cancelled_at, b.confirmed_at, b.created_at)",
            },
            "bookings b WHERE b.id BETWEEN :lo AND :hi",
            {**p, "lo": bk + lo, "hi": bk + hi},
        )
        yield hi - lo + 1


def _refunds(plan: Plan, p: dict) -> Iterator[int]:
    base = plan.bases["payments"]
    for lo, hi in batches(10 * plan.n):
        at = "COALESCE(b.cancelled_at, LEAST(b.completed_at + interval '2 days', now()))"
        insert_select(
            "refunds",
            {
                "payment_id": "pay.id",
                "amount": "pay.amount_refunded",
                "currency": "pay.currency",
                "reason": "CASE WHEN b.status = 'cancelled' THEN 'session_cancelled' ELSE 'goodwill' END",
                "note": "''",
                "status": "'succeeded'",
                "idempotency_key": "'scale-' || :tag || '-r' || pay.id",
                "provider_refund_id": "'offline_re_' || :tag || '_' || pay.id",
                "succeeded_at": at,
                "created_at": at,
                "updated_at": at,
            },
            "payments pay JOIN bookings b ON b.id = pay.booking_id WHERE pay.id BETWEEN :lo AND :hi AND pay.amount_refunded > 0",
            {**p, "lo": base + lo, "hi": base + hi},
        )
        yield hi - lo + 1


def _reviews(plan: Plan, p: dict) -> Iterator[int]:
    bk = plan.bases["bookings"]
    for lo, hi in batches(10 * plan.n):
        insert_select(
            "reviews",
            {
                "booking_id": "b.id",
                "coach_id": "b.coach_id",
                "client_id": "b.client_id",
                "rating": f"3 + {rnd('b.id', 3, 50)}",
                "body": "'Helpful session.'",
                "created_at": "b.completed_at + interval '1 hour'",
            },
            f"bookings b WHERE b.id BETWEEN :lo AND :hi AND b.status = 'completed' AND {rnd('b.id', 4, 51)} = 0",
            {"lo": bk + lo, "hi": bk + hi},
        )
        yield hi - lo + 1
    coach = plan.bases["coach_profiles"]
    db.session.execute(
        sa.text(
            "UPDATE coach_profiles cp SET rating_avg = x.avg, rating_count = x.n FROM "
            "(SELECT coach_id, round(avg(rating), 2) AS avg, count(*) AS n FROM reviews "
            "WHERE coach_id BETWEEN :lo AND :hi GROUP BY coach_id) x WHERE cp.id = x.coach_id"
        ),
        {"lo": coach + 1, "hi": coach + plan.coaches},
    )


def steps(plan: Plan, params: dict) -> list[tuple[str, Callable[[], Iterator[int]]]]:
    """(table, fill) pairs, in dependency order."""
    from app.seed.scale_community import steps as community_steps

    return [
        ("bookings", lambda: _bookings(plan, params)),
        ("payments", lambda: _payments(plan, params)),
        ("refunds", lambda: _refunds(plan, params)),
        ("reviews", lambda: _reviews(plan, params)),
    ] + community_steps(plan, params)
