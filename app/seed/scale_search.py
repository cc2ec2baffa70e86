"""Scale data, search side: the denormalised search fields of the scale coaches, set-based.

`app.coaches.search.refresh_search_fields` keeps search_text, price_from_amount and next_slot_at
fresh one coach at a time; for the ~N/10 scale coaches the same values are computed here with
one UPDATE per batch (no Python loop per coach), after bookings and reviews exist:
- search_text: full name, headline, bio and specialization names (ordered by name), lowercased;
- price_from_amount: the cheapest active session type;
- next_slot_at: the earliest start of any active session type in the next 8 days, on
  the coach's weekly hours in the coach's zone, stepping by duration + buffer from the start of
  the hours (as slots.py does), past the minimum notice and clear of blocking bookings. Exceptions
  are ignored (scale coaches have none); `flask booking refresh-search` recomputes it exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import sqlalchemy as sa

from app.extensions import db
from app.seed.scale import Plan, batches

SEARCH_TEXT = """
UPDATE coach_profiles cp
SET search_text = lower(concat_ws(' ', NULLIF(trim(u.first_name || ' ' || u.last_name), ''),
                                  NULLIF(cp.headline, ''), NULLIF(cp.bio, ''), s.names)),
    price_from_amount = st.price
FROM users u,
     (SELECT cs.coach_id, string_agg(sp.name, ' ' ORDER BY sp.name) AS names
        FROM coach_specializations cs JOIN specializations sp ON sp.id = cs.specialization_id
       WHERE cs.coach_id BETWEEN :lo AND :hi GROUP BY cs.coach_id) s,
     (SELECT coach_id, min(price_amount) AS price FROM session_types
       WHERE is_active AND coach_id BETWEEN :lo AND :hi GROUP BY coach_id) st
WHERE cp.id BETWEEN :lo AND :hi AND u.id = cp.user_id AND s.coach_id = cp.id AND st.coach_id = cp.id
"""

NEXT_SLOT = """
UPDATE coach_profiles cp SET next_slot_at = x.slot
FROM (
  SELECT c.id, min(k.starts_at) AS slot
    FROM coach_profiles c
    JOIN (SELECT DISTINCT coach_id, duration_minutes AS dur FROM session_types
           WHERE is_active AND coach_id BETWEEN :lo AND :hi) st ON st.coach_id = c.id
    CROSS JOIN generate_series(0, 8) d
    JOIN availability_rules r
      ON r.coach_id = c.id
     AND r.weekday = extract(isodow FROM (now() AT TIME ZONE c.timezone)::date + d)::int - 1
    CROSS JOIN LATERAL generate_series(0, 47) i
    CROSS JOIN LATERAL (
      SELECT (((now() AT TIME ZONE c.timezone)::date + d) + r.start_time
              + i * (st.dur + c.buffer_minutes) * interval '1 minute') AT TIME ZONE c.timezone AS starts_at) k
   WHERE c.id BETWEEN :lo AND :hi
     AND (r.end_time - r.start_time) >= (i * (st.dur + c.buffer_minutes) + st.dur) * interval '1 minute'
     AND k.starts_at >= now() + c.min_notice_hours * interval '1 hour'
     AND NOT EXISTS (
       SELECT 1 FROM bookings b
        WHERE b.coach_id = c.id
          AND b.starts_at < k.starts_at + (st.dur + c.buffer_minutes) * interval '1 minute'
          AND b.ends_at + c.buffer_minutes * interval '1 minute' > k.starts_at
          AND (b.status = 'confirmed'
               OR (b.status = 'held' AND (b.hold_expires_at IS NULL OR b.hold_expires_at > now()))))
   GROUP BY c.id) x
WHERE cp.id = x.id
"""


def _search_fields(plan: Plan, p: dict) -> Iterator[int]:
    base = plan.bases["coach_profiles"]
    for lo, hi in batches(plan.coaches, 2_000):
        q = {"lo": base + lo, "hi": base + hi}
        db.session.execute(sa.text(SEARCH_TEXT), q)
        db.session.execute(sa.text(NEXT_SLOT), q)
        yield hi - lo + 1


def steps(plan: Plan, params: dict) -> list[tuple[str, Callable[[], Iterator[int]]]]:
    """(name, fill) pairs; run after bookings and reviews."""
    return [("coach_search_fields", lambda: _search_fields(plan, params))]
