"""Signals the payments domain sends; other domains subscribe (booking confirms a paid booking)."""

from blinker import Namespace

_signals = Namespace()

# Sent inside the transaction that records a usable success, with the payment as sender:
# receivers may add rows (they join the transaction) and register after-commit effects, but
# must not commit. A success its booking cannot take is refunded instead and not sent.
payment_succeeded = _signals.signal("payment-succeeded")

# Sent when a refund succeeds, inside the transaction that records it, with the refund as sender.
refund_succeeded = _signals.signal("refund-succeeded")
