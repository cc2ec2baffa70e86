"""Drill (issue 16, 6): the money worker SIGKILLed in the middle of a refund, between sending it to
Stripe (localstripe, through the fault proxy holding the answer back) and recording the answer.

The refund completes within 90 s, exactly once: rq gives the abandoned job its retry within
seconds (workers.rq_worker.PromptRecoveryWorker and the compose worker's intervals), the retry
finds the refund `sending` with nobody holding its sender lock, reads it back from Stripe and
books the one refund Stripe made, under the one idempotency key that was sent.
"""

from __future__ import annotations

import subprocess
import time

import sqlalchemy as sa
import stripe

from app.accounts.models import Role
from app.core.jobs import RQJobs
from app.core.models import AuditLog, JobFailure
from app.extensions import db
from app.payments import refunds, services
from app.payments.models import Payment, Refund, RefundStatus
from tests.factories import StaffFactory
from tests.factories.payments import HeldBookingFactory
from tests.ops.rq_processes import kill_with_horses
from tests.ops.test_drill_worker_kill import ROOT, _worker_env
from tests.payments.faulty_proxy import running_proxy
from tests.services import _bin

RECOVERY_BUDGET = 90  # seconds from the kill to the refund booked as succeeded
# As in docker-compose.yml (tests/test_compose.py checks the file).
RQ_FLAGS = ["-w", "workers.rq_worker.PromptRecoveryWorker", "--job-monitoring-interval", "5"]
RQ_FLAGS += ["--maintenance-interval", "10"]
MONEY_QUEUES = ["webhooks", "payments", "refunds", "bookings"]


def _worker(redis_url: str, env: dict, log_path, *extra: str) -> subprocess.Popen:
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [_bin("rq"), "worker", "--url", redis_url, *RQ_FLAGS, *extra, *MONEY_QUEUES],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_for(check, seconds: float, what: str, log_path=None) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if check():
            return time.monotonic() - start
        time.sleep(0.25)
    log = log_path.read_text()[-3000:] if log_path is not None else ""
    raise AssertionError(f"{what} did not happen within {seconds} s\n{_books()}\n{log}")


def _books() -> str:
    """The refunds, their audit trail and the failed jobs, for a failure's message."""
    db.session.expire_all()
    rows = [(r.id, r.status.value, r.attempts, r.failure_message) for r in db.session.scalars(sa.select(Refund))]
    actions = db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()
    failures = [(f.func, f.error[-600:]) for f in db.session.scalars(sa.select(JobFailure))]
    db.session.rollback()
    return f"refunds {rows}\naudit {actions}\njob failures {failures}"


def _status(refund_id: int) -> RefundStatus:
    db.session.expire_all()
    status = db.session.get(Refund, refund_id).status
    db.session.rollback()
    return status


def test_a_refund_whose_worker_is_killed_mid_call_completes_once_within_90_s(
    stripe_app, localstripe_url, redis, redis_url, tmp_path, monkeypatch
):
    with running_proxy(localstripe_url, delay_seconds=120) as proxy:
        monkeypatch.setitem(stripe_app.config, "STRIPE_API_BASE", proxy.url)
        booking = HeldBookingFactory(amount=9000)
        intent = services.create_intent(booking.client, booking.id)
        payment = services.confirm_payment(booking.client, intent.payment.id, "pm_card_visa")
        monkeypatch.setitem(stripe_app.extensions, "jobs", RQJobs(redis_url))  # retries 10, 60, 300 s
        refund = refunds.request_refund(StaffFactory(roles=[Role.FINANCE]), payment.id, 4000, "goodwill")
        assert _status(refund.id) == RefundStatus.PENDING  # on the payments queue

        env = _worker_env(
            tmp_path / "uploads",
            PAYMENT_GATEWAY="stripe",
            STRIPE_SECRET_KEY="sk_test_payments",
            STRIPE_API_BASE=proxy.url,
            STRIPE_TIMEOUT_SECONDS="300",  # the answer is held back: only the kill ends the call
        )
        proxy.inject("POST", "/v1/refunds", "delay")
        money_worker = _worker(redis_url, env, tmp_path / "killed.log")
        try:
            _wait_for(lambda: proxy.keys("POST", "/v1/refunds"), 60, "the refund reaching Stripe")
            assert _status(refund.id) == RefundStatus.SENDING
        finally:
            kill_with_horses(money_worker)
        killed_at = time.monotonic()

        survivor = _worker(
            redis_url, env, tmp_path / "survivor.log", "--with-scheduler"
        )  # another worker on the money queues
        try:
            _wait_for(
                lambda: _status(refund.id) == RefundStatus.SUCCEEDED,
                RECOVERY_BUDGET,
                "the refund's recovery",
                tmp_path / "survivor.log",
            )
            took = time.monotonic() - killed_at
        finally:
            kill_with_horses(survivor)

    client = stripe.StripeClient("sk_test_x", base_addresses={"api": localstripe_url})
    remote = client.v1.refunds.list(params={"payment_intent": payment.provider_intent_id}).data
    db.session.expire_all()
    refund = db.session.get(Refund, refund.id)
    assert took <= RECOVERY_BUDGET
    trail = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.object_type == "refunds").order_by(AuditLog.id)
    ).all()
    assert trail == ["refund.requested", "refund.unknown", "refund.succeeded"]  # read back, not sent again
    assert [(r.id, r.amount) for r in remote] == [(refund.provider_refund_id, 4000)]
    assert proxy.keys("POST", "/v1/refunds") == {refund.idempotency_key}
    assert db.session.get(Payment, payment.id).amount_refunded == 4000
    print(f"refund recovered {took:.1f} s after the kill")
