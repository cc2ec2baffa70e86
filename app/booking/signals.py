"""Signals the booking domain sends (confirmed, cancelled, rescheduled, hold expiring); messaging, payments and others subscribe."""

from blinker import Namespace

_signals = Namespace()

# Sent inside the confirming transaction with the booking as sender: receivers may add rows
# (they join the transaction) and register after-commit effects, but must not commit.
booking_confirmed = _signals.signal("booking-confirmed")

# Sent inside the cancelling transaction with the booking as sender and `refund`, the minor
# units the policy refunds (0 for none): receivers may add rows and register after-commit
# effects, but must not commit.
booking_cancelled = _signals.signal("booking-cancelled")

# Sent before a hold that ran out is expired, with the booking as sender. A receiver returns
# HOLD_PAID when the slot turns out to be paid (it recorded the success in the transaction: the
# hold is kept for the confirmation) or HOLD_UNKNOWN when it cannot tell (the hold is left for the
# next try); anything else lets the hold expire. Receivers must not commit.
hold_expiring = _signals.signal("hold-expiring")
HOLD_PAID = "paid"
HOLD_UNKNOWN = "unknown"

# Sent inside the rescheduling transaction with the booking (at its new time) as sender: receivers
# may add rows and register after-commit effects, but must not commit.
booking_rescheduled = _signals.signal("booking-rescheduled")
