"""Signals the moderation domain sends; the notification center subscribes."""

from blinker import Namespace

_signals = Namespace()

# Sent inside the moderator's transaction for each reporter whose flag was decided, with the
# reporter (a User) as sender and `upheld` (bool): receivers may add rows, never commit.
flag_decided = _signals.signal("flag-decided")
