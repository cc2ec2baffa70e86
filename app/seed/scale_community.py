"""Scale data, community side: groups, discussions, N replies, N moderation items and 10N flags."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import sqlalchemy as sa

from app.extensions import db
from app.seed.scale import Plan, batches, insert_select, max_id, rnd
from app.seed.scale_people import user_ids

REASONS = "(ARRAY['spam','harassment','inappropriate','off_topic','other'])"
FLAGS_PER_ITEM = 10


def _groups(plan: Plan, p: dict) -> Iterator[int]:
    plan.bases["groups"] = base = max_id("groups")
    plan.groups = count = max(5, min(200, plan.n // 500))
    coach = user_ids(plan)["coach"]
    insert_select(
        "groups",
        {
            "id": f"{base} + i",
            "slug": "'scale-' || :tag || '-' || i",
            "name": "'Scale group ' || i",
            "description": "'A group for benchmarks.'",
            "is_private": "i % 10 = 0",
            "owner_id": f"{coach} + 1 + (i - 1) % {plan.coaches}",
            "created_at": "now() - interval '400 days'",
        },
        "generate_series(1, CAST(:count AS int)) i",
        {**p, "count": count},
    )
    insert_select(
        "group_memberships",
        {
            "group_id": f"{base} + i",
            "user_id": f"{coach} + 1 + (i - 1) % {plan.coaches}",
            "role": "'owner'",
            "status": "'active'",
            "created_at": "now() - interval '400 days'",
        },
        "generate_series(1, CAST(:count AS int)) i",
        {"count": count},
    )
    yield count


def _discussions(plan: Plan, p: dict) -> Iterator[int]:
    plan.bases["discussions"] = base = max_id("discussions")
    client, groups = user_ids(plan)["client"], plan.bases["groups"]
    for lo, hi in batches(plan.discussions):
        at = f"now() - interval '1 day' - {rnd('d', 525600, 60)} * interval '1 minute'"
        insert_select(
            "discussions",
            {
                "id": f"{base} + d",
                "group_id": f"{groups} + 1 + d % {plan.groups}",
                "author_id": f"{client} + 1 + {rnd('d', plan.clients, 61)}",
                "title": "'Discussion ' || d || ': how do you keep momentum between sessions?'",
                "body_md": "'Sharing what works for me, curious about yours.'",
                "body_html": "'<p>Sharing what works for me, curious about yours.</p>'",
                "visibility": "'visible'",
                "reply_count": "0",
                "created_at": at,
                "last_activity_at": at,
            },
            "generate_series(CAST(:lo AS int), CAST(:hi AS int)) d",
            {"lo": lo, "hi": hi},
        )
        yield hi - lo + 1


def _replies(plan: Plan, p: dict) -> Iterator[int]:
    plan.bases["replies"] = base = max_id("replies")
    client, disc = user_ids(plan)["client"], plan.bases["discussions"]
    for lo, hi in batches(plan.n):
        insert_select(
            "replies",
            {
                "id": f"{base} + r",
                "discussion_id": "d.id",
                "author_id": f"{client} + 1 + {rnd('r', plan.clients, 62)}",
                "body_md": "'Reply ' || r || ': thanks, this helped.'",
                "body_html": "'<p>Reply ' || r || ': thanks, this helped.</p>'",
                "visibility": "'visible'",
                "created_at": f"LEAST(d.created_at + ((r - 1) / {plan.discussions} + 1) * interval '20 minutes', now())",
            },
            f"generate_series(CAST(:lo AS int), CAST(:hi AS int)) r JOIN discussions d ON d.id = {disc} + 1 + (r - 1) % {plan.discussions}",
            {"lo": lo, "hi": hi},
        )
        yield hi - lo + 1
    db.session.execute(
        sa.text(
            "UPDATE discussions d SET reply_count = x.n, last_activity_at = x.last FROM "
            "(SELECT discussion_id, count(*) AS n, max(created_at) AS last FROM replies "
            "WHERE discussion_id BETWEEN :lo AND :hi GROUP BY discussion_id) x WHERE d.id = x.discussion_id"
        ),
        {"lo": disc + 1, "hi": disc + plan.discussions},
    )


ITEM_STATUS = f"""CASE WHEN {rnd("j", 100, 70)} < 70 THEN 'pending' WHEN {rnd("j", 100, 70)} < 80 THEN 'kept'
    WHEN {rnd("j", 100, 70)} < 90 THEN 'hidden' WHEN {rnd("j", 100, 70)} < 95 THEN 'removed' ELSE 'edited' END"""


def _items(plan: Plan, p: dict) -> Iterator[int]:
    """One item per reply; a third decided, some pending ones auto-hidden; replies follow suit."""
    plan.bases["moderation_items"] = base = max_id("moderation_items")
    replies, moderator = plan.bases["replies"], user_ids(plan)["moderator"]
    for lo, hi in batches(plan.n):
        source = f"""(SELECT j, r.id AS reply_id, r.author_id, d.group_id, {ITEM_STATUS} AS status,
                 LEAST(r.created_at + interval '1 hour', now()) AS first_at,
                 LEAST(r.created_at + interval '10 hours', now()) AS last_at
              FROM generate_series(CAST(:lo AS int), CAST(:hi AS int)) j JOIN replies r ON r.id = {replies} + j
              JOIN discussions d ON d.id = r.discussion_id) x"""
        decided_at = "LEAST(last_at + interval '1 day', now())"
        insert_select(
            "moderation_items",
            {
                "id": f"{base} + j",
                "target_type": "'reply'",
                "target_id": "reply_id",
                "author_id": "author_id",
                "group_id": "group_id",
                "status": "status",
                "priority": f"{FLAGS_PER_ITEM} + {rnd('j', 1000, 71)} / 100.0",
                "flag_count": str(FLAGS_PER_ITEM),
                "top_reason": f"{REASONS}[1 + {rnd('j', 5, 72)}]",
                "is_hidden": f"status IN ('hidden', 'removed') OR (status = 'pending' AND {rnd('j', 100, 73)} < 10)",
                "first_flagged_at": "first_at",
                "last_flagged_at": "last_at",
                "decided_at": f"CASE WHEN status <> 'pending' THEN {decided_at} END",
                "decided_by_id": f"CASE WHEN status <> 'pending' THEN {moderator} + 1 + j % 3 END",
                "version": "1",
                "created_at": "first_at",
                "updated_at": f"CASE WHEN status <> 'pending' THEN {decided_at} ELSE last_at END",
            },
            source,
            {"lo": lo, "hi": hi},
        )
        db.session.execute(
            sa.text(
                "UPDATE replies r SET visibility = CASE WHEN mi.status = 'removed' THEN 'removed' ELSE 'hidden' END "
                "FROM moderation_items mi WHERE mi.id BETWEEN :lo AND :hi AND mi.is_hidden AND r.id = mi.target_id"
            ),
            {"lo": base + lo, "hi": base + hi},
        )
        yield hi - lo + 1


def _flags(plan: Plan, p: dict) -> Iterator[int]:
    """Ten flags per item from ten different clients; open until the item is decided."""
    items, client = plan.bases["moderation_items"], user_ids(plan)["client"]
    for lo, hi in batches(FLAGS_PER_ITEM * plan.n):
        insert_select(
            "flags",
            {
                "item_id": "mi.id",
                "reporter_id": f"{client} + 1 + (((g - 1) / {FLAGS_PER_ITEM}) * 13 + (g - 1) % {FLAGS_PER_ITEM}) % {plan.clients}",
                "target_type": "mi.target_type",
                "target_id": "mi.target_id",
                "reason": f"CASE WHEN (g - 1) % {FLAGS_PER_ITEM} < 6 THEN mi.top_reason ELSE {REASONS}[1 + {rnd('g', 5, 80)}] END",
                "note": "''",
                "status": "CASE mi.status WHEN 'pending' THEN 'open' WHEN 'kept' THEN 'dismissed' ELSE 'upheld' END",
                "created_at": f"LEAST(mi.first_flagged_at + ((g - 1) % {FLAGS_PER_ITEM}) * interval '1 hour', now())",
                "resolved_at": "mi.decided_at",
            },
            f"generate_series(CAST(:lo AS int), CAST(:hi AS int)) g JOIN moderation_items mi ON mi.id = {items} + 1 + (g - 1) / {FLAGS_PER_ITEM}",
            {"lo": lo, "hi": hi},
        )
        yield hi - lo + 1


def _actions(plan: Plan, p: dict) -> Iterator[int]:
    base = plan.bases["moderation_items"]
    for lo, hi in batches(plan.n):
        insert_select(
            "moderation_actions",
            {
                "item_id": "id",
                "actor_id": "decided_by_id",
                "target_user_id": "author_id",
                "kind": "CASE status WHEN 'pending' THEN 'auto_hide' WHEN 'kept' THEN 'keep' WHEN 'hidden' THEN 'hide' "
                "WHEN 'removed' THEN 'remove' ELSE 'edit' END",
                "reason": "CASE WHEN status = 'pending' THEN 'Flag threshold reached.' ELSE 'Reviewed.' END",
                "created_at": "COALESCE(decided_at, last_flagged_at)",
            },
            "moderation_items WHERE id BETWEEN :lo AND :hi AND (status <> 'pending' OR is_hidden)",
            {"lo": base + lo, "hi": base + hi},
        )
        yield hi - lo + 1


def steps(plan: Plan, params: dict) -> list[tuple[str, Callable[[], Iterator[int]]]]:
    """(table, fill) pairs, in dependency order."""
    return [
        ("groups", lambda: _groups(plan, params)),
        ("discussions", lambda: _discussions(plan, params)),
        ("replies", lambda: _replies(plan, params)),
        ("moderation_items", lambda: _items(plan, params)),
        ("flags", lambda: _flags(plan, params)),
        ("moderation_actions", lambda: _actions(plan, params)),
    ]
