"""Domains react to one another through signals that the app connects when it is built."""

from __future__ import annotations

import pytest

from app.booking.signals import booking_cancelled
from app.community.signals import post_held_for_review
from app.payments.signals import payment_succeeded


@pytest.mark.parametrize(
    ("signal", "receiver_module"),
    [
        (post_held_for_review, ["app.moderation"]),
        (payment_succeeded, ["app.booking"]),
        (booking_cancelled, ["app.notifications.sources", "app.payments"]),
    ],
)
def test_the_reacting_domain_subscribes_once(app, signal, receiver_module):
    modules = sorted(receiver.__module__ for receiver in signal.receivers_for(object()))
    assert modules == receiver_module
