"""Signals the booking domain sends (confirmed, cancelled); messaging, payments and others subscribe."""

from blinker import Namespace

_signals = Namespace()

# Sent inside the confirming transaction with the booking as sender: receivers may add rows
# (they join the transaction) and register after-commit effects, but must not commit.
booking_confirmed = _signals.signal("booking-confirmed")

# Sent inside the cancelling transaction with the booking as sender and `refund`, the minor
# units the policy refunds (0 for none): receivers may add rows and register after-commit
# effects, but must not commit.
booking_cancelled = _signals.signal("booking-cancelled")
