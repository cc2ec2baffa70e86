"""Signals the analytics domain sends; the notification center subscribes."""

from blinker import Namespace

_signals = Namespace()

# Sent inside the transaction that marks a report built, with the report as sender: receivers
# may add rows and register after-commit effects, but must not commit.
report_ready = _signals.signal("report-ready")
