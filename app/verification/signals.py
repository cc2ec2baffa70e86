"""Signals the verification domain sends; the notification center subscribes."""

from blinker import Namespace

_signals = Namespace()

# Sent inside the deciding transaction with the application as sender and `approved` (bool):
# receivers may add rows and register after-commit effects, but must not commit.
application_decided = _signals.signal("application-decided")
