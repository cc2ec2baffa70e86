"""Business metrics read from the database at scrape time: rows by status, webhook lag, mails.

Rows by status are gauges (a payment leaves `processing` for `succeeded`); the terminal states
only grow, so `increase(coach_connect_payments{status="succeeded"}[1h])` is the hour's count.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from app.booking.models import Booking, BookingStatus
from app.core.db import utcnow
from app.core.models import MailStatus, OutgoingMail
from app.extensions import db
from app.payments.bookkeeping import WebhookEvent, WebhookStatus
from app.payments.models import Payment, PaymentStatus, Refund, RefundStatus

log = logging.getLogger(__name__)


def _by_status(name: str, doc: str, model, statuses) -> GaugeMetricFamily:
    """One series per status, zeros included (an alert on `failed` needs the series to exist)."""
    family = GaugeMetricFamily(name, doc, labels=["status"])
    rows = db.session.execute(sa.select(model.status, sa.func.count()).group_by(model.status)).all()
    counts = {status.value: 0 for status in statuses} | {status.value: count for status, count in rows}
    for status, count in sorted(counts.items()):
        family.add_metric([status], count)
    return family


def _lag_total() -> tuple[float, int]:
    """Summed processing lag in seconds, and the number of processed events."""
    start = sa.func.coalesce(WebhookEvent.provider_created_at, WebhookEvent.received_at)
    done = WebhookEvent.processed_at.is_not(None)
    if db.engine.dialect.name == "postgresql":
        seconds = sa.func.greatest(sa.extract("epoch", WebhookEvent.processed_at - start), 0)
        total, count = db.session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(seconds), 0), sa.func.count()).where(done)
        ).one()
        return float(total), count
    rows = db.session.execute(sa.select(start, WebhookEvent.processed_at).where(done)).all()
    return sum(max((b - a).total_seconds(), 0.0) for a, b in rows), len(rows)


def _webhooks():
    events = GaugeMetricFamily(
        "coach_connect_webhook_events", "Stored webhook events by type and status.", labels=["type", "status"]
    )
    rows = db.session.execute(
        sa.select(WebhookEvent.type, WebhookEvent.status, sa.func.count()).group_by(
            WebhookEvent.type, WebhookEvent.status
        )
    ).all()
    for kind, status, count in rows:
        events.add_metric([kind, status.value], count)
    yield events
    total, processed = _lag_total()
    lag = CounterMetricFamily(
        "coach_connect_webhook_processing_lag_seconds",
        "Seconds from the provider's event (or its arrival) to its processing, summed over processed events.",
        labels=[],
    )
    lag.add_metric([], total)
    yield lag
    count = CounterMetricFamily(
        "coach_connect_webhook_processed_events", "Webhook events processed (the lag sum's count)."
    )
    count.add_metric([], processed)
    yield count
    oldest = db.session.scalar(
        sa.select(sa.func.min(WebhookEvent.received_at)).where(WebhookEvent.status == WebhookStatus.PENDING)
    )
    pending = GaugeMetricFamily(
        "coach_connect_webhook_oldest_pending_seconds", "Age of the oldest webhook event not yet processed."
    )
    pending.add_metric([], (utcnow() - oldest).total_seconds() if oldest else 0.0)
    yield pending


class BusinessCollector(Collector):
    """Bookings, payments, refunds, webhook events and mails by status, read from the database."""

    def collect(self):
        up = GaugeMetricFamily("coach_connect_database_up", "1 when the database answered this scrape.")
        try:
            families = [
                _by_status("coach_connect_bookings", "Bookings by status.", Booking, BookingStatus),
                _by_status("coach_connect_payments", "Payments by status.", Payment, PaymentStatus),
                _by_status("coach_connect_refunds", "Refunds by status.", Refund, RefundStatus),
                _by_status("coach_connect_mails", "Outgoing mails by status.", OutgoingMail, MailStatus),
                *_webhooks(),
            ]
        except Exception:  # noqa: BLE001 - database down: say so instead of failing the scrape
            log.warning("business metrics unavailable", exc_info=True)
            db.session.rollback()
            up.add_metric([], 0)
            yield up
            return
        finally:
            db.session.rollback()  # read-only: end the transaction the counts opened
        up.add_metric([], 1)
        yield up
        yield from families
